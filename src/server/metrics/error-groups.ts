/**
 * Failed calls between flushes, grouped by fingerprint: a storm of one failure is one row with a
 * count, not a row per call. Bounded like the request log: past the cap, new groups are dropped
 * and counted, while groups already held keep counting.
 */
import http from "node:http";
import type { CallRecord } from "./call.js";
import { SERVER_ERROR, type CallKind } from "./ring.js";
import { fingerprint, type ErrorKind } from "./routes.js";
import { clean, type ErrorRow } from "./store.js";

/** Error groups held between flushes; beyond, new groups are dropped and counted. */
const MAX_ERROR_GROUPS = 1_000;
const MAX_MESSAGE = 1_000;
const MAX_STACK = 8_000;

/** Times as numbers while held: the hot path updates `lastSeen` on every failure. */
interface ErrorGroup extends Omit<ErrorRow, "fingerprint" | "firstSeen" | "lastSeen"> {
  firstSeen: number;
  lastSeen: number;
}

export class ErrorGroups {
  private groups = new Map<string, ErrorGroup>();
  /** Fingerprints of recent errors by their raw text: the same failure again skips the normalising and hashing. */
  private readonly fingerprints = new Map<string, string>();
  /** Failures lost to the cap since the last warning: whoever warns resets it. */
  dropped = 0;

  /** A failed call (`kind` is not OK). */
  add(call: CallRecord, now: number, kind: CallKind): void {
    const errorKind: ErrorKind = kind === SERVER_ERROR ? "server" : "client";
    const code = call.code ?? `HTTP_${call.status}`;
    const message = clean(call.error?.message || http.STATUS_CODES[call.status] || `HTTP ${call.status}`, MAX_MESSAGE);
    const key = this.fingerprintOf(errorKind, code, call.route, message);
    let group = this.groups.get(key);
    if (group === undefined) {
      if (this.groups.size >= MAX_ERROR_GROUPS) {
        this.dropped++;
        return;
      }
      group = { kind: errorKind, code, route: call.route, message, count: 0, firstSeen: now, lastSeen: now, sampleStack: null, lastRequestId: null };
      this.groups.set(key, group);
    }
    group.count++;
    group.lastSeen = now;
    group.message = message;
    group.lastRequestId = call.requestId;
    // Stacks are for people who fix servers: a refused request's stack only shows our validation.
    if (errorKind === "server" && call.error?.stack) group.sampleStack = clean(call.error.stack, MAX_STACK);
  }

  private fingerprintOf(kind: ErrorKind, code: string, route: string, message: string): string {
    const raw = `${kind}\0${code}\0${route}\0${message}`;
    let key = this.fingerprints.get(raw);
    if (key === undefined) {
      if (this.fingerprints.size >= MAX_ERROR_GROUPS) this.fingerprints.clear();
      key = fingerprint(kind, code, route, message);
      this.fingerprints.set(raw, key);
    }
    return key;
  }

  /** Every group held, as rows to write; failures recorded meanwhile start new groups. */
  take(): ErrorRow[] {
    const groups = this.groups;
    this.groups = new Map();
    return [...groups].map(([key, g]) => ({ ...g, fingerprint: key, firstSeen: new Date(g.firstSeen), lastSeen: new Date(g.lastSeen) }));
  }

  /**
   * Rows that could not be written, merged into what was recorded since: counts add up and the
   * first sighting widens, while the newer group's message and request id win (they are the latest).
   */
  restore(rows: ErrorRow[]): void {
    for (const { fingerprint: key, firstSeen, lastSeen, ...old } of rows) {
      const group = this.groups.get(key);
      if (group === undefined) {
        if (this.groups.size >= MAX_ERROR_GROUPS) this.dropped += old.count;
        else this.groups.set(key, { ...old, firstSeen: firstSeen.getTime(), lastSeen: lastSeen.getTime() });
        continue;
      }
      group.count += old.count;
      group.firstSeen = Math.min(group.firstSeen, firstSeen.getTime());
      group.sampleStack ??= old.sampleStack;
    }
  }
}
