import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

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

const blueprint = parse(fs.readFileSync("render.yaml", "utf8")) as Blueprint;
const configSource = fs.readFileSync("src/server/config.ts", "utf8");
const web = blueprint.services.find((s) => s.type === "web")!;

describe("render.yaml", () => {
  it("declares a Node web service that installs the lock with dev dependencies, builds and starts", () => {
    expect(web).toBeDefined();
    expect(web.runtime).toBe("node");
    expect(web.buildCommand).toBe("npm ci --include=dev && npm run build");
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

  it("only sets variables the server reads", () => {
    for (const variable of web.envVars) {
      if (variable.key === "NODE_VERSION") continue; // read by Render, not by Pulse
      expect(configSource, `${variable.key} is not read by src/server/config.ts`).toContain(variable.key);
    }
  });
});
