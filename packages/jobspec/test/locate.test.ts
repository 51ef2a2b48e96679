import { describe, expect, it } from "vitest";
import { locateHclPath } from "../src/hcl-locate.js";

const text = `job "j" {
  group "a" {
    task "t" {
      driver = "x"
    }
  }
  group "b" {
    constraint {
      attribute = "1"
    }
    constraint {
      operator = "bad"
    }
    task "t" {
      driver = "y"
    }
  }
}
`;

describe("locateHclPath", () => {
  it("finds a key inside the right labelled block when names repeat", () => {
    expect(locateHclPath(text, "job.j.group.b.task.t.driver")).toEqual({ line: 15, column: 7 });
    expect(locateHclPath(text, "job.j.group.a.task.t.driver")).toEqual({ line: 4, column: 7 });
  });

  it("follows list indexes of repeated blocks", () => {
    expect(locateHclPath(text, "job.j.group.b.constraint[1].operator")?.line).toBe(12);
  });

  it("gives up (no line) when a segment is not in the text", () => {
    expect(locateHclPath(text, "job.j.group.c.count")).toBeUndefined();
  });
});
