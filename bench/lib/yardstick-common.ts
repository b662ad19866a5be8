/**
 * What the fan-out's two yardstick servers (bench/lib/bare-ws-server.ts and
 * bench/lib/prebuilt-frame-server.ts) share: the published frame's text, shaped and sized like
 * Pulse's (a tracked tRPC result carrying a chat event), the POST /publish endpoint, and the IPC
 * the benchmark uses (ready; `gc` → collects, needs node --expose-gc, replies with memoryUsage).
 */
import http from "node:http";

/** The text of event `eventId`'s frame, carrying the publisher's `text`. */
export function chatFrameText(eventId: number, text: string): string {
  return (
    `{"id":1,"result":{"type":"data","data":{"json":{"id":"${eventId}","data":{"type":"message","id":"${eventId}",` +
    `"userId":"bench-publisher-0000000000000","name":"Bench Publisher","text":${JSON.stringify(text)},"at":${Date.now()}}}},"id":"${eventId}"}}`
  );
}

/** An HTTP server whose POST /publish hands the body's text to `publish`, then answers 204. */
export function publishServer(publish: (text: string) => void): http.Server {
  const server = http.createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/publish") {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      publish(Buffer.concat(chunks).toString());
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

/** Listens on a free port, then tells the parent (bench/lib/processes.ts `startServer`); wires `gc` and stopping. */
export function serveYardstick(server: http.Server, closeAll: () => void): void {
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    process.send?.({ type: "ready", url: `http://127.0.0.1:${port}`, pid: process.pid });
  });
  process.on("message", (message: { type?: string }) => {
    if (message?.type === "gc") {
      (globalThis as { gc?: () => void }).gc?.();
      process.send?.({ type: "gc", usage: process.memoryUsage() });
    }
  });
  const stop = () => {
    closeAll();
    server.close(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("disconnect", stop);
}
