/**
 * The chat benchmark's yardstick: the least a Node process can do to relay Claude's answer to a
 * WebSocket client — `ws` and `node:http` alone, no database, no authentication, no tRPC, no SDK.
 * A client sends `{ id, prompt }` on its socket; the relay POSTs a streamed Messages API request
 * to the stand-in (RELAY_UPSTREAM_URL, with RELAY_API_KEY), reads its SSE by hand, and forwards
 * each text delta at once as one frame shaped like Pulse's (a tracked tRPC result), then a `done`
 * frame. Run as its own process and pinned like the Pulse server, so that the figures compare.
 */
import http from "node:http";
import { WebSocketServer, type WebSocket } from "ws";

const upstream = new URL("/v1/messages", process.env.RELAY_UPSTREAM_URL ?? "http://127.0.0.1:1");
const apiKey = process.env.RELAY_API_KEY ?? "relay";
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
let eventId = 0;

const frame = (id: number, data: object) => {
  eventId++;
  return `{"id":${id},"result":{"type":"data","data":{"json":{"id":"${eventId}","data":${JSON.stringify(data)}}},"id":"${eventId}"}}`;
};

function relay(socket: WebSocket, id: number, prompt: string): void {
  const body = JSON.stringify({ model: "claude-relay", max_tokens: 512, stream: true, messages: [{ role: "user", content: prompt }] });
  const request = http.request(
    upstream,
    {
      method: "POST",
      agent,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-api-key": apiKey, "anthropic-version": "2023-06-01" },
    },
    (response) => {
      response.setEncoding("utf8");
      let buffer = "";
      response.on("data", (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (\w+)/.exec(block)?.[1];
          const data = block.slice(block.indexOf("data: ") + 6);
          if (event === "content_block_delta") {
            const parsed = JSON.parse(data) as { delta: { text?: string } };
            if (parsed.delta.text) socket.send(frame(id, { type: "delta", text: parsed.delta.text }));
          } else if (event === "message_stop") socket.send(frame(id, { type: "done" }));
          else if (event === "error") socket.send(frame(id, { type: "error" }));
        }
      });
    },
  );
  request.on("error", () => socket.send(frame(id, { type: "error" })));
  request.end(body);
}

const server = http.createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on("upgrade", (req, socket, head) =>
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on("message", (raw) => {
      const { id, prompt } = JSON.parse(raw.toString()) as { id: number; prompt: string };
      relay(ws, id, prompt);
    });
  }),
);

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.send?.({ type: "ready", url: `http://127.0.0.1:${port}`, pid: process.pid });
});
const stop = () => {
  for (const socket of wss.clients) socket.terminate();
  server.close(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("disconnect", stop);
