/**
 * A live stream lasts as long as what allowed it, over both transports subscriptions are served
 * on (WebSocket and server-sent events), on every instance: signing out, revoking an API token
 * and demoting an admin end the streams they opened — UNAUTHORIZED or FORBIDDEN, at once, with
 * no further event — and the server lets go of them (the caller goes offline in the room).
 * Nothing else ends: other logins' and tokens' streams carry on, and a promotion ends no stream.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { cutTheBus } from "./support/bus";
import { eventually, EventStream, RawSocket, within, type RawSubscription } from "./support/raw";
import { follow, presenceOf } from "./support/sessions";

let first: TestServer;
let second: TestServer;
let admin: Awaited<ReturnType<typeof signUp>>;
let host: Awaited<ReturnType<typeof signUp>>;
const closers: Array<() => void> = [];
beforeAll(async () => {
  first = await startTestServer();
  second = await startTestServer({}, first.database);
  admin = await signUp(first, "Admin");
  host = await signUp(first, "Host");
});
afterAll(async () => {
  for (const close of closers) close();
  await second?.stop();
  await first?.stop();
});

/** A session hosted by `host` that `member` has joined; the host follows it (to see who is online). */
async function roomWith(member: { token: string }) {
  const session = await first.client(host.token).sessions.create.mutate({ kind: "collaboration", title: "Revocation room" });
  const { lastEventId } = await second.client(member.token).sessions.join.mutate({ sessionId: session.id });
  const hostView = follow(first.client(host.token), { sessionId: session.id, lastEventId });
  await hostView.started;
  closers.push(() => hostView.stop());
  return { sessionId: session.id, lastEventId, hostView };
}

/** One subscription over server-sent events and one over a WebSocket, on `server`, with `token`. */
async function streamsOn(server: TestServer, token: string, path: string, input: unknown) {
  const sse = await EventStream.open(server.url, path, input, { token });
  const socket = await RawSocket.open(server.url, { token });
  closers.push(() => sse.close(), () => socket.close());
  const ws = socket.subscribe<{ id: string; data: { type: string; text?: string } }>(path, input);
  await eventually(() => ws.started && sse.events.some((e) => e.event === "connected"), "both streams to start");
  return { sse, socket, ws };
}

type Streams = Awaited<ReturnType<typeof streamsOn>>;

/** Both transports ended with `code`: SSE's error event and the end of the response; the socket's error frame, then close 4001. */
async function expectEnded({ sse, socket, ws }: Streams, code: "UNAUTHORIZED" | "FORBIDDEN") {
  await within(sse.ended, "the server-sent event stream to end");
  expect(sse.error()?.data.code).toBe(code);
  const closed = await within(socket.closed, "the socket to close");
  expect(ws.error?.data.code).toBe(code); // the error frame came before the close
  expect(closed.code).toBe(4001);
}

async function expectLive(sse: EventStream, ws: RawSubscription<{ id: string; data: { type: string; text?: string } }>, text: string) {
  await eventually(() => sse.data<{ text?: string }>().some((e) => e.text === text), `"${text}" over SSE`);
  await eventually(() => ws.data.some((e) => e.data.text === text), `"${text}" over WebSocket`);
}

