// A change plan's report (GraphQL changePlan): its risk and reasons, what it touches,
// its traffic per day and segment, whom to tell and what has nothing to take over. The
// Impact view shows it for a plan written in the page, and for a node going away.
import { Chart } from "../components/Chart";
import { DataTable, type TableColumn } from "../components/DataTable";
import { count, percent } from "../components/format";
import { Figures, RiskLevel, UidList } from "../components/Report";
import { HiddenBadges, type HiddenCount } from "../components/Status";
import { Time } from "../components/Time";
import { trafficByDay, trafficBySegment } from "./charts";
import { type Touched, TouchedTable } from "./TouchedTable";

export const CHANGE_PLAN = `
query ChangePlan($change: ChangePlanInput!) {
  changePlan(change: $change) {
    title asOf windowStart windowEnd level
    reasons { change level rule message }
    changes { index action target { uid } replacement { uid } level recommendations share }
    featureVersions { uid owner }
    modelVersions { uid }
    deployments { uid environment status }
    variants { uid trafficShare }
    experiments { uid status }
    activeDeployments runningExperiments
    recommendations allRecommendations share
    byDay { day recommendations total }
    bySegment { segment recommendations total }
    byModelVersion { key count }
    owners { owner affected }
    replacements { uid replacement }
    withoutReplacement
    hidden { kind count }
  }
}`;

interface Reason {
  change: number;
  level: string;
  rule: string;
  message: string;
}

interface PlanChange {
  index: number;
  action: string;
  target: { uid: string };
  replacement: { uid: string } | null;
  level: string;
  recommendations: number;
  share: number;
}

export interface ChangePlanReport {
  title: string | null;
  asOf: string;
  windowStart: string;
  windowEnd: string;
  level: string;
  reasons: Reason[];
  changes: PlanChange[];
  featureVersions: { uid: string; owner: string | null }[];
  modelVersions: { uid: string }[];
  deployments: { uid: string; environment: string; status: string | null }[];
  variants: { uid: string; trafficShare: number | null }[];
  experiments: { uid: string; status: string | null }[];
  activeDeployments: string[];
  runningExperiments: string[];
  recommendations: number;
  allRecommendations: number;
  share: number;
  byDay: { day: string; recommendations: number; total: number }[];
  bySegment: { segment: string; recommendations: number; total: number }[];
  byModelVersion: { key: string; count: number }[];
  owners: { owner: string; affected: string[] }[];
  replacements: { uid: string; replacement: string | null }[];
  withoutReplacement: string[];
  hidden: HiddenCount[];
}

const REASONS: TableColumn<Reason>[] = [
  { key: "change", header: "Change", value: (r) => r.change, numeric: true },
  { key: "level", header: "Risk", value: (r) => r.level.toLowerCase(), render: (r) => <RiskLevel level={r.level} /> },
  { key: "rule", header: "Rule", value: (r) => r.rule },
  { key: "message", header: "Reason", value: (r) => r.message },
];

const CHANGES: TableColumn<PlanChange>[] = [
  { key: "index", header: "Change", value: (c) => c.index, numeric: true },
  { key: "action", header: "Action", value: (c) => c.action.toLowerCase() },
  { key: "target", header: "Target", value: (c) => c.target.uid, render: (c) => <code>{c.target.uid}</code> },
  { key: "replacement", header: "Replaced by", value: (c) => c.replacement?.uid ?? null },
  { key: "level", header: "Risk", value: (c) => c.level.toLowerCase(), render: (c) => <RiskLevel level={c.level} /> },
  { key: "recommendations", header: "Recommendations", value: (c) => c.recommendations, render: (c) => count(c.recommendations), numeric: true },
  { key: "share", header: "Share", value: (c) => c.share, render: (c) => percent(c.share), numeric: true },
];

type DayRow = ChangePlanReport["byDay"][number];
const DAYS: TableColumn<DayRow>[] = [
  { key: "day", header: "Day (UTC)", value: (d) => d.day },
  { key: "recommendations", header: "Through the change", value: (d) => d.recommendations, render: (d) => count(d.recommendations), numeric: true },
  { key: "total", header: "All", value: (d) => d.total, render: (d) => count(d.total), numeric: true },
];

type SegmentRow = ChangePlanReport["bySegment"][number];
const SEGMENTS: TableColumn<SegmentRow>[] = [
  { key: "segment", header: "Segment", value: (s) => s.segment },
  { key: "recommendations", header: "Through the change", value: (s) => s.recommendations, render: (s) => count(s.recommendations), numeric: true },
  { key: "total", header: "All", value: (s) => s.total, render: (s) => count(s.total), numeric: true },
];

type Owner = ChangePlanReport["owners"][number];
const OWNERS: TableColumn<Owner>[] = [
  { key: "owner", header: "Owner", value: (o) => o.owner },
  { key: "affected", header: "Affected", value: (o) => o.affected.join(", ") },
];

