import type { App } from "../app.js";
import { createAuthService } from "../features/auth/service.js";
import { createHealthService } from "../features/health/service.js";
import { createUsersService } from "../features/users/service.js";
import { createSessionsService } from "../features/sessions/service.js";

/** Every feature's service, built once per process and reached from procedures as `ctx.services`. */
export function createServices(app: App) {
  const auth = createAuthService(app);
  return {
    auth,
    users: createUsersService(app, auth),
    health: createHealthService(app),
    sessions: createSessionsService(app),
  };
}

export type Services = ReturnType<typeof createServices>;
