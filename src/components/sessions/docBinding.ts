"use client";
/**
 * The collaboration document in the browser: a Yjs doc whose Y.Text "body" is bound to a plain
 * <textarea>. Local edits become the smallest Yjs change (common prefix and suffix kept, the
 * middle replaced), so concurrent typing elsewhere in the text merges; remote changes rewrite the
 * textarea and move the caret with the text. Local updates are merged and sent in order, one
 * request at a time, and retried until the server has them.
 */
import * as Y from "yjs";

export const DOC_TEXT = "body";
/** Marks transactions made from this textarea; everything else is remote. */
export const LOCAL = Symbol("local");
export const REMOTE = Symbol("remote");

export function fromBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

/** The one change turning `before` into `after`: at `index`, delete `remove` characters and insert `insert`. */
export function diffText(before: string, after: string): { index: number; remove: number; insert: string } | null {
  if (before === after) return null;
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  // Never cut an emoji (a surrogate pair) in half.
  const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
  const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;
  if (start > 0 && isHigh(before.charCodeAt(start - 1))) start--;
  if (end > 0 && isLow(before.charCodeAt(before.length - end))) end--;
  return { index: start, remove: before.length - start - end, insert: after.slice(start, after.length - end) };
}

/** Moves a caret index through a Yjs text delta (a remote change). */
function shift(position: number, delta: { retain?: number; insert?: unknown; delete?: number }[]): number {
  let index = 0;
  let result = position;
  for (const op of delta) {
    if (op.retain !== undefined) index += op.retain;
    else if (typeof op.insert === "string") {
      if (index <= result) result += op.insert.length;
      index += op.insert.length;
    } else if (op.delete !== undefined) {
      if (index < result) result -= Math.min(op.delete, result - index);
    }
  }
  return result;
}

export type SyncStatus = "saved" | "saving" | "retrying";

export interface DocSync {
  /** Binds a textarea; returns the unbinding. */
  bind(textarea: HTMLTextAreaElement): () => void;
  /** Saved, saving, or retrying after a failure. */
  status(): SyncStatus;
  subscribe(listener: () => void): () => void;
  destroy(): void;
}

/**
 * Sends local updates of `doc` with `send` (base64), merged, one request at a time; a failed
 * send is retried (the update is kept) with a growing delay.
 */
export function createDocSync(doc: Y.Doc, send: (update: string) => Promise<unknown>, onError: (error: unknown) => void): DocSync {
  const text = doc.getText(DOC_TEXT);
  let pending: Uint8Array[] = [];
  let inFlight = false;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let destroyed = false;
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());

  const status = (): SyncStatus => (failures > 0 ? "retrying" : pending.length || inFlight ? "saving" : "saved");

  function schedule(delay: number) {
    if (timer || destroyed) return;
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, delay);
  }

  async function flush() {
    if (inFlight || !pending.length || destroyed) return;
    const update = pending.length === 1 ? pending[0]! : Y.mergeUpdates(pending);
    pending = [];
    inFlight = true;
    notify();
    try {
      await send(toBase64(update));
      failures = 0;
    } catch (error) {
      pending.unshift(update);
      failures++;
      onError(error);
    } finally {
      inFlight = false;
      notify();
    }
    if (pending.length) schedule(failures ? Math.min(10_000, 500 * 2 ** failures) : 0);
  }

  const onUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin !== LOCAL) return;
    pending.push(update);
    notify();
    // Gather a burst of keystrokes into one request.
    schedule(failures ? Math.min(10_000, 500 * 2 ** failures) : 120);
  };
  doc.on("update", onUpdate);

  return {
    bind(textarea) {
      textarea.value = text.toString();
      const onInput = () => {
        const change = diffText(text.toString(), textarea.value);
        if (!change) return;
        doc.transact(() => {
          if (change.remove) text.delete(change.index, change.remove);
          if (change.insert) text.insert(change.index, change.insert);
        }, LOCAL);
      };
      const observer = (event: Y.YTextEvent, transaction: Y.Transaction) => {
        if (transaction.origin === LOCAL) return;
        const focused = document.activeElement === textarea;
        const { selectionStart, selectionEnd, selectionDirection } = textarea;
        const delta = event.delta as { retain?: number; insert?: unknown; delete?: number }[];
        textarea.value = text.toString();
        if (focused) textarea.setSelectionRange(shift(selectionStart, delta), shift(selectionEnd, delta), selectionDirection ?? undefined);
      };
      textarea.addEventListener("input", onInput);
      text.observe(observer);
      return () => {
        textarea.removeEventListener("input", onInput);
        text.unobserve(observer);
      };
    },
    status,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    destroy() {
      destroyed = true;
      if (timer) clearTimeout(timer);
      doc.off("update", onUpdate);
    },
  };
}
