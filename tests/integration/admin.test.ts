/**
 * Admins' platform controls, on two instances over one database: maintenance mode (a non-admin's
 * mutations refused with the admin's message on every instance and transport; admins, queries,
 * streams, sign-in and sign-out carry on), broadcasts (written, then delivered on `system.events`
 * to a client on the other instance, and kept as unread for whoever was not there), and the
 * audit log (filtered by action, prefix and actor, paged by cursor). `admin.*` is for admins only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SystemEvent } from "@/shared/system";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { codeOf, eventually, EventStream, mutate, query, RawSocket, RawSocketError, sql, within } from "./support/raw";

let first: TestServer;
let second: TestServer;
let admin: Awaited<ReturnType<typeof signUp>>;
let alice: Awaited<ReturnType<typeof signUp>>;
let bob: Awaited<ReturnType<typeof signUp>>;
const closers: Array<() => void> = [];

beforeAll(async () => {
  first = await startTestServer();
  second = await startTestServer({}, first.database);
  admin = await signUp(first, "Admin"); // the first account is the admin
  alice = await signUp(first, "Alice");
  bob = await signUp(first, "Bob");
});
afterAll(async () => {
  for (const close of closers) close();
  await second?.stop();
  await first?.stop();
});

const MESSAGE = "Upgrading the database; back by 15:00 UTC.";

async function socketFor(server: TestServer, token: string): Promise<RawSocket> {
  const socket = await RawSocket.open(server.url, { token });
  closers.push(() => socket.close());
  return socket;
}

async function socketError(call: Promise<unknown>): Promise<RawSocketError["shape"]> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RawSocketError)) throw new Error(`expected a tRPC error over the socket, got ${String(error)}`);
  return error.shape;
}

interface Followed {
  events: { id: string; data: SystemEvent }[];
  error: unknown;
  stop(): void;
}

/** `system.events` with the typed client (over its WebSocket), from `lastEventId`. */
function followSystem(server: TestServer, token: string, lastEventId: string): Promise<Followed> {
  return new Promise((resolve) => {
    const followed: Followed = { events: [], error: undefined, stop: () => subscription.unsubscribe() };
    const subscription = server.client(token).system.events.subscribe(
      { lastEventId },
      {
        onStarted: () => resolve(followed),
        onData: ({ id, data }) => void followed.events.push({ id, data }),
        onError: (error) => {
          followed.error = error;
          resolve(followed);
        },
      },
    );
    closers.push(() => subscription.unsubscribe());
  });
}

describe("admin.* is for admins", () => {
  it("refuses members with FORBIDDEN and the signed-out with UNAUTHORIZED, over HTTP and WebSocket, and changes nothing", async () => {
    const member = first.client(alice.token);
    expect(await codeOf(member.admin.setMaintenance.mutate({ on: true }))).toBe("FORBIDDEN");
    expect(await codeOf(member.admin.broadcast.mutate({ text: "hello all" }))).toBe("FORBIDDEN");
    expect(await codeOf(member.admin.broadcasts.query())).toBe("FORBIDDEN");
    expect(await codeOf(member.admin.auditLog.query())).toBe("FORBIDDEN");
    expect(await codeOf(member.admin.auditActions.query())).toBe("FORBIDDEN");
    expect(await codeOf(first.client().admin.auditLog.query())).toBe("UNAUTHORIZED");
    expect(await codeOf(first.client().admin.setMaintenance.mutate({ on: true }))).toBe("UNAUTHORIZED");

    const raw = await mutate(first.url, "admin.broadcast", { text: "hello all" }, { token: alice.token });
    expect({ status: raw.status, code: raw.error?.data.code }).toEqual({ status: 403, code: "FORBIDDEN" });
    // A server-sent-events request for a query is still just the query: refused the same way.
    const asStream = await query(first.url, "admin.auditLog", {}, { token: alice.token, headers: { Accept: "text/event-stream" } });
    expect(asStream.status).toBe(403);

    const socket = await socketFor(second, alice.token);
    expect((await socketError(socket.call("mutation", "admin.setMaintenance", { on: true }))).data.code).toBe("FORBIDDEN");
    expect((await socketError(socket.call("mutation", "admin.broadcast", { text: "hello all" }))).data.code).toBe("FORBIDDEN");
    expect((await socketError(socket.call("query", "admin.auditLog", {}))).data.code).toBe("FORBIDDEN");
    const anonymous = await RawSocket.open(second.url);
    closers.push(() => anonymous.close());
    expect((await socketError(anonymous.call("query", "admin.auditActions"))).data.code).toBe("UNAUTHORIZED");

    expect(await sql(first.database.url, `SELECT id FROM "Broadcast"`)).toEqual([]);
    expect(await sql(first.database.url, `SELECT "on" FROM "Maintenance"`)).toEqual([{ on: false }]);
  });

  it("system.events is for the signed-in, over WebSocket and server-sent events", async () => {
    const sse = await EventStream.open(first.url, "system.events", {});
    closers.push(() => sse.close());
    await within(sse.ended, "the anonymous stream to end");
    expect(sse.error()?.data.code).toBe("UNAUTHORIZED");
    const anonymous = await RawSocket.open(first.url);
    closers.push(() => anonymous.close());
    expect((await socketError(anonymous.take("system.events", 1, {}))).data.code).toBe("UNAUTHORIZED");
  });
});

