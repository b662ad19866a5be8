import { describe, expect, it } from "vitest";
import { formatBytes } from "@/shared/files";

describe("formatBytes", () => {
  it("says bytes below a kilobyte, one decimal below ten units, whole numbers above", () => {
    expect(formatBytes(0)).toBe("0 bytes");
    expect(formatBytes(1)).toBe("1 byte");
    expect(formatBytes(1023)).toBe("1023 bytes");
    expect(formatBytes(1024)).toBe("1 KB");
    expect(formatBytes(4300)).toBe("4.2 KB");
    expect(formatBytes(123 * 1024)).toBe("123 KB");
    expect(formatBytes(3.4 * 1024 * 1024)).toBe("3.4 MB");
    expect(formatBytes(100 * 1024 * 1024)).toBe("100 MB");
    expect(formatBytes(2 * 1024 ** 3)).toBe("2 GB");
  });
});
