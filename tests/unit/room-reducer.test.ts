import { describe, expect, it } from "vitest";
import { initialRoom, reduceRoom, type RoomState, type SessionEvent, type Snapshot } from "@/components/sessions/roomReducer";

const at = new Date("2026-01-01T10:00:00Z");
const snapshot: Snapshot = {
  id: "s1",
  kind: "meditation",
  title: "Morning sit",
  description: "",
  visibility: "public",
  capacity: 50,
  status: "scheduled",
  hostId: "host",
  config: {},
  state: { kind: "meditation", startedAt: null, pausedAt: null, elapsedBeforePauseMs: 0, durationMs: 600_000, bellIntervalMs: null },
  createdAt: at,
  startedAt: null,
  endedAt: null,
  inviteCode: null,
  participants: [
    { userId: "host", name: "Hana", role: "host", joinedAt: at, online: true, instances: ["a"] },
    { userId: "me", name: "Mo", role: "participant", joinedAt: at, online: false, instances: [] },
  ],
  me: { role: "participant" },
  doc: null,
  lastEventId: "10",
  serverTime: at.getTime(),
};

function apply(events: SessionEvent[], room: RoomState | null = initialRoom(snapshot)): RoomState {
  let next = room;
  events.forEach((event, i) => (next = reduceRoom(next, { type: "event", id: String(11 + i), event, myId: "me" })));
  return next!;
}

describe("the room reducer", () => {
  it("starts from the snapshot, with who is online where", () => {
    const room = initialRoom(snapshot);
    expect(room.online).toEqual({ host: ["a"] });
    expect(room.present).toBe(true);
    expect(room.participants.map((p) => p.userId)).toEqual(["host", "me"]);
  });

  it("folds presence events with the server's rule", () => {
    const room = apply([
      { type: "presence", instance: "b", online: [{ userId: "me", name: "Mo" }, { userId: "host", name: "Hana" }], offline: [], at },
      { type: "presence", instance: "a", online: [], offline: [{ userId: "host", name: "Hana" }], at },
    ]);
    expect(room.online).toEqual({ host: ["b"], me: ["b"] });
  });

  it("tracks joins, leaves and the caller's own presence", () => {
    const room = apply([
      { type: "joined", userId: "zed", name: "Zed", role: "participant", at },
      { type: "left", userId: "me", name: "Mo", role: "participant", at },
    ]);
    expect(room.participants.map((p) => p.userId)).toEqual(["host", "zed"]);
    expect(room.present).toBe(false);
    expect(room.feed.map((item) => item.kind === "activity" && item.text)).toEqual(["Zed joined", "You left"]);
  });

  it("applies timer events to the state and status, and words them in the feed", () => {
    const state = { ...snapshot.state, startedAt: at.getTime() };
    const room = apply([{ type: "timer", action: "start", status: "live", state, at }]);
    expect(room.session).toMatchObject({ status: "live", state });
    expect(room.lastTimer).toEqual({ action: "start", id: "11" });
    expect(room.feed).toMatchObject([{ kind: "activity", text: "The host started the session", tone: "accent" }]);
  });

  it("shows others' nudges, never the caller's own, and keeps the last few help requests", () => {
    const room = apply([
      { type: "nudge", userId: "me", name: "Mo", text: "mine", at },
      { type: "nudge", userId: "host", name: "Hana", text: "theirs", at },
      ...Array.from({ length: 7 }, (_, i): SessionEvent => ({
        type: "help",
        priority: "high",
        sessionId: "s1",
        sessionTitle: "Morning sit",
        userId: "me",
        name: "Mo",
        note: `note ${i}`,
        at,
      })),
    ]);
    expect(room.nudges.map((n) => n.text)).toEqual(["theirs"]);
    expect(room.help.map((h) => h.note)).toEqual(["note 2", "note 3", "note 4", "note 5", "note 6"]);
  });

  it("puts older history before the live feed, once each", () => {
    let room = apply([{ type: "message", text: "live", userId: "host", name: "Hana", at }]);
    const older = [
      { id: "9", event: { type: "message", text: "older", userId: "me", name: "Mo", at } satisfies SessionEvent },
      { id: "11", event: { type: "message", text: "live", userId: "host", name: "Hana", at } satisfies SessionEvent },
    ];
    room = reduceRoom(room, { type: "history", items: older, nextBefore: "9", myId: "me" })!;
    expect(room.feed.map((item) => item.id)).toEqual(["9", "11"]);
    expect(room.olderBefore).toBe("9");
  });
});
