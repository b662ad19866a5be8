/**
 * The fan-out's second yardstick, "the machine's limit": for each published line it builds ONE
 * unmasked WebSocket text frame (header + payload, RFC 6455 §5.2) in one Buffer and writes that
 * same Buffer to every socket with `net.Socket.write` — no per-socket framing, copying or
 * library in between. The handshake is done by hand over node:http's 'upgrade' (the
 * Sec-WebSocket-Accept of RFC 6455 §4.2.2: SHA-1 of the key and the protocol's GUID), so no
 * WebSocket library runs on this side at all. The frame's text is the one bench/lib/bare-ws-server.ts
 * sends, so the benchmark's subscribers (plain `ws` clients) measure both the same way.
 *
 * It is a yardstick, not a WebSocket server: it reads nothing the clients send (the benchmark's
 * yardstick subscribers send nothing; a close frame or EOF just ends the socket), and it has no
 * back-pressure (a socket that stops reading buffers in memory), which a real server must have.
 */
import { createHash } from "node:crypto";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { chatFrameText, publishServer, serveYardstick } from "./yardstick-common.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const sockets = new Set<Socket>();
let eventId = 0;

/** FIN + text opcode, no mask, payload length in 7, 7+16 or 7+64 bits. */
export function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (length < 126) frame[1] = length;
  else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, headerLength);
  return frame;
}

const server = publishServer((text) => {
  const frame = textFrame(chatFrameText(++eventId, text));
  for (const socket of sockets) socket.write(frame);
});

server.on("upgrade", (req, duplex: Duplex) => {
  const socket = duplex as Socket;
  const key = req.headers["sec-websocket-key"];
  if (typeof key !== "string" || req.headers.upgrade?.toLowerCase() !== "websocket") {
    socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    return;
  }
  const accept = createHash("sha1").update(key + GUID).digest("base64");
  socket.setNoDelay(true);
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  sockets.add(socket);
  const drop = () => {
    sockets.delete(socket);
    socket.destroy();
  };
  // Anything a client sends is a close frame or a ping here: the subscribers send nothing else.
  socket.on("data", (chunk: Buffer) => {
    if ((chunk[0]! & 0x0f) === 0x8) drop();
  });
  socket.on("end", drop);
  socket.on("error", drop);
  socket.on("close", () => sockets.delete(socket));
});

serveYardstick(server, () => {
  for (const socket of sockets) socket.destroy();
});
