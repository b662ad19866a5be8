import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "@/server/db/embedded";
import { createLogger } from "@/server/log";

declare module "vitest" {
  export interface ProvidedContext {
    /** A PostgreSQL server URL whose user may create databases; each test file makes its own. */
    postgresAdminUrl: string;
  }
}

/** One PostgreSQL for the whole run: DATABASE_URL when set, else a throwaway embedded cluster. */
export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide("postgresAdminUrl", process.env.DATABASE_URL);
    return;
  }
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), "pulse-test-pg-"));
  await fs.chmod(directory, 0o755);
  const cluster = await startEmbeddedPostgres(path.join(directory, "data"), createLogger("warn"));
  project.provide("postgresAdminUrl", cluster.url);
  return async () => {
    await cluster.stop();
    await fs.rm(directory, { recursive: true, force: true });
  };
}
