import { defineFeature } from "@/server/feature";
import { authRouter } from "./router.js";
import { createAuthService } from "./service.js";

export const authFeature = defineFeature({ name: "auth", createService: createAuthService, router: authRouter });
