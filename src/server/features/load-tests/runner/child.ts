/**
 * The load generator: a child process of the instance that started the run, so that generating
 * and measuring load does not stall the server being measured (and a stop can always kill it).
 * Told what to load over IPC; reports a snapshot each second and its totals at the end, then exits.
 */
import { scenarioFor } from "./scenarios.js";
import type { ChildMessage, ParentMessage, RunnerSettings } from "./protocol.js";
import { Recorder } from "./recorder.js";

const send = (message: ChildMessage) => new Promise<void>((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));

async function run(settings: RunnerSettings): Promise<void> {
  const recorder = new Recorder();
  const stop = new AbortController();
  // Runs past their duration are cut off here too, whatever the scenario does (drain time included).
  const cutoff = setTimeout(() => stop.abort(), (settings.durationS + 10) * 1000);
  let stoppedByRequest = false;
  process.on("message", (message: ParentMessage) => {
    if (message.type === "stop") {
      stoppedByRequest = true;
      stop.abort();
    }
  });
  const ticker = setInterval(() => void send({ type: "snapshot", snapshot: recorder.snapshot() }), 1000);
  try {
    await scenarioFor(settings.scenario)(settings, recorder, stop.signal);
  } catch (error) {
    clearInterval(ticker);
    await send({ type: "failed", message: error instanceof Error ? error.message : String(error) });
    return;
  } finally {
    clearInterval(ticker);
    clearTimeout(cutoff);
  }
  // The part-second since the last tick, so the series adds up to the totals.
  await send({ type: "snapshot", snapshot: recorder.snapshot() });
  await send({ type: "done", totals: recorder.totals(), stopped: stoppedByRequest });
}

process.once("message", (message: ParentMessage) => {
  if (message.type !== "start") return;
  void run(message.settings).finally(() => {
    process.disconnect?.();
    process.exit(0);
  });
});
// The parent went away (it crashed or was killed): no one is listening, stop loading its server.
process.on("disconnect", () => process.exit(0));
