/** Each scenario's driver, by name. */
import type { LoadTestScenario } from "@/shared/load-tests";
import { runChat } from "./chat.js";
import { createLoadSession, mixedCalls, readCalls, runHttp } from "./http.js";
import type { RunnerSettings } from "./protocol.js";
import type { Recorder } from "./recorder.js";
import { trpcCall } from "./trpc-http.js";
import { runWebsocket } from "./websocket.js";

type Scenario = (settings: RunnerSettings, recorder: Recorder, signal: AbortSignal) => Promise<void>;

const scenarios: Record<LoadTestScenario, Scenario> = {
  "http-read": (settings, recorder, signal) => runHttp(settings, readCalls(), recorder, signal),
  "http-mixed": async (settings, recorder, signal) => {
    const sessionId = await createLoadSession(settings, "Load test: mixed traffic");
    try {
      await runHttp(settings, mixedCalls(sessionId), recorder, signal);
    } finally {
      await trpcCall(settings, "mutation", "sessions.end", { sessionId }).catch(() => undefined);
    }
  },
  websocket: runWebsocket,
  chat: runChat,
};

export const scenarioFor = (name: LoadTestScenario): Scenario => scenarios[name];
