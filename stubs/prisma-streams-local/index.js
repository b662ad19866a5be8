// `prisma dev` (Prisma's local Postgres server) is the only user of the real package; Pulse runs
// its own embedded PostgreSQL instead, so the real one is replaced to keep installs Node 20-clean.
export async function startLocalDurableStreamsServer() {
  throw new Error("`prisma dev` is not available in Pulse: @prisma/streams-local is replaced by a stub (see package.json overrides)");
}
