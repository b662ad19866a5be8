// `npm run fake-anthropic [-- --port 4141 --host 127.0.0.1 --key fake]`: a local stand-in for
// Anthropic's Messages API, to try the chat without an API key or to see how Pulse takes
// upstream trouble. Prompt controls let a person pick the failure from the chat page.
import { parseArgs } from "node:util";
import { z } from "zod";
import { startFakeAnthropic } from "../src/server/features/chat/fake-anthropic.js";

const argsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(4141),
  host: z.string().min(1).default("127.0.0.1"),
  key: z.string().min(1).optional(),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: "string" }, host: { type: "string" }, key: { type: "string" } },
    strict: true,
  });
  const args = argsSchema.parse(values);
  const fake = await startFakeAnthropic({
    port: args.port,
    host: args.host,
    apiKey: args.key,
    log: (line) => console.log(`${new Date().toISOString()} ${line}`),
  });
  console.log(`Fake Anthropic Messages API listening on ${fake.url}`);
  console.log(`Point Pulse at it:\n\n  ANTHROPIC_BASE_URL=${fake.url} ANTHROPIC_API_KEY=${args.key ?? "fake"} npm start\n`);
  console.log(
    [
      "It answers every prompt with an echo of its first words and some filler. Put one of these in a message to try a failure:",
      "  [[429]]            rate limited, retry-after: 10",
      "  [[500]] [[529]]    server error / overloaded (Pulse retries, then gives up)",
      "  [[error-after:3]]  an overloaded error event after 3 words",
      "  [[drop-after:3]]   the connection dropped after 3 words",
      "  [[slow:300]]       300 ms between words",
      "  [[hang]]           headers, then silence",
      "  [[words:200]]      a longer answer (200 filler words)",
      args.key ? `Requests with another key than ${JSON.stringify(args.key)} get 401.` : "Any non-empty key is accepted.",
    ].join("\n"),
  );

  const stop = () => {
    void fake.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
