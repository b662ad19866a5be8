/**
 * The fan-out's yardstick: the least a Node server can do to deliver a chat line to N WebSocket
 * subscribers — `ws` alone, no database, no authentication, no tRPC. POST /publish with a text
 * sends every connected socket one frame shaped and sized like Pulse's (a tracked tRPC result),
 * in one loop. Run as its own process, pinned like the Pulse server, so that the figures compare
 * like with like and say what this machine's kernel and `ws` cost per delivery.
 */
import http from "node:http";
import { WebSocketServer, type WebSocket } from "ws";

const sockets = new Set<WebSocket>();
let eventId = 0;

const server = http.createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/publish") {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const text = Buffer.concat(chunks).toString();
    eventId++;
    const frame =
      `{"id":1,"result":{"type":"data","data":{"json":{"id":"${eventId}","data":{"type":"message","id":"${eventId}",` +
      `"userId":"bench-publisher-0000000000000","name":"Bench Publisher","text":${JSON.stringify(text)},"at":${Date.now()}}}},"id":"${eventId}"}}`;
    for (const socket of sockets) socket.send(frame);
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 65_000;

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on("upgrade", (req, socket, head) =>
  wss.handleUpgrade(req, socket, head, (ws) => {
    sockets.add(ws);
    ws.on("close", () => sockets.delete(ws));
  }),
);

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.send?.({ type: "ready", url: `http://127.0.0.1:${port}`, pid: process.pid });
});
const stop = () => {
  for (const socket of sockets) socket.terminate();
  server.close(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("disconnect", stop);
