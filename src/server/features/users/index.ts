import { defineFeature } from "@/server/feature";
import { usersRouter } from "./router.js";
import { createUsersService } from "./service.js";

export const usersFeature = defineFeature({ name: "users", createService: createUsersService, router: usersRouter, usage: (users) => users.usage });
