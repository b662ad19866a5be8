/** Child processes for the servers under test, pinned to a core when `taskset` exists. */
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const benchDir = path.resolve(import.meta.dirname, "..");
export const projectDir = path.resolve(benchDir, "..");

export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Resident set size as the kernel reports it (VmRSS), in bytes; falls back to the child's own view. */
  rss(): Promise<number>;
  /** `process.memoryUsage()` inside the server (Pulse only). */
  memoryUsage(): Promise<NodeJS.MemoryUsage | undefined>;
  /** Asks the child a question over IPC; resolves with its reply of the same type (undefined after `timeoutMs`, 2 s). */
  ask<T>(type: string, payload?: Record<string, unknown>, timeoutMs?: number): Promise<T | undefined>;
  /** CPU time (user + system) used so far, in milliseconds. */
  cpuMs(): number | undefined;
  /** The main thread's time on a CPU and waiting for one (`readSchedstat`). */
  sched(): Schedstat | undefined;
  stop(): Promise<void>;
}

export function hasTaskset(): boolean {
  return os.platform() === "linux" && os.availableParallelism() >= 2 && spawnSync("taskset", ["-V"]).status === 0;
}

/** Pins every thread of a process (default: this one) to one core. */
export function pinProcess(pid: number, cpu: number): boolean {
  return spawnSync("taskset", ["-a", "-cp", String(cpu), String(pid)], { stdio: "ignore" }).status === 0;
}

/**
 * Raises (negative) or lowers the scheduling priority of every thread of this process; child
 * processes started afterwards inherit it. Needs root (or CAP_SYS_NICE) to raise. Returns
 * whether it worked.
 */
export function setOwnPriority(nice: number): boolean {
  try {
    const tids = os.platform() === "linux" ? fs.readdirSync(`/proc/${process.pid}/task`).map(Number) : [process.pid];
    for (const tid of tids) os.setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}

/** Kernel's view of a process's resident memory, in bytes. */
export function readRss(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export function readCpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which is in parentheses and may hold spaces).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export interface Schedstat {
  /** Nanoseconds on a CPU. */
  runNs: number;
  /** Nanoseconds runnable but waiting for a CPU: on a shared machine, what other work took from it. */
  waitNs: number;
}

/** /proc/<pid>/schedstat: the process's main thread (where JavaScript runs). */
export function readSchedstat(pid: number): Schedstat | undefined {
  try {
    const [run, wait] = fs.readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ").map(Number);
    return run === undefined || wait === undefined ? undefined : { runNs: run, waitNs: wait };
  } catch {
    return undefined;
  }
}

/**
 * `script` compiled as `npm start` runs the server (scripts/build-server.mjs: esbuild, ES modules,
 * packages left in node_modules), into dist/bench/. Under tsx's loader a process carries a
 * second V8 isolate (the loader's worker thread) and esbuild's per-file transforms: about 40 MB
 * of RSS and a slower start that production never pays.
 */
async function bundle(script: string): Promise<string> {
  const esbuild = await import("esbuild");
  const name = path.basename(script).replace(/\.ts$/, "");
  const outdir = path.join(projectDir, "dist/bench", name);
  await esbuild.build({
    absWorkingDir: projectDir,
    entryPoints: { [name]: path.join(benchDir, script) },
    outdir,
    outExtension: { ".js": ".mjs" },
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20.19",
    packages: "external",
    sourcemap: "linked",
    logLevel: "warning",
  });
  return path.join(outdir, `${name}.mjs`);
}

/**
 * Starts `script` (TypeScript, through tsx's loader: one node process, no wrapper; or, with
 * `bundled`, compiled first and run by plain node, as `npm start` runs the server) and waits for
 * its `{ type: "ready", url }` message.
 */
export async function startServer(
  script: string,
  options: { env?: Record<string, string>; cpu?: number; nodeArgs?: string[]; timeoutMs?: number; bundled?: boolean } = {},
): Promise<ServerProcess> {
  const entry = options.bundled ? await bundle(script) : path.join(benchDir, script);
  const child = fork(entry, [], {
    cwd: projectDir,
    // Bundled: plain node, no source maps, as scripts/start.mjs runs the server.
    execArgv: [...(options.bundled ? [] : ["--import", "tsx"]), ...(options.nodeArgs ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${options.timeoutMs ?? 60_000} ms`)), options.timeoutMs ?? 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with code ${code} before it was ready`));
    });
    child.on("message", (message: { type?: string; url?: string; pid?: number }) => {
      if (message?.type === "ready" && message.url) {
        clearTimeout(timer);
        resolve({ url: message.url, pid: message.pid ?? child.pid! });
      }
    });
  });
  if (options.cpu !== undefined) pinProcess(ready.pid, options.cpu);

  const ask = <T>(type: string, payload: Record<string, unknown> = {}, timeoutMs = 2_000) =>
    new Promise<T | undefined>((resolve) => {
      const timer = setTimeout(() => {
        child.off("message", onMessage);
        resolve(undefined);
      }, timeoutMs);
      const onMessage = (message: T & { type?: string }) => {
        if (message?.type !== type) return;
        clearTimeout(timer);
        child.off("message", onMessage);
        resolve(message);
      };
      child.on("message", onMessage);
      child.send({ ...payload, type });
    });
  const memoryUsage = async () => (await ask<{ usage: NodeJS.MemoryUsage }>("memory"))?.usage;

  return {
    url: ready.url,
    pid: ready.pid,
    child,
    memoryUsage,
    ask,
    rss: async () => readRss(ready.pid) ?? (await memoryUsage())?.rss ?? NaN,
    cpuMs: () => readCpuMs(ready.pid),
    sched: () => readSchedstat(ready.pid),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
