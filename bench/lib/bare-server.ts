/**
 * The yardstick: a bare node:http hello-world (the same as fastify's benchmarks' `bare.js`),
 * run as its own process exactly like the Pulse server, so the ratio compares like with like.
 */
import http from "node:http";

const server = http.createServer((_req, res) => {
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(JSON.stringify({ hello: "world" }));
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.send?.({ type: "ready", url: `http://127.0.0.1:${port}`, pid: process.pid });
});
const stop = () => server.close(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("disconnect", stop);
