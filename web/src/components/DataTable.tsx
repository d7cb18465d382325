// A table a person can sort by any column (keyboard too) and export as CSV or JSON.
import { type ReactNode, useMemo, useState } from "react";

import { type Column, exportTable, useExportScope } from "./exports";
import { ExportButtons } from "./ExportButtons";
import { Empty } from "./Status";

export interface TableColumn<Row> extends Column<Row> {
  /** What the cell shows; the exported value when absent. */
  render?: (row: Row) => ReactNode;
  numeric?: boolean;
}

interface Props<Row> {
  name: string; // names the exported file: <view>-<name>.csv
  caption: string;
  columns: TableColumn<Row>[];
  rows: Row[];
  rowKey: (row: Row) => string;
  empty?: ReactNode;
}

type Sort = { key: string; ascending: boolean } | null;

function compare(a: string | number | boolean | null, b: string | number | boolean | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));
}

export function DataTable<Row>({ name, caption, columns, rows, rowKey, empty }: Props<Row>) {
  const scope = useExportScope();
  const [sort, setSort] = useState<Sort>(null);
  const sorted = useMemo(() => {
    if (!sort) return rows;
    const column = columns.find((c) => c.key === sort.key);
    if (!column) return rows;
    const ordered = [...rows].sort((a, b) => compare(column.value(a), column.value(b)));
    return sort.ascending ? ordered : ordered.reverse();
  }, [rows, columns, sort]);
  const toggle = (key: string) =>
    setSort((current) => (current?.key === key ? { key, ascending: !current.ascending } : { key, ascending: true }));
  return (
    <div className="table-block">
      <div className="table-tools">
        <span className="muted">{rows.length.toLocaleString()} rows</span>
        <ExportButtons
          label={caption}
          formats={["csv", "json"]}
          onExport={(format) => exportTable(scope, name, columns, sorted, format as "csv" | "json")}
          disabled={rows.length === 0}
        />
      </div>
      {rows.length === 0 ? (
        <Empty>{empty ?? "Nothing to show for these filters."}</Empty>
      ) : (
        <div className="table-scroll">
          <table data-table={name}>
            <caption>{caption}</caption>
            <thead>
              <tr>
                {columns.map((column) => {
                  const state = sort?.key === column.key ? (sort.ascending ? "ascending" : "descending") : "none";
                  return (
                    <th key={column.key} scope="col" aria-sort={state} className={column.numeric ? "numeric" : undefined}>
                      <button type="button" className="sort" onClick={() => toggle(column.key)}>
                        {column.header}
                        <span aria-hidden="true">{state === "ascending" ? " ▲" : state === "descending" ? " ▼" : ""}</span>
                      </button>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {sorted.map((row) => (
                <tr key={rowKey(row)}>
                  {columns.map((column) => (
                    <td key={column.key} className={column.numeric ? "numeric" : undefined}>
                      {column.render ? column.render(row) : String(column.value(row) ?? "—")}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** A column whose cell picks its row (a button: keyboard reachable), marked when chosen. */
export function choiceColumn<Row>(
  key: string,
  header: string,
  text: (row: Row) => string,
  chosen: (row: Row) => boolean,
  choose: (row: Row) => void,
): TableColumn<Row> {
  return {
    key,
    header,
    value: text,
    render: (row) => (
      <button type="button" className="link" aria-current={chosen(row) ? "true" : undefined} onClick={() => choose(row)}>
        {text(row)}
      </button>
    ),
  };
}
