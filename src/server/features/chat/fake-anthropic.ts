/**
 * A local stand-in for Anthropic's Messages API, for the tests and for trying Pulse without a key
 * (`npm run fake-anthropic`). It speaks the wire format the SDK reads: `POST /v1/messages` (and
 * `GET /v1/models`, which Pulse's health check asks), the API's error JSON, and for `stream: true` the SSE sequence message_start, content_block_start,
 * ping, content_block_delta…, content_block_stop, message_delta, message_stop, each with its
 * `event:` line. Pulse uses it only when ANTHROPIC_BASE_URL points at it.
 */
import { randomBytes } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { listModels } from "./fake-models.js";
import { behaviourFromPrompt, fakeAnswer, parseBehaviours, roughTokens, type Behaviour, type FakeAnswer } from "./fake-answer.js";
import { STAND_IN_HEADER } from "@/shared/chat";

export type { Behaviour } from "./fake-answer.js";

export interface RecordedRequest {
  /** The `request-id` header it was answered with. */
  requestId: string;
  method: string;
  path: string;
  /** Which credential it carried (the key itself is not kept). */
  auth: "x-api-key" | "bearer" | "none";
  /** The parsed JSON body, when there was one. */
  body: unknown;
  stream: boolean;
  behaviour: Behaviour;
  status: number;
  deltasSent: number;
  /** `client-closed`: the client went away before the answer was complete (an abort). */
  ended: "open" | "complete" | "client-closed" | "dropped";
  /**
   * When the first `content_block_delta` was handed to the socket, in epoch milliseconds with
   * sub-millisecond precision (`performance.timeOrigin + performance.now()`): bench/chat.ts
   * measures from it to the first delta a client of Pulse receives.
   */
  firstDeltaAt?: number;
}

export interface FakeAnthropic {
  /** The base URL to give the SDK (without `/v1`). */
  url: string;
  /** Behaviours for the next requests, in order; a request with none left gets its prompt's, or normal. */
  script(next: Behaviour[]): void;
  /** Every request received, oldest first, updated as it is answered. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface FakeAnthropicOptions {
  port?: number;
  host?: string;
  /** When set, any other key is refused with 401, as Anthropic refuses a wrong key. */
  apiKey?: string;
  /** Told one line per request answered, for the CLI. */
  log?: (line: string) => void;
}

