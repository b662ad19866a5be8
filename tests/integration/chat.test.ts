/**
 * Chat end to end on a real server and PostgreSQL, over HTTP, WebSocket and server-sent events:
 * answers streamed, saved and resumable without gaps or duplicates; model failures, cancel,
 * the per-user limit, input limits, "not configured", owners only, and streams that end with
 * the login. The model is the one stand-in (tests/helpers/scripted-model.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@/server/config";
import { buildContext } from "@/server/features/chat/context";
import { createChatFeature } from "@/server/features/chat/index";
import { features } from "@/server/features/index";
import type { ModelErrorCode } from "@/server/features/chat/model";
import type { ChatMessageView, ChatStreamEvent } from "@/shared/chat";
import { gate, scriptedModel } from "../helpers/scripted-model";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { codeOf, eventually, EventStream, RawSocket, sql, within } from "./support/raw";

const scripted = scriptedModel();
const CHAT = { apiKey: "test", model: "claude-test-model", baseUrl: undefined, messagesPerMinute: 10, contextTokens: 50_000, maxTokens: 512, upstream: loadConfig({ NODE_ENV: "test" }).chat.upstream };
const withModel = (model: Parameters<typeof createChatFeature>[0]) => features.map((f) => (f.name === "chat" ? createChatFeature(model) : f));

let server: TestServer;
const closers: Array<() => void> = [];
beforeAll(async () => {
  server = await startTestServer({ chat: CHAT }, undefined, { features: withModel({ model: scripted.model }) });
});
afterAll(async () => {
  for (const close of closers) close();
  await server?.stop();
});

type Tracked = { id: string; data: ChatStreamEvent };

async function person(name = "Chatter") {
  const user = await signUp(server, name);
  return { ...user, client: server.client(user.token) };
}

async function conversationOf(who: Awaited<ReturnType<typeof person>>, input: { title?: string; systemPrompt?: string } = {}) {
  return (await who.client.chat.createConversation.mutate(input)).id;
}

/** Follows an answer over a raw WebSocket. */
async function followWs(token: string, messageId: string, lastEventId?: string) {
  const socket = await RawSocket.open(server.url, { token });
  closers.push(() => socket.close());
  const sub = socket.subscribe<Tracked>("chat.stream", lastEventId ? { messageId, lastEventId } : { messageId });
  return { socket, sub };
}

const textOf = (events: Tracked[]) => events.flatMap((e) => (e.data.type === "delta" ? [e.data.text] : [])).join("");
const last = (events: Tracked[]) => events.at(-1)?.data;
const message = async (messageId: string) =>
  (await sql<{ status: string; content: string; errorCode: string | null; errorMessage: string | null }>(server.pulse.databaseUrl, `SELECT status::text, content, "errorCode", "errorMessage" FROM "ChatMessage" WHERE id = $1`, [messageId]))[0]!;
/** The text written so far (what `chat.conversation` shows of an answer being written). */
const savedText = async (who: Awaited<ReturnType<typeof person>>, conversationId: string, messageId: string) =>
  (await who.client.chat.conversation.query({ conversationId })).messages.find((m) => m.id === messageId)?.content;

