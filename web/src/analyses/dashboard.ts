// What the dashboard draws, as ECharts options built from its answer: traffic stacked by
// model version and by variant, outcome rates, and one time axis of lineage changes,
// anomalies and drift onsets. Bars and points stand at the middle of their bucket, so that
// each spans its time on an axis shared with the changes; series differ by pattern or
// shape as well as colour.
import type { ChartOption } from "../components/Chart";
import { percent } from "../components/format";
import type { HiddenCount } from "../components/Status";

export interface Count {
  key: string;
  count: number;
}

export interface OutcomeRate {
  kind: string;
  count: number;
  rate: number;
}

export interface TrafficBucket {
  start: string;
  end: string;
  recommendations: number;
  byModelVersion: Count[];
  byVariant: Count[];
  outcomes: OutcomeRate[];
}

export interface LineageChange {
  at: string;
  kind: string;
  uid: string;
  name: string;
}

export interface Anomaly {
  uid: string;
  rule: string;
  severity: string;
  summary: string;
  count: number;
  firstSeen: string | null;
  lastSeen: string | null;
}

export interface DriftAlert {
  uid: string;
  signal: string;
  severity: string;
  verdict: string;
  summary: string;
  onset: string | null;
  lastWindow: string | null;
}

export interface CompletenessAudit {
  uid: string;
  windowStart: string | null;
  windowEnd: string | null;
  finishedAt: string | null;
  recommendations: number | null;
  complete: number | null;
  share: number | null;
  passed: boolean | null;
}

export interface Dashboard {
  from: string;
  to: string;
  recommendations: number;
  outcomes: OutcomeRate[];
  traffic: TrafficBucket[];
  segments: Count[];
  cohorts: Count[];
  anomalies: Anomaly[];
  driftAlerts: DriftAlert[];
  completeness: CompletenessAudit[] | null;
  changes: LineageChange[];
  hidden: HiddenCount[];
}

export const CHANGE_LABELS: Record<string, string> = {
  feature_version: "Feature version materialized",
  model_version: "Model version trained",
  deployment: "Deployment",
  retirement: "Retirement",
  experiment_started: "Experiment started",
  experiment_changed: "Experiment changed",
  experiment_stopped: "Experiment stopped",
};

// One row of the time axis per kind of event, each with its own marker shape.
export const AXIS_ROWS: { row: string; symbol: string; kinds: string[] }[] = [
  { row: "Feature versions", symbol: "circle", kinds: ["feature_version"] },
  { row: "Model versions", symbol: "rect", kinds: ["model_version"] },
  { row: "Deployments", symbol: "triangle", kinds: ["deployment", "retirement"] },
  { row: "Experiments", symbol: "diamond", kinds: ["experiment_started", "experiment_changed", "experiment_stopped"] },
  { row: "Anomalies", symbol: "pin", kinds: ["anomaly"] },
  { row: "Drift alerts", symbol: "arrow", kinds: ["drift"] },
];

/** Where a bucket's bar or point stands on a time axis: its middle, so that it spans its time. */
function middle(bucket: TrafficBucket): number {
  return (Date.parse(bucket.start) + Date.parse(bucket.end)) / 2;
}

export function counted(counts: Count[], key: string): number {
  return counts.find((item) => item.key === key)?.count ?? 0;
}

/** Every key of the buckets' counts, the largest overall first. */
export function keysOf(buckets: TrafficBucket[], pick: (bucket: TrafficBucket) => Count[]): string[] {
  const totals = new Map<string, number>();
  for (const bucket of buckets) for (const item of pick(bucket)) totals.set(item.key, (totals.get(item.key) ?? 0) + item.count);
  return [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([key]) => key);
}

export function outcomeKinds(buckets: TrafficBucket[]): string[] {
  return [...new Set(buckets.flatMap((bucket) => bucket.outcomes.map((outcome) => outcome.kind)))].sort();
}

export function rateOf(bucket: TrafficBucket, kind: string): number | null {
  if (bucket.recommendations === 0) return null;
  return bucket.outcomes.find((outcome) => outcome.kind === kind)?.rate ?? 0;
}