const COUNTS: TableColumn<{ key: string; count: number }>[] = [
  { key: "key", header: "Model version", value: (c) => c.key, render: (c) => <code>{c.key}</code> },
  { key: "count", header: "Recommendations", value: (c) => c.count, render: (c) => count(c.count), numeric: true },
];

function touched(report: ChangePlanReport): Touched[] {
  const replacement = new Map(report.replacements.map((r) => [r.uid, r.replacement]));
  const taken = (uid: string) => {
    const by = replacement.get(uid);
    return by === undefined ? "" : by ? `replaced by ${by}` : "nothing takes over";
  };
  const active = new Set(report.activeDeployments);
  const running = new Set(report.runningExperiments);
  return [
    ...report.modelVersions.map((m) => ({ kind: "ModelVersion", uid: m.uid, note: taken(m.uid) })),
    ...report.deployments.map((d) => ({
      kind: "Deployment",
      uid: d.uid,
      note: `${d.environment}, ${active.has(d.uid) ? "active at the plan's time" : (d.status ?? "inactive")}`,
    })),
    ...report.experiments.map((e) => ({ kind: "Experiment", uid: e.uid, note: running.has(e.uid) ? "running" : (e.status ?? "") })),
    ...report.variants.map((v) => ({ kind: "Variant", uid: v.uid, note: v.trafficShare === null ? "" : `share ${percent(v.trafficShare)}` })),
    ...report.featureVersions.map((f) => ({ kind: "FeatureVersion", uid: f.uid, note: [f.owner, taken(f.uid)].filter(Boolean).join("; ") })),
  ];
}

export function ChangePlanReportView({ report, name }: { report: ChangePlanReport; name: string }) {
  return (
    <>
      <Figures
        figures={[
          { key: "level", label: "Risk", value: <RiskLevel level={report.level} /> },
          { key: "recommendations", label: "Recommendations through it", value: count(report.recommendations) },
          { key: "all-recommendations", label: "All recommendations", value: count(report.allRecommendations) },
          { key: "share", label: "Share of the traffic", value: percent(report.share) },
          {
            key: "window",
            label: "Traffic window (UTC)",
            value: `${report.windowStart} to ${report.windowEnd}`,
            note: (
              <>
                judged as of <Time value={report.asOf} />; the last day does not count
              </>
            ),
          },
        ]}
      />
      <HiddenBadges hidden={report.hidden} />
      <h3>Why this risk</h3>
      <DataTable name={`${name}-reasons`} caption="Risk reasons" columns={REASONS} rows={report.reasons} rowKey={(r) => `${r.change}-${r.rule}-${r.message}`} empty="No reason to worry: nothing depends on it." />
      {report.changes.length > 1 && (
        <DataTable name={`${name}-changes`} caption="Changes of the plan" columns={CHANGES} rows={report.changes} rowKey={(c) => String(c.index)} />
      )}
      <h3>What it touches</h3>
      <TouchedTable name={`${name}-touched`} rows={touched(report)} />
      <h3>Traffic</h3>
      <div className="chart-pair">
        <Chart
          name={`${name}-traffic-by-day`}
          caption="Recommendations per day"
          summary={`${count(report.recommendations)} of ${count(report.allRecommendations)} recommendations from ${report.windowStart} went through the change; the table below has each day.`}
          option={trafficByDay(report.byDay)}
        />
        <Chart
          name={`${name}-traffic-by-segment`}
          caption="Recommendations per segment"
          summary={`Recommendations through the change in each of ${report.bySegment.length} segments; the table below has the counts.`}
          option={trafficBySegment(report.bySegment)}
        />
      </div>
      <div className="table-pair">
        <DataTable name={`${name}-by-day`} caption="Per day" columns={DAYS} rows={report.byDay} rowKey={(d) => d.day} />
        <DataTable name={`${name}-by-segment`} caption="Per segment" columns={SEGMENTS} rows={report.bySegment} rowKey={(s) => s.segment} />
      </div>
      <DataTable name={`${name}-by-model-version`} caption="Per model version" columns={COUNTS} rows={report.byModelVersion} rowKey={(c) => c.key} empty="No model version served through it in the window." />
      <h3>Whom to tell</h3>
      <DataTable name={`${name}-owners`} caption="Owners" columns={OWNERS} rows={report.owners} rowKey={(o) => o.owner} empty="No owner is declared on what it touches." />
      <h3>Without replacement</h3>
      {report.withoutReplacement.length === 0 ? (
        <p>Everything affected has a version that takes over.</p>
      ) : (
        <UidList label="Affected versions nothing takes over" uids={report.withoutReplacement} />
      )}
    </>
  );
}
