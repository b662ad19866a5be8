/**
 * Every feature of Pulse, in start-up order (stopped in reverse). Adding a feature is a folder
 * under features/ with an index.ts that exports its module, plus one line here: its procedures
 * are mounted at its name, its service is built and its hooks run (see feature.ts).
 */
import { adminFeature } from "./admin/index.js";
import { analyticsFeature } from "./analytics/index.js";
import { authFeature } from "./auth/index.js";
import { chatFeature } from "./chat/index.js";
import { filesFeature } from "./files/index.js";
import { healthFeature } from "./health/index.js";
import { jobsFeature } from "./jobs/index.js";
import { loadTestsFeature } from "./load-tests/index.js";
import { sessionsFeature } from "./sessions/index.js";
import { systemFeature } from "./system/index.js";
import { usersFeature } from "./users/index.js";

export const features = [healthFeature, authFeature, usersFeature, sessionsFeature, filesFeature, chatFeature, jobsFeature, analyticsFeature, loadTestsFeature, systemFeature, adminFeature] as const;

export type Features = typeof features;
