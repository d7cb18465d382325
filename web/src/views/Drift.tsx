// Drift: the alerts the drift scans raised (GraphQL driftAlerts), filtered, each with its
// top cause and blast radius; one selected shows its ranked causes, blast radius and every
// window of its signal against baseline and threshold (node, driftReport).
import { type QueryState, useQuery } from "../api/useQuery";
import { type AlertRow, DriftAlertReport } from "../analyses/DriftAlertReport";
import { choiceColumn, DataTable, type TableColumn } from "../components/DataTable";
import { ExportScopeContext } from "../components/exports";
import { FilterSelect } from "../components/FilterSelect";
import { count, significant } from "../components/format";
import { ErrorNotice, Loading } from "../components/Status";
import { Time } from "../components/Time";
import { useUrlState } from "../components/urlState";

const ALERTS = `
query DriftAlerts($filter: DriftAlertFilterInput, $after: String) {
  driftAlerts(filter: $filter, first: 50, after: $after) {
    edges {
      node {
        uid signal signalKind subject verdict status severity onset lastWindow windows
        statistic value threshold lastSeen
        causes { uid kind score } hiddenCauses
        blastRadius { recommendations }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface AlertsAnswer {
  driftAlerts: { edges: { node: AlertRow }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const SIGNAL_KINDS = [
  "feature_distribution",
  "feature_nulls",
  "feature_volume",
  "training_skew",
  "score_distribution",
  "outcome_rate",
  "outcome_value",
  "traffic_mix",
  "item_popularity",
];
const FILTERS = ["status", "verdict", "severity", "signalKind"] as const;

export function Drift() {
  const url = useUrlState();
  const filter = Object.fromEntries(FILTERS.map((key) => [key, url.get(key) || null]));
  const after = url.get("after") || null;
  const selected = url.get("alert");
  const [state, retry] = useQuery<AlertsAnswer>(ALERTS, { filter, after });
  const choose = (key: string) => (value: string) => url.set({ [key]: value, after: null }, true);
  return (
    <ExportScopeContext.Provider value={{ view: "drift", filters: { ...filter, after }, asOf: null }}>
      <section aria-labelledby="drift-title" className="report-page">
        <h1 id="drift-title">Drift</h1>
        <form className="filters no-print" aria-label="Filter the alerts" onSubmit={(event) => event.preventDefault()}>
          <FilterSelect id="drift-status" label="Status" value={url.get("status")} options={["open", "resolved"]} onChange={choose("status")} />
          <FilterSelect id="drift-verdict" label="Verdict" value={url.get("verdict")} options={["drift", "seasonality"]} onChange={choose("verdict")} />
          <FilterSelect id="drift-severity" label="Severity" value={url.get("severity")} options={["critical", "warning", "info"]} onChange={choose("severity")} />
          <FilterSelect id="drift-kind" label="Signal kind" value={url.get("signalKind")} options={SIGNAL_KINDS} onChange={choose("signalKind")} />
        </form>
        <div className={selected ? "no-print" : undefined}>
          <AlertList state={state} retry={retry} selected={selected} onSelect={(uid) => url.set({ alert: uid, baseline: null, signals: null }, true)} />
          {state.status === "answered" && (after || state.answer.data.driftAlerts.pageInfo.hasNextPage) && (
            <nav className="pager no-print" aria-label="Pages of alerts">
              {after && (
                <button type="button" onClick={() => url.set({ after: null }, true)}>
                  First page
                </button>
              )}
              {state.answer.data.driftAlerts.pageInfo.hasNextPage && (
                <button type="button" onClick={() => url.set({ after: state.answer.data.driftAlerts.pageInfo.endCursor }, true)}>
                  Next page
                </button>
              )}
            </nav>
          )}
        </div>
        {selected && <DriftAlertReport uid={selected} />}
      </section>
    </ExportScopeContext.Provider>
  );
}

function AlertList({ state, retry, selected, onSelect }: {
  state: QueryState<AlertsAnswer>;
  retry: () => void;
  selected: string;
  onSelect: (uid: string) => void;
}) {
  if (state.status === "loading" || state.status === "idle") return <Loading what="drift alerts" />;
  if (state.status === "failed") return <ErrorNotice message={state.message} retry={retry} />;
  const rows = state.answer.data.driftAlerts.edges.map((edge) => edge.node);
  const columns: TableColumn<AlertRow>[] = [
    { key: "severity", header: "Severity", value: (a) => a.severity, render: (a) => <span className={`severity severity-${a.severity}`}>{a.severity}</span> },
    choiceColumn("signal", "Signal", (a) => a.signal, (a) => a.uid === selected, (a) => onSelect(a.uid)),
    { key: "verdict", header: "Verdict", value: (a) => a.verdict },
    { key: "status", header: "Status", value: (a) => a.status },
    { key: "onset", header: "Onset", value: (a) => a.onset, render: (a) => <Time value={a.onset} /> },
    { key: "windows", header: "Windows", value: (a) => a.windows, numeric: true },
    { key: "statistic", header: "Statistic", value: (a) => a.statistic },
    { key: "value", header: "Value", value: (a) => a.value, render: (a) => significant(a.value), numeric: true },
    { key: "threshold", header: "Threshold", value: (a) => a.threshold, render: (a) => significant(a.threshold), numeric: true },
    { key: "cause", header: "Top cause", value: (a) => a.causes[0]?.uid ?? null, render: (a) => (a.causes[0] ? <code>{a.causes[0].uid}</code> : "—") },
    { key: "blast", header: "Recommendations since onset", value: (a) => a.blastRadius.recommendations, render: (a) => count(a.blastRadius.recommendations), numeric: true },
  ];
  return (
    <DataTable
      name="alerts"
      caption="Drift alerts, most recently seen first"
      columns={columns}
      rows={rows}
      rowKey={(a) => a.uid}
      empty="No drift alert matches these filters. Drift scans run in the API process (graph-lineage up scans every hour) or with graph-lineage drift scan."
    />
  );
}
