/**
 * The benchmark's PostgreSQL: a throwaway embedded cluster in a temp dir, or — with
 * DATABASE_URL — a throwaway database on that server (that server itself when its user may
 * not create databases).
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "@/server/db/embedded";
import { createLogger } from "@/server/log";

export interface BenchDatabase {
  url: string;
  kind: "embedded" | "external";
  close(): Promise<void>;
}

async function onServer<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function openBenchDatabase(): Promise<BenchDatabase> {
  const external = process.env.DATABASE_URL;
  if (external) {
    const name = `pulse_bench_${randomBytes(6).toString("hex")}`;
    try {
      await onServer(external, (client) => client.query(`CREATE DATABASE "${name}"`));
    } catch {
      return { url: external, kind: "external", close: async () => undefined };
    }
    const url = new URL(external);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      kind: "external",
      close: () => onServer(external, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
    };
  }
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), "pulse-bench-pg-"));
  await fs.chmod(directory, 0o755); // as root, PostgreSQL runs as a `postgres` user that must reach it
  const cluster = await startEmbeddedPostgres(path.join(directory, "data"), createLogger("warn"));
  return {
    url: cluster.url,
    kind: "embedded",
    async close() {
      await cluster.stop();
      await fs.rm(directory, { recursive: true, force: true });
    },
  };
}
