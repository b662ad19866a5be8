import { authedProcedure, live, router } from "@/server/trpc/trpc";
import { conversationIdInput, createInput, listInput, messageIdInput, renameInput, sendInput, streamInput } from "./schemas.js";
import type { ChatService } from "./service.js";

export const chatRouter = (chat: ChatService) =>
  router({
    /** `{ cursor?, limit? }` → `{ items, nextCursor }`: my conversations, newest activity first, each with its last message's start. */
    conversations: authedProcedure.input(listInput).query(({ ctx, input }) => chat.conversations(ctx.caller, input)),

    /** `{ title?, systemPrompt? }` → the conversation (titled after its first message when no title is given). */
    createConversation: authedProcedure.input(createInput).mutation(({ ctx, input }) => chat.createConversation(ctx.caller, input)),

    /** The conversation with its messages, oldest first (an answer being written: its text so far). */
    conversation: authedProcedure.input(conversationIdInput).query(({ ctx, input }) => chat.conversation(ctx.caller, input.conversationId)),

    renameConversation: authedProcedure.input(renameInput).mutation(({ ctx, input }) => chat.renameConversation(ctx.caller, input.conversationId, input.title)),

    /** With its messages; an answer being written is stopped. */
    deleteConversation: authedProcedure.input(conversationIdInput).mutation(({ ctx, input }) => chat.deleteConversation(ctx.caller, input.conversationId)),

    /**
     * `{ conversationId, content }` → `{ userMessageId, assistantMessageId }`: the answer is written
     * on the server (follow it with `stream`). PRECONDITION_FAILED when Claude is not configured,
     * TOO_MANY_REQUESTS past the per-user limit, CONFLICT while an answer is still being written.
     */
    send: authedProcedure.input(sendInput).mutation(({ ctx, input }) => chat.send(ctx.caller, input)),

    /** A failed or stopped answer (the conversation's last) → `{ assistantMessageId }`: a new answer after it. */
    retry: authedProcedure.input(messageIdInput).mutation(({ ctx, input }) => chat.retry(ctx.caller, input.messageId)),

    /** Stops an answer being written → the message, `cancelled`, with its text so far. */
    cancel: authedProcedure.input(messageIdInput).mutation(({ ctx, input }) => chat.cancel(ctx.caller, input.messageId)),

    /**
     * `{ messageId, lastEventId? }`: yields `tracked(id, { type: "delta", text } | { type: "done",
     * message } | { type: "error", code, message })`. Without `lastEventId` the answer so far
     * first; with it only what came after. Ends after `done`/`error`, or when the caller's login
     * or token does.
     */
    stream: authedProcedure.input(streamInput).subscription(live(({ ctx, input }) => chat.stream(ctx.caller, input))),

    /** Whether Claude is configured here, the model, and its circuit breaker: the page's banner. */
    status: authedProcedure.query(() => chat.status()),
  });
