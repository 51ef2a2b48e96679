/**
 * hcl2json drops source positions, so a field error only knows its path
 * (`job.web.group.g.task.t.resources.memory`). This finds that path in the text by
 * walking it segment by segment, each search starting where the previous one matched:
 * `job "web"`, then `group "g"`, ..., then `memory =` or `memory {`. Best effort: if any
 * step is not found (labels containing dots, keys produced by an expression) there is no line.
 */
const LABELLED = new Set(["job", "group", "task", "port", "target"]);

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function locateHclPath(text: string, path: string): { line: number; column: number } | undefined {
  const offset = hclPathOffset(text, path);
  if (offset === undefined) return undefined;
  const before = text.slice(0, offset);
  return { line: before.split("\n").length, column: offset - before.lastIndexOf("\n") };
}

/** Character offset of the path's last segment in the text, or undefined. */
export function hclPathOffset(text: string, path: string): number | undefined {
  const parts = path.split(".");
  let pos = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const m = /^(.*?)(?:\[(\d+)\])?$/.exec(part);
    const key = m?.[1] ?? part;
    const nth = m?.[2] === undefined ? 0 : Number(m[2]);
    let re: RegExp;
    const label = parts[i + 1];
    if (LABELLED.has(key) && label !== undefined && m?.[2] === undefined) {
      re = new RegExp(`(?:^|[\\s{])${escape(key)}\\s+"${escape(label)}"\\s*\\{`, "g");
      i++;
    } else {
      re = new RegExp(`(?:^|[\\s{])"?${escape(key)}"?\\s*[={]`, "g");
    }
    re.lastIndex = pos;
    let found: RegExpExecArray | null = null;
    for (let k = 0; k <= nth; k++) {
      found = re.exec(text);
      if (found === null) return undefined;
    }
    if (found === null) return undefined;
    // Skip the separator the regex may have consumed before the key.
    pos = found.index + (/^[\s{]/.test(found[0]) ? 1 : 0);
  }
  return pos;
}