describe("bad input is BAD_REQUEST naming the field, and writes nothing", () => {
  it("admin.broadcast, admin.setMaintenance, admin.auditLog, system.markRead and system.events", async () => {
    const cases: [string, "query" | "mutation", unknown, RegExp][] = [
      ["admin.broadcast", "mutation", { text: "" }, /text: Write the message/],
      ["admin.broadcast", "mutation", { text: "   " }, /text: Write the message/],
      ["admin.broadcast", "mutation", { text: "x".repeat(501) }, /text: A broadcast is at most 500 characters/],
      ["admin.broadcast", "mutation", { text: "hi", level: "urgent" }, /level: level is one of info, warning, critical/],
      ["admin.broadcast", "mutation", { text: "hi", html: "<b>hi</b>" }, /html/],
      ["admin.broadcast", "mutation", { text: "nul\0" }, /text: Remove the NUL character/],
      ["admin.setMaintenance", "mutation", {}, /on: on is true or false/],
      ["admin.setMaintenance", "mutation", { on: "yes" }, /on: on is true or false/],
      ["admin.setMaintenance", "mutation", { on: true, message: "m".repeat(301) }, /message: The message is at most 300 characters/],
      ["admin.auditLog", "query", { action: "auth.%" }, /action: An action is letters/],
      ["admin.auditLog", "query", { actorId: "alice" }, /actorId: actorId is a user's id/],
      ["admin.auditLog", "query", { cursor: "last" }, /cursor: An event id is a decimal number/],
      ["admin.auditLog", "query", { cursor: "9223372036854775808" }, /cursor: An event id is at most/],
      ["admin.auditLog", "query", { limit: 0 }, /limit/],
      ["admin.auditLog", "query", { limit: 201 }, /limit/],
      ["admin.broadcasts", "query", { limit: 51 }, /limit/],
      ["system.markRead", "mutation", { upToId: "-1" }, /upToId: An event id is a decimal number/],
      ["system.markRead", "mutation", {}, /upToId/],
    ];
    for (const [path, kind, input, message] of cases) {
      const response = await (kind === "query" ? query : mutate)(first.url, path, input, { token: admin.token });
      expect({ path, input, status: response.status, code: response.error?.data.code }).toEqual({ path, input, status: 400, code: "BAD_REQUEST" });
      expect(response.error!.message, path).toMatch(message);
    }
    const socket = await socketFor(first, admin.token);
    expect((await socketError(socket.take("system.events", 1, { lastEventId: "abc" }))).data.code).toBe("BAD_REQUEST");
    expect(await sql(first.database.url, `SELECT id FROM "Broadcast"`)).toEqual([]);
    expect(await sql(first.database.url, `SELECT id FROM "AuditLog" WHERE action LIKE 'admin.%'`)).toEqual([]);
  });
});

describe("maintenance mode", () => {
  it("refuses a member's mutations on every instance and transport with the admin's message; admins, reads, streams, sign-in and sign-out carry on; it ends", async () => {
    const { lastEventId } = await second.client(alice.token).system.status.query();
    const aliceStream = await followSystem(second, alice.token, lastEventId);
    const socket = await socketFor(second, alice.token);
    try {
      const on = await first.client(admin.token).admin.setMaintenance.mutate({ on: true, message: `  ${MESSAGE}  ` });
      expect(on).toMatchObject({ on: true, message: MESSAGE, changedBy: { id: admin.user.id, name: "Admin" } });

      // HTTP on the instance that switched it: 412, the admin's words.
      const refused = await mutate(first.url, "sessions.create", { kind: "meditation", title: "During maintenance" }, { token: alice.token });
      expect({ status: refused.status, code: refused.error?.data.code }).toEqual({ status: 412, code: "PRECONDITION_FAILED" });
      expect(refused.error!.message).toBe(`Pulse is in maintenance mode: changes are paused until it ends. You can still look around. ${MESSAGE}`);
      // The other instance learns it from the bus; then its WebSocket refuses too.
      await eventually(async () => (await codeOf(second.client(alice.token).users.update.mutate({ name: "Alice M." }))) === "PRECONDITION_FAILED", "the second instance to refuse");
      const overSocket = await socketError(socket.call("mutation", "sessions.create", { kind: "meditation", title: "Over the socket" }));
      expect(overSocket.data.code).toBe("PRECONDITION_FAILED");
      expect(overSocket.message).toContain(MESSAGE);
      expect(await sql(first.database.url, `SELECT id FROM "LiveSession"`)).toEqual([]);
      expect((await first.client(alice.token).auth.me.query())?.name).toBe("Alice");

      // Reads work, and say why; everyone, signed in or not, learns the state.
      expect(await first.client(alice.token).sessions.list.query()).toMatchObject({ items: [] });
      expect((await socket.call<{ maintenance: { on: boolean } }>("query", "system.status")).maintenance.on).toBe(true);
      expect((await second.client().system.status.query()).maintenance).toMatchObject({ on: true, message: MESSAGE });

      // Admins carry on, on either instance.
      const adminSession = await second.client(admin.token).sessions.create.mutate({ kind: "meditation", title: "Admins may" });
      expect(adminSession.title).toBe("Admins may");

      // Sign-in works (admins must get in), sign-out too; sign-up is a change like any other.
      const login = await second.client().auth.signIn.mutate({ email: alice.email, password: alice.password });
      expect(await second.client(login.token).auth.signOut.mutate()).toMatchObject({ signedOut: true });
      expect(await codeOf(second.client().auth.signUp.mutate({ email: `late${Date.now()}@example.com`, password: "correct horse battery", name: "Late" }))).toBe(
        "PRECONDITION_FAILED",
      );

      // The member's open stream heard it switch on.
      await eventually(() => aliceStream.events.some((e) => e.data.type === "maintenance" && e.data.maintenance.on), "the switch on the member's stream");
    } finally {
      await first.client(admin.token).admin.setMaintenance.mutate({ on: false });
    }

    await eventually(() => aliceStream.events.some((e) => e.data.type === "maintenance" && !e.data.maintenance.on), "the switch off on the member's stream");
    const switches = aliceStream.events.map((e) => (e.data.type === "maintenance" ? e.data.maintenance : null));
    expect(switches).toEqual([
      { on: true, message: MESSAGE, changedAt: expect.any(Date), changedBy: { id: admin.user.id, name: "Admin" } },
      { on: false, message: "", changedAt: expect.any(Date), changedBy: { id: admin.user.id, name: "Admin" } },
    ]);
    expect(aliceStream.error).toBeUndefined();
    // Off on every instance: the member's change goes through on both transports.
    await eventually(async () => (await codeOf(second.client(alice.token).users.update.mutate({ name: "Alice" }))) === "OK", "the second instance to allow changes");
    await socket.call("mutation", "sessions.create", { kind: "meditation", title: "After maintenance" });
    expect((await first.client().system.status.query()).maintenance.on).toBe(false);

    const audit = await first.client(admin.token).admin.auditLog.query({ action: "admin." });
    expect(audit.items.map((i) => [i.action, i.actor?.name, i.detail.message])).toEqual([
      ["admin.maintenanceOff", "Admin", undefined],
      ["admin.maintenanceOn", "Admin", MESSAGE],
    ]);
    expect(audit.items[0]!.ip).toBeTruthy();
  });
});

describe("broadcasts", () => {
  it("reach a member subscribed on the other instance, and wait as unread for whoever was not there", async () => {
    const { lastEventId, unread } = await second.client(bob.token).system.status.query();
    expect(unread).toEqual([]);
    const bobStream = await followSystem(second, bob.token, lastEventId);

    const sent = await first.client(admin.token).admin.broadcast.mutate({ text: "Pulse restarts at 18:00 UTC.", level: "warning" });
    expect(sent).toMatchObject({ text: "Pulse restarts at 18:00 UTC.", level: "warning", author: { id: admin.user.id, name: "Admin" } });
    await eventually(() => bobStream.events.some((e) => e.id === sent.id), "the broadcast on the other instance");
    expect(bobStream.events.filter((e) => e.data.type === "broadcast")).toEqual([{ id: sent.id, data: { type: "broadcast", broadcast: sent } }]);

    // Alice was not connected: it waits for her, on either instance, until she has read it.
    const second_ = await first.client(admin.token).admin.broadcast.mutate({ text: "All good again." });
    expect(second_.level).toBe("info");
    const later = await first.client(alice.token).system.status.query();
    expect(later.unread.map((b) => b.text)).toEqual(["Pulse restarts at 18:00 UTC.", "All good again."]);
    expect(BigInt(later.lastEventId)).toBeGreaterThanOrEqual(BigInt(second_.id));
    // Its author has read it already.
    expect((await first.client(admin.token).system.status.query()).unread).toEqual([]);
    // Someone who signs up afterwards was not among those it spoke to.
    const carol = await signUp(second, "Carol");
    expect((await second.client(carol.token).system.status.query()).unread).toEqual([]);

    // A client resuming from an earlier id is replayed what it missed, in order.
    const resumed = await followSystem(first, alice.token, lastEventId);
    await eventually(() => resumed.events.some((e) => e.id === second_.id), "the replay");
    expect(resumed.events.filter((e) => e.data.type === "broadcast").map((e) => e.id)).toEqual([sent.id, second_.id]);

    // Reading the first leaves the second unread, on every device of hers; a marker never moves back.
    expect(await second.client(alice.token).system.markRead.mutate({ upToId: sent.id })).toEqual({ lastReadId: sent.id });
    expect((await first.client(alice.token).system.status.query()).unread.map((b) => b.id)).toEqual([second_.id]);
    expect(await first.client(alice.token).system.markRead.mutate({ upToId: "1" })).toEqual({ lastReadId: sent.id });
    // Marking "everything up to the year 3000" read stops at what exists: the next broadcast is still news.
    expect(await first.client(alice.token).system.markRead.mutate({ upToId: "9223372036854775807" })).toEqual({ lastReadId: second_.id });
    const third = await second.client(admin.token).admin.broadcast.mutate({ text: "One more thing.", level: "critical" });
    expect((await first.client(alice.token).system.status.query()).unread.map((b) => b.id)).toEqual([third.id]);

    // The admin page's list, newest first; the audit log has each one.
    expect((await first.client(admin.token).admin.broadcasts.query()).map((b) => b.text)).toEqual(["One more thing.", "All good again.", "Pulse restarts at 18:00 UTC."]);
    const audit = await first.client(admin.token).admin.auditLog.query({ action: "admin.broadcast" });
    expect(audit.items.map((i) => [i.target, i.detail.level])).toEqual([
      [third.id, "critical"],
      [second_.id, "info"],
      [sent.id, "warning"],
    ]);
  });
});

describe("system.events ends with the login that opened it", () => {
  it("signing out on one instance ends the streams on the other, over server-sent events and WebSocket", async () => {
    const laptop = await first.client().auth.signIn.mutate({ email: bob.email, password: bob.password });
    const { lastEventId } = await first.client(laptop.token).system.status.query();
    const sse = await EventStream.open(second.url, "system.events", { lastEventId }, { token: laptop.token });
    closers.push(() => sse.close());
    const socket = await socketFor(second, laptop.token);
    const ws = socket.subscribe<{ id: string; data: SystemEvent }>("system.events", { lastEventId });
    await eventually(() => ws.started && sse.events.some((e) => e.event === "connected"), "both streams to start");
    const kept = await followSystem(second, bob.token, lastEventId);

    await first.client(laptop.token).auth.signOut.mutate();
    await within(sse.ended, "the server-sent event stream to end");
    expect(sse.error()?.data.code).toBe("UNAUTHORIZED");
    expect((await within(socket.closed, "the socket to close")).code).toBe(4001);
    expect(ws.error?.data.code).toBe("UNAUTHORIZED");

    // Bob's other login still hears broadcasts; the ended streams hear nothing more.
    const after = await first.client(admin.token).admin.broadcast.mutate({ text: "After the sign-out." });
    await eventually(() => kept.events.some((e) => e.id === after.id), "the broadcast on the login still signed in");
    expect(sse.data()).toEqual([]);
    expect(ws.data).toEqual([]);
  });
});

describe("the audit log", () => {
  it("shows who did what to whom, newest first, by action, by prefix and by actor, page by page", async () => {
    const adminClient = first.client(admin.token);
    // Some history: a failed sign-in, a role change there and back, an API token, a help request.
    expect(await codeOf(first.client().auth.signIn.mutate({ email: alice.email, password: "wrong password" }))).toBe("UNAUTHORIZED");
    await adminClient.users.setRole.mutate({ userId: bob.user.id, role: "ADMIN" });
    await adminClient.users.setRole.mutate({ userId: bob.user.id, role: "USER" });
    await first.client(alice.token).auth.createApiToken.mutate({ name: "script" });
    const session = await adminClient.sessions.create.mutate({ kind: "collaboration", title: "Help wanted" });
    await first.client(alice.token).sessions.join.mutate({ sessionId: session.id });
    await first.client(alice.token).sessions.requestHelp.mutate({ sessionId: session.id, note: "stuck" });

    const roles = await adminClient.admin.auditLog.query({ action: "users.setRole" });
    expect(roles.nextCursor).toBeNull();
    expect(roles.items.map((i) => i.detail)).toEqual([
      { from: "ADMIN", to: "USER" },
      { from: "USER", to: "ADMIN" },
    ]);
    expect(roles.items[0]).toMatchObject({
      action: "users.setRole",
      actor: { id: admin.user.id, name: "Admin", email: admin.email },
      target: bob.user.id,
      targetUser: { id: bob.user.id, name: "Bob", email: bob.email },
      createdAt: expect.any(Date),
    });
    expect(roles.items[0]!.ip).toBeTruthy();

    const auth = await adminClient.admin.auditLog.query({ action: "auth.", limit: 200 });
    expect(auth.items.length).toBeGreaterThanOrEqual(5); // four sign-ups, one failure, a sign-in, a token…
    expect(auth.items.every((i) => i.action.startsWith("auth."))).toBe(true);
    const failed = auth.items.find((i) => i.action === "auth.signInFailed")!;
    expect(failed).toMatchObject({ actor: null, target: alice.email, targetUser: null });

    const byAlice = await adminClient.admin.auditLog.query({ actorId: alice.user.id, limit: 200 });
    expect(byAlice.items.every((i) => i.actor?.id === alice.user.id)).toBe(true);
    expect(byAlice.items.map((i) => i.action)).toEqual(expect.arrayContaining(["sessions.requestHelp", "auth.createApiToken", "auth.signUp"]));
    const help = await adminClient.admin.auditLog.query({ action: "sessions.", actorId: alice.user.id });
    expect(help.items).toMatchObject([{ action: "sessions.requestHelp", target: session.id, detail: { note: "stuck" } }]);
    expect((await adminClient.admin.auditLog.query({ action: "auth", limit: 200 })).items).toEqual([]); // a whole action, not a prefix

    // Paging: three at a time covers the whole log once, newest first.
    const all = await adminClient.admin.auditLog.query({ limit: 200 });
    expect(all.nextCursor).toBeNull();
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await adminClient.admin.auditLog.query({ limit: 3, cursor });
      expect(page.items.length).toBeLessThanOrEqual(3);
      paged.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(all.items.map((i) => i.id));
    expect(new Set(paged).size).toBe(paged.length);
    expect(paged.map(BigInt)).toEqual([...paged.map(BigInt)].sort((a, b) => (a > b ? -1 : 1)));

    const actions = await adminClient.admin.auditActions.query();
    expect(actions).toEqual([...actions].sort());
    expect(actions).toEqual(expect.arrayContaining(["admin.broadcast", "admin.maintenanceOn", "auth.signInFailed", "sessions.requestHelp", "users.setRole"]));
  });
});
