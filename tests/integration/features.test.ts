/**
 * The feature list is the one place a feature is added: its router is mounted at its name, its
 * service built, its start hook run before the server listens, its stop hook run on shutdown
 * (last started, first stopped), and its checks and metrics reach /health and /metrics.
 */
import { Gauge } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import type { App } from "@/server/app";
import { defineFeature, type AnyFeature } from "@/server/feature";
import { features } from "@/server/features/index";
import { publicProcedure, router } from "@/server/trpc/trpc";
import { signUp, startTestServer, type TestServer } from "../helpers/server";

const hooks: string[] = [];

/** A real feature's module, recording when its hooks run (and still running them). */
function recorded(feature: AnyFeature): AnyFeature {
  return {
    ...feature,
    async start(service) {
      hooks.push(`start ${feature.name}`);
      await feature.start?.(service);
    },
    async stop(service) {
      hooks.push(`stop ${feature.name}`);
      await feature.stop?.(service);
    },
  };
}

/** A feature of the test's own: a service made from the core, a procedure, a check and a gauge. */
const probe = defineFeature({
  name: "probe",
  createService: (app: App) => ({ instance: app.instanceId, started: false, stopped: false }),
  router: (probe) => router({ instance: publicProcedure.query(() => ({ instance: probe.instance, started: probe.started })) }),
  start(probe) {
    probe.started = true;
    hooks.push("start probe");
  },
  stop(probe) {
    probe.stopped = true;
    hooks.push("stop probe");
  },
  checks: (probe) => ({ ready: () => ({ status: probe.started ? "ok" : "unhealthy", detail: "the probe started" }) }),
  metrics: (probe) => [
    new Gauge({ name: "pulse_probe_started", help: "1 once the probe feature started", registers: [], collect() { this.set(probe.started ? 1 : 0); } }),
  ],
});

let server: TestServer | undefined;
afterAll(() => server?.stop());

describe("the feature list", () => {
  it("mounts every feature's router, runs the start hooks in order and the stop hooks in reverse", async () => {
    const list = [...features.map(recorded), probe];
    server = await startTestServer({}, undefined, { features: list });
    const names = list.map((feature) => feature.name);
    expect(hooks).toEqual(names.map((name) => `start ${name}`));

    // Every feature's procedures are mounted under its name, and nothing else is.
    const procedures = Object.keys(server.pulse.router._def.procedures);
    for (const name of names) expect(procedures.some((path) => path.startsWith(`${name}.`)), name).toBe(true);
    for (const path of procedures) expect(names).toContain(path.split(".")[0]);
    expect(procedures).toEqual(expect.arrayContaining(["health.ping", "auth.signIn", "users.byId", "sessions.events", "probe.instance"]));

    // A procedure of the test's feature, over HTTP: its service was made from this instance's core.
    const response = await fetch(`${server.url}/api/trpc/probe.instance`);
    expect((await response.json()).result.data.json).toEqual({ instance: server.pulse.app.instanceId, started: true });

    // Its check is part of the health snapshot; its gauge part of /metrics.
    const health = await (await fetch(`${server.url}/health`)).json();
    expect(health.checks["probe.ready"]).toEqual({ status: "ok", detail: "the probe started" });
    expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(/^pulse_probe_started 1$/m);

    hooks.length = 0;
    const running = server;
    server = undefined;
    await running.stop();
    expect(hooks).toEqual([...names].reverse().map((name) => `stop ${name}`));
    // What it registered goes with it: a stopped instance's gauge would read a stopped service.
    expect(running.pulse.app.metrics.registry.getSingleMetric("pulse_probe_started")).toBeUndefined();
  });
});

describe("a real feature's figures", () => {
  it("sessions: the sessions under way and the people in them, in /metrics", async () => {
    const own = await startTestServer();
    try {
      const gauge = async (name: string) => Number((await (await fetch(`${own.url}/metrics`)).text()).match(new RegExp(`^${name} (\\d+)$`, "m"))?.[1]);
      const host = own.client((await signUp(own, "Host")).token);
      const guest = own.client((await signUp(own, "Guest")).token);
      const session = await host.sessions.create.mutate({ kind: "meditation", title: "Morning sit" });
      await guest.sessions.join.mutate({ sessionId: session.id });
      expect(await gauge("pulse_sessions_under_way")).toBe(0); // scheduled, not under way yet
      await host.sessions.start.mutate({ sessionId: session.id });
      expect(await gauge("pulse_sessions_under_way")).toBe(1);
      expect(await gauge("pulse_session_participants_present")).toBe(2);
      await guest.sessions.leave.mutate({ sessionId: session.id });
      expect(await gauge("pulse_session_participants_present")).toBe(1);
      await host.sessions.end.mutate({ sessionId: session.id });
      expect(await gauge("pulse_sessions_under_way")).toBe(0);
    } finally {
      await own.stop();
    }
  });
});
