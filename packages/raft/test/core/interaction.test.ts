// Runs every scripted interaction in testdata/*.txt and compares each command's output with the
// output written below it in the file (UPDATE_TESTDATA=1 rewrites the files instead).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatScript, parseScript, ScriptRunner } from "./helpers/script.js";

const dir = fileURLToPath(new URL("./testdata/", import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".txt"))
  .sort();

describe("scripted interactions (testdata)", () => {
  it("has scripts to run", () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(file, () => {
      const blocks = parseScript(readFileSync(dir + file, "utf8"));
      const runner = new ScriptRunner();
      const outputs = blocks.map((b) => runner.run(b.command));
      if (process.env.UPDATE_TESTDATA) {
        writeFileSync(dir + file, formatScript(blocks, outputs));
        return;
      }
      blocks.forEach((b, i) => {
        expect(outputs[i], `${file}: > ${b.command}`).toEqual(b.expected);
      });
    });
  }
});
