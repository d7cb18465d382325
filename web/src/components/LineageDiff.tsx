// What differs between the lineage of two recommendations (`lineageDiff`), as a table:
// model version, variant, each feature whose version differs, and ancestry on one side only.
import { useQuery } from "../api/useQuery";
import { DataTable, type TableColumn } from "./DataTable";
import { SearchBox } from "./SearchBox";
import { ErrorNotice, Loading } from "./Status";

const DIFF = `
query LineageDiff($a: ID!, $b: ID!) {
  lineageDiff(a: $a, b: $b) {
    a b identical
    modelVersion { a b }
    variant { a b }
    featureChanges { feature a b }
    ancestryOnlyInA ancestryOnlyInB hiddenDifferences
  }
}`;

interface Change {
  a: string | null;
  b: string | null;
}
export interface DiffAnswer {
  lineageDiff: {
    a: string;
    b: string;
    identical: boolean;
    modelVersion: Change | null;
    variant: Change | null;
    featureChanges: ({ feature: string } & Change)[];
    ancestryOnlyInA: string[];
    ancestryOnlyInB: string[];
    hiddenDifferences: number;
  };
}
export interface DiffRow {
  aspect: string;
  a: string;
  b: string;
}

/** One row per difference, in the order a person reads them. */
export function diffRows(diff: DiffAnswer["lineageDiff"]): DiffRow[] {
  const rows: DiffRow[] = [];
  const row = (aspect: string, a: string | null, b: string | null) => rows.push({ aspect, a: a ?? "—", b: b ?? "—" });
  if (diff.modelVersion) row("model version", diff.modelVersion.a, diff.modelVersion.b);
  if (diff.variant) row("variant", diff.variant.a, diff.variant.b);
  for (const change of diff.featureChanges) row(`feature ${change.feature}`, change.a, change.b);
  for (const uid of diff.ancestryOnlyInA) row("ancestry", uid, null);
  for (const uid of diff.ancestryOnlyInB) row("ancestry", null, uid);
  return rows;
}

const COLUMNS: TableColumn<DiffRow>[] = [
  { key: "aspect", header: "What", value: (r) => r.aspect },
  { key: "a", header: "This recommendation", value: (r) => r.a, render: (r) => <code>{r.a}</code> },
  { key: "b", header: "The other", value: (r) => r.b, render: (r) => <code>{r.b}</code> },
];

export function LineageDiff({ a, b, onCompare }: { a: string; b: string; onCompare: (b: string | null) => void }) {
  const [state, retry] = useQuery<DiffAnswer>(DIFF, { a, b }, b === "");
  return (
    <section className="card" aria-labelledby="diff-title">
      <h2 id="diff-title">Compare with another recommendation</h2>
      <SearchBox key={b} label="Other recommendation" value={b} kinds={["Recommendation"]} onPick={(picked) => onCompare(picked)} />
      {state.status === "loading" && <Loading what="the differences" />}
      {state.status === "failed" && <ErrorNotice message={state.message} retry={retry} />}
      {state.status === "answered" && (
        <>
          <p data-testid="diff-verdict">
            {state.answer.data.lineageDiff.identical
              ? "Same lineage: the same context, model version, variant and ancestry."
              : `${diffRows(state.answer.data.lineageDiff).length} differences.`}
            {state.answer.data.lineageDiff.hiddenDifferences > 0 &&
              ` +${state.answer.data.lineageDiff.hiddenDifferences} hidden differences in nodes your role may not see.`}
          </p>
          <DataTable name="diff" caption="Lineage differences" columns={COLUMNS} rows={diffRows(state.answer.data.lineageDiff)} rowKey={(r) => `${r.aspect}-${r.a}-${r.b}`} empty="No differences." />
        </>
      )}
    </section>
  );
}
