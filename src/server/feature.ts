/**
 * The feature module contract. A feature is a folder under `features/` whose `index.ts` exports
 * one `defineFeature({...})`; the list in `features/index.ts` names them all, and the API, the
 * services, start-up and shutdown are derived from that list (here and in trpc/router.ts).
 */
import type { AnyRouter } from "@trpc/server";
import type { Metric } from "prom-client";
import type { App } from "./app.js";
import type { CheckProvider } from "./metrics/checks.js";
import type { HttpRoute } from "./routes.js";
import type { UsageSection } from "@/shared/analytics";

/** Whose use a usage hook counts: one user's, or (userId null) the whole platform's, since a time. */
export interface UsageScope {
  userId: string | null;
  since: Date;
}

/** A feature's figures for the analytics summary (its module's `usage`). */
export type UsageProvider = (scope: UsageScope) => Promise<UsageSection>;

export interface Feature<Name extends string, Service, Router extends AnyRouter> {
  /** Where its procedures are mounted (`sessions.list`), and its service's key. */
  name: Name;
  /**
   * Its logic, built once per process from the core, and from the services of features listed
   * before it when it uses them (`earlierService(earlier, "files")`). No tRPC, HTTP or socket types in it.
   */
  createService(app: App, earlier: EarlierServices): Service;
  /** Its procedures, handed its service. */
  router(service: Service): Router;
  /** Runs once every service is built, before the server listens: workers, sweeps, subscriptions. */
  start?(service: Service): void | Promise<void>;
  /** Runs after HTTP and WebSocket have drained, before the bus and database close; in reverse list order. */
  stop?(service: Service): void | Promise<void>;
  /** Checks it adds to the health snapshot, by name. */
  checks?(service: Service): Record<string, CheckProvider>;
  /**
   * Prometheus figures it adds (e.g. gauges that read its state when scraped), made with
   * `registers: []`: they are registered here, replacing any of the same name.
   */
  metrics?(service: Service): Metric[];
  /** HTTP routes it serves outside tRPC (a download that streams bytes), matched before the pages. */
  routes?(service: Service): HttpRoute[];
  /** Its use (counts, bytes, tokens) for the analytics summary, a user's own or the platform's. */
  usage?(service: Service): UsageProvider;
}

/** The services of the features listed before one, by name. */
export type EarlierServices = Readonly<Record<string, unknown>>;

/** Another feature's service, which must be listed earlier: a feature uses only its service.ts's type. */
export function earlierService<S>(earlier: EarlierServices, name: string): S {
  const service = earlier[name];
  if (service === undefined) throw new Error(`The feature "${name}" must be listed before the features that use its service.`);
  return service as S;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any router and service: the list's element type
export type AnyFeature = Feature<string, any, AnyRouter>;

/** Names the types of a feature module; adds nothing at run time. */
export function defineFeature<Name extends string, Service, Router extends AnyRouter>(feature: Feature<Name, Service, Router>) {
  return feature;
}

/** The services of a list of features, by name: `{ auth: AuthService, ... }`. */
export type ServicesOf<Features extends readonly AnyFeature[]> = {
  [F in Features[number] as F["name"]]: ReturnType<F["createService"]>;
};

/** The routers of a list of features, by name: what `appRouter` is made of. */
export type RoutersOf<Features extends readonly AnyFeature[]> = {
  [F in Features[number] as F["name"]]: ReturnType<F["router"]>;
};

export interface RunningFeatures<Features extends readonly AnyFeature[]> {
  services: ServicesOf<Features>;
  /** Every feature's HTTP routes, for the transport to serve. */
  routes: HttpRoute[];
  /** Runs the stop hooks of the features that started, last first. Never rejects: a failing hook is logged. */
  stop(): Promise<void>;
}

/**
 * Builds every feature's service, registers its checks, usage and metrics, then runs the start hooks
 * in list order. If a start hook fails, the features already started are stopped again.
 */
export async function startFeatures<const Features extends readonly AnyFeature[]>(app: App, features: Features): Promise<RunningFeatures<Features>> {
  const names = new Set<string>();
  for (const { name } of features) {
    if (names.has(name)) throw new Error(`Two features are named "${name}".`);
    names.add(name);
  }
  const services: Record<string, unknown> = {};
  for (const feature of features) services[feature.name] = feature.createService(app, { ...services });
  const { registry } = app.metrics;
  const registered: { name: string; metric: Metric }[] = [];
  const usages: { name: string; usage: UsageProvider }[] = [];
  for (const feature of features) {
    for (const [name, check] of Object.entries(feature.checks?.(services[feature.name]) ?? {})) app.checks.set(`${feature.name}.${name}`, check);
    const usage = feature.usage?.(services[feature.name]);
    if (usage) {
      app.usage.set(feature.name, usage);
      usages.push({ name: feature.name, usage });
    }
    for (const metric of feature.metrics?.(services[feature.name]) ?? []) {
      // One registry per process (see metrics/index.ts): an instance started later in the same process takes over.
      const { name } = metric as unknown as { name: string };
      registry.removeSingleMetric(name);
      registry.registerMetric(metric);
      registered.push({ name, metric });
    }
  }

  const started: AnyFeature[] = [];
  const stop = async () => {
    for (const feature of started.reverse()) {
      try {
        await feature.stop?.(services[feature.name]);
      } catch (err) {
        app.log.error({ err, feature: feature.name }, "a feature's stop hook failed");
      }
    }
    started.length = 0;
    for (const { name, metric } of registered.splice(0)) if (registry.getSingleMetric(name) === metric) registry.removeSingleMetric(name);
    for (const { name, usage } of usages.splice(0)) if (app.usage.get(name) === usage) app.usage.delete(name);
  };
  try {
    for (const feature of features) {
      await feature.start?.(services[feature.name]);
      started.push(feature);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const routes = features.flatMap((feature) => feature.routes?.(services[feature.name]) ?? []);
  return { services: services as ServicesOf<Features>, routes, stop };
}
