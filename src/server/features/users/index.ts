import { defineFeature } from "../../feature.js";
import { usersRouter } from "./router.js";
import { createUsersService } from "./service.js";

export const usersFeature = defineFeature({ name: "users", createService: createUsersService, router: usersRouter });
