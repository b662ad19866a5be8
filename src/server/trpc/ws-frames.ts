/**
 * Pre-built WebSocket frames, written straight to a socket's TCP stream. The one file that
 * reaches inside `ws` (pinned exactly in package.json; tests/integration/subscription-frames and
 * tests/unit/ws-frames check the bytes): `ws.send` frames its data once per socket, and one
 * event going to a thousand sockets should be framed once.
 *
 * What it relies on in ws 8.23: a server socket's `_socket` is the net.Socket its frames go to,
 * and its `_sender` writes synchronously while `_state` is 0 (no compression or Blob under way) and
 * its `_queue` is empty — so a frame written here lands after everything `ws.send` wrote before.
 * Pulse's server never negotiates permessage-deflate, so that always holds; when it does not,
 * the frame goes through `ws.send` instead.
 */
import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import { metrics } from "@/server/metrics/index";

/** What of ws's private state this file reads. */
interface WsInternals {
  _socket: Socket | null;
  _sender: { _state: number; _queue: unknown[] } | null;
}

const OPCODE_TEXT = 0x01;
const FIN = 0x80;

/** A complete unmasked final text frame (RFC 6455 §5.2) carrying `text`, in one buffer. */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = FIN | OPCODE_TEXT;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(length, 6);
  }
  frame.write(text, header, "utf8");
  return frame;
}

/** The payload of a frame made by `textFrame`. */
function payloadOf(frame: Buffer): Buffer {
  const header = frame[1] === 126 ? 4 : frame[1] === 127 ? 10 : 2;
  return frame.subarray(header);
}

/** The TCP stream a frame can be written to now, or null (closed, or ws has frames queued). */
function streamOf(ws: WebSocket): Socket | null {
  if (ws.readyState !== 1 /* OPEN */) return null;
  const { _socket: socket, _sender: sender } = ws as unknown as WsInternals;
  if (!socket || !sender || sender._state !== 0 || sender._queue.length) return null;
  return socket;
}

/** Counted into `pulse_websocket_messages_total{direction="out"}`, as wsEncoder counts what tRPC sends. */
const { wsMessagesOut } = metrics;

/** Writes a frame made by `textFrame` to an open socket (a closed one gets nothing). */
export function writeFrame(ws: WebSocket, frame: Buffer): void {
  const stream = streamOf(ws);
  if (stream) {
    stream.write(frame);
    wsMessagesOut.count++;
  } else if (ws.readyState === 1) ws.send(payloadOf(frame), { binary: false });
}

/**
 * Holds a socket's writes until `uncork`, then hands them to the kernel in one system call
 * (writev): for a batch of several events to one socket.
 */
export function cork(ws: WebSocket): void {
  (ws as unknown as WsInternals)._socket?.cork();
}

export function uncork(ws: WebSocket): void {
  (ws as unknown as WsInternals)._socket?.uncork();
}

/** When a socket holds bytes but will emit no "drain" (it never refused a write): look again this soon. */
const RECHECK_MS = 50;

/** Resolves once the socket's TCP stream has flushed what it held (or soon, to look again), or the socket closed. */
export function drained(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    const socket = (ws as unknown as WsInternals)._socket;
    if (!socket || ws.readyState !== 1 || socket.writableLength === 0) return resolve();
    if (!socket.writableNeedDrain) return void setTimeout(resolve, RECHECK_MS);
    const done = () => {
      socket.off("drain", done);
      ws.off("close", done);
      resolve();
    };
    socket.once("drain", done);
    ws.once("close", done);
  });
}
