/**
 * A feature of the tests' own whose every part fails with an internal error, a message that must
 * never reach a client in production (it names a table, a file and a secret): a procedure over
 * HTTP and WebSocket, and an HTTP route outside tRPC.
 */
import { defineFeature } from "@/server/feature";
import { publicProcedure, router } from "@/server/trpc/trpc";

export const INTERNAL_DETAIL = 'relation "secret_table" does not exist (password=hunter2, /srv/pulse/src/db.ts:42)';

function fail(): never {
  throw new Error(INTERNAL_DETAIL);
}

export const failingFeature = defineFeature({
  name: "failing",
  createService: () => ({}),
  router: () => router({ query: publicProcedure.query(fail), mutation: publicProcedure.mutation(fail) }),
  routes: () => [{ path: "/api/failing", methods: ["GET"], handle: async () => fail() }],
});
