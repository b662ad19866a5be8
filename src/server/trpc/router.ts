import { authRouter } from "../features/auth/router.js";
import { healthRouter } from "../features/health/router.js";
import { usersRouter } from "../features/users/router.js";
import { sessionsRouter } from "../features/sessions/router.js";
import { router } from "./trpc.js";

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  users: usersRouter,
  sessions: sessionsRouter,
});

/** The whole API's type: the public contract that clients import. */
export type AppRouter = typeof appRouter;
