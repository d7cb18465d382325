// One drift alert: what drifted and since when, its likely causes ranked, what it touches
// downstream with the traffic since the onset, and each window of its signal (or of every
// signal of its subject) against the baseline and the threshold.
import { useQuery } from "../api/useQuery";
import { Chart } from "../components/Chart";
import { DataTable, type TableColumn } from "../components/DataTable";
import { ExportScopeContext, useExportScope } from "../components/exports";
import { FilterSelect } from "../components/FilterSelect";
import { count, significant } from "../components/format";
import { Asked, Figures, ReportToolbar, UidList } from "../components/Report";
import { Empty, ErrorNotice, HiddenBadges, type HiddenCount, Loading } from "../components/Status";
import { Time } from "../components/Time";
import { useUrlState } from "../components/urlState";
import { driftSeries, usageByDay, type Usage, type WindowPoint } from "./charts";
import { type Touched, TouchedTable } from "./TouchedTable";

const ALERT = `
query DriftAlert($uid: ID!) {
  node(uid: $uid) {
    uid kind
    ... on DriftAlert {
      signal signalKind subject verdict status severity summary onset lastWindow windows
      statistic value threshold baseline firstSeen lastSeen resolvedAt scans
      causes { uid kind score evidence } hiddenCauses
      blastRadius { modelVersions deployments variants experiments recommendations usage { day segment count } }
      evidence hiddenEvidence { kind count }
    }
  }
}`;

const REPORT = `
query DriftSeries($uid: ID!, $baseline: DriftBaseline) {
  driftReport(uid: $uid, baseline: $baseline) {
    uid baseline truncated
    signals {
      signal signalKind subject
      windows { start end count verdict statistic value pValue threshold baseline baselineWindows seasonalValue reason }
    }
  }
}`;

interface Cause {
  uid: string;
  kind: string;
  score: number;
  evidence: string;
}

/** An alert as the list shows it. */
export interface AlertRow {
  uid: string;
  signal: string;
  signalKind: string;
  subject: string | null;
  verdict: string;
  status: string | null;
  severity: string;
  onset: string | null;
  lastWindow: string | null;
  windows: number;
  statistic: string | null;
  value: number | null;
  threshold: number | null;
  lastSeen: string | null;
  causes: { uid: string; kind: string; score: number }[];
  hiddenCauses: number;
  blastRadius: { recommendations: number };
}

/** An alert as its report shows it. */
interface Alert extends AlertRow {
  kind: string;
  summary: string;
  baseline: string | null;
  firstSeen: string | null;
  resolvedAt: string | null;
  scans: number;
  causes: Cause[];
  blastRadius: {
    modelVersions: string[];
    deployments: string[];
    variants: string[];
    experiments: string[];
    recommendations: number;
    usage: Usage[];
  };
  evidence: string[];
  hiddenEvidence: HiddenCount[];
}

interface Window extends WindowPoint {
  end: string;
  count: number;
  pValue: number | null;
  baselineWindows: number | null;
  reason: string | null;
}

interface Series {
  signal: string;
  signalKind: string;
  subject: string | null;
  windows: Window[];
}

interface ReportAnswer {
  driftReport: { uid: string; baseline: string | null; truncated: boolean; signals: Series[] };
}

const CAUSES: TableColumn<Cause & { rank: number }>[] = [
  { key: "rank", header: "Rank", value: (c) => c.rank, numeric: true },
  { key: "uid", header: "Cause", value: (c) => c.uid, render: (c) => <code>{c.uid}</code> },
  { key: "kind", header: "Kind", value: (c) => c.kind },
  { key: "score", header: "Score", value: (c) => c.score, render: (c) => significant(c.score), numeric: true },
  { key: "evidence", header: "Evidence", value: (c) => c.evidence },
];

