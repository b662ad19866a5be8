/**
 * PostgreSQL really stopped (a fast shutdown of its own cluster) for five seconds while traffic
 * flows, then started again on the same port. Meanwhile calls fail fast with 503
 * SERVICE_UNAVAILABLE and a plain message, and /health says unhealthy; afterwards everything works
 * again without restarting Pulse, and every message acknowledged before the outage is still there.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findFreePort, startEmbeddedPostgres, type EmbeddedDatabase } from "@/server/db/embedded";
import { createLogger } from "@/server/log";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { eventually, mutate } from "../integration/support/raw";

let root: string;
let cluster: EmbeddedDatabase | undefined;
let server: TestServer | undefined;

afterAll(async () => {
  await server?.stop().catch(() => undefined);
  await cluster?.stop().catch(() => undefined);
  if (root) await fs.rm(root, { recursive: true, force: true });
});

describe("the database stopped under traffic", () => {
  it("fails fast with 503, reports unhealthy, recovers by itself and loses nothing acknowledged", async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), "pulse-outage-"));
    await fs.chmod(root, 0o755);
    const port = await findFreePort();
    const log = createLogger("warn");
    cluster = await startEmbeddedPostgres(path.join(root, "data"), log, port);
    server = await startTestServer({}, { url: cluster.url, drop: async () => undefined });
    const host = await signUp(server, "Host");
    const client = server.client(host.token);
    const session = await client.sessions.create.mutate({ kind: "collaboration", title: "Outage" });

    const acknowledged: string[] = [];
    for (let i = 0; i < 20; i++) acknowledged.push((await client.sessions.sendMessage.mutate({ sessionId: session.id, text: `before ${i}` })).eventId);

    // Traffic keeps coming while the database is gone.
    const outcomes: { status: number; code?: string; message?: string; ms: number }[] = [];
    let flowing = true;
    const traffic = (async () => {
      for (let i = 0; flowing; i++) {
        const started = performance.now();
        const response = await mutate(server!.url, "sessions.sendMessage", { sessionId: session.id, text: `during ${i}` }, { token: host.token });
        outcomes.push({ status: response.status, code: response.error?.data.code, message: response.error?.message, ms: performance.now() - started });
        if (response.status === 200) acknowledged.push((response.data as { eventId: string }).eventId);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    await cluster.stop();
    const downAt = Date.now();
    await eventually(async () => (await fetch(`${server!.url}/health`)).status === 503, "/health says unhealthy", 4_000);
    const health = (await (await fetch(`${server.url}/health`)).json()) as { status: string };
    expect(health.status).toBe("unhealthy");
    await new Promise((r) => setTimeout(r, Math.max(0, 5_000 - (Date.now() - downAt))));
    const during = outcomes.filter((o) => o.status !== 200);
    cluster = await startEmbeddedPostgres(path.join(root, "data"), log, port);

    await eventually(async () => (await fetch(`${server!.url}/health`)).status === 200, "healthy again, no restart", 20_000);
    await eventually(() => outcomes.slice(-3).every((o) => o.status === 200), "calls succeed again", 20_000);
    flowing = false;
    await traffic;

    // While it was down: clear 503s, each answered promptly (no hanging until a timeout), never a 500.
    expect(during.length).toBeGreaterThan(5);
    for (const outcome of during) {
      expect(outcome.status).toBe(503);
      expect(outcome.code).toBe("SERVICE_UNAVAILABLE");
      expect(outcome.message).toMatch(/database|try again/i);
      expect(outcome.ms).toBeLessThan(3_000);
    }
    // Nothing acknowledged — before or around the outage — is lost.
    const stored = new Set<string>();
    let before: string | undefined;
    for (;;) {
      const page = await client.sessions.history.query({ sessionId: session.id, limit: 200, ...(before ? { before } : {}) });
      for (const item of page.items) stored.add(item.id);
      before = page.nextBefore ?? undefined;
      if (!before) break;
    }
    for (const id of acknowledged) expect(stored).toContain(id);
  }, 120_000);
});
