/**
 * Chat through the whole chain: the real server, configured (ANTHROPIC_BASE_URL and the
 * CHAT_UPSTREAM_* / CHAT_BREAKER_* settings) to call the local Anthropic stand-in over HTTP, and
 * followed by a real client over WebSocket (and once over SSE). What chat.test.ts checks with a
 * scripted in-test model (context trimming, per-user limit, owners, input limits, restarts) is not
 * repeated here; this file checks what only the real client and wire add: the request Anthropic
 * receives, SSE parsed into saved answers, each upstream failure's end state, retries, the
 * breaker, and a cancel that closes the upstream socket.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "@/server/config";
import { fakeAnswer, roughTokens } from "@/server/features/chat/fake-answer";
import { startFakeAnthropic, type Behaviour, type FakeAnthropic, type RecordedRequest } from "@/server/features/chat/fake-anthropic";
import type { ChatMessageView, ChatStreamEvent } from "@/shared/chat";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { eventually, EventStream, RawSocket, sql, within } from "./support/raw";

const MODEL = "claude-upstream-test";
const OPEN_MS = 1_500;
const RETRIES = 2;
const CHAT: Config["chat"] = {
  apiKey: "test-key",
  model: MODEL,
  baseUrl: undefined, // set to the stand-in's address once it listens
  messagesPerMinute: 1_000,
  contextTokens: 50_000,
  maxTokens: 512,
  // Short, so that retries, the breaker's open time and a stalled stream fit in a test.
  upstream: { timeoutMs: 3_000, maxRetries: RETRIES, retryBaseMs: 20, breaker: { failures: 5, openMs: OPEN_MS } },
};

let fake: FakeAnthropic;
let server: TestServer;
const closers: Array<() => void> = [];
beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey: "test-key" });
  // The real feature list: the model is the one chatModelFromConfig makes from this config.
  server = await startTestServer({ chat: { ...CHAT, baseUrl: fake.url } });
});
afterAll(async () => {
  for (const close of closers) close();
  await server?.stop();
  await fake?.close();
});

type Tracked = { id: string; data: ChatStreamEvent };
type Person = Awaited<ReturnType<typeof person>>;

async function person() {
  const user = await signUp(server, "Upstream");
  return { ...user, client: server.client(user.token) };
}

/** Follows an answer over a raw WebSocket, as the chat page does. */
async function followWs(token: string, messageId: string, lastEventId?: string) {
  const socket = await RawSocket.open(server.url, { token });
  closers.push(() => socket.close());
  const sub = socket.subscribe<Tracked>("chat.stream", lastEventId ? { messageId, lastEventId } : { messageId });
  return { socket, sub };
}

const textOf = (events: Tracked[]) => events.flatMap((e) => (e.data.type === "delta" ? [e.data.text] : [])).join("");
const last = (events: Tracked[]) => events.at(-1)?.data;
const ended = (events: Tracked[]) => last(events)?.type === "done" || last(events)?.type === "error";
const saved = async (messageId: string) =>
  (await sql<{ status: string; content: string; errorCode: string | null }>(server.pulse.databaseUrl, `SELECT status::text, content, "errorCode" FROM "ChatMessage" WHERE id = $1`, [messageId]))[0]!;

/**
 * Sends `content` in a new conversation (the stand-in's next requests behaving as `script` says,
 * then as the prompt's controls say), follows the answer over WebSocket to its end, and returns
 * its events and the requests the stand-in received for it.
 */
async function ask(me: Person, content: string, script: Behaviour[] = [], conversationId?: string) {
  conversationId ??= (await me.client.chat.createConversation.mutate({})).id;
  fake.script(script);
  const before = fake.requests.length;
  const { assistantMessageId: messageId } = await me.client.chat.send.mutate({ conversationId, content });
  const { sub } = await followWs(me.token, messageId);
  await eventually(() => ended(sub.data), "the answer's end");
  return { conversationId, messageId, events: sub.data, end: last(sub.data)!, upstream: () => fake.requests.slice(before) };
}

