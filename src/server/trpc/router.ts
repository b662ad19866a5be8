import type { AnyFeature, RoutersOf, ServicesOf } from "@/server/feature";
import { features, type Features } from "@/server/features/index";
import { router } from "./trpc.js";

/** Every feature's service, by name: built once per process (startFeatures in feature.ts). */
export type Services = ServicesOf<Features>;

/** The API: each feature's router, handed its service, mounted at the feature's name. */
export function createAppRouter(services: Services, list: readonly AnyFeature[] = features) {
  const routers = Object.fromEntries(list.map((feature) => [feature.name, feature.router((services as Record<string, unknown>)[feature.name])]));
  return router(routers as RoutersOf<Features>);
}

/** The whole API's type: the public contract that clients import. */
export type AppRouter = ReturnType<typeof createAppRouter>;
