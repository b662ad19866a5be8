/**
 * The parent's side of a load generator: starts the child (runner/child.ts; in the production
 * bundle dist/server/load-test-runner.js), passes its messages on, and stops it — politely first,
 * then with SIGKILL, so that a stop always ends it within STOP_KILL_MS.
 */
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PROJECT_DIR } from "@/server/project-dir";
import type { ChildMessage, ParentMessage, RunnerSettings } from "./protocol.js";

/** After asking the child to stop, how long it has to send its totals and exit before it is killed. */
export const STOP_KILL_MS = 1_500;

/** Running from sources (tsx, Vitest) the child is TypeScript too; from the bundle, its own bundled entry. */
function childEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".ts")) return { file: path.join(path.dirname(here), "child.ts"), execArgv: ["--import", "tsx"] };
  return { file: path.join(PROJECT_DIR, "dist/server/load-test-runner.js"), execArgv: ["--enable-source-maps"] };
}

export interface RunnerEvents {
  onMessage(message: ChildMessage): void;
  /** The child is gone, however it ended. */
  onExit(code: number | null, signal: NodeJS.Signals | null): void;
}

export class RunnerProcess {
  private readonly child: ChildProcess;
  private exited = false;
  readonly exit: Promise<void>;

  constructor(settings: RunnerSettings, events: RunnerEvents) {
    const { file, execArgv } = childEntry();
    this.child = fork(file, [], { cwd: PROJECT_DIR, execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "json", env: { ...process.env, NODE_OPTIONS: "" } });
    this.exit = new Promise((resolve) => {
      this.child.once("close", (code: number | null, signal: NodeJS.Signals | null) => {
        this.exited = true;
        events.onExit(code, signal);
        resolve();
      });
    });
    this.child.on("message", (message: ChildMessage) => events.onMessage(message));
    // A child that fails to start emits "error" then "exit"; the exit is what ends the run.
    this.child.on("error", () => undefined);
    this.send({ type: "start", settings });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Asks it to stop and report; kills it if it has not exited within STOP_KILL_MS. Resolves once it is gone. */
  async stop(): Promise<void> {
    if (this.exited) return;
    this.send({ type: "stop" });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), STOP_KILL_MS);
    await this.exit;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.exited) this.child.kill("SIGKILL");
  }

  private send(message: ParentMessage): void {
    if (this.child.connected) this.child.send(message, () => undefined);
  }
}
