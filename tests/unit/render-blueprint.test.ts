import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "@/server/config";

interface EnvVar {
  key: string;
  value?: string;
  sync?: boolean;
  generateValue?: boolean;
  fromDatabase?: { name: string; property: string };
}
interface Blueprint {
  services: { type: string; name: string; runtime: string; buildCommand: string; startCommand: string; healthCheckPath: string; disk?: unknown; envVars: EnvVar[] }[];
  databases: { name: string }[];
}

type Service = Blueprint["services"][number];

const blueprintSource = fs.readFileSync("render.yaml", "utf8");
const blueprint = parse(blueprintSource) as Blueprint;
const configSource = fs.readFileSync("src/server/config.ts", "utf8");
const web = blueprint.services.find((s) => s.type === "web")!;
const env = (service: Service, key: string) => service.envVars.find((v) => v.key === key);

/** The worker service render.yaml keeps commented out: the `# - type: worker` block, uncommented. */
function commentedWorker(): Service {
  const lines = blueprintSource.split("\n");
  const start = lines.findIndex((line) => line.startsWith("  # - type: worker"));
  expect(start, "render.yaml has a commented-out worker service").toBeGreaterThan(-1);
  const block: string[] = [];
  for (const line of lines.slice(start)) {
    if (!line.startsWith("  # ")) break;
    block.push(line.slice(4));
  }
  const [service] = parse(block.join("\n")) as Service[];
  return service!;
}

/** The Chrome build puppeteer-core is made for (what @puppeteer/browsers should install). */
const puppeteerChrome = /\bchrome: '([\d.]+)'/.exec(fs.readFileSync("node_modules/puppeteer-core/lib/esm/puppeteer/revisions.js", "utf8"))?.[1];
const CHECKOUT = "/opt/render/project/src";
const INSTALL_CHROME = ` && npx --no @puppeteer/browsers install chrome@${puppeteerChrome} --path .browsers`;

