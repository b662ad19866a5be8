import type { App } from "@/server/app";
import type { Config } from "@/server/config";
import { defineFeature } from "@/server/feature";
import type { Logger } from "@/server/log";
import type { ChatModel } from "./model.js";
import { chatRouter } from "./router.js";
import { createChatService } from "./service.js";

/**
 * THE place where the chat feature gets its model from the configuration: null (not configured)
 * without ANTHROPIC_API_KEY. The Anthropic client (`createAnthropicModel` in ./anthropic.js, being
 * built on another branch) plugs in here when it is merged:
 *   return createAnthropicModel({ apiKey: config.chat.apiKey, baseURL: config.chat.baseUrl, log, ... });
 * Until then no model is built from the configuration, so `chat.send` answers PRECONDITION_FAILED.
 */
export function chatModelFromConfig(config: Config, log: Logger): ChatModel | null {
  if (!config.chat.apiKey) return null;
  log.warn("ANTHROPIC_API_KEY is set, but this build has no Anthropic client yet: chat is not configured");
  return null;
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
