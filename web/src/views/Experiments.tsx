// Experiments: the experiments the store holds (GraphQL experiments), filtered; one
// selected shows its report: exposure, sample ratios, lifts with intervals, integrity and
// the lineage diff between its arms (experimentReport, lineageDiff).
import { type FormEvent } from "react";

import { useQuery } from "../api/useQuery";
import { type Asking, ExperimentReportView } from "../analyses/ExperimentReport";
import { choiceColumn, DataTable, type TableColumn } from "../components/DataTable";
import { ExportScopeContext } from "../components/exports";
import { FilterSelect } from "../components/FilterSelect";
import { count, percent } from "../components/format";
import { ErrorNotice, Loading } from "../components/Status";
import { Time } from "../components/Time";
import { useUrlState } from "../components/urlState";

const EXPERIMENTS = `
query Experiments($filter: ExperimentFilterInput) {
  experiments(filter: $filter, first: 100) {
    uid name status owner randomizationUnit startedAt stoppedAt lastExposure requests
    variants { name uid trafficShare requests }
  }
}`;

interface Listing {
  uid: string;
  name: string;
  status: string | null;
  owner: string | null;
  randomizationUnit: string | null;
  startedAt: string | null;
  stoppedAt: string | null;
  lastExposure: string | null;
  requests: number;
  variants: { name: string; uid: string; trafficShare: number | null; requests: number }[];
}

function variantText(variant: Listing["variants"][number]): string {
  return `${variant.name} ${percent(variant.trafficShare)}, ${count(variant.requests)}`;
}

const METHODS: [string, string][] = [
  ["FIXED", "fixed (one look)"],
  ["CUPED", "CUPED (pre-period adjusted)"],
  ["SEQUENTIAL", "sequential (any number of looks)"],
  ["CUPED_SEQUENTIAL", "CUPED and sequential"],
];
const CORRECTIONS: [string, string][] = [
  ["HOLM", "Holm"],
  ["BENJAMINI_HOCHBERG", "Benjamini-Hochberg"],
  ["NONE", "none"],
];

export function Experiments() {
  const url = useUrlState();
  const status = url.get("status");
  const name = url.get("name");
  const selected = url.get("experiment");
  const asking: Asking = {
    experiment: selected,
    method: url.get("method"),
    correction: url.get("correction"),
    from: url.get("from"),
    to: url.get("to"),
    lift: url.get("lift") === "absolute" ? "absolute" : "relative",
  };
  const [state, retry] = useQuery<{ experiments: Listing[] }>(EXPERIMENTS, { filter: { status: status || null, name: name || null } });
  const search = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    url.set({ name: String(new FormData(event.currentTarget).get("name") ?? "").trim() }, true);
  };
  const filters = { status, name, experiment: selected, method: asking.method, correction: asking.correction, from: asking.from, to: asking.to };
  return (
    <ExportScopeContext.Provider value={{ view: "experiments", filters, asOf: null }}>
      <section aria-labelledby="experiments-title" className="report-page">
        <h1 id="experiments-title">Experiments</h1>
        <form key={name} className="filters no-print" aria-label="Filter the experiments" onSubmit={search}>
          <FilterSelect id="experiment-status" label="Status" value={status} options={["started", "changed", "stopped"]} onChange={(value) => url.set({ status: value }, true)} />
          <div>
            <label htmlFor="experiment-name">Name contains</label>
            <input id="experiment-name" name="name" defaultValue={name} />
          </div>
          <button type="submit">Search</button>
        </form>
        <div className={selected ? "no-print" : undefined}>
          {state.status === "answered" ? (
            <ExperimentList rows={state.answer.data.experiments} selected={selected} onSelect={(experiment) => url.set({ experiment }, true)} />
          ) : state.status === "failed" ? (
            <ErrorNotice message={state.message} retry={retry} />
          ) : (
            <Loading what="experiments" />
          )}
        </div>
        {selected && (
          <>
            <form className="filters no-print" aria-label="How to analyse" onSubmit={(event) => event.preventDefault()}>
              <FilterSelect id="experiment-method" label="Method" value={asking.method} any="the server's default" options={METHODS} onChange={(value) => url.set({ method: value }, true)} />
              <FilterSelect id="experiment-correction" label="Correction" value={asking.correction} any="the server's default" options={CORRECTIONS} onChange={(value) => url.set({ correction: value }, true)} />
              <div>
                <label htmlFor="experiment-from">From (UTC day)</label>
                <input id="experiment-from" type="date" value={asking.from} onChange={(event) => url.set({ from: event.target.value }, true)} />
              </div>
              <div>
                <label htmlFor="experiment-to">To (UTC day, excluded)</label>
                <input id="experiment-to" type="date" value={asking.to} onChange={(event) => url.set({ to: event.target.value }, true)} />
              </div>
            </form>
            <ExperimentReportView asking={asking} onLift={(lift) => url.set({ lift }, true)} />
          </>
        )}
      </section>
    </ExportScopeContext.Provider>
  );
}

function ExperimentList({ rows, selected, onSelect }: { rows: Listing[]; selected: string; onSelect: (name: string) => void }) {
  const columns: TableColumn<Listing>[] = [
    choiceColumn("name", "Experiment", (e) => e.name, (e) => e.name === selected, (e) => onSelect(e.name)),
    { key: "status", header: "Status", value: (e) => e.status },
    { key: "owner", header: "Owner", value: (e) => e.owner },
    { key: "unit", header: "Unit", value: (e) => e.randomizationUnit },
    { key: "startedAt", header: "Started", value: (e) => e.startedAt, render: (e) => <Time value={e.startedAt} /> },
    { key: "stoppedAt", header: "Stopped", value: (e) => e.stoppedAt, render: (e) => <Time value={e.stoppedAt} /> },
    { key: "requests", header: "Requests", value: (e) => e.requests, render: (e) => count(e.requests), numeric: true },
    {
      key: "variants",
      header: "Variants (share, requests)",
      value: (e) => e.variants.map(variantText).join("; "),
      // a variant a line, unbroken, so a narrow window doesn't squeeze the column into a word a line
      render: (e) => e.variants.map((v) => <div key={v.name} className="nowrap">{variantText(v)}</div>),
    },
  ];
  return (
    <DataTable
      name="experiments"
      caption="Experiments, most recently started first"
      columns={columns}
      rows={rows}
      rowKey={(e) => e.uid}
      empty="No experiment matches. Experiments arrive as experiment.started events (docs/experiments.md)."
    />
  );
}
