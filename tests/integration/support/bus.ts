/** Cutting the event bus: what a database restart or a network blip does to its listening connections. */
import { BUS_APPLICATION_NAME } from "@/server/bus/bus";
import { eventually, sql } from "./raw";

/** Ends every instance's listening connection to this database, waits until they are gone, and returns their pids. */
export async function cutTheBus(databaseUrl: string): Promise<number[]> {
  const find = `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`;
  const pids = (await sql<{ pid: number }>(databaseUrl, find, [BUS_APPLICATION_NAME])).map((row) => row.pid);
  await sql(databaseUrl, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY($1::int[])`, [pids]);
  await eventually(
    async () => (await sql(databaseUrl, `SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])`, [pids])).length === 0,
    "the listening connections to end",
  );
  return pids;
}
