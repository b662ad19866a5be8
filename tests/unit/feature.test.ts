/** startFeatures on its own: build order, hooks, and what happens when a hook fails. */
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { App } from "@/server/app";
import { defineFeature, startFeatures } from "@/server/feature";
import { createLogger } from "@/server/log";
import { router } from "@/server/trpc/trpc";

function core(): App {
  return { checks: new Map(), usage: new Map(), metrics: { registry: new Registry() }, log: createLogger("silent") } as unknown as App;
}

function feature(name: string, calls: string[], failOnStart = false) {
  return defineFeature({
    name,
    createService: () => {
      calls.push(`create ${name}`);
      return { name };
    },
    router: () => router({}),
    start() {
      calls.push(`start ${name}`);
      if (failOnStart) throw new Error(`${name} could not start`);
    },
    stop() {
      calls.push(`stop ${name}`);
    },
  });
}

describe("startFeatures", () => {
  it("builds every service before the first start hook, and stops in reverse", async () => {
    const calls: string[] = [];
    const running = await startFeatures(core(), [feature("a", calls), feature("b", calls)]);
    expect(running.services).toEqual({ a: { name: "a" }, b: { name: "b" } });
    expect(calls).toEqual(["create a", "create b", "start a", "start b"]);
    await running.stop();
    expect(calls.slice(4)).toEqual(["stop b", "stop a"]);
  });

  it("stops the features already started when a start hook fails, and says which failed", async () => {
    const calls: string[] = [];
    await expect(startFeatures(core(), [feature("a", calls), feature("b", calls), feature("c", calls, true), feature("d", calls)])).rejects.toThrow(
      "c could not start",
    );
    expect(calls).toEqual(["create a", "create b", "create c", "create d", "start a", "start b", "start c", "stop b", "stop a"]);
  });

  it("refuses two features of one name", async () => {
    await expect(startFeatures(core(), [feature("a", []), feature("a", [])])).rejects.toThrow('Two features are named "a".');
  });

  it("keeps stopping when a stop hook fails", async () => {
    const calls: string[] = [];
    const failing = { ...feature("a", calls), stop: () => Promise.reject(new Error("no")) };
    const running = await startFeatures(core(), [failing, feature("b", calls)]);
    await running.stop();
    expect(calls).toEqual(["create a", "create b", "start a", "start b", "stop b"]);
  });

  it("registers each feature's usage hook under its name, in list order, and removes it on stop", async () => {
    const app = core();
    const section = (feature: string) => ({ feature, title: feature, figures: [{ key: "n", label: "N", value: 1, unit: "count" as const }] });
    const seen: unknown[] = [];
    const withUsage = (name: string) => ({
      ...feature(name, []),
      usage: (service: { name: string }) => async (scope: { userId: string | null; since: Date }) => {
        seen.push({ service: service.name, ...scope });
        return section(name);
      },
    });
    const running = await startFeatures(app, [withUsage("b"), feature("none", []), withUsage("a")]);
    expect([...app.usage.keys()]).toEqual(["b", "a"]);
    const since = new Date(0);
    expect(await app.usage.get("a")!({ userId: null, since })).toEqual(section("a"));
    expect(seen).toEqual([{ service: "a", userId: null, since }]);
    await running.stop();
    expect(app.usage.size).toBe(0);
  });
});
