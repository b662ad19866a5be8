import type { RoutersOf, ServicesOf } from "../feature.js";
import { features, type Features } from "../features/index.js";
import { router } from "./trpc.js";

/** Every feature's service, by name: built once per process (startFeatures in feature.ts). */
export type Services = ServicesOf<Features>;

/** The API: each feature's router, handed its service, mounted at the feature's name. */
export function createAppRouter(services: Services, list: Features = features) {
  const routers = Object.fromEntries(list.map((feature) => [feature.name, feature.router(services[feature.name] as never)]));
  return router(routers as RoutersOf<Features>);
}

/** The whole API's type: the public contract that clients import. */
export type AppRouter = ReturnType<typeof createAppRouter>;
