/**
 * Frames built once for many sockets (src/server/trpc/ws-frames.ts) are byte for byte the frames
 * `ws` itself would write for the same text, at every length where the header changes shape.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { textFrame } from "@/server/trpc/ws-frames";

/** ws's own framing: `WebSocket.Sender` at run time, not in its type definitions. */
const { Sender } = createRequire(import.meta.url)("ws") as {
  Sender: {
    frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[];
  };
};

/** What ws's sender writes for a server's unmasked final text frame. */
function framedByWs(text: string): Buffer {
  return Buffer.concat(Sender.frame(Buffer.from(text), { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false }));
}

describe("textFrame", () => {
  const lengths = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000];
  for (const length of lengths) {
    it(`matches ws for a ${length}-byte payload`, () => {
      const text = "x".repeat(length);
      expect(textFrame(text).equals(framedByWs(text))).toBe(true);
    });
  }

  it("counts bytes, not characters, for text beyond ASCII", () => {
    const text = "«é» — 🙂".repeat(20); // 125 characters or fewer, more than 125 bytes
    const frame = textFrame(text);
    expect(frame.equals(framedByWs(text))).toBe(true);
    expect(frame[1]).toBe(126);
    expect(frame.subarray(4).toString("utf8")).toBe(text);
  });
});
