import { Counter } from "prom-client";
import type { App } from "@/server/app";
import type { Config } from "@/server/config";
import { defineFeature } from "@/server/feature";
import type { Logger } from "@/server/log";
import type { AnthropicModel, AnthropicModelOptions } from "./anthropic.js";
import type { ChatModel } from "./model.js";
import { chatRouter } from "./router.js";
import { createChatService, type ChatService } from "./service.js";

/** Claude's tokens, in and out, of the answers this process ended: a counter read when Prometheus scrapes. */
function tokenCounter(chat: ChatService) {
  return [
    new Counter({
      name: "pulse_chat_tokens_total",
      help: "Claude tokens of the answers this process ended, by direction (in: prompt, out: answer)",
      labelNames: ["direction"],
      registers: [],
      collect() {
        const { inputTokens, outputTokens } = chat.tokensUsed();
        // The totals only grow: setting the counter to them keeps it a counter.
        this.reset();
        this.inc({ direction: "in" }, inputTokens);
        this.inc({ direction: "out" }, outputTokens);
      },
    }),
  ];
}

/** The model from the configuration: Anthropic (or the stand-in at ANTHROPIC_BASE_URL), or null without a key. */
export function chatModelFromConfig(config: Config, log: Logger): ChatModel | null {
  if (!config.chat.apiKey) return null;
  const { upstream } = config.chat;
  // Time-out, retries and breaker: CHAT_UPSTREAM_TIMEOUT_MS, CHAT_UPSTREAM_RETRIES, CHAT_UPSTREAM_RETRY_BASE_MS, CHAT_BREAKER_*.
  return lazyAnthropicModel({ apiKey: config.chat.apiKey, baseURL: config.chat.baseUrl, ...upstream, breaker: { ...upstream.breaker }, log });
}

/**
 * The Anthropic client, loaded with its SDK (some 22 MB) on the first answer rather than at start.
 * Until then its breaker has seen nothing: closed.
 */
function lazyAnthropicModel(options: AnthropicModelOptions): ChatModel & Pick<AnthropicModel, "state"> {
  let loaded: AnthropicModel | undefined;
  let loading: Promise<AnthropicModel> | undefined;
  const load = () => (loading ??= import("./anthropic.js").then(({ createAnthropicModel }) => (loaded = createAnthropicModel(options))));
  return {
    async *stream(request) {
      yield* (await load()).stream(request);
    },
    state: () => loaded?.state() ?? { breaker: "closed" },
  };
}

/**
 * The chat feature. `model` replaces the one made from the configuration (tests hand in a
 * scripted model; null: not configured).
 */
export function createChatFeature(options: { model?: ChatModel | null } = {}) {
  return defineFeature({
    name: "chat",
    createService: (app: App) => createChatService(app, options.model !== undefined ? options.model : chatModelFromConfig(app.config, app.log)),
    router: chatRouter,
    // Sweeps answers left streaming by a process that died, and stamps its own; on shutdown,
    // the answers still being written are saved as interrupted.
    start: (chat) => chat.start(),
    stop: (chat) => chat.stop(),
    metrics: tokenCounter,
    usage: (chat) => chat.usageFigures,
    checks: (chat) => chat.checks(),
  });
}

export const chatFeature = createChatFeature();
