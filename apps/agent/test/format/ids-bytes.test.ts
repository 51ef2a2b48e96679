import { describe, expect, it } from "vitest";
import { humanizeIBytes } from "../../src/format/bytes.js";
import { FULL_ID_LENGTH, limit, sanitizeUUIDPrefix, SHORT_ID_LENGTH } from "../../src/format/ids.js";

const ID = "8a9f8e12-6c6d-4e08-9a36-3c8d5b8e4a21";

describe("ids", () => {
  it("shortens IDs to 8 characters unless verbose", () => {
    expect(limit(ID, SHORT_ID_LENGTH)).toBe("8a9f8e12");
    expect(limit(ID, FULL_ID_LENGTH)).toBe(ID);
    expect(limit("abc", SHORT_ID_LENGTH)).toBe("abc");
  });

  it("drops the last character of an odd-length UUID prefix, ignoring hyphens", () => {
    expect(sanitizeUUIDPrefix("8a9")).toBe("8a");
    expect(sanitizeUUIDPrefix("8a9f")).toBe("8a9f");
    expect(sanitizeUUIDPrefix("8a9f8e12-6")).toBe("8a9f8e12-");
  });
});

describe("humanizeIBytes (go-humanize IBytes)", () => {
  it("uses binary units with one decimal under 10", () => {
    expect(humanizeIBytes(9)).toBe("9 B");
    expect(humanizeIBytes(300 * 1024 * 1024)).toBe("300 MiB");
    expect(humanizeIBytes(1536 * 1024 * 1024)).toBe("1.5 GiB");
    expect(humanizeIBytes(8 * 1024 ** 3)).toBe("8.0 GiB");
    expect(humanizeIBytes(1024)).toBe("1.0 KiB");
    expect(humanizeIBytes(0)).toBe("0 B");
  });
});
