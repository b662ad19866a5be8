/**
 * The wire: values serialized once must reach every caller exactly as plain superjson and tRPC's
 * own JSON encoder would have written them, over WebSocket (spliced frames) and HTTP (toJSON).
 */
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { shared, transformer, wsEncoder } from "@/server/trpc/wire";

const event = () => ({ type: "message", text: "hé \"quoted\" \u2028 line", userId: "u1", name: "Ada", at: new Date("2026-11-22T05:00:00.123Z") });

/** What tRPC's WebSocket adapter hands the encoder: its response with the data through the transformer. */
function response(id: string | number, data: unknown, options: { jsonrpc?: "2.0"; eventId?: string; serialize: (value: unknown) => unknown }) {
  const result: { type: string; data: unknown; id?: string } = { type: "data", data: options.serialize(data) };
  if (options.eventId !== undefined) result.id = options.eventId;
  return { id, jsonrpc: options.jsonrpc, result };
}

describe("the WebSocket encoder", () => {
  const cases = [
    { name: "a shared value", id: 7 as string | number, data: () => shared(event()), eventId: undefined, jsonrpc: undefined },
    { name: "a tracked envelope of a shared value", id: 3, data: () => ({ id: "42", data: shared(event()) }), eventId: "42", jsonrpc: undefined },
    { name: "a string subscription id with jsonrpc", id: "sub-1", data: () => ({ id: "9", data: shared(event()) }), eventId: "9", jsonrpc: "2.0" as const },
    { name: "a value that is not shared", id: 1, data: () => ({ id: "5", data: event(), extra: true }), eventId: undefined, jsonrpc: undefined },
  ];

  for (const { name, id, data, eventId, jsonrpc } of cases) {
    it(`writes ${name} byte for byte as JSON.stringify of plain superjson`, () => {
      const value = data();
      const ours = wsEncoder.encode(response(id, value, { jsonrpc, eventId, serialize: transformer.output.serialize }));
      const plain = JSON.stringify(response(id, value, { jsonrpc, eventId, serialize: (v) => superjson.serialize(v) }));
      expect(ours).toBe(plain);
      // …and a second subscriber gets the same bytes (from the cache) under its own id.
      const again = wsEncoder.encode(response(id, value, { jsonrpc, eventId, serialize: transformer.output.serialize }));
      expect(again).toBe(plain);
    });
  }

  it("serializes a shared value once, however many subscribers it goes to", () => {
    const value = shared(event());
    const first = transformer.output.serialize({ id: "1", data: value });
    const second = transformer.output.serialize({ id: "1", data: value });
    expect(second).toBe(first);
    // The same event under another id (never happens in a stream, but must stay correct).
    const other = transformer.output.serialize({ id: "2", data: value });
    expect(JSON.stringify(other)).toBe(JSON.stringify(superjson.serialize({ id: "2", data: value })));
  });

  it("over HTTP, a pre-serialized value stringifies as plain superjson", () => {
    const value = shared(event());
    expect(JSON.stringify({ result: { data: transformer.output.serialize(value) } })).toBe(
      JSON.stringify({ result: { data: superjson.serialize(value) } }),
    );
  });

  it("round-trips: the client's superjson gets the Date back", () => {
    const value = shared(event());
    const frame = JSON.parse(wsEncoder.encode(response(1, { id: "8", data: value }, { eventId: "8", serialize: transformer.output.serialize })) as string);
    expect(superjson.deserialize(frame.result.data)).toEqual({ id: "8", data: value });
  });

  it("decodes text frames and refuses binary ones", () => {
    expect(wsEncoder.decode('{"id":1}')).toEqual({ id: 1 });
    expect(() => wsEncoder.decode(new Uint8Array([1, 2]))).toThrow(/text frame/);
  });
});