const USAGE: TableColumn<Usage>[] = [
  { key: "day", header: "Day (UTC)", value: (u) => u.day },
  { key: "segment", header: "Segment", value: (u) => u.segment },
  { key: "count", header: "Recommendations", value: (u) => u.count, render: (u) => count(u.count), numeric: true },
];

const WINDOWS: TableColumn<Window>[] = [
  { key: "start", header: "Window start", value: (w) => w.start, render: (w) => <Time value={w.start} /> },
  { key: "count", header: "Observations", value: (w) => w.count, render: (w) => count(w.count), numeric: true },
  { key: "verdict", header: "Verdict", value: (w) => w.verdict },
  { key: "statistic", header: "Statistic", value: (w) => w.statistic },
  { key: "value", header: "Value", value: (w) => w.value, render: (w) => significant(w.value), numeric: true },
  { key: "pValue", header: "p-value", value: (w) => w.pValue, render: (w) => significant(w.pValue), numeric: true },
  { key: "threshold", header: "Threshold", value: (w) => w.threshold, render: (w) => significant(w.threshold), numeric: true },
  { key: "baseline", header: "Baseline", value: (w) => w.baseline },
  { key: "baselineWindows", header: "Baseline windows", value: (w) => w.baselineWindows, numeric: true },
  { key: "seasonalValue", header: "Against the season", value: (w) => w.seasonalValue, render: (w) => significant(w.seasonalValue), numeric: true },
  { key: "reason", header: "Reason", value: (w) => w.reason },
];

function blast(alert: Alert): Touched[] {
  const radius = alert.blastRadius;
  return [
    ...radius.modelVersions.map((uid) => ({ kind: "ModelVersion", uid, note: "" })),
    ...radius.deployments.map((uid) => ({ kind: "Deployment", uid, note: "" })),
    ...radius.experiments.map((uid) => ({ kind: "Experiment", uid, note: "" })),
    ...radius.variants.map((uid) => ({ kind: "Variant", uid, note: "" })),
  ];
}

export function DriftAlertReport({ uid }: { uid: string }) {
  const [state, retry] = useQuery<{ node: Alert | null }>(ALERT, { uid });
  if (state.status === "loading" || state.status === "idle") return <Loading what={`the alert ${uid}`} />;
  if (state.status === "failed") return <ErrorNotice message={state.message} retry={retry} />;
  const alert = state.answer.data.node;
  if (!alert || alert.kind !== "DriftAlert") return <ErrorNotice message={`No drift alert has uid ${uid}: pick one from the list.`} />;
  const causes = alert.causes.map((cause, index) => ({ ...cause, rank: index + 1 }));
  const hiddenCauses = alert.hiddenCauses > 0 ? [{ kind: "causes", count: alert.hiddenCauses }] : [];
  return (
    <article className="report" aria-labelledby="alert-title">
      <h2 id="alert-title">
        <span className={`severity severity-${alert.severity}`}>{alert.severity}</span> {alert.signal}
      </h2>
      <Asked items={[["Alert", alert.uid], ["Status", alert.status], ["Last seen", <Time key="seen" value={alert.lastSeen} />]]} />
      <ReportToolbar label="the drift alert's report" />
      <p>{alert.summary}</p>
      <Figures
        figures={[
          { key: "statistic", label: `${alert.statistic ?? "Statistic"} at its largest`, value: significant(alert.value) },
          { key: "threshold", label: "Threshold", value: significant(alert.threshold) },
          { key: "baseline", label: "Baseline", value: alert.baseline ?? "—" },
          { key: "windows", label: "Drifted windows", value: count(alert.windows) },
          { key: "onset", label: "Onset", value: <Time value={alert.onset} /> },
          { key: "blast-recommendations", label: "Recommendations since the onset", value: count(alert.blastRadius.recommendations) },
        ]}
      />
      <h3>Likely causes, best first</h3>
      <HiddenBadges hidden={hiddenCauses} />
      <DataTable name="causes" caption="Ranked contributing signals and causes" columns={CAUSES} rows={causes} rowKey={(c) => c.uid} empty="No likely cause was found." />
      <h3>Blast radius</h3>
      <TouchedTable name="blast-radius" rows={blast(alert)} />
      {alert.blastRadius.usage.length > 0 && (
        <Chart
          name="blast-radius-usage"
          caption="Recommendations since the onset, per day and segment"
          summary={`${count(alert.blastRadius.recommendations)} recommendations went through what drifted since the onset; the table below has each day and segment.`}
          option={usageByDay(alert.blastRadius.usage)}
        />
      )}
      <DataTable name="blast-radius-usage" caption="Per day and segment" columns={USAGE} rows={alert.blastRadius.usage} rowKey={(u) => `${u.day}|${u.segment}`} empty="Nothing downstream served recommendations since the onset." />
      <h3>Evidence</h3>
      <HiddenBadges hidden={alert.hiddenEvidence} />
      {alert.evidence.length === 0 ? (
        <Empty>No evidence node your role may see.</Empty>
      ) : (
        <UidList label="Evidence" uids={alert.evidence} />
      )}
      <SignalSeries alert={alert} />
    </article>
  );
}