const textBlock = z.looseObject({ type: z.string(), text: z.string().optional() });
const content = z.union([z.string(), z.array(textBlock)]);
const bodySchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().min(1),
  messages: z.array(z.looseObject({ role: z.enum(["user", "assistant"]), content })).min(1),
  system: content.optional(),
  stream: z.boolean().optional(),
});
type Body = z.infer<typeof bodySchema>;

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};
const ERROR_MESSAGES: Record<string, string> = {
  rate_limit_error: "Number of request tokens has exceeded your per-minute rate limit",
  api_error: "Internal server error",
  overloaded_error: "Overloaded",
};

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const queue: Behaviour[] = [];
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    void answer(req, res).catch((error: unknown) => {
      // A bug in the stand-in: say so on the wire rather than hang the test that hit it.
      if (!res.headersSent) sendError(res, 500, "api_error", String(error));
      else res.destroy();
    });
  });

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const record: RecordedRequest = {
      requestId: `req_${id(24)}`,
      method: req.method ?? "",
      path: new URL(req.url ?? "/", "http://fake").pathname,
      auth: req.headers["x-api-key"] ? "x-api-key" : /^Bearer\s+\S/i.test(req.headers.authorization ?? "") ? "bearer" : "none",
      body: undefined,
      stream: false,
      behaviour: "normal",
      status: 0,
      deltasSent: 0,
      ended: "open",
    };
    requests.push(record);
    res.setHeader("request-id", record.requestId);
    // Not Anthropic: says so, so that load is only ever aimed at the stand-in (features/load-tests).
    res.setHeader(STAND_IN_HEADER, "1");
    res.on("close", () => {
      if (record.ended === "open") record.ended = res.writableFinished ? "complete" : "client-closed";
      options.log?.(`${record.method} ${record.path} → ${record.status} ${summary(record)}`);
    });
    const fail = (status: number, message: string) => {
      record.status = status;
      sendError(res, status, ERROR_TYPES[status] ?? "api_error", message, record.requestId);
    };

    const raw = await readBody(req);
    const isModels = record.method === "GET" && record.path === "/v1/models";
    if (!isModels && (record.method !== "POST" || record.path !== "/v1/messages")) return fail(404, "Not found");
    if (record.auth === "none") return fail(401, "x-api-key header is required");
    const key = req.headers["x-api-key"] ?? (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
    if (options.apiKey !== undefined && key !== options.apiKey) return fail(401, "invalid x-api-key");
    if (isModels) {
      const listed = listModels(new URL(req.url ?? "/", "http://fake").searchParams);
      if ("error" in listed) return fail(400, listed.error);
      record.status = 200;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(listed));
      return;
    }
    if (!req.headers["anthropic-version"]) return fail(400, "anthropic-version: header is required");
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return fail(400, "There was an error parsing the body of your request: not valid JSON");
    }
    record.body = json;
    const parsed = bodySchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(400, `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
    }
    const body = parsed.data;
    const prompt = text(body.messages.findLast((m) => m.role === "user")?.content ?? "");
    record.stream = body.stream === true;
    record.behaviour = queue.shift() ?? behaviourFromPrompt(prompt);
    const behaviour = record.behaviour;

    if (behaviour !== "normal" && "status" in behaviour) {
      if (behaviour.retryAfterS !== undefined) res.setHeader("retry-after", String(behaviour.retryAfterS));
      const type = ERROR_TYPES[behaviour.status] ?? "api_error";
      return fail(behaviour.status, ERROR_MESSAGES[type] ?? `Error ${behaviour.status}`);
    }
    const reply = fakeAnswer(prompt, body.max_tokens);
    const inputTokens = roughTokens(text(body.system ?? "") + body.messages.map((m) => text(m.content)).join("\n"));
    const message = {
      id: `msg_01${id(22)}`,
      type: "message",
      role: "assistant",
      model: body.model,
      stop_sequence: null,
      usage: { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, service_tier: "standard" },
    };
    if (!record.stream) return replyWhole(res, record, behaviour, message, reply);

    record.status = 200;
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    res.flushHeaders();
    if (behaviour !== "normal" && "hang" in behaviour) return;
    // Each event waits for its bytes to reach the socket, so a drop after N deltas drops after N.
    const send = (event: string, data: object) =>
      new Promise<void>((resolve) => {
        if (res.destroyed) return resolve();
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`, () => resolve());
      });
    await send("message_start", {
      type: "message_start",
      message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } },
    });
    await send("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
    await send("ping", { type: "ping" });
    for (const delta of reply.deltas) {
      if (behaviour !== "normal" && "errorMidStream" in behaviour && record.deltasSent === behaviour.errorMidStream) {
        await send("error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" }, request_id: record.requestId });
        record.ended = "complete";
        res.end();
        return;
      }
      if (behaviour !== "normal" && "dropAfterDeltas" in behaviour && record.deltasSent === behaviour.dropAfterDeltas) {
        record.ended = "dropped";
        res.socket?.destroy();
        return;
      }
      if (behaviour !== "normal" && "slow" in behaviour) await sleep(behaviour.slow);
      if (record.ended !== "open") return;
      record.firstDeltaAt ??= performance.timeOrigin + performance.now();
      await send("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: delta } });
      record.deltasSent += 1;
    }
    await send("content_block_stop", { type: "content_block_stop", index: 0 });
    await send("message_delta", {
      type: "message_delta",
      delta: { stop_reason: reply.stopReason, stop_sequence: null },
      usage: { output_tokens: reply.deltas.length },
    });
    await send("message_stop", { type: "message_stop" });
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    script: (next) => void queue.push(...parseBehaviours(next)),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging and slow answers would keep close() waiting for ever.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A non-streaming reply: the whole Message JSON, or the behaviour's failure. */
async function replyWhole(
  res: ServerResponse,
  record: RecordedRequest,
  behaviour: Behaviour,
  message: { usage: object },
  reply: FakeAnswer,
): Promise<void> {
  if (behaviour !== "normal" && "hang" in behaviour) return;
  if (behaviour !== "normal" && "dropAfterDeltas" in behaviour) {
    record.ended = "dropped";
    res.socket?.destroy();
    return;
  }
  if (behaviour !== "normal" && "errorMidStream" in behaviour) {
    record.status = 529;
    return sendError(res, 529, "overloaded_error", "Overloaded", record.requestId);
  }
  if (behaviour !== "normal" && "slow" in behaviour) await sleep(behaviour.slow * reply.deltas.length);
  record.status = 200;
  record.deltasSent = reply.deltas.length;
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      ...message,
      content: [{ type: "text", text: reply.text }],
      stop_reason: reply.stopReason,
      usage: { ...message.usage, output_tokens: reply.deltas.length },
    }),
  );
}

function sendError(res: ServerResponse, status: number, type: string, message: string, requestId?: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ type: "error", error: { type, message }, ...(requestId ? { request_id: requestId } : {}) }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A message's text: a string, or its text blocks joined. */
function text(value: Body["messages"][number]["content"]): string {
  return typeof value === "string" ? value : value.map((block) => block.text ?? "").join("");
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** Random letters and digits, like the API's `msg_…` and `req_…` ids. */
function id(length: number): string {
  return Array.from(randomBytes(length), (byte) => ALPHABET[byte % ALPHABET.length]).join("");
}

function summary(record: RecordedRequest): string {
  const behaviour = typeof record.behaviour === "string" ? record.behaviour : JSON.stringify(record.behaviour);
  return `${record.stream ? "stream" : "json"} ${behaviour} ${record.deltasSent} deltas ${record.ended}`;
}
