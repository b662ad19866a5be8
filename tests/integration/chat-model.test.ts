/**
 * The Anthropic client (createAnthropicModel) through the real @anthropic-ai/sdk over real HTTP,
 * against the local stand-in: the answer's events, each upstream failure's ModelError, retries,
 * aborts and the circuit breaker. The stand-in's wire format is checked raw and with the SDK.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createAnthropicModel, type AnthropicModel, type AnthropicModelOptions } from "@/server/features/chat/anthropic";
import { startFakeAnthropic, type Behaviour, type FakeAnthropic } from "@/server/features/chat/fake-anthropic";
import { fakeAnswer } from "@/server/features/chat/fake-answer";
import { ModelError, type ModelEvent, type ModelRequest } from "@/server/features/chat/model";
import { createLogger } from "@/server/log";

const MODEL = "claude-sonnet-5";
const PROMPT = "What is the capital of France?";
const ANSWER = fakeAnswer(PROMPT);

let fake: FakeAnthropic;
beforeEach(async () => {
  fake = await startFakeAnthropic();
});
afterEach(() => fake.close());

function model(overrides: Partial<AnthropicModelOptions> = {}): AnthropicModel {
  return createAnthropicModel({
    apiKey: "test-key",
    baseURL: fake.url,
    timeoutMs: 2_000,
    maxRetries: 2,
    retryBaseMs: 5,
    breaker: { failures: 5, openMs: 60_000 },
    log: createLogger("silent"),
    ...overrides,
  });
}

function request(signal = new AbortController().signal, prompt = PROMPT): ModelRequest {
  return { model: MODEL, system: "Be brief.", messages: [{ role: "user", content: prompt }], maxTokens: 256, signal };
}

/** Every event the stream yielded, and what it threw at the end, if anything. */
async function run(stream: AsyncIterable<ModelEvent>, onEvent?: (events: ModelEvent[]) => void) {
  const events: ModelEvent[] = [];
  try {
    for await (const event of stream) {
      events.push(event);
      onEvent?.(events);
    }
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

const deltas = (events: ModelEvent[]) => events.flatMap((e) => (e.type === "delta" ? [e.text] : []));
const fail = (status: number): Behaviour => ({ status });

function expectModelError(error: unknown, code: ModelError["code"], message: RegExp): ModelError {
  expect(error).toBeInstanceOf(ModelError);
  const modelError = error as ModelError;
  expect(modelError.code).toBe(code);
  expect(modelError.message).toMatch(message);
  return modelError;
}

describe("a normal answer", () => {
  it("streams whole and in order: start with input tokens, every delta, end with stop reason and usage", async () => {
    const { events, error } = await run(model().stream(request()));
    expect(error).toBeUndefined();
    expect(ANSWER.text).toBe('You said: "What is the capital of France?" (6 words). and here the stand-in keeps talking in plain');
    expect(deltas(events).join("")).toBe(ANSWER.text);
    expect(deltas(events)).toEqual(ANSWER.deltas);
    const [first, ...rest] = events;
    expect(first).toEqual({ type: "start", model: MODEL, inputTokens: expect.any(Number) as number });
    const inputTokens = first?.type === "start" ? first.inputTokens : 0;
    expect(inputTokens).toBeGreaterThan(0);
    expect(rest.at(-1)).toEqual({ type: "end", stopReason: "end_turn", inputTokens, outputTokens: ANSWER.deltas.length });
    expect(events.filter((e) => e.type === "start")).toHaveLength(1);

    expect(fake.requests).toHaveLength(1);
    const [seen] = fake.requests;
    expect(seen).toMatchObject({ auth: "bearer", stream: true, status: 200, ended: "complete" });
    expect(seen?.body).toMatchObject({ model: MODEL, max_tokens: 256, stream: true, system: "Be brief.", messages: [{ role: "user", content: PROMPT }] });
  });

  it("stops at max_tokens with that stop reason", async () => {
    const { events } = await run(model().stream({ ...request(), maxTokens: 4 }));
    expect(deltas(events)).toEqual(ANSWER.deltas.slice(0, 4));
    expect(events.at(-1)).toMatchObject({ type: "end", stopReason: "max_tokens", outputTokens: 4 });
  });
});

describe("the stand-in speaks the Messages API", () => {
  it("sends the exact SSE event sequence, each with its event: line, and a request-id", async () => {
    const response = await fetch(`${fake.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": "k", "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, max_tokens: 100, stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(response.headers.get("request-id")).toMatch(/^req_\w{24}$/);
    const blocks = (await response.text()).trim().split("\n\n");
    const names = blocks.map((block) => /^event: (\w+)\ndata: \{/.exec(block)?.[1]);
    const n = fakeAnswer("hi").deltas.length;
    expect(names).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      ...Array<string>(n).fill("content_block_delta"),
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const start = JSON.parse(blocks[0]!.split("data: ")[1]!) as { message: { id: string } };
    expect(start.message.id).toMatch(/^msg_01\w{22}$/);
    expect(fake.requests[0]?.auth).toBe("x-api-key");
  });

  it("answers non-streaming requests with a Message the SDK parses, and streams the SDK's MessageStream accumulates", async () => {
    const client = new Anthropic({ apiKey: "k", baseURL: fake.url, maxRetries: 0 });
    const message = await client.messages.create({ model: MODEL, max_tokens: 256, messages: [{ role: "user", content: PROMPT }] });
    expect(message).toMatchObject({ type: "message", role: "assistant", model: MODEL, stop_reason: "end_turn" });
    expect(message.id).toMatch(/^msg_/);
    expect(message.content).toEqual([{ type: "text", text: ANSWER.text }]);
    expect(message.usage).toMatchObject({ input_tokens: expect.any(Number) as number, output_tokens: ANSWER.deltas.length });
    expect(message._request_id).toBe(fake.requests[0]?.requestId);

    const final = await client.messages.stream({ model: MODEL, max_tokens: 256, messages: [{ role: "user", content: PROMPT }] }).finalMessage();
    expect(final.content).toEqual([{ type: "text", text: ANSWER.text }]);
    expect(final.usage.output_tokens).toBe(ANSWER.deltas.length);
    expect(fake.requests.map((r) => r.stream)).toEqual([false, true]);
  });
});

describe("upstream failures", () => {
  it("429 → TOO_MANY_REQUESTS with retry-after, not retried", async () => {
    fake.script([{ status: 429, retryAfterS: 7 }]);
    const { events, error } = await run(model().stream(request()));
    expect(events).toEqual([]);
    expect(expectModelError(error, "TOO_MANY_REQUESTS", /rate-limiting.*\(429\).*in 7 s/).retryAfterS).toBe(7);
    expect(fake.requests).toHaveLength(1);
  });

  it.each([
    { name: "500 once", script: [fail(500)], requests: 2 },
    { name: "529 twice", script: [fail(529), fail(529)], requests: 3 },
  ])("$name, then a normal answer: retried with back-off, the answer arrives whole", async ({ script, requests }) => {
    fake.script(script);
    const began = performance.now();
    const { events, error } = await run(model().stream(request()));
    expect(error).toBeUndefined();
    expect(deltas(events).join("")).toBe(ANSWER.text);
    expect(events.filter((e) => e.type === "start")).toHaveLength(1);
    expect(fake.requests.map((r) => r.status)).toEqual([...script.map((b) => (b as { status: number }).status), 200]);
    expect(fake.requests).toHaveLength(requests);
    // Back-off 5 ms, then 10 ms.
    expect(performance.now() - began).toBeGreaterThanOrEqual(requests === 3 ? 15 : 5);
  });

  it("500 and 529 past the retries → SERVICE_UNAVAILABLE after 1 + maxRetries requests", async () => {
    fake.script([fail(500), fail(529), fail(529)]);
    const { error } = await run(model().stream(request()));
    expectModelError(error, "SERVICE_UNAVAILABLE", /^Claude is not answering right now \(Anthropic is overloaded \(529\)\)\. Try again in a moment\.$/);
    expect(fake.requests).toHaveLength(3);
  });

  it.each([
    { name: "an error event", behaviour: { errorMidStream: 3 }, ended: "complete", reason: /Anthropic reported overloaded_error/ },
    { name: "a dropped connection", behaviour: { dropAfterDeltas: 3 }, ended: "dropped", reason: /connection to Anthropic was lost/ },
  ])("$name after 3 deltas → the 3 deltas, then SERVICE_UNAVAILABLE 'cut off', not retried", async ({ behaviour, ended, reason }) => {
    fake.script([behaviour as Behaviour]);
    const { events, error } = await run(model().stream(request()));
    expect(events[0]).toMatchObject({ type: "start" });
    expect(deltas(events)).toEqual(ANSWER.deltas.slice(0, 3));
    expect(events.some((e) => e.type === "end")).toBe(false);
    const modelError = expectModelError(error, "SERVICE_UNAVAILABLE", /^Claude's answer was cut off/);
    expect(modelError.message).toMatch(reason);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.ended).toBe(ended);
  });

  it("a stream that goes quiet after its headers is cut by the time-out and retried", async () => {
    fake.script([{ hang: true }]);
    // 300 ms: long enough for a normal answer's gaps on a busy machine, short enough for a fast test.
    const { events, error } = await run(model({ timeoutMs: 300 }).stream(request()));
    expect(error).toBeUndefined();
    expect(deltas(events).join("")).toBe(ANSWER.text);
    expect(fake.requests.map((r) => r.ended)).toEqual(["client-closed", "complete"]);

    fake.script([{ hang: true }, { hang: true }]);
    const quiet = await run(model({ timeoutMs: 300, maxRetries: 1 }).stream(request()));
    expectModelError(quiet.error, "SERVICE_UNAVAILABLE", /not answering right now \(no reply for 0\.3 s\)/);
    expect(fake.requests).toHaveLength(4);
  });

  it("a prompt control picks the failure when nothing is scripted (for trying it from the page)", async () => {
    const { error } = await run(model().stream(request(undefined, "Please fail [[429]]")));
    expect(expectModelError(error, "TOO_MANY_REQUESTS", /in 10 s/).retryAfterS).toBe(10);
    const cut = await run(model().stream(request(undefined, "[[drop-after:2]] then stop")));
    expect(deltas(cut.events)).toHaveLength(2);
    expectModelError(cut.error, "SERVICE_UNAVAILABLE", /cut off/);
  });

  it("a missing API key → BAD_GATEWAY with the 401 in plain words, not retried", async () => {
    const { error } = await run(model({ apiKey: "" }).stream(request()));
    expectModelError(error, "BAD_GATEWAY", /^Anthropic refused the API key \(401\): check ANTHROPIC_API_KEY\.$/);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ auth: "none", status: 401 });
  });

  it("a wrong API key → the same BAD_GATEWAY", async () => {
    const strict = await startFakeAnthropic({ apiKey: "the-right-key" });
    try {
      const { error } = await run(model({ baseURL: strict.url, apiKey: "a-wrong-key" }).stream(request()));
      expectModelError(error, "BAD_GATEWAY", /\(401\): check ANTHROPIC_API_KEY/);
      const ok = await run(model({ baseURL: strict.url, apiKey: "the-right-key" }).stream(request()));
      expect(deltas(ok.events).join("")).toBe(ANSWER.text);
    } finally {
      await strict.close();
    }
  });
});

describe("abort", () => {
  it("between deltas: the HTTP stream closes at once and an AbortError (not a ModelError) is thrown", async () => {
    fake.script([{ slow: 40 }]);
    const controller = new AbortController();
    const m = model();
    const { events, error } = await run(m.stream(request(controller.signal)), (events) => {
      if (deltas(events).length === 2) controller.abort();
    });
    expect(deltas(events)).toEqual(ANSWER.deltas.slice(0, 2));
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe("AbortError");
    expect(error).not.toBeInstanceOf(ModelError);
    await vi.waitFor(() => expect(fake.requests[0]?.ended).toBe("client-closed"));
    expect(fake.requests[0]?.deltasSent).toBeLessThan(ANSWER.deltas.length);
    expect(m.state()).toEqual({ breaker: "closed" });
  });

  it("while waiting on a silent upstream, and before any request: AbortError at once", async () => {
    fake.script([{ hang: true }]);
    const controller = new AbortController();
    // A model with a long time-out: only the abort can end this wait.
    const running = run(model({ timeoutMs: 60_000 }).stream(request(controller.signal)));
    await vi.waitFor(() => expect(fake.requests).toHaveLength(1), { timeout: 10_000 });
    controller.abort();
    const { error } = await running;
    expect((error as Error).name).toBe("AbortError");
    await vi.waitFor(() => expect(fake.requests[0]?.ended).toBe("client-closed"), { timeout: 10_000 });

    const { error: early } = await run(model().stream(request(AbortSignal.abort())));
    expect((early as Error).name).toBe("AbortError");
    expect(fake.requests).toHaveLength(1);
  });

  it("a caller that stops reading closes the HTTP stream too", async () => {
    fake.script([{ slow: 40 }]);
    for await (const event of model().stream(request())) {
      if (event.type === "delta") break;
    }
    await vi.waitFor(() => expect(fake.requests[0]?.ended).toBe("client-closed"));
  });

  it("does not count against the breaker", async () => {
    const m = model({ breaker: { failures: 1, openMs: 60_000 } });
    for (let i = 0; i < 3; i++) {
      const { error } = await run(m.stream(request(AbortSignal.abort())));
      expect((error as Error).name).toBe("AbortError");
    }
    expect(m.state()).toEqual({ breaker: "closed" });
  });
});

describe("the circuit breaker", () => {
  it("opens after N failed requests, fails fast without calling upstream, half-opens after openMs and closes on a good probe", async () => {
    const m = model({ maxRetries: 1, breaker: { failures: 2, openMs: 300 } });
    fake.script([fail(500), fail(500), fail(529), fail(529)]);
    for (let i = 0; i < 2; i++) {
      expectModelError((await run(m.stream(request()))).error, "SERVICE_UNAVAILABLE", /not answering/);
    }
    expect(fake.requests).toHaveLength(4); // two requests, each retried once: two failures for the breaker
    expect(m.state()).toEqual({ breaker: "open" });

    const refused = expectModelError((await run(m.stream(request()))).error, "CIRCUIT_OPEN", /^Claude is unavailable; Pulse will try again in 1 s\.$/);
    expect(refused.retryAfterS).toBe(1);
    expect(fake.requests).toHaveLength(4);

    await new Promise((resolve) => setTimeout(resolve, 320));
    expect(m.state()).toEqual({ breaker: "half-open" });
    const probe = await run(m.stream(request()));
    expect(deltas(probe.events).join("")).toBe(ANSWER.text);
    expect(m.state()).toEqual({ breaker: "closed" });
    expect(fake.requests).toHaveLength(5);
  });

  it("hears of a success from a caller that stops reading at `end` (as the chat service does): a probe closes it", async () => {
    const m = model({ maxRetries: 0, breaker: { failures: 1, openMs: 100 } });
    fake.script([fail(500)]);
    await run(m.stream(request()));
    expect(m.state()).toEqual({ breaker: "open" });
    await new Promise((resolve) => setTimeout(resolve, 120));
    // next() up to `end`, and no further: the generator stays suspended at its last yield.
    const iterator = m.stream(request())[Symbol.asyncIterator]();
    for (let next = await iterator.next(); !next.done && next.value.type !== "end"; next = await iterator.next());
    expect(m.state()).toEqual({ breaker: "closed" });
    // And the next request is let through, not refused as a second probe.
    expect(deltas((await run(m.stream(request()))).events).join("")).toBe(ANSWER.text);
  });

  it("lets one probe through at a time, and a failed probe opens it again", async () => {
    const m = model({ maxRetries: 0, breaker: { failures: 1, openMs: 150 } });
    fake.script([fail(500), { slow: 20 }, fail(529)]);
    await run(m.stream(request()));
    expect(m.state()).toEqual({ breaker: "open" });

    await new Promise((resolve) => setTimeout(resolve, 170));
    const probe = run(m.stream(request())); // admitted at once: the probe
    expectModelError((await run(m.stream(request()))).error, "CIRCUIT_OPEN", /try again in 1 s/);
    expect(deltas((await probe).events).join("")).toBe(ANSWER.text);
    expect(m.state()).toEqual({ breaker: "closed" });

    await run(m.stream(request())); // 529: open again
    expect(m.state()).toEqual({ breaker: "open" });
    await new Promise((resolve) => setTimeout(resolve, 170));
    fake.script([fail(500)]);
    expectModelError((await run(m.stream(request()))).error, "SERVICE_UNAVAILABLE", /not answering/);
    expect(m.state()).toEqual({ breaker: "open" });
    expectModelError((await run(m.stream(request()))).error, "CIRCUIT_OPEN", /Claude is unavailable/);
    expect(fake.requests).toHaveLength(4);
  });

  it("429 does not trip it: a rate limit is not an outage", async () => {
    const m = model({ breaker: { failures: 2, openMs: 60_000 } });
    fake.script([{ status: 429, retryAfterS: 1 }, { status: 429, retryAfterS: 1 }, { status: 429, retryAfterS: 1 }]);
    for (let i = 0; i < 3; i++) expectModelError((await run(m.stream(request()))).error, "TOO_MANY_REQUESTS", /429/);
    expect(m.state()).toEqual({ breaker: "closed" });
    expect(fake.requests).toHaveLength(3);
  });
});
