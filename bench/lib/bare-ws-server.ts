/**
 * The fan-out's first yardstick: the least a Node server can do to deliver a chat line to N
 * WebSocket subscribers with `ws` — no database, no authentication, no tRPC. POST /publish with a
 * text sends every connected socket one frame shaped and sized like Pulse's (a tracked tRPC
 * result), in one loop of `socket.send` (so `ws` frames the same bytes once per socket). Run as
 * its own process, pinned like the Pulse server, so that the figures compare like with like and
 * say what this machine's kernel and `ws` cost per delivery. The second yardstick,
 * bench/lib/prebuilt-frame-server.ts, frames once for all.
 */
import { WebSocketServer, type WebSocket } from "ws";
import { chatFrameText, publishServer, serveYardstick } from "./yardstick-common.js";

const sockets = new Set<WebSocket>();
let eventId = 0;

const server = publishServer((text) => {
  const frame = chatFrameText(++eventId, text);
  for (const socket of sockets) socket.send(frame);
});

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on("upgrade", (req, socket, head) =>
  wss.handleUpgrade(req, socket, head, (ws) => {
    sockets.add(ws);
    ws.on("close", () => sockets.delete(ws));
  }),
);

serveYardstick(server, () => {
  for (const socket of sockets) socket.terminate();
});
