/** A test-only feature for analytics tests: calls with a known latency or a known failure. */
import { setTimeout as sleep } from "node:timers/promises";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { App } from "@/server/app";
import { defineFeature } from "@/server/feature";
import { createChatFeature } from "@/server/features/chat/index";
import type { ChatModel } from "@/server/features/chat/model";
import { features } from "@/server/features/index";
import { publicProcedure, router } from "@/server/trpc/trpc";
import { text } from "@/shared/input";

export const trafficFeature = defineFeature({
  name: "traffic",
  createService: (app: App) => ({ instance: app.instanceId }),
  router: () =>
    router({
      /** Answers after `ms`. */
      sleep: publicProcedure.input(z.object({ ms: z.number().int().min(0).max(5_000) }).strict()).query(async ({ input }) => {
        const until = performance.now() + input.ms;
        await sleep(input.ms);
        // A timer may fire up to a millisecond early by performance.now(), which the measurements
        // use (libuv counts whole milliseconds from the start of the loop's turn): CI measured a
        // 50 ms sleep as 49.919 ms. The tests' lower bounds hold only if the call lasts `ms`.
        while (performance.now() < until) await sleep(1);
        return { slept: input.ms };
      }),
      /** Fails: INTERNAL (a thrown Error, 500) or BAD_REQUEST (400), with the message given. */
      fail: publicProcedure
        .input(z.object({ code: z.enum(["INTERNAL", "BAD_REQUEST"]), message: text().max(200) }).strict())
        .mutation(({ input }) => {
          if (input.code === "BAD_REQUEST") throw new TRPCError({ code: "BAD_REQUEST", message: input.message });
          throw new Error(input.message);
        }),
    }),
});

/** Every real feature plus the traffic one; with `model`, the chat answers with it. */
export function withTraffic(model?: ChatModel) {
  return [...features.map((f) => (f.name === "chat" && model ? createChatFeature({ model }) : f)), trafficFeature];
}

/** The value at percentile `p` of `values` as HDR reports it: the smallest value with at least p % at or below it. */
export function exactPercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