describe("render.yaml", () => {
  it("declares a Node web service that installs the lock with dev dependencies, builds and starts", () => {
    expect(web).toBeDefined();
    expect(web.runtime).toBe("node");
    expect(web.buildCommand).toBe(`npm ci --include=dev && npm run build${INSTALL_CHROME}`);
    expect(web.startCommand).toBe("npm start");
    expect(web.healthCheckPath).toBe("/health");
  });

  it("builds what npm start runs: the pages and the server bundle", () => {
    const { scripts } = JSON.parse(fs.readFileSync("package.json", "utf8")) as { scripts: Record<string, string> };
    expect(scripts.build).toBe("next build && node scripts/build-server.mjs");
    // exec: the shell npm runs scripts in becomes the server, so npm's SIGTERM reaches it.
    expect(scripts.start).toBe("exec node scripts/start.mjs");
  });

  it("has no persistent disk, so the service can run several instances", () => {
    expect(web.disk).toBeUndefined();
  });

  it("wires DATABASE_URL from the blueprint's own PostgreSQL", () => {
    const databaseUrl = web.envVars.find((v) => v.key === "DATABASE_URL");
    expect(databaseUrl?.fromDatabase?.property).toBe("connectionString");
    expect(blueprint.databases.map((d) => d.name)).toContain(databaseUrl?.fromDatabase?.name);
  });

  it("gives every variable a source, and keeps secrets out of the file", () => {
    for (const variable of web.envVars) {
      const sources = [variable.value !== undefined, variable.sync === false, variable.generateValue === true, variable.fromDatabase !== undefined];
      expect(sources.filter(Boolean), variable.key).toHaveLength(1);
      if (/KEY|SECRET|PASSWORD|TOKEN/.test(variable.key)) expect(variable.value, variable.key).toBeUndefined();
    }
  });

  it("keeps file bodies in PostgreSQL (there is no disk) and runs a starter-sized number of jobs", () => {
    expect(env(web, "FILES_DRIVER")?.value).toBe("postgres");
    expect(env(web, "FILES_DIR")).toBeUndefined();
    expect(Number(env(web, "JOB_CONCURRENCY")?.value)).toBe(2);
  });

  it("points CHROMIUM_PATH at the Chrome its build installs, the version puppeteer-core is made for", async () => {
    expect(puppeteerChrome).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const { Browser, BrowserPlatform, computeExecutablePath } = await import("@puppeteer/browsers");
    // --path .browsers is relative to the build's working directory: the checkout, which is what Render keeps for the running service.
    const expected = computeExecutablePath({ browser: Browser.CHROME, buildId: puppeteerChrome!, cacheDir: `${CHECKOUT}/.browsers`, platform: BrowserPlatform.LINUX });
    expect(env(web, "CHROMIUM_PATH")?.value).toBe(expected);
  });

  it("describes a separate worker service (commented out) that runs the same jobs with the same settings", () => {
    const worker = commentedWorker();
    expect(worker.type).toBe("worker");
    expect(worker.runtime).toBe("node");
    // node itself, so that Render's SIGTERM reaches the worker (npm's script shell would swallow it).
    expect(worker.startCommand).toBe("node --import tsx src/server/worker.ts");
    const { scripts } = JSON.parse(fs.readFileSync("package.json", "utf8")) as { scripts: Record<string, string> };
    expect(scripts.worker).toBe("exec tsx src/server/worker.ts");
    expect(fs.existsSync("src/server/worker.ts")).toBe(true);
    expect(worker.buildCommand).toBe(`npm ci --include=dev${INSTALL_CHROME}`);
    expect(env(worker, "DATABASE_URL")?.fromDatabase).toEqual(env(web, "DATABASE_URL")?.fromDatabase);
    for (const key of ["NODE_VERSION", "NODE_ENV", "FILES_DRIVER", "CHROMIUM_PATH", "SCREENSHOT_PAGES"]) {
      expect(env(worker, key)?.value, key).toBe(env(web, key)?.value);
    }
    expect(Number(env(worker, "JOB_CONCURRENCY")?.value)).toBeGreaterThan(0);
    for (const variable of worker.envVars) {
      if (variable.key === "NODE_VERSION") continue;
      expect(configSource, `${variable.key} is not read by src/server/config.ts`).toContain(variable.key);
    }
  });

  it("asks for the Anthropic key in Render's dashboard, pins a model the SDK does not deprecate, and never points at the stand-in", () => {
    const key = env(web, "ANTHROPIC_API_KEY");
    expect(key?.sync).toBe(false);
    expect(key?.value).toBeUndefined();
    // The local stand-in is for development and tests only: on Render, Anthropic's own API.
    expect(env(web, "ANTHROPIC_BASE_URL")).toBeUndefined();
    const model = env(web, "ANTHROPIC_MODEL")?.value;
    expect(model).toMatch(/^claude-[a-z0-9-]+$/);
    // The SDK warns on every request to a model it lists as deprecated (and the API ends them).
    const sdk = fs.readFileSync("node_modules/@anthropic-ai/sdk/resources/messages/messages.js", "utf8");
    const deprecated = /const DEPRECATED_MODELS = \{([^}]*)\}/.exec(sdk)?.[1];
    expect(deprecated, "the SDK's DEPRECATED_MODELS list").toBeDefined();
    expect([...deprecated!.matchAll(/'([^']+)'\s*:/g)].map((m) => m[1])).not.toContain(model);
    expect(Number(env(web, "CHAT_MESSAGES_PER_MINUTE")?.value)).toBeGreaterThanOrEqual(1);
  });

  it("sets only values the server's configuration accepts", () => {
    // What Render gives the process: the blueprint's values, and the secret from the dashboard.
    const values: NodeJS.ProcessEnv = { NODE_ENV: "production", ANTHROPIC_API_KEY: "set-in-the-dashboard" };
    for (const variable of web.envVars) if (variable.value !== undefined) values[variable.key] = variable.value;
    const config = loadConfig(values);
    expect(config.production).toBe(true);
    expect(config.chat.model).toBe(env(web, "ANTHROPIC_MODEL")?.value);
    expect(config.chat.messagesPerMinute).toBe(Number(env(web, "CHAT_MESSAGES_PER_MINUTE")?.value));
    expect(config.chat.baseUrl).toBeUndefined();
  });

  it("only sets variables the server reads", () => {
    for (const variable of web.envVars) {
      if (variable.key === "NODE_VERSION") continue; // read by Render, not by Pulse
      expect(configSource, `${variable.key} is not read by src/server/config.ts`).toContain(variable.key);
    }
  });
});
