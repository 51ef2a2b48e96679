import { describe, expect, it } from "vitest";
import { columnize, formatKV, formatList, formatListWithSpaces } from "../../src/format/columnize.js";

describe("columnize (Nomad's table layout)", () => {
  it("pads every column but the last to its widest cell, two spaces between", () => {
    expect(formatList(["ID|Type|Priority|Status", "example|service|50|running", "b|batch|100|dead"])).toBe(
      [
        "ID       Type     Priority  Status",
        "example  service  50        running",
        "b        batch    100       dead",
      ].join("\n"),
    );
  });

  it("renders empty cells as <none> in lists and KV blocks, but not with formatListWithSpaces", () => {
    expect(formatList(["A|B|C", "x||z"])).toBe("A  B       C\nx  <none>  z");
    expect(formatListWithSpaces(["A|B|C", "x||z"])).toBe("A  B  C\nx     z");
    expect(formatKV(["ID|abc", "Class|"])).toBe("ID    = abc\nClass = <none>");
  });

  it("aligns the = of key/value blocks", () => {
    expect(formatKV(["ID|1", "Name|web", "Node Pool|default"])).toBe(
      "ID        = 1\nName      = web\nNode Pool = default",
    );
  });

  it("trims cells and counts code points, not UTF-16 units, for widths", () => {
    expect(columnize([" é |x", "ab|y"])).toBe("é   x\nab  y");
  });

  it("a row with fewer cells stops after its last cell", () => {
    expect(formatList(["A|B|C", "long"])).toBe("A     B  C\nlong");
  });
});
