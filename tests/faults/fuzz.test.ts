/**
 * A property-based fuzz (fast-check) over every query and mutation's input, over HTTP, as an
 * admin, as a member and signed out: whatever arrives — arbitrary JSON, odd Unicode, broken
 * surrogates, huge numbers, nested junk, raw bytes that are not JSON — the answer is never a 5xx
 * and the server stays up. Subscriptions are left out: a valid random input would hold a stream open.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestServer, type TestServer } from "../helpers/server";

let server: TestServer;
let admin: Awaited<ReturnType<typeof signUp>>;
let member: Awaited<ReturnType<typeof signUp>>;
let procedures: { path: string; type: "query" | "mutation" }[];
/** Calls that would end the fuzzing identities' own credentials or start real work: they are fuzzed signed out only. */
const OWN_CREDENTIALS = new Set(["auth.signOut", "auth.revokeSession", "auth.revokeApiToken", "loadTest.start", "users.setRole"]);

beforeAll(async () => {
  server = await startTestServer();
  admin = await signUp(server, "Admin");
  member = await signUp(server, "Member");
  const all = server.pulse.router._def.procedures as unknown as Record<string, { _def: { type: string } }>;
  procedures = Object.entries(all)
    .filter(([, p]) => p._def.type === "query" || p._def.type === "mutation")
    .map(([path, p]) => ({ path, type: p._def.type as "query" | "mutation" }));
});
afterAll(async () => {
  await server?.stop();
});

/** Field names the real inputs use, so that objects look plausible enough to pass some checks and fail deeper. */
const FIELD = fc.constantFrom("id", "sessionId", "fileId", "jobId", "runId", "messageId", "conversationId", "userId", "text", "title", "email", "password", "name", "kind", "cursor", "limit", "lastEventId", "windowS", "scenario", "connections", "durationS", "format", "content", "role", "token", "url", "rows", "document", "config", "state", "update", "on", "message", "level", "action");
const ODD_STRING = fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 40 }), fc.constantFrom("\u0000", "\ud800", "../../etc/passwd", "' OR 1=1 --", "9".repeat(40), "-1", "NaN", "__proto__", "constructor"));
const VALUE: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    ODD_STRING,
    fc.integer(),
    fc.double(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 0, 1e308, 2 ** 63),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(FIELD, tie("value"), { maxKeys: 5 }),
  ),
})).value;
const INPUT = fc.oneof(VALUE, fc.dictionary(FIELD, VALUE, { maxKeys: 6 }), fc.constant(undefined));

async function call(path: string, type: "query" | "mutation", input: unknown, token?: string): Promise<number> {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const body = input === undefined ? undefined : JSON.stringify({ json: input });
  const response =
    type === "query"
      ? await fetch(`${server.url}/api/trpc/${path}${body === undefined ? "" : `?input=${encodeURIComponent(body)}`}`, { headers })
      : await fetch(`${server.url}/api/trpc/${path}`, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: body ?? "" });
  await response.arrayBuffer();
  return response.status;
}

describe("every procedure, any input", () => {
  it("never answers 5xx, whoever calls", async () => {
    const failures: string[] = [];
    for (const { path, type } of procedures) {
      await fc.assert(
        fc.asyncProperty(INPUT, fc.constantFrom("admin", "member", "anonymous"), async (input, who) => {
          const token = OWN_CREDENTIALS.has(path) ? undefined : who === "admin" ? admin.token : who === "member" ? member.token : undefined;
          const status = await call(path, type, input, token);
          if (status >= 500) failures.push(`${status} ${path} ${who} ${JSON.stringify(input)?.slice(0, 200)}`);
          return status < 500;
        }),
        { numRuns: 25, seed: 1312 },
      ).catch(() => undefined);
    }
    expect(failures).toEqual([]);
    expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
  }, 600_000);

  it("never answers 5xx to bodies that are not JSON, or JSON that is not tRPC's", async () => {
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
      fc.string({ unit: "binary", maxLength: 200 }).map((text) => Buffer.from(text)),
      VALUE.map((value) => Buffer.from(JSON.stringify(value) ?? "")),
    );
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(bodies, fc.constantFrom("sessions.create", "chat.send", "files.create", "auth.signIn", "sessions.sendMessage,sessions.create"), async (body, path) => {
        const response = await fetch(`${server.url}/api/trpc/${path}${path.includes(",") ? "?batch=1" : ""}`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${member.token}` }, body });
        await response.arrayBuffer();
        if (response.status >= 500) failures.push(`${response.status} ${path} ${body.toString("hex").slice(0, 80)}`);
        return response.status < 500;
      }),
      { numRuns: 150, seed: 7 },
    ).catch(() => undefined);
    expect(failures).toEqual([]);
  }, 120_000);
});
