// Columns a table often has: a time (shown in the reader's timezone, exported as ISO), a
// count (shown with separators, exported as a number), a uid or a signal in code type.
import type { TableColumn } from "./DataTable";
import { count } from "./format";
import { Time } from "./Time";

export function timeColumn<Row>(
  key: string,
  header: string,
  pick: (row: Row) => string | null,
  withSeconds = false,
): TableColumn<Row> {
  return { key, header, value: pick, render: (row) => <Time value={pick(row)} withSeconds={withSeconds} /> };
}

export function countColumn<Row>(key: string, header: string, pick: (row: Row) => number | null): TableColumn<Row> {
  return {
    key,
    header,
    numeric: true,
    value: pick,
    render: (row) => count(pick(row)),
  };
}

export function codeColumn<Row>(key: string, header: string, pick: (row: Row) => string): TableColumn<Row> {
  return { key, header, value: pick, render: (row) => <code>{pick(row)}</code> };
}
