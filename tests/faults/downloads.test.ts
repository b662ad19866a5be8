/**
 * Hostile file ids on `GET /api/files/:id/download` (path traversal in every spelling, encoded,
 * doubled, NUL bytes, absolute paths, backslashes, overlong ids), with and without credentials and
 * link tokens: never a byte of a file outside FILES_DIR (a canary sits beside it), never a 5xx.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@/server/config";
import { signUp, startTestServer, type TestServer } from "../helpers/server";

let server: TestServer;
let owner: Awaited<ReturnType<typeof signUp>>;
let root: string;
const CANARY = `canary-${Math.random().toString(36).slice(2)}`;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), "pulse-traversal-"));
  const dir = path.join(root, "files");
  await fs.mkdir(dir);
  // Secrets a traversal would reach: beside FILES_DIR, above it, and its parent's parent.
  for (const file of [path.join(root, "secret.txt"), path.join(root, "files.txt"), path.join(dir, "..", "..", `${path.basename(root)}-secret.txt`)]) await fs.writeFile(file, CANARY);
  server = await startTestServer({ files: { ...loadConfig({ NODE_ENV: "test" }).files, dir } });
  owner = await signUp(server, "Owner");
  // One real file, so that ids that resolve near it are tried against a populated store.
  const { file } = await server.client(owner.token).files.create.mutate({ kind: "csv", rows: [["a", "b"]] });
  for (let i = 0; i < 100 && (await server.client(owner.token).files.byId.query({ fileId: file.id })).status !== "ready"; i++) await new Promise((r) => setTimeout(r, 100));
});
afterAll(async () => {
  await server?.stop();
  await fs.rm(root, { recursive: true, force: true });
});

const BASES = ["../secret.txt", "../../secret.txt", "..\\secret.txt", "/etc/passwd", "....//secret.txt", "..%2fsecret.txt", "%2e%2e%2fsecret.txt", "%2e%2e/%2e%2e/etc/passwd", "..%252fsecret.txt", "%c0%ae%c0%ae%2fsecret.txt", "secret.txt%00.pdf", "..%00/secret.txt", "\u2025/secret.txt", ".%2e/files.txt", "%2E%2E%5Csecret.txt", "files/../secret.txt", "./../secret.txt", "a".repeat(5000), "%", "%zz", "00000000-0000-0000-0000-000000000000/../../secret.txt"];

describe("download ids that try to leave FILES_DIR", () => {
  it("get 4xx and never the bytes of a file outside it, whoever asks", async () => {
    const seen: string[] = [];
    for (const id of BASES) {
      for (const auth of [{}, { Authorization: `Bearer ${owner.token}` }] as Record<string, string>[]) {
        for (const suffix of ["", "?token=abc", `?token=${encodeURIComponent("../secret.txt")}`]) {
          const raw = `${server.url}/api/files/${id.includes("%") ? id : encodeURI(id)}/download${suffix}`;
          const response = await fetch(raw, { headers: auth }).catch(() => null);
          if (!response) continue; // an address fetch itself refuses is not one the server saw
          const body = await response.text();
          seen.push(`${response.status} ${id.slice(0, 40)}`);
          expect(body, `${raw} leaked a file`).not.toContain(CANARY);
          expect(response.status, `${raw}: ${body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
          expect(response.status, `${raw}: ${body.slice(0, 200)}`).toBeLessThan(500);
        }
      }
    }
    expect(seen.length).toBeGreaterThan(BASES.length * 4);
  }, 60_000);
});