describe("an answer", () => {
  it("streams whole over WebSocket and SSE, and is saved with its tokens and times; the conversation is named after it", async () => {
    const me = await person();
    const conversationId = await conversationOf(me, { systemPrompt: "Answer in English." });
    const hold = gate();
    scripted.script("The ", "quick ", { wait: hold.wait }, "brown ", "fox.");
    const sent = await me.client.chat.send.mutate({ conversationId, content: "  Tell me   about the fox  " });
    const { sub } = await followWs(me.token, sent.assistantMessageId);
    const sse = await EventStream.open(server.url, "chat.stream", { messageId: sent.assistantMessageId }, { token: me.token });
    closers.push(() => sse.close());
    await eventually(() => textOf(sub.data) === "The quick ", "the first words over WebSocket");
    hold.open();
    await eventually(() => last(sub.data)?.type === "done", "the answer's end over WebSocket");
    await within(sse.ended, "the SSE stream to end after done");

    expect(textOf(sub.data)).toBe("The quick brown fox.");
    const done = last(sub.data) as { type: "done"; message: ChatMessageView };
    expect(done.message).toMatchObject({ id: sent.assistantMessageId, role: "assistant", status: "complete", content: "The quick brown fox.", model: "claude-test-model", stopReason: "end_turn", outputTokens: 4 });
    expect(done.message.inputTokens).toBeGreaterThan(0);
    expect(done.message.firstTokenMs).toBeGreaterThanOrEqual(0);
    expect(done.message.totalMs).toBeGreaterThanOrEqual(done.message.firstTokenMs!);
    const sseData = sse.data<ChatStreamEvent>();
    expect(sseData.flatMap((e) => (e.type === "delta" ? [e.text] : [])).join("")).toBe("The quick brown fox.");
    expect(sseData.at(-1)).toMatchObject({ type: "done", message: { status: "complete" } });

    const conversation = await me.client.chat.conversation.query({ conversationId });
    expect(conversation.title).toBe("Tell me about the fox");
    expect(conversation.systemPrompt).toBe("Answer in English.");
    expect(conversation.messages.map((m) => [m.role, m.content, m.status])).toEqual([
      ["user", "Tell me   about the fox", "complete"],
      ["assistant", "The quick brown fox.", "complete"],
    ]);
    // What the model was given: the system prompt and the trimmed question.
    const request = scripted.requests.at(-1)!;
    expect(request).toMatchObject({ system: "Answer in English.", model: "claude-test-model", maxTokens: 512, messages: [{ role: "user", content: "Tell me   about the fox" }] });

    const list = await me.client.chat.conversations.query({});
    expect(list.items[0]).toMatchObject({ id: conversationId, lastMessage: { role: "assistant", preview: "The quick brown fox.", status: "complete" } });
    // Token usage, as the analytics summary will read it.
    expect(await server.pulse.services.chat.usage(me.user.id)).toEqual({ conversations: 1, messages: 2, answers: 1, inputTokens: done.message.inputTokens, outputTokens: 4 });
  });

  it("is given the system prompt and the most recent complete messages that fit the token budget, always the new one", async () => {
    const me = await person();
    const conversationId = await conversationOf(me);
    const answered = async (content: string, status = "complete") => {
      const { assistantMessageId } = await me.client.chat.send.mutate({ conversationId, content });
      await eventually(async () => (await message(assistantMessageId)).status === status, `the answer, ${status}`);
    };
    await answered(`Q1 ${"a".repeat(400)}`);
    scripted.script({ fail: "SERVICE_UNAVAILABLE", message: "Down." });
    await answered("Q2", "error");
    await answered("Q3");
    // Q3's answer was given Q1, its answer, then Q2 and Q3 as one turn (Q2's answer failed and is left out).
    expect(scripted.requests.at(-1)!.messages).toEqual([
      { role: "user", content: `Q1 ${"a".repeat(400)}` },
      { role: "assistant", content: "Hello there." },
      { role: "user", content: "Q2\n\nQ3" },
    ]);
    const messages = (await me.client.chat.conversation.query({ conversationId })).messages;
    const q3 = messages.find((m) => m.content === "Q3")!;
    const context = (tokens: number) => buildContext(server.pulse.app.pool, conversationId, q3.createdAt, "System", tokens);
    // (40 − 6 characters of system prompt) holds Q3 and Q2, not the answer before them: it would be 2 + 2 + 12 + 403.
    expect(await context(10)).toEqual({ system: "System", messages: [{ role: "user", content: "Q2\n\nQ3" }] });
    expect(await context(0)).toEqual({ system: "System", messages: [{ role: "user", content: "Q3" }] });
    expect((await context(1_000)).messages).toHaveLength(3);
  });

  it("a reconnect with lastEventId receives the rest, nothing repeated; without it, the answer so far as one delta, then the rest", async () => {
    const me = await person();
    const conversationId = await conversationOf(me);
    const first = gate();
    const second = gate();
    scripted.script("Once ", "upon ", { wait: first.wait }, "a ", "time", { wait: second.wait }, " there ", "was.");
    const { assistantMessageId: messageId } = await me.client.chat.send.mutate({ conversationId, content: "A story" });
    const before = await followWs(me.token, messageId);
    await eventually(() => textOf(before.sub.data) === "Once upon ", "the first part");
    before.socket.close();
    const lastSeen = before.sub.data.at(-1)!.id;

    first.open();
    await eventually(async () => (await savedText(me, conversationId, messageId)) === "Once upon a time", "the middle written while away");
    const resumed = await EventStream.open(server.url, "chat.stream", { messageId, lastEventId: lastSeen }, { token: me.token });
    closers.push(() => resumed.close());
    const fresh = await followWs(me.token, messageId);
    await eventually(() => resumed.data().length > 0 && fresh.sub.data.length > 0, "both to start");
    expect(fresh.sub.data).toHaveLength(1);
    expect(fresh.sub.data[0]!.data).toEqual({ type: "delta", text: "Once upon a time" });

    second.open();
    await within(resumed.ended, "the resumed stream to end");
    await eventually(() => last(fresh.sub.data)?.type === "done", "the fresh stream's end");

    const resumedEvents = resumed.events.filter((e) => e.event === "message").map((e, i) => ({ id: e.id!, data: resumed.data<ChatStreamEvent>()[i]! }));
    expect(textOf(before.sub.data) + textOf(resumedEvents)).toBe("Once upon a time there was.");
    const ids = [...before.sub.data, ...resumedEvents].map((e) => BigInt(e.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    expect(textOf(fresh.sub.data)).toBe("Once upon a time there was.");

    // Finished: without lastEventId only the `done` (its message holds the text); after the last id, nothing, and the stream ends.
    const after = await followWs(me.token, messageId);
    await eventually(() => after.sub.stopped || after.sub.data.length > 0, "the finished answer");
    await eventually(() => after.sub.stopped, "the replay to stop");
    expect(after.sub.data.map((e) => e.data.type)).toEqual(["done"]);
    const end = await EventStream.open(server.url, "chat.stream", { messageId, lastEventId: after.sub.data[0]!.id }, { token: me.token });
    await within(end.ended, "an empty replay to end");
    expect(end.data()).toEqual([]);
  });
});

describe("failures", () => {
  const codes: ModelErrorCode[] = ["TOO_MANY_REQUESTS", "SERVICE_UNAVAILABLE", "CIRCUIT_OPEN", "BAD_GATEWAY"];

  it.each(codes)("a model error %s ends the answer as error with its code and message, the partial text kept", async (code) => {
    const me = await person();
    const conversationId = await conversationOf(me);
    const text = `Claude said no (${code}).`;
    const retryAfterS = code === "TOO_MANY_REQUESTS" || code === "CIRCUIT_OPEN" ? 30 : undefined;
    scripted.script("Partial ", "answer", { fail: code, message: text, retryAfterS });
    const { assistantMessageId: messageId } = await me.client.chat.send.mutate({ conversationId, content: "Question" });
    const { sub } = await followWs(me.token, messageId);
    await eventually(() => last(sub.data)?.type === "error", "the error event");
    expect(last(sub.data)).toEqual({ type: "error", code, message: text, ...(retryAfterS ? { retryAfterS } : {}) });
    expect(textOf(sub.data)).toBe("Partial answer");
    expect(await message(messageId)).toEqual({ status: "error", content: "Partial answer", errorCode: code, errorMessage: text });
    const saved = (await me.client.chat.conversation.query({ conversationId })).messages[1]!;
    expect(saved).toMatchObject({ status: "error", errorCode: code, errorMessage: text, content: "Partial answer" });

    // A late subscriber gets the text so far, then the error.
    const late = await followWs(me.token, messageId);
    await eventually(() => late.sub.stopped, "the late replay");
    expect(late.sub.data.map((e) => e.data)).toEqual([{ type: "delta", text: "Partial answer" }, last(sub.data)]);
  });

  it("an error before any text leaves an empty answer; retry answers again as a new message, the failed one left out of the context", async () => {
    const me = await person();
    const conversationId = await conversationOf(me);
    scripted.script({ fail: "SERVICE_UNAVAILABLE", message: "Claude is not answering right now." });
    const sent = await me.client.chat.send.mutate({ conversationId, content: "Hello?" });
    await eventually(async () => (await message(sent.assistantMessageId)).status === "error", "the failure");
    expect((await message(sent.assistantMessageId)).content).toBe("");

    scripted.script("Second ", "try.");
    const { assistantMessageId } = await me.client.chat.retry.mutate({ messageId: sent.assistantMessageId });
    expect(assistantMessageId).not.toBe(sent.assistantMessageId);
    await eventually(async () => (await message(assistantMessageId)).status === "complete", "the retried answer");
    expect(scripted.requests.at(-1)!.messages).toEqual([{ role: "user", content: "Hello?" }]);
    const messages = (await me.client.chat.conversation.query({ conversationId })).messages;
    expect(messages.map((m) => [m.role, m.status, m.content])).toEqual([
      ["user", "complete", "Hello?"],
      ["assistant", "error", ""],
      ["assistant", "complete", "Second try."],
    ]);
    expect(await codeOf(me.client.chat.retry.mutate({ messageId: assistantMessageId }))).toBe("PRECONDITION_FAILED");
    expect(await codeOf(me.client.chat.retry.mutate({ messageId: sent.assistantMessageId }))).toBe("PRECONDITION_FAILED");
  });

  it("cancel mid-stream: the answer ends cancelled with its text so far, the model's request is aborted", async () => {
    const me = await person();
    const conversationId = await conversationOf(me);
    const never = gate();
    scripted.script("Half ", "way", { wait: never.wait }, " never sent");
    const { assistantMessageId: messageId } = await me.client.chat.send.mutate({ conversationId, content: "Long one" });
    const request = () => scripted.requests.at(-1)!;
    const { sub } = await followWs(me.token, messageId);
    await eventually(() => textOf(sub.data) === "Half way", "the first part");
    // While it is written, another message in the conversation waits.
    expect(await codeOf(me.client.chat.send.mutate({ conversationId, content: "Next" }))).toBe("CONFLICT");

    const cancelled = await me.client.chat.cancel.mutate({ messageId });
    expect(cancelled).toMatchObject({ status: "cancelled", content: "Half way" });
    await eventually(() => last(sub.data)?.type === "done", "the done event");
    expect(last(sub.data)).toMatchObject({ type: "done", message: { status: "cancelled", content: "Half way" } });
    await eventually(() => request().signal.aborted, "the model's signal aborted");
    await eventually(async () => (await message(messageId)).status === "cancelled", "saved as cancelled");
    expect((await message(messageId)).content).toBe("Half way");
    expect(await codeOf(me.client.chat.cancel.mutate({ messageId }))).toBe("PRECONDITION_FAILED");
  });

  it("deleting a conversation stops its answer (its followers get the end) and removes its messages", async () => {
    const me = await person();
    const conversationId = await conversationOf(me);
    scripted.script("Some", { wait: gate().wait });
    const { assistantMessageId: messageId } = await me.client.chat.send.mutate({ conversationId, content: "Go" });
    const { sub } = await followWs(me.token, messageId);
    await eventually(() => textOf(sub.data) === "Some", "the first text");
    await me.client.chat.deleteConversation.mutate({ conversationId });
    // Its `done` (cancelled), if read before the rows went; else the stream's own end: DELETED.
    await eventually(() => sub.stopped, "the stream to end");
    const end = last(sub.data);
    expect(end?.type === "done" ? end.message.status : end).toEqual(end?.type === "done" ? "cancelled" : { type: "error", code: "DELETED", message: "This conversation was deleted." });
    expect(await sql(server.pulse.databaseUrl, `SELECT 1 FROM "ChatMessage" WHERE "conversationId" = $1`, [conversationId])).toEqual([]);
    expect(await codeOf(me.client.chat.conversation.query({ conversationId }))).toBe("NOT_FOUND");
  });
});

describe("limits", () => {
  it(`the per-user limit: the 11th message in a minute is TOO_MANY_REQUESTS with when to retry`, async () => {
    const me = await person();
    const other = await person();
    for (let i = 0; i < 10; i++) await me.client.chat.send.mutate({ conversationId: await conversationOf(me), content: `message ${i}` });
    const conversationId = await conversationOf(me);
    const refused = await me.client.chat.send.mutate({ conversationId, content: "one too many" }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ data: { code: "TOO_MANY_REQUESTS" } });
    const { retryAfterS } = (refused as { data: { retryAfterS: number } }).data;
    expect(retryAfterS).toBeGreaterThan(0);
    expect(retryAfterS).toBeLessThanOrEqual(60);
    expect((refused as Error).message).toMatch(/10 messages a minute/);
    // Per user: someone else still sends.
    expect(await codeOf(other.client.chat.send.mutate({ conversationId: await conversationOf(other), content: "hi" }))).toBe("OK");
  });

  it("empty, whitespace-only and over-long messages, titles and system prompts are BAD_REQUEST with a clear message", async () => {
    const me = await person();
    const conversationId = await conversationOf(me);
    const refusal = (call: Promise<unknown>) => call.then(() => "OK", (error: Error & { data?: { code?: string } }) => `${error.data?.code}: ${error.message}`);
    expect(await refusal(me.client.chat.send.mutate({ conversationId, content: "" }))).toMatch(/^BAD_REQUEST: .*empty/);
    expect(await refusal(me.client.chat.send.mutate({ conversationId, content: " \n\t " }))).toMatch(/^BAD_REQUEST: .*empty/);
    expect(await refusal(me.client.chat.send.mutate({ conversationId, content: "x".repeat(32_001) }))).toMatch(/^BAD_REQUEST: .*at most 32,000 characters/);
    expect(await refusal(me.client.chat.createConversation.mutate({ title: "t".repeat(201) }))).toMatch(/^BAD_REQUEST: .*at most 200/);
    expect(await refusal(me.client.chat.createConversation.mutate({ systemPrompt: "s".repeat(8_001) }))).toMatch(/^BAD_REQUEST: .*8,000/);
    // 32,000 characters after trimming is fine.
    expect(await codeOf(me.client.chat.send.mutate({ conversationId, content: ` ${"x".repeat(32_000)} ` }))).toBe("OK");
  });
});

describe("who sees what", () => {
  it("another user's conversation and messages are NOT_FOUND on every procedure, the stream over SSE and WebSocket included", async () => {
    const me = await person();
    const stranger = await person("Stranger");
    const conversationId = await conversationOf(me);
    const { assistantMessageId: messageId } = await me.client.chat.send.mutate({ conversationId, content: "Mine" });
    await eventually(async () => (await message(messageId)).status === "complete", "the answer");
    const them = stranger.client.chat;
    expect(await codeOf(them.conversation.query({ conversationId }))).toBe("NOT_FOUND");
    expect(await codeOf(them.send.mutate({ conversationId, content: "Hi" }))).toBe("NOT_FOUND");
    expect(await codeOf(them.renameConversation.mutate({ conversationId, title: "Mine now" }))).toBe("NOT_FOUND");
    expect(await codeOf(them.deleteConversation.mutate({ conversationId }))).toBe("NOT_FOUND");
    expect(await codeOf(them.cancel.mutate({ messageId }))).toBe("NOT_FOUND");
    expect(await codeOf(them.retry.mutate({ messageId }))).toBe("NOT_FOUND");
    expect((await them.conversations.query({})).items).toEqual([]);

    const sse = await EventStream.open(server.url, "chat.stream", { messageId }, { token: stranger.token });
    await within(sse.ended, "the refused SSE stream to end");
    expect(sse.error()?.data.code).toBe("NOT_FOUND");
    expect(sse.data()).toEqual([]);
    const { sub } = await followWs(stranger.token, messageId);
    await eventually(() => sub.error !== undefined, "the refused WebSocket subscription");
    expect(sub.error?.data.code).toBe("NOT_FOUND");
    expect(sub.data).toEqual([]);
    expect(await codeOf(server.client().chat.conversations.query({}))).toBe("UNAUTHORIZED");

    // The owner can rename, list and delete.
    expect((await me.client.chat.renameConversation.mutate({ conversationId, title: "Renamed" })).title).toBe("Renamed");
    expect((await me.client.chat.conversations.query({})).items.map((c) => c.title)).toEqual(["Renamed"]);
  });

  it("lists my conversations newest activity first with cursor pagination", async () => {
    const me = await person();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push(await conversationOf(me, { title: `c${i}` }));
    const page1 = await me.client.chat.conversations.query({ limit: 2 });
    const page2 = await me.client.chat.conversations.query({ limit: 2, cursor: page1.nextCursor });
    const page3 = await me.client.chat.conversations.query({ limit: 2, cursor: page2.nextCursor });
    expect([...page1.items, ...page2.items, ...page3.items].map((c) => c.id)).toEqual([...made].reverse());
    expect(page3.nextCursor).toBeNull();
  });

  it("a stream ends with the login that opened it, over SSE and WebSocket", async () => {
    const me = await person();
    const laptop = await server.client().auth.signIn.mutate({ email: me.email, password: me.password });
    const conversationId = await conversationOf(me);
    const hold = gate();
    scripted.script("Waiting", { wait: hold.wait }, " done");
    const { assistantMessageId: messageId } = await me.client.chat.send.mutate({ conversationId, content: "Wait" });
    const sse = await EventStream.open(server.url, "chat.stream", { messageId }, { token: laptop.token });
    closers.push(() => sse.close());
    const { socket, sub } = await followWs(laptop.token, messageId);
    await eventually(() => textOf(sub.data) === "Waiting" && sse.data().length > 0, "both streams");

    await server.client(laptop.token).auth.signOut.mutate();
    await within(sse.ended, "the SSE stream to end");
    expect(sse.error()?.data.code).toBe("UNAUTHORIZED");
    const closed = await within(socket.closed, "the socket to close");
    expect(sub.error?.data.code).toBe("UNAUTHORIZED");
    expect(closed.code).toBe(4001);
    // The answer itself carries on: generation is not tied to its watchers.
    hold.open();
    await eventually(async () => (await message(messageId)).status === "complete", "the answer to finish");
    expect((await message(messageId)).content).toBe("Waiting done");
  });
});

describe("configuration and lifecycle", () => {
  it("without a model, chat.send is PRECONDITION_FAILED naming ANTHROPIC_API_KEY, and chat.status says so", async () => {
    const bare = await startTestServer({}, server.database, { features: withModel({ model: null }) });
    try {
      const user = await signUp(bare, "Unconfigured");
      const client = bare.client(user.token);
      const conversationId = (await client.chat.createConversation.mutate({})).id;
      const refused = await client.chat.send.mutate({ conversationId, content: "Hello" }).catch((error: Error & { data?: { code?: string } }) => error);
      expect((refused as { data?: { code?: string } }).data?.code).toBe("PRECONDITION_FAILED");
      expect((refused as Error).message).toBe("Claude is not configured on this server: set ANTHROPIC_API_KEY.");
      expect(await client.chat.status.query()).toEqual({ configured: false, model: null, breaker: null, messagesPerMinute: 10 });
    } finally {
      await bare.stop();
    }
    const me = await person();
    expect(await me.client.chat.status.query()).toEqual({ configured: true, model: "claude-test-model", breaker: null, messagesPerMinute: 10 });
  });

  it("stopping the server saves an answer being written as interrupted, its text so far kept", async () => {
    const local = scriptedModel();
    const other = await startTestServer({ chat: CHAT }, server.database, { features: withModel({ model: local.model }) });
    let stopped = false;
    try {
      const user = await signUp(other, "Restart");
      const client = other.client(user.token);
      const conversationId = (await client.chat.createConversation.mutate({})).id;
      local.script("Before the restart", { wait: gate().wait });
      const { assistantMessageId: messageId } = await client.chat.send.mutate({ conversationId, content: "Go" });
      await eventually(async () => (await message(messageId)).content === "" && (await client.chat.conversation.query({ conversationId })).messages[1]?.content === "Before the restart", "the first text");
      await other.stop();
      stopped = true;
      expect(await message(messageId)).toEqual({ status: "error", content: "Before the restart", errorCode: "INTERRUPTED", errorMessage: expect.stringMatching(/interrupted by a server restart/) });
    } finally {
      if (!stopped) await other.stop();
    }
  });

  it("on start, an answer left streaming by a process that died (its heartbeat stopped) is ended as interrupted", async () => {
    const me = await person();
    const conversationId = await conversationOf(me);
    const [orphan] = await sql<{ id: string }>(
      server.pulse.databaseUrl,
      `INSERT INTO "ChatMessage" (id, "conversationId", role, status, "generatedBy", "heartbeatAt", "createdAt")
       VALUES (gen_random_uuid(), $1, 'assistant', 'streaming', 'a-dead-process', now() - interval '1 minute', now() - interval '2 minutes') RETURNING id::text AS id`,
      [conversationId],
    );
    await sql(server.pulse.databaseUrl, `INSERT INTO "ChatEvent" ("messageId", type, text) VALUES ($1, 'delta', 'Cut off')`, [orphan!.id]);
    const next = await startTestServer({ chat: CHAT }, server.database, { features: withModel({ model: scriptedModel().model }) });
    try {
      expect(await message(orphan!.id)).toEqual({ status: "error", content: "Cut off", errorCode: "INTERRUPTED", errorMessage: expect.stringMatching(/the server writing it stopped/) });
      // Its watchers get the end.
      const { sub } = await followWs(me.token, orphan!.id);
      await eventually(() => sub.stopped, "the replay");
      expect(sub.data.map((e) => e.data.type)).toEqual(["delta", "error"]);
    } finally {
      await next.stop();
    }
  });
});
