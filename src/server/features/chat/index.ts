import type { App } from "@/server/app";
import type { Config } from "@/server/config";
import { defineFeature } from "@/server/feature";
import type { Logger } from "@/server/log";
import { createAnthropicModel } from "./anthropic.js";
import type { ChatModel } from "./model.js";
import { chatRouter } from "./router.js";
import { createChatService } from "./service.js";

/** How patient Pulse is with Anthropic: a stalled stream, retries before any text, the breaker. */
const UPSTREAM = {
  timeoutMs: 60_000,
  maxRetries: 3,
  retryBaseMs: 500,
  breaker: { failures: 5, openMs: 30_000 },
} as const;

/** The model from the configuration: Anthropic (or the stand-in at ANTHROPIC_BASE_URL), or null without a key. */
export function chatModelFromConfig(config: Config, log: Logger): ChatModel | null {
  if (!config.chat.apiKey) return null;
  return createAnthropicModel({ apiKey: config.chat.apiKey, baseURL: config.chat.baseUrl, ...UPSTREAM, breaker: { ...UPSTREAM.breaker }, log });
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
  });
}

export const chatFeature = createChatFeature();
