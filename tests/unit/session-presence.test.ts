import { describe, expect, it } from "vitest";
import { applyPresence, withPresence, type PresenceBatch } from "@/shared/sessions/presence";

const ada = { userId: "ada", name: "Ada" };
const bo = { userId: "bo", name: "Bo" };
const batch = (instance: string, online: (typeof ada)[], offline: (typeof ada)[] = []): PresenceBatch => ({ instance, online, offline });

/** Both folds over the same events, compared as plain objects. */
function fold(events: PresenceBatch[], seed: Record<string, string[]> = {}) {
  const map = new Map(Object.entries(seed).map(([userId, instances]) => [userId, new Set(instances)]));
  let record = seed;
  for (const event of events) {
    applyPresence(map, event);
    record = withPresence(record, event);
  }
  return { map: Object.fromEntries([...map].map(([userId, instances]) => [userId, [...instances]])), record };
}

describe("the presence fold", () => {
  it("keeps a user online while some instance's last event lists them online", () => {
    const { map, record } = fold([batch("a", [ada, bo]), batch("b", [ada]), batch("a", [], [ada]), batch("a", [], [bo])]);
    expect(map).toEqual({ ada: ["b"] });
    expect(record).toEqual(map);
  });

  it("takes an offline for an instance the user was never online on as nothing", () => {
    const { map, record } = fold([batch("a", [ada]), batch("b", [], [ada, bo])]);
    expect(map).toEqual({ ada: ["a"] });
    expect(record).toEqual(map);
  });

  it("continues from a seed (byId's participants[].instances)", () => {
    const { map, record } = fold([batch("b", [bo], [ada])], { ada: ["a", "b"] });
    expect(map).toEqual({ ada: ["a"], bo: ["b"] });
    expect(record).toEqual(map);
  });

  it("withPresence leaves the record it was given untouched", () => {
    const before = { ada: ["a"], bo: ["a"] };
    const copy = structuredClone(before);
    const after = withPresence(before, batch("a", [], [ada]));
    expect(before).toEqual(copy);
    expect(after).toEqual({ bo: ["a"] });
    // Users the event does not name keep their very arrays (React can skip them).
    expect(after.bo).toBe(before.bo);
  });
});
