/**
 * Sign-in throttling that slows guessing without letting anyone lock the owner out
 * (rate-limiter-flexible's login-protection pattern, with a progressive slowdown per email):
 *
 * - per address: attempts per 15 minutes (`SIGN_IN_ATTEMPTS_PER_IP`), whatever the email;
 * - per (email, address) pair: failures in a row (`SIGN_IN_FAILURES_PER_PAIR`); past them that pair
 *   waits out the hour, and a success from it clears its count;
 * - per email, from every address together: past `SIGN_IN_SLOWDOWN_AFTER` failures in a day, each
 *   further failure makes the next attempt on that email wait 1 s, 2 s, 4 s … up to
 *   `SIGN_IN_SLOWDOWN_MAX_S`. A wait, never a lock: the owner gets in once it has passed, and at
 *   once from an address they have signed in from before.
 *
 * So an attacker's failures block the attacker's own address; from any other address the right
 * password goes through (at worst after the short wait, when the email is under a distributed attack).
 * Counted in PostgreSQL (`rate_limits`), so every instance sees the same counts. Emails are hashed
 * in the keys: the column holds 255 characters and an email may have 254.
 */
import { createHash } from "node:crypto";
import type pg from "pg";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import type { Config } from "@/server/config";
import { AppError } from "@/server/errors";
import { rateLimitKey } from "@/server/ip-address";

const PAIR_WINDOW_S = 60 * 60;
const DAY_S = 24 * 60 * 60;

function emailKey(email: string): string {
  return createHash("sha256").update(email).digest("base64url");
}

function minutes(ms: number): number {
  return Math.max(1, Math.ceil(ms / 60_000));
}

function tooMany(message: string, ms: number): AppError {
  return new AppError("TOO_MANY_REQUESTS", message, Math.max(1, Math.ceil(ms / 1000)));
}

/** What an attempt may do: go ahead, or go ahead only from an address the account knows (the email is being slowed). */
export interface AttemptPermit {
  /** While the email is slowed: how long others must wait, in ms. */
  slowedForMs: number;
}

export function createSignInLimits(pool: pg.Pool, config: Config) {
  const store = { storeClient: pool, storeType: "pool", tableName: "rate_limits", tableCreated: true };
  const perIp = new RateLimiterPostgres({ ...store, keyPrefix: "signin_ip", points: config.signInAttemptsPerIp, duration: 15 * 60 });
  const pairFailures = new RateLimiterPostgres({ ...store, keyPrefix: "signin_pair", points: config.signInFailuresPerPair, duration: PAIR_WINDOW_S });
  const emailFailures = new RateLimiterPostgres({ ...store, keyPrefix: "signin_email_day", points: config.signInSlowdownAfter, duration: DAY_S });
  // Only ever set by block(): a key present means "wait until it expires".
  const emailWait = new RateLimiterPostgres({ ...store, keyPrefix: "signin_email_wait", points: 1, duration: 1 });

  const pairKey = (email: string, ip: string) => `${emailKey(email)}|${rateLimitKey(ip)}`;

  async function consume(limiter: RateLimiterPostgres, key: string, message: (ms: number) => string) {
    try {
      await limiter.consume(key);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      throw tooMany(message(rejection.msBeforeNext), rejection.msBeforeNext);
    }
  }

  return {
    /** Sign-ups per address share the attempts limit (their own count). */
    async signUpAttempt(ip: string) {
      await consume(perIp, `signup:${rateLimitKey(ip)}`, (ms) => `Too many sign-ups from your address. Try again in ${minutes(ms)} minute(s).`);
    },

    /** Before a password is checked: refuses a busy address or a blocked pair; says whether the email is being slowed. */
    async beforeAttempt(email: string, ip: string): Promise<AttemptPermit> {
      await consume(perIp, rateLimitKey(ip), (ms) => `Too many sign-in attempts from your address. Try again in ${minutes(ms)} minute(s).`);
      const [pair, wait] = await Promise.all([pairFailures.get(pairKey(email, ip)), emailWait.get(emailKey(email))]);
      if (pair && pair.consumedPoints >= config.signInFailuresPerPair && pair.msBeforeNext > 0) {
        throw tooMany(`Too many failed sign-ins for this account from your address. Try again in ${minutes(pair.msBeforeNext)} minute(s).`, pair.msBeforeNext);
      }
      return { slowedForMs: wait && wait.consumedPoints > 1 ? wait.msBeforeNext : 0 };
    },

    /** Refuses an attempt while the email is slowed (unless the address is one the account has signed in from). */
    refuseSlowed(permit: AttemptPermit): never {
      const seconds = Math.max(1, Math.ceil(permit.slowedForMs / 1000));
      throw tooMany(`This account has had many failed sign-ins, so attempts are slowed down. Try again in ${seconds} s.`, permit.slowedForMs);
    },

    /** A wrong password (or an unknown email): counts for the pair and the email; past the day's allowance, slows the email. */
    async failed(email: string, ip: string) {
      const [, day] = await Promise.all([pairFailures.penalty(pairKey(email, ip)), emailFailures.penalty(emailKey(email))]);
      const beyond = day.consumedPoints - config.signInSlowdownAfter;
      if (beyond >= 0) await emailWait.block(emailKey(email), Math.min(2 ** beyond, config.signInSlowdownMaxS));
    },

    /** The right password: the pair starts again from nothing (the email's day count stays: it tracks the attack, not the owner). */
    async succeeded(email: string, ip: string) {
      await pairFailures.delete(pairKey(email, ip));
    },
  };
}