describe("a live stream ends with the credential that opened it", () => {
  it("signing out on one instance ends that login's streams on the other, over SSE and WebSocket", async () => {
    const member = await signUp(first, "Member");
    const laptop = await first.client().auth.signIn.mutate({ email: member.email, password: member.password });
    const { sessionId, lastEventId, hostView } = await roomWith(member);
    const doomed = await streamsOn(second, member.token, "sessions.events", { sessionId, lastEventId });
    const kept = await streamsOn(second, laptop.token, "sessions.events", { sessionId, lastEventId });
    await hostView.until(() => presenceOf(hostView, member.user.id, "online").length > 0, "the member online");

    await first.client(member.token).auth.signOut.mutate();
    await expectEnded(doomed, "UNAUTHORIZED");
    expect(doomed.sse.error()?.message).toMatch(/login has ended/);

    // The other login's streams carry on, and the ended ones get nothing more.
    const before = { sse: doomed.sse.data().length, ws: doomed.ws.data.length };
    await first.client(host.token).sessions.sendMessage.mutate({ sessionId, text: "still here?" });
    await expectLive(kept.sse, kept.ws, "still here?");
    expect({ sse: doomed.sse.data().length, ws: doomed.ws.data.length }).toEqual(before);
    // The server let go of the ended streams: they are not counted as held, and the laptop keeps the member online.
    expect(second.pulse.sockets.heldCredentials().filter((c) => c.loginSessionId && c.userId === member.user.id)).toHaveLength(1);
  });

  it("revoking an API token ends the streams it opened, and only those", async () => {
    const member = await signUp(first, "Token holder");
    const { token, id } = await first.client(member.token).auth.createApiToken.mutate({ name: "doomed" });
    const { sessionId, lastEventId, hostView } = await roomWith(member);
    const doomed = await streamsOn(first, token, "sessions.events", { sessionId, lastEventId });
    const owner = await streamsOn(second, member.token, "sessions.events", { sessionId, lastEventId });
    await hostView.until(() => presenceOf(hostView, member.user.id, "online").length >= 1, "the member online");

    await second.client(member.token).auth.revokeApiToken.mutate({ tokenId: id });
    await expectEnded(doomed, "UNAUTHORIZED");
    expect(doomed.ws.error?.message).toBe("This API token was revoked.");
    await first.client(host.token).sessions.sendMessage.mutate({ sessionId, text: "after the token" });
    await expectLive(owner.sse, owner.ws, "after the token");
  });

  it("the streams let go on the server: a member whose only login ended goes offline in the room", async () => {
    const member = await signUp(first, "Leaver");
    const { sessionId, lastEventId, hostView } = await roomWith(member);
    const doomed = await streamsOn(first, member.token, "sessions.events", { sessionId, lastEventId });
    await hostView.until(() => presenceOf(hostView, member.user.id, "online").length > 0, "the member online");
    await second.client(member.token).auth.signOut.mutate();
    await expectEnded(doomed, "UNAUTHORIZED");
    await hostView.until(() => presenceOf(hostView, member.user.id, "offline").length > 0, "the member offline");
    expect(first.pulse.sockets.heldCredentials().filter((c) => c.userId === member.user.id)).toEqual([]);
  });

  it("demoting an admin ends the streams they opened as one with FORBIDDEN, on both transports; as a user they may subscribe again", async () => {
    const deputy = await signUp(first, "Deputy");
    await first.client(admin.token).users.setRole.mutate({ userId: deputy.user.id, role: "ADMIN" });
    const { sessionId, lastEventId } = await roomWith(deputy);
    const inbox = await streamsOn(second, deputy.token, "sessions.events", {});
    // What an admin is shown may depend on the role (here: served before the room): every stream opened as one ends.
    const room = await EventStream.open(first.url, "sessions.events", { sessionId, lastEventId }, { token: deputy.token });
    closers.push(() => room.close());
    const helper = await signUp(first, "Needs help");
    await first.client(helper.token).sessions.join.mutate({ sessionId });
    await first.client(helper.token).sessions.requestHelp.mutate({ sessionId, note: "first" });
    await eventually(() => inbox.sse.data().length === 1 && inbox.ws.data.length === 1, "the first help request in the inbox");

    await first.client(admin.token).users.setRole.mutate({ userId: deputy.user.id, role: "USER" });
    await expectEnded(inbox, "FORBIDDEN");
    expect(inbox.sse.error()?.message).toMatch(/admin role was removed/);
    await within(room.ended, "the room stream opened as an admin to end");
    expect(room.error()?.data.code).toBe("FORBIDDEN");
    await first.client(helper.token).sessions.requestHelp.mutate({ sessionId, note: "second" });
    expect(inbox.sse.data()).toHaveLength(1);
    expect(inbox.ws.data).toHaveLength(1);

    // As a plain user now: the room again (from where it left off), but not the inbox.
    const roomAgain = await EventStream.open(first.url, "sessions.events", { sessionId, lastEventId }, { token: deputy.token });
    closers.push(() => roomAgain.close());
    await first.client(helper.token).sessions.sendMessage.mutate({ sessionId, text: "the room goes on" });
    await eventually(() => roomAgain.data<{ text?: string }>().some((e) => e.text === "the room goes on"), "the room, subscribed again");
    const inboxAgain = await EventStream.open(second.url, "sessions.events", {}, { token: deputy.token });
    await within(inboxAgain.ended, "the refused inbox to end");
    expect(inboxAgain.error()?.data.code).toBe("FORBIDDEN");
  });

  it("promoting a user ends none of their streams (their sockets reconnect with the new role)", async () => {
    const member = await signUp(first, "Promoted");
    const { sessionId, lastEventId } = await roomWith(member);
    const streams = await streamsOn(second, member.token, "sessions.events", { sessionId, lastEventId });
    await first.client(admin.token).users.setRole.mutate({ userId: member.user.id, role: "ADMIN" });
    expect((await within(streams.socket.closed, "the socket with the old role to close")).code).toBe(4001);
    expect(streams.ws.error).toBeUndefined();
    await first.client(host.token).sessions.sendMessage.mutate({ sessionId, text: "congratulations" });
    await eventually(() => streams.sse.data<{ text?: string }>().some((e) => e.text === "congratulations"), "the SSE stream to go on");
    expect(streams.sse.error()).toBeUndefined();
  });

  it("a sign-out made while the bus was down ends the streams once it reconnects", async () => {
    const member = await signUp(first, "Missed");
    const { sessionId, lastEventId } = await roomWith(member);
    const doomed = await streamsOn(second, member.token, "sessions.events", { sessionId, lastEventId });
    await cutTheBus(first.database.url);
    // Announced to no one: neither instance listens right now.
    await first.client(member.token).auth.signOut.mutate();
    await expectEnded(doomed, "UNAUTHORIZED");
  });
});
