// Nomad's table and key/value output: the columnize layout (ryanuber/columnize) that every
// `nomad` command prints. Rows are `|`-separated cells; cells are trimmed; columns are padded
// to the widest cell (counted in code points, as Go's fmt pads runes) and joined by the glue;
// the last cell of a row is never padded.

export interface ColumnizeOptions {
  /** Between columns; Nomad uses two spaces for tables and ` = ` for key/value blocks. */
  glue?: string;
  /** Replaces empty cells; Nomad uses `<none>` so output stays awk-able. */
  empty?: string;
  delimiter?: string;
}

export function columnize(rows: readonly string[], options: ColumnizeOptions = {}): string {
  const glue = options.glue ?? "  ";
  const empty = options.empty ?? "";
  const delimiter = options.delimiter ?? "|";
  const cells = rows.map((row) =>
    row.split(delimiter).map((cell) => {
      const v = cell.trim();
      return v === "" && empty !== "" ? empty : v;
    }),
  );
  const widths: number[] = [];
  for (const row of cells) {
    row.forEach((cell, i) => {
      const w = runeLength(cell);
      if (widths[i] === undefined || widths[i] < w) widths[i] = w;
    });
  }
  return cells
    .map((row) =>
      row
        .map((cell, i) =>
          i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - runeLength(cell)) + glue,
        )
        .join(""),
    )
    .join("\n");
}

/** A table: two-space columns, `<none>` for empty cells (Nomad's formatList). */
export function formatList(rows: readonly string[]): string {
  return columnize(rows, { empty: "<none>" });
}

/** A table that keeps empty cells blank (Nomad's formatListWithSpaces, used for task resources). */
export function formatListWithSpaces(rows: readonly string[]): string {
  return columnize(rows);
}

/** `Key = value` lines with the `=` aligned, `<none>` for empty values (Nomad's formatKV). */
export function formatKV(rows: readonly string[]): string {
  return columnize(rows, { glue: " = ", empty: "<none>" });
}

function runeLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