describe("an answer from the stand-in", () => {
  it("streams whole over WebSocket and SSE and is saved complete; Anthropic was sent the system prompt and the conversation", async () => {
    const me = await person();
    const conversationId = (await me.client.chat.createConversation.mutate({ systemPrompt: "Be brief." })).id;
    const q1 = "What is the capital of France?";
    const first = await ask(me, q1, [], conversationId);
    expect(first.end).toMatchObject({ type: "done", message: { status: "complete", content: fakeAnswer(q1).text } });

    // The second answer, slowed so that both followers see it being written.
    const q2 = "And the capital of Spain?";
    const answer = fakeAnswer(q2);
    fake.script([{ slow: 30 }]);
    const before = fake.requests.length;
    const { assistantMessageId: messageId } = await me.client.chat.send.mutate({ conversationId, content: q2 });
    const { sub } = await followWs(me.token, messageId);
    const sse = await EventStream.open(server.url, "chat.stream", { messageId }, { token: me.token });
    closers.push(() => sse.close());
    await eventually(() => ended(sub.data), "the answer's end over WebSocket");
    await within(sse.ended, "the SSE stream to end after done");

    expect(sub.data.filter((e) => e.data.type === "delta").length).toBeGreaterThan(1);
    expect(textOf(sub.data)).toBe(answer.text);
    const sseEvents = sse.data<ChatStreamEvent>();
    expect(sseEvents.flatMap((e) => (e.type === "delta" ? [e.text] : [])).join("")).toBe(answer.text);
    expect(sseEvents.at(-1)).toMatchObject({ type: "done", message: { status: "complete" } });

    // What Anthropic received: one streamed request with the key, the system prompt and the whole conversation.
    const requests = fake.requests.slice(before);
    expect(requests).toHaveLength(1);
    const a1 = fakeAnswer(q1).text;
    expect(requests[0]).toMatchObject({ method: "POST", path: "/v1/messages", auth: "bearer", stream: true, status: 200, ended: "complete" });
    expect(requests[0]!.body).toEqual({
      model: MODEL,
      max_tokens: 512,
      stream: true,
      system: "Be brief.",
      messages: [
        { role: "user", content: q1 },
        { role: "assistant", content: a1 },
        { role: "user", content: q2 },
      ],
    });

    // Saved as the stand-in answered: its usage, model and stop reason; times from the send.
    const done = last(sub.data) as { type: "done"; message: ChatMessageView };
    const expected = {
      id: messageId,
      status: "complete",
      content: answer.text,
      model: MODEL,
      stopReason: "end_turn",
      inputTokens: roughTokens(`Be brief.${[q1, a1, q2].join("\n")}`),
      outputTokens: answer.deltas.length,
      errorCode: null,
    };
    expect(done.message).toMatchObject(expected);
    const view = (await me.client.chat.conversation.query({ conversationId })).messages.find((m) => m.id === messageId)!;
    expect(view).toMatchObject(expected);
    // The stand-in waited 30 ms before its first delta.
    expect(view.firstTokenMs).toBeGreaterThanOrEqual(25);
    expect(view.totalMs).toBeGreaterThanOrEqual(view.firstTokenMs!);
  });

  it("a reconnect mid-stream with lastEventId gets the rest, nothing repeated, and asks Anthropic nothing again", async () => {
    const me = await person();
    const prompt = "Tell me a longer story [[words:12]]";
    const answer = fakeAnswer(prompt);
    const conversationId = (await me.client.chat.createConversation.mutate({})).id;
    fake.script([{ slow: 60 }]);
    const before = fake.requests.length;
    const { assistantMessageId: messageId } = await me.client.chat.send.mutate({ conversationId, content: prompt });
    const first = await followWs(me.token, messageId);
    await eventually(() => textOf(first.sub.data).length >= answer.deltas.slice(0, 3).join("").length, "the first words");
    first.socket.close();
    await first.socket.closed;
    const seen = textOf(first.sub.data);
    const lastEventId = first.sub.data.at(-1)!.id;
    // More is written while nobody is watching.
    await eventually(async () => (await saved(messageId)).content.length > seen.length, "text written while away");

    const second = await followWs(me.token, messageId, lastEventId);
    await eventually(() => ended(second.sub.data), "the answer's end after the reconnect");
    expect(seen + textOf(second.sub.data)).toBe(answer.text);
    const ids = [...first.sub.data, ...second.sub.data].map((e) => BigInt(e.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    expect(last(second.sub.data)).toMatchObject({ type: "done", message: { status: "complete", content: answer.text } });
    expect(fake.requests.slice(before).map((r) => r.ended)).toEqual(["complete"]);
  });
});

describe("upstream failures end in the documented state", () => {
  it("429: the answer ends error TOO_MANY_REQUESTS with Anthropic's retry time, not retried", async () => {
    const me = await person();
    const { messageId, end, events, upstream } = await ask(me, "Hello", [{ status: 429, retryAfterS: 7 }]);
    expect(end).toEqual({ type: "error", code: "TOO_MANY_REQUESTS", message: "Anthropic is rate-limiting Pulse (429): try again in 7 s.", retryAfterS: 7 });
    expect(textOf(events)).toBe("");
    expect(upstream().map((r) => r.status)).toEqual([429]);
    expect(await saved(messageId)).toEqual({ status: "error", content: "", errorCode: "TOO_MANY_REQUESTS" });
  });

  it("500, then a normal answer: retried, and the answer completes", async () => {
    const me = await person();
    const prompt = "Is it up again?";
    const { messageId, end, events, upstream } = await ask(me, prompt, [{ status: 500 }]);
    expect(end).toMatchObject({ type: "done", message: { status: "complete", content: fakeAnswer(prompt).text } });
    // Nothing of the failed attempt reached the person.
    expect(textOf(events)).toBe(fakeAnswer(prompt).text);
    expect(upstream().map((r) => r.status)).toEqual([500, 200]);
    expect((await saved(messageId)).status).toBe("complete");
  });

  it("529 on every attempt: SERVICE_UNAVAILABLE after the retries", async () => {
    const me = await person();
    const { messageId, end, upstream } = await ask(me, "Busy? [[529]]");
    expect(end).toEqual({ type: "error", code: "SERVICE_UNAVAILABLE", message: "Claude is not answering right now (Anthropic is overloaded (529)). Try again in a moment." });
    expect(upstream().map((r) => r.status)).toEqual(Array<number>(1 + RETRIES).fill(529));
    expect(await saved(messageId)).toEqual({ status: "error", content: "", errorCode: "SERVICE_UNAVAILABLE" });
  });

  it.each<[string, Behaviour, RecordedRequest["ended"], RegExp]>([
    ["an error event mid-stream", { errorMidStream: 3 }, "complete", /^Claude's answer was cut off \(Anthropic reported overloaded_error\)\./],
    ["a dropped connection", { dropAfterDeltas: 3 }, "dropped", /^Claude's answer was cut off \(.*(connection|lost|terminated).*\)\./i],
  ])("%s: error SERVICE_UNAVAILABLE, the partial text kept, not retried", async (_, behaviour, upstreamEnd, message) => {
    const me = await person();
    const prompt = "Explain something at length";
    const partial = fakeAnswer(prompt).deltas.slice(0, 3).join("");
    const { conversationId, messageId, end, events, upstream } = await ask(me, prompt, [behaviour]);
    expect(end).toMatchObject({ type: "error", code: "SERVICE_UNAVAILABLE" });
    expect((end as { message: string }).message).toMatch(message);
    expect(textOf(events)).toBe(partial);
    expect(upstream().map((r) => [r.deltasSent, r.ended])).toEqual([[3, upstreamEnd]]);
    expect(await saved(messageId)).toEqual({ status: "error", content: partial, errorCode: "SERVICE_UNAVAILABLE" });
    const view = (await me.client.chat.conversation.query({ conversationId })).messages.find((m) => m.id === messageId);
    expect(view).toMatchObject({ status: "error", content: partial, errorCode: "SERVICE_UNAVAILABLE", errorMessage: expect.stringMatching(message) as string });
  });

  it("cancel mid-stream: the stand-in sees its socket closed, the answer ends cancelled with its text so far", async () => {
    const me = await person();
    const prompt = "Go on for a while [[words:20]]";
    const conversationId = (await me.client.chat.createConversation.mutate({})).id;
    fake.script([{ slow: 100 }]);
    const before = fake.requests.length;
    const { assistantMessageId: messageId } = await me.client.chat.send.mutate({ conversationId, content: prompt });
    const { sub } = await followWs(me.token, messageId);
    await eventually(() => textOf(sub.data).length > 0, "the first words");
    const cancelled = await me.client.chat.cancel.mutate({ messageId });
    expect(cancelled.status).toBe("cancelled");
    await eventually(() => ended(sub.data), "the stream's end");
    expect(last(sub.data)).toMatchObject({ type: "done", message: { status: "cancelled", content: cancelled.content } });

    const [request] = fake.requests.slice(before);
    await eventually(() => request!.ended === "client-closed", "the stand-in to see its client go");
    const sent = request!.deltasSent;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(request!.deltasSent).toBe(sent);
    expect(sent).toBeLessThan(fakeAnswer(prompt).deltas.length);
    expect(fakeAnswer(prompt).text.startsWith(cancelled.content)).toBe(true);
    expect(await saved(messageId)).toEqual({ status: "cancelled", content: cancelled.content, errorCode: null });
  });
});

describe("the circuit breaker", () => {
  it("opens after 5 failed sends (then fails fast without calling Anthropic) and closes after a probe succeeds", async () => {
    const me = await person();
    const breaker = async () => (await me.client.chat.status.query()).breaker;
    // A success first: earlier tests' failures must not count.
    expect((await ask(me, "Warm up")).end).toMatchObject({ type: "done" });
    expect(await breaker()).toBe("closed");

    for (let i = 1; i <= 5; i++) {
      expect(await breaker(), `before failure ${i}`).toBe("closed");
      const { end, upstream } = await ask(me, `Failing ${i} [[500]]`);
      expect(end).toMatchObject({ type: "error", code: "SERVICE_UNAVAILABLE" });
      expect(upstream()).toHaveLength(1 + RETRIES);
    }
    expect(await breaker()).toBe("open");

    const refused = await ask(me, "Anyone there?");
    expect(refused.end).toMatchObject({ type: "error", code: "CIRCUIT_OPEN", message: expect.stringMatching(/^Claude is unavailable; Pulse will try again in \d+ s\.$/) as string });
    const retryAfterS = (refused.end as { retryAfterS?: number }).retryAfterS;
    expect(retryAfterS).toBeGreaterThanOrEqual(1);
    expect(retryAfterS).toBeLessThanOrEqual(Math.ceil(OPEN_MS / 1000));
    expect(refused.upstream()).toEqual([]);
    expect(await saved(refused.messageId)).toMatchObject({ status: "error", errorCode: "CIRCUIT_OPEN" });

    // After the open time, one probe goes through; it succeeds and the circuit closes.
    await eventually(async () => (await breaker()) === "half-open", "the breaker to let a probe through", OPEN_MS + 5_000);
    const probe = await ask(me, "Back again?");
    expect(probe.end).toMatchObject({ type: "done", message: { status: "complete", content: fakeAnswer("Back again?").text } });
    expect(probe.upstream().map((r) => r.status)).toEqual([200]);
    expect(await breaker()).toBe("closed");
  });
});
