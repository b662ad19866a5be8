import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { Config } from "@/server/config";
import type { Logger } from "@/server/log";
import { startEmbeddedPostgres } from "./embedded.js";
import { PrismaClient } from "./generated/client.js";
import { migrate } from "./migrate.js";
import path from "node:path";

export type Database = PrismaClient;
export { Prisma } from "./generated/client.js";

export interface DatabaseHandle {
  db: Database;
  /** The pool behind Prisma, for the few raw queries we make (health round-trip, rate limits). */
  pool: pg.Pool;
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

/** Connects to DATABASE_URL, or starts the embedded cluster; then applies pending migrations. */
export async function openDatabase(config: Config, log: Logger): Promise<DatabaseHandle> {
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(path.join(config.dataDir, "postgres"), log);
  const url = config.databaseUrl ?? embedded!.url;
  try {
    await migrate(url, log);
    // A database that stops answering (rather than refusing) must not hold requests for minutes.
    const pool = new pg.Pool({ connectionString: url, max: config.databasePoolSize, connectionTimeoutMillis: 5_000 });
    pool.on("error", (err) => log.warn({ err }, "idle database connection failed"));
    // A checked-out connection that fails mid-query rejects that query (reported where it is
    // used); without a listener its "error" event would also crash the process.
    pool.on("connect", (client) => client.on("error", (err) => log.debug({ err }, "database connection failed")));
    const db = new PrismaClient({ adapter: new PrismaPg(pool) });
    return {
      db,
      pool,
      url,
      embedded: Boolean(embedded),
      close: async () => {
        await db.$disconnect();
        await pool.end().catch(() => undefined);
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
