/**
 * A TypeScript program talking to Pulse with full types:
 *   1. signs in with an email and password (signing up first if there is no such account),
 *   2. creates an API token (its secret is shown once),
 *   3. makes a new client that authenticates with that token and calls a query (auth.me),
 *   4. prints two live health snapshots from the `health.live` subscription (over WebSocket),
 *   5. closes its sockets and exits 0.
 *
 *   npx tsx examples/client.ts
 *   PULSE_URL=https://pulse.example.com PULSE_EMAIL=me@example.com PULSE_PASSWORD=… npx tsx examples/client.ts
 */
import { TRPCClientError } from "@trpc/client";
import { createPulseClient, type AppRouter, type RouterOutputs } from "@/trpc/client";

const url = process.env.PULSE_URL ?? "http://localhost:3000";
const email = process.env.PULSE_EMAIL ?? "example@pulse.local";
const password = process.env.PULSE_PASSWORD ?? "example-password";
const name = process.env.PULSE_NAME ?? "Example Program";

type Snapshot = RouterOutputs["health"]["check"];

function isUnauthorized(error: unknown): boolean {
  return error instanceof TRPCClientError && (error as TRPCClientError<AppRouter>).data?.code === "UNAUTHORIZED";
}

async function signInOrUp(): Promise<string> {
  const anonymous = createPulseClient({ url });
  try {
    const { user, token } = await anonymous.auth.signIn.mutate({ email, password });
    console.log(`Signed in as ${user.email} (${user.role})`);
    return token;
  } catch (signInError) {
    if (!isUnauthorized(signInError)) throw signInError;
    // No such account (or a wrong password: then signing up is refused, and we say why sign-in failed).
    const created = await anonymous.auth.signUp.mutate({ email, password, name }).catch((error: unknown) => {
      throw error instanceof TRPCClientError && error.data?.code === "CONFLICT" ? signInError : error;
    });
    console.log(`Signed up as ${created.user.email} (${created.user.role})`);
    return created.token;
  } finally {
    await anonymous.close();
  }
}

/** Resolves with the first `count` snapshots of `health.live`, then unsubscribes. */
function liveSnapshots(client: ReturnType<typeof createPulseClient>, count: number): Promise<Snapshot[]> {
  return new Promise((resolve, reject) => {
    const snapshots: Snapshot[] = [];
    const subscription = client.health.live.subscribe(undefined, {
      onData(snapshot) {
        snapshots.push(snapshot);
        console.log(
          `health.live #${snapshots.length}: ${snapshot.status}, score ${snapshot.score}, ` +
            `database ${snapshot.checks.database.detail}, ${snapshot.checks.websockets.detail} WebSocket(s), at ${snapshot.at.toISOString()}`,
        );
        if (snapshots.length === count) {
          subscription.unsubscribe();
          resolve(snapshots);
        }
      },
      onError(error) {
        subscription.unsubscribe();
        reject(error);
      },
    });
  });
}

async function main(): Promise<void> {
  console.log(`Pulse at ${url}`);
  const loginToken = await signInOrUp();

  const signedIn = createPulseClient({ url, token: loginToken });
  let apiToken: { id: string; name: string; token: string };
  try {
    apiToken = await signedIn.auth.createApiToken.mutate({ name: `example ${new Date().toISOString()}` });
  } finally {
    await signedIn.close();
  }
  // The secret is shown once: a real program would store it now. We print its prefix only.
  console.log(`Created API token "${apiToken.name}" (${apiToken.token.slice(0, 12)}…)`);

  const pulse = createPulseClient({ url, token: apiToken.token });
  try {
    const me = await pulse.auth.me.query();
    if (!me) throw new Error("the API token did not authenticate");
    console.log(`auth.me → ${me.name} <${me.email}>, ${me.role}, member since ${me.createdAt.toISOString()}`);
    const { time } = await pulse.health.ping.query();
    console.log(`health.ping → server clock ${new Date(time).toISOString()}`);
    await liveSnapshots(pulse, 2);
  } finally {
    await pulse.close();
  }
  console.log("Done.");
}

// No process.exit on success: with every socket closed, Node has nothing left to do and exits 0.
main().catch((error: unknown) => {
  console.error(`examples/client.ts failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
