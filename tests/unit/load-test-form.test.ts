import { describe, expect, it } from "vitest";
import { changeVerdict, formatChange } from "@/app/(app)/load-tests/format";
import { boundsFor, validateStart } from "@/app/(app)/load-tests/validate";
import { LOAD_TEST_LIMITS } from "@/shared/load-tests";

describe("the load test form's bounds", () => {
  const http = boundsFor(LOAD_TEST_LIMITS, "http-read");

  it("accepts values inside the bounds, and no rate", () => {
    expect(validateStart({ connections: "5", durationS: "4", ratePerS: "" }, http)).toEqual({});
    expect(validateStart({ connections: "1000", durationS: "300", ratePerS: "50000" }, http)).toEqual({});
  });

  it("names each field that is missing, fractional or out of bounds, as the server would", () => {
    expect(validateStart({ connections: "0", durationS: "301", ratePerS: "1.5" }, http)).toEqual({
      connections: "Connections is at least 1.",
      durationS: "Duration is at most 300.",
      ratePerS: "Rate is a whole number.",
    });
    expect(validateStart({ connections: "", durationS: "abc", ratePerS: "0" }, http)).toEqual({
      connections: "Connections is required.",
      durationS: "Duration is a whole number.",
      ratePerS: "Rate is at least 1.",
    });
  });

  it("holds chat streams and a websocket publisher to their tighter bounds", () => {
    expect(validateStart({ connections: "51", durationS: "10", ratePerS: "" }, boundsFor(LOAD_TEST_LIMITS, "chat")).connections).toBe("Connections is at most 50.");
    expect(validateStart({ connections: "10", durationS: "10", ratePerS: "201" }, boundsFor(LOAD_TEST_LIMITS, "websocket")).ratePerS).toBe("Rate is at most 200.");
  });
});

describe("a comparison's change", () => {
  it("is better when latency falls or throughput rises, and noise under 2 % is neither", () => {
    expect(changeVerdict(-20, "lower")).toBe("better");
    expect(changeVerdict(20, "lower")).toBe("worse");
    expect(changeVerdict(20, "higher")).toBe("better");
    expect(changeVerdict(-20, "higher")).toBe("worse");
    expect(changeVerdict(1.5, "lower")).toBe("same");
    expect(changeVerdict(null, "higher")).toBe("same");
  });

  it("is written with its sign", () => {
    expect(formatChange(12.34)).toBe("+12 %");
    expect(formatChange(-0.42)).toBe("−0.4 %");
    expect(formatChange(0.01)).toBe("0 %");
    expect(formatChange(null)).toBe("—");
  });
});
