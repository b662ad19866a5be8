/**
 * Set-up for the fan-out benchmark: tRPC calls over HTTP (the publisher's too) and accounts
 * written straight into the database.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import superjson from "superjson";
import { API_TOKEN_PREFIX, hashSecret, newSecret } from "@/server/features/auth/tokens";

// ── HTTP calls (the publisher, set-up) ───────────────────────────────────────────────────

/**
 * A set-up call: the server sheds load with 503 while its event loop lags (a fresh process on a
 * busy machine), so that answer is retried for a while. Not for the timed publisher: a refused
 * message there is counted, not hidden.
 */
export async function setupCall<T>(baseUrl: string, procedure: string, input: unknown, token?: string, method: "POST" | "GET" = "POST"): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call<T>(baseUrl, procedure, input, token, method);
    } catch (error) {
      if (attempt >= 20 || !(error as Error).message.includes("answered 503")) throw error;
      await sleep(1_000);
    }
  }
}

export async function call<T>(baseUrl: string, procedure: string, input: unknown, token?: string, method: "POST" | "GET" = "POST"): Promise<T> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const serialized = JSON.stringify(superjson.serialize(input));
  const url = `${baseUrl}/api/trpc/${procedure}` + (method === "GET" ? `?input=${encodeURIComponent(serialized)}` : "");
  const response = await fetch(url, { method, headers, body: method === "POST" ? serialized : undefined });
  const body = (await response.json()) as { result?: { data: never }; error?: { json?: { message?: string } } };
  if (!response.ok || !body.result) throw new Error(`${procedure} answered ${response.status}: ${body.error?.json?.message ?? JSON.stringify(body)}`);
  return superjson.deserialize(body.result.data) as T;
}

export interface Account {
  userId: string;
  token: string;
  name: string;
}

/**
 * Accounts with an API token each, written straight into the database (signing thousands up
 * through argon2 would take minutes, measure nothing here, and leave the server's memory full of
 * the hashes' buffers before the memory baseline). With `sessionId`, they are seated in it, with
 * their `joined` events, as if they had joined.
 */
export async function createAccounts(
  databaseUrl: string,
  names: string[],
  options: { role?: "USER" | "ADMIN"; sessionId?: string } = {},
): Promise<Account[]> {
  const stamp = `${Date.now()}-${randomUUID().slice(0, 8)}`;
  const accounts = names.map((name) => ({ userId: randomUUID(), token: newSecret(API_TOKEN_PREFIX), name }));
  const ids = accounts.map((a) => a.userId);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO "User" (id, email, name, "passwordHash", role, "updatedAt")
       SELECT id, 'bench-' || $3::text || '-' || ord || '@example.com', name, 'no password: benchmark account', $4::"Role", now()
       FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS t(id, name, ord)`,
      [ids, names, stamp, options.role ?? "USER"],
    );
    await client.query(
      `INSERT INTO "ApiToken" (id, "userId", name, "tokenHash", prefix)
       SELECT gen_random_uuid(), "userId", 'benchmark', hash, prefix FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t("userId", hash, prefix)`,
      [ids, accounts.map((a) => hashSecret(a.token)), accounts.map((a) => a.token.slice(0, 12))],
    );
    if (options.sessionId) {
      await client.query(
        `INSERT INTO "SessionParticipant" (id, "sessionId", "userId", name, role)
         SELECT gen_random_uuid(), $1::uuid, "userId", name, 'participant' FROM unnest($2::uuid[], $3::text[]) AS t("userId", name)`,
        [options.sessionId, ids, names],
      );
      await client.query(
        `INSERT INTO "SessionEvent" ("sessionId", type, "userId", payload)
         SELECT $1::uuid, 'joined', "userId", jsonb_build_object('name', name, 'role', 'participant')
         FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS t("userId", name, ord) ORDER BY ord`,
        [options.sessionId, ids, names],
      );
    }
    await client.query("COMMIT");
  } finally {
    await client.end();
  }
  return accounts;
}
