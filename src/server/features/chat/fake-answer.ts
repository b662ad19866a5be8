/**
 * What the Anthropic stand-in answers, and how a prompt may steer it: deterministic, so a test can
 * assert a whole answer, and steerable from the chat page, so a person can try each failure.
 */
import { z } from "zod";

/** How the stand-in treats one request; scripted per request in a queue, `"normal"` when it is empty. */
export type Behaviour =
  | "normal"
  /** Waits this long before each text delta (or, not streaming, once per delta before replying). */
  | { slow: number }
  /** Answers with this status and Anthropic's error JSON for it (429 with `retry-after`). */
  | { status: number; retryAfterS?: number }
  /** A 200 stream that sends this many deltas, then an `event: error` (overloaded_error). */
  | { errorMidStream: number }
  /** A 200 stream that sends this many deltas, then destroys the socket. */
  | { dropAfterDeltas: number }
  /** Sends the response headers, then nothing, until the client goes away. */
  | { hang: true };

const behaviourSchema: z.ZodType<Behaviour> = z.union([
  z.literal("normal"),
  z.strictObject({ slow: z.number().int().min(0).max(60_000) }),
  z.strictObject({ status: z.number().int().min(400).max(599), retryAfterS: z.number().int().min(0).optional() }),
  z.strictObject({ errorMidStream: z.number().int().min(0) }),
  z.strictObject({ dropAfterDeltas: z.number().int().min(0) }),
  z.strictObject({ hang: z.literal(true) }),
]);

/** Checks behaviours given to `script()`, so a typo in a test fails loudly instead of answering normally. */
export function parseBehaviours(next: unknown[]): Behaviour[] {
  return next.map((b) => behaviourSchema.parse(b));
}

const DEFAULT_FILLER_WORDS = 8;
const FILLER = "and here the stand-in keeps talking in plain words so the stream has some length".split(" ");
/** `[[429]]`, `[[500]]`, `[[529]]`, `[[error-after:3]]`, `[[drop-after:3]]`, `[[slow:200]]`, `[[hang]]`, `[[words:40]]`, `[[code]]`. */
const CONTROL = /\[\[(\d{3}|hang|code|(?:error-after|drop-after|slow|words):\d+)\]\]/g;
/** What `[[code]]` adds to an answer: a fenced block, so the page's highlighting can be seen on an answer. */
export const FAKE_CODE_BLOCK = "```ts\nconst answer: number = 42;\n```";

/** The behaviour a prompt asks for with a control such as `[[529]]` (the first one wins), or normal. */
export function behaviourFromPrompt(prompt: string): Behaviour {
  for (const [, control = ""] of prompt.matchAll(CONTROL)) {
    const [name = "", value = ""] = control.split(":");
    const n = Number(value);
    if (/^\d{3}$/.test(name)) return Number(name) === 429 ? { status: 429, retryAfterS: 10 } : { status: Number(name) };
    if (name === "hang") return { hang: true };
    if (name === "error-after") return { errorMidStream: n };
    if (name === "drop-after") return { dropAfterDeltas: n };
    if (name === "slow") return { slow: n };
  }
  return "normal";
}

export interface FakeAnswer {
  /** The text deltas, in order: the first word, then each next word with its leading space. */
  deltas: string[];
  text: string;
  stopReason: "end_turn" | "max_tokens";
}

/**
 * The answer to `prompt` (the last user message): it repeats the prompt's first words, counts
 * them, then adds filler words (8, or as many as `[[words:N]]` asks), and a code block for
 * `[[code]]`. One delta is one word (or one line of the block) and counts as one output token;
 * past `maxTokens` it stops with `max_tokens`, as the API does.
 */
export function fakeAnswer(prompt: string, maxTokens = Number.POSITIVE_INFINITY): FakeAnswer {
  const words = /\[\[words:(\d+)\]\]/.exec(prompt);
  const filler = words ? Number(words[1]) : DEFAULT_FILLER_WORDS;
  const said = prompt.replace(CONTROL, " ").split(/\s+/).filter(Boolean);
  const summary = said.slice(0, 6).join(" ") + (said.length > 6 ? " …" : "");
  const all = [`You said: "${summary}" (${said.length} words).`, ...Array.from({ length: filler }, (_, i) => FILLER[i % FILLER.length])]
    .join(" ")
    .split(" ")
    .map((word, i) => (i === 0 ? word : ` ${word}`));
  // The block's lines as deltas of their own (its newlines included), after the words.
  if (prompt.includes("[[code]]")) all.push(...`\n\n${FAKE_CODE_BLOCK}`.split(/(?<=\n)/));
  const deltas = all.slice(0, Math.max(1, maxTokens));
  return { deltas, text: deltas.join(""), stopReason: deltas.length < all.length ? "max_tokens" : "end_turn" };
}

/** A rough token count, as the stand-in reports it: about four characters a token. */
export function roughTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
