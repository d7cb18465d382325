// What a node or a change touches downstream, one row per node, its kind said in words and
// by a coloured mark (the colour never alone).
import { DataTable, type TableColumn } from "../components/DataTable";
import { colourOf } from "../components/palette";

export interface Touched {
  kind: string;
  uid: string;
  note: string;
}

const COLUMNS: TableColumn<Touched>[] = [
  {
    key: "kind",
    header: "Kind",
    value: (t) => t.kind,
    render: (t) => (
      <>
        <span className="kind-mark" style={{ background: colourOf(t.kind) }} aria-hidden="true" /> {t.kind}
      </>
    ),
  },
  { key: "uid", header: "uid", value: (t) => t.uid, render: (t) => <code>{t.uid}</code> },
  { key: "note", header: "State", value: (t) => t.note || null, render: (t) => t.note },
];

export function TouchedTable({ name, rows }: { name: string; rows: Touched[] }) {
  return (
    <DataTable name={name} caption="Downstream nodes" columns={COLUMNS} rows={rows} rowKey={(t) => t.uid} empty="Nothing downstream of it." />
  );
}
