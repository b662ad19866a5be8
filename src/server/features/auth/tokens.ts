import { createHash, randomBytes } from "node:crypto";

/** Login-session secrets (cookie or bearer) and API tokens look different, so a leak is easy to classify. */
export const LOGIN_TOKEN_PREFIX = "pls_";
export const API_TOKEN_PREFIX = "pat_";

export function newSecret(prefix: string): string {
  return prefix + randomBytes(32).toString("base64url");
}

/** Secrets are 256 random bits, so a fast hash is enough: we store only this. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}