function SignalSeries({ alert }: { alert: Alert }) {
  const url = useUrlState();
  const scope = useExportScope();
  const baseline = url.get("baseline");
  const everySignal = url.get("signals") === "subject" && alert.subject !== null;
  const uid = everySignal && alert.subject ? alert.subject : alert.uid;
  const [state, retry] = useQuery<ReportAnswer>(REPORT, { uid, baseline: baseline || null });
  return (
    <ExportScopeContext.Provider value={{ ...scope, filters: { ...scope.filters, alert: alert.uid, baseline, signals: uid } }}>
      <section aria-labelledby="series-title">
        <h3 id="series-title">Windows of the signal</h3>
        <form className="filters no-print" aria-label="Which windows" onSubmit={(event) => event.preventDefault()}>
          <FilterSelect
            id="drift-baseline"
            label="Judge against"
            value={baseline}
            any="the scans' baseline"
            options={[["TRAILING", "trailing windows"], ["SEASONAL", "the same window a season before"], ["FIXED", "the fixed reference period"]]}
            onChange={(value) => url.set({ baseline: value }, true)}
          />
          {alert.subject && (
            <div>
              <label>
                <input type="checkbox" checked={everySignal} onChange={(event) => url.set({ signals: event.target.checked ? "subject" : null }, true)} /> every signal of{" "}
                <code>{alert.subject}</code>
              </label>
            </div>
          )}
        </form>
        {state.status === "answered" ? (
          <SeriesCharts report={state.answer.data.driftReport} />
        ) : state.status === "failed" ? (
          <ErrorNotice message={state.message} retry={retry} />
        ) : (
          <Loading what="the signal's windows" />
        )}
      </section>
    </ExportScopeContext.Provider>
  );
}

function SeriesCharts({ report }: { report: ReportAnswer["driftReport"] }) {
  if (report.signals.length === 0) return <Empty>No window of this signal was judged yet.</Empty>;
  return (
    <>
      {report.truncated && <p className="status empty">More windows than one answer holds: the oldest are left out.</p>}
      {report.signals.map((series, index) => {
        const drifted = series.windows.filter((w) => w.verdict === "drift").length;
        return (
          <div key={series.signal} className="series">
            <Chart
              name={`series-${index + 1}`}
              caption={series.signal}
              summary={`${series.windows.length} windows, ${drifted} drifted; the statistic of each window against its threshold and its baseline. The table below has every window.`}
              option={driftSeries(series.windows)}
            />
            <DataTable name={`windows-${index + 1}`} caption={`Windows of ${series.signal}`} columns={WINDOWS} rows={series.windows} rowKey={(w) => w.start} />
          </div>
        );
      })}
    </>
  );
}