// Past eight series the palette's colours repeat: decal patterns tell the series apart,
// so no series is told by colour alone (ECharts' own aria label is left to the figure's).
const PATTERNS = { enabled: true, label: { enabled: false }, decal: { show: true } };

export function stackedBars(
  buckets: TrafficBucket[],
  keys: string[],
  pick: (bucket: TrafficBucket) => Count[],
  range: [string, string],
): ChartOption {
  return {
    aria: PATTERNS,
    tooltip: { trigger: "axis" },
    legend: { type: "scroll", top: 0 },
    grid: { left: 56, right: 16, top: 48, bottom: 40 },
    xAxis: { type: "time", min: range[0], max: range[1] },
    yAxis: { type: "value", name: "recommendations", nameLocation: "middle", nameGap: 44 },
    series: keys.map((key) => ({
      name: key,
      type: "bar",
      stack: "traffic",
      barMaxWidth: 28,
      data: buckets.map((bucket) => [middle(bucket), counted(pick(bucket), key)]),
    })),
  };
}

export function ratesChart(buckets: TrafficBucket[], kinds: string[], range: [string, string]): ChartOption {
  const symbols = ["circle", "rect", "triangle", "diamond", "pin", "arrow"];
  return {
    tooltip: { trigger: "axis", valueFormatter: (value: unknown) => percent(typeof value === "number" ? value : null) },
    legend: { top: 0 },
    grid: { left: 56, right: 16, top: 40, bottom: 40 },
    xAxis: { type: "time", min: range[0], max: range[1] },
    yAxis: { type: "value", axisLabel: { formatter: (value: number) => percent(value) } },
    series: kinds.map((kind, index) => ({
      name: kind,
      type: "line",
      symbol: symbols[index % symbols.length],
      symbolSize: 7,
      connectNulls: false,
      data: buckets.map((bucket) => [middle(bucket), rateOf(bucket, kind)]),
    })),
  };
}

export interface AxisPoint {
  row: string;
  at: string;
  label: string;
}

export function axisPoints(data: Dashboard): AxisPoint[] {
  const rowOf = (kind: string) => AXIS_ROWS.find((row) => row.kinds.includes(kind))?.row ?? "Experiments";
  return [
    ...data.changes.map((change) => ({
      row: rowOf(change.kind),
      at: change.at,
      label: `${CHANGE_LABELS[change.kind] ?? change.kind}: ${change.name}`,
    })),
    ...data.anomalies.flatMap((anomaly) =>
      anomaly.firstSeen ? [{ row: "Anomalies", at: anomaly.firstSeen, label: `Anomaly first seen: ${anomaly.summary}` }] : [],
    ),
    ...data.driftAlerts.flatMap((alert) =>
      alert.onset ? [{ row: "Drift alerts", at: alert.onset, label: `Drift since: ${alert.summary}` }] : [],
    ),
  ];
}

export function timeAxisChart(points: AxisPoint[], range: [string, string]): ChartOption {
  const times = [...points.map((point) => point.at), ...range].sort();
  return {
    tooltip: { trigger: "item", formatter: (item: { data: [string, string, string] }) => item.data[2] },
    grid: { left: 120, right: 16, top: 16, bottom: 40 },
    xAxis: { type: "time", min: times[0], max: times[times.length - 1] },
    yAxis: { type: "category", data: AXIS_ROWS.map((row) => row.row), inverse: true },
    series: AXIS_ROWS.map((row) => ({
      name: row.row,
      type: "scatter",
      symbol: row.symbol,
      symbolSize: 12,
      data: points.filter((point) => point.row === row.row).map((point) => [point.at, point.row, point.label]),
      markArea:
        row.row === AXIS_ROWS[0]?.row
          ? { silent: true, itemStyle: { color: "rgba(0, 114, 178, 0.06)" }, data: [[{ xAxis: range[0] }, { xAxis: range[1] }]] }
          : undefined,
    })),
  };
}
