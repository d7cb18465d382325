// The dashboard: a range of days at a glance. Traffic by model version and by variant,
// outcome rates, and one time axis marking lineage changes, anomalies and drift alerts;
// tables of the open findings, completeness audits and changes. The range, bucket,
// segment and cohort live in the URL (a URL without a range gets the last 30 days).
import { useEffect, useMemo } from "react";

import {
  type Anomaly,
  axisPoints,
  CHANGE_LABELS,
  type CompletenessAudit,
  type Count,
  counted,
  type Dashboard,
  type DriftAlert,
  keysOf,
  type LineageChange,
  outcomeKinds,
  rateOf,
  ratesChart,
  stackedBars,
  timeAxisChart,
  type TrafficBucket,
} from "../analyses/dashboard";
import { type Answer, isDenied } from "../api/client";
import { useQuery } from "../api/useQuery";
import { Chart } from "../components/Chart";
import { codeColumn, countColumn, timeColumn } from "../components/columns";
import { DataTable, type TableColumn } from "../components/DataTable";
import { FilterSelect } from "../components/FilterSelect";
import { ExportScopeContext } from "../components/exports";
import { count, percent, yesNo } from "../components/format";
import { ErrorNotice, HiddenBadges, Loading, NotVisible } from "../components/Status";
import { Time } from "../components/Time";
import { apiBounds, type DayRange, dayCount, lastDays } from "../components/timeRange";
import { useUrlState } from "../components/urlState";

const DASHBOARD = `
query Dashboard($from: DateTime!, $to: DateTime!, $segment: String, $cohort: String, $bucket: TimeBucket!) {
  dashboard(from: $from, to: $to, segment: $segment, cohort: $cohort, bucket: $bucket) {
    from to recommendations
    outcomes { kind count rate }
    traffic { start end recommendations byModelVersion { key count } byVariant { key count } outcomes { kind count rate } }
    segments { key count }
    cohorts { key count }
    anomalies { uid rule severity summary count firstSeen lastSeen }
    driftAlerts { uid signal severity verdict summary onset lastWindow }
    completeness { uid windowStart windowEnd finishedAt recommendations complete share passed }
    changes { at kind uid name }
    hidden { kind count }
  }
}`;

const BUCKETS = [
  { value: "hour", label: "Hour" },
  { value: "day", label: "Day" },
  { value: "week", label: "Week (from Monday)" },
];
const PRESETS = [7, 30];
const DEFAULT_DAYS = 30;

const ANOMALY_COLUMNS: TableColumn<Anomaly>[] = [
  { key: "severity", header: "Severity", value: (row) => row.severity },
  { key: "rule", header: "Rule", value: (row) => row.rule },
  { key: "summary", header: "Summary", value: (row) => row.summary },
  countColumn("count", "Recommendations", (row) => row.count),
  timeColumn("firstSeen", "First seen", (row) => row.firstSeen),
  timeColumn("lastSeen", "Last seen", (row) => row.lastSeen),
  codeColumn("uid", "Uid", (row) => row.uid),
];

const DRIFT_COLUMNS: TableColumn<DriftAlert>[] = [
  { key: "severity", header: "Severity", value: (row) => row.severity },
  { key: "verdict", header: "Verdict", value: (row) => row.verdict },
  { key: "summary", header: "Summary", value: (row) => row.summary },
  timeColumn("onset", "Onset", (row) => row.onset),
  timeColumn("lastWindow", "Last window", (row) => row.lastWindow),
  codeColumn("signal", "Signal", (row) => row.signal),
];

const COMPLETENESS_COLUMNS: TableColumn<CompletenessAudit>[] = [
  timeColumn("windowStart", "Window from", (row) => row.windowStart),
  timeColumn("windowEnd", "Window to", (row) => row.windowEnd),
  { key: "share", header: "Complete", numeric: true, value: (row) => row.share, render: (row) => percent(row.share) },
  countColumn("complete", "Complete recommendations", (row) => row.complete),
  countColumn("recommendations", "Recommendations", (row) => row.recommendations),
  { key: "passed", header: "Passed", value: (row) => yesNo(row.passed) },
  timeColumn("finishedAt", "Audited", (row) => row.finishedAt),
  codeColumn("uid", "Record", (row) => row.uid),
];

const CHANGE_COLUMNS: TableColumn<LineageChange>[] = [
  timeColumn("at", "When", (row) => row.at),
  { key: "kind", header: "Change", value: (row) => CHANGE_LABELS[row.kind] ?? row.kind },
  { key: "name", header: "Name", value: (row) => row.name },
  codeColumn("uid", "Uid", (row) => row.uid),
];

/** A filter's choices: the range's values with their recommendations, and the value chosen
 * even when the range has none of it. */
function choicesOf(counts: Count[], chosen: string): [string, string][] {
  const known = counts.some((item) => item.key === chosen) || !chosen ? counts : [...counts, { key: chosen, count: 0 }];
  return [...known].sort((a, b) => a.key.localeCompare(b.key)).map((item) => [item.key, `${item.key} (${count(item.count)})`]);
}

export function DashboardView() {
  const url = useUrlState();
  const range: DayRange = { from: url.get("from"), to: url.get("to") };
  const bucket = url.get("bucket", "day");
  const segment = url.get("segment");
  const cohort = url.get("cohort");
  const bounds = apiBounds(range);
  const missing = !range.from && !range.to;
  const { set } = url;

  useEffect(() => {
    // a URL without a range shows the last 30 days, written into the URL so it can be shared
    if (missing) set({ ...lastDays(DEFAULT_DAYS, new Date()) });
  }, [missing, set]);

  const variables = {
    from: bounds?.from,
    to: bounds?.to,
    segment: segment || null,
    cohort: cohort || null,
    bucket: bucket.toUpperCase(),
  };
  const [state, retry] = useQuery<{ dashboard: Dashboard }>(DASHBOARD, variables, bounds === null);
  const filters = { from: range.from, to: range.to, bucket, segment, cohort };
  const answered = state.status === "answered" ? state.answer.data.dashboard : null;

  return (
    <ExportScopeContext.Provider value={{ view: "dashboard", filters, asOf: null }}>
      <section aria-labelledby="dashboard-title">
        <h1 id="dashboard-title">Dashboard</h1>
        <form className="filters" aria-label="Dashboard filters" onSubmit={(event) => event.preventDefault()}>
          <div>
            <label htmlFor="dashboard-from">From (UTC day)</label>
            <input
              id="dashboard-from"
              type="date"
              value={range.from}
              onChange={(event) => url.set({ from: event.target.value }, true)}
            />
          </div>
          <div>
            <label htmlFor="dashboard-to">To (UTC day, included)</label>
            <input
              id="dashboard-to"
              type="date"
              value={range.to}
              onChange={(event) => url.set({ to: event.target.value }, true)}
            />
          </div>
          <div role="group" aria-label="Presets">
            <span className="muted">Presets</span>
            <span className="preset-buttons">
              {PRESETS.map((days) => (
                <button key={days} type="button" onClick={() => url.set({ ...lastDays(days, new Date()) }, true)}>
                  Last {days} days
                </button>
              ))}
            </span>
          </div>
          <div>
            <label htmlFor="dashboard-bucket">Bucket</label>
            <select
              id="dashboard-bucket"
              value={bucket}
              onChange={(event) => url.set({ bucket: event.target.value === "day" ? null : event.target.value }, true)}
            >
              {BUCKETS.map((choice) => (
                <option key={choice.value} value={choice.value}>
                  {choice.label}
                </option>
              ))}
            </select>
          </div>
          <FilterSelect
            id="dashboard-segment"
            label="Segment"
            value={segment}
            any="All segments"
            options={choicesOf(answered?.segments ?? [], segment)}
            onChange={(value) => url.set({ segment: value }, true)}
          />
          <FilterSelect
            id="dashboard-cohort"
            label="Cohort"
            value={cohort}
            any="All cohorts"
            options={choicesOf(answered?.cohorts ?? [], cohort)}
            onChange={(value) => url.set({ cohort: value }, true)}
          />
        </form>
        <p className="muted">
          Segment and cohort narrow the traffic and outcome rates: a segment is the kind of user at the time of the request, a
          cohort a group of users that stays theirs (in the demo, the week they first came). Findings, audits and lineage changes
          are the range's whatever the audience. Times are shown in your timezone; buckets are UTC.
        </p>
        {bounds === null ? (
          missing ? (
            <Loading what="the last 30 days" />
          ) : (
            <ErrorNotice message="Pick a range: a From day on or before the To day." />
          )
        ) : state.status === "failed" ? (
          <ErrorNotice message={state.message} retry={retry} />
        ) : state.status !== "answered" ? (
          <Loading what="the dashboard" />
        ) : (
          <DashboardBody answer={state.answer} range={range} />
        )}
      </section>
    </ExportScopeContext.Provider>
  );
}

function DashboardBody({
  answer,
  range,
}: {
  answer: Answer<{ dashboard: Dashboard }> & { data: { dashboard: Dashboard } };
  range: DayRange;
}) {
  const data = answer.data.dashboard;
  const span: [string, string] = [data.from, data.to];
  const models = useMemo(() => keysOf(data.traffic, (bucket) => bucket.byModelVersion), [data.traffic]);
  const variants = useMemo(() => keysOf(data.traffic, (bucket) => bucket.byVariant), [data.traffic]);
  const kinds = useMemo(() => outcomeKinds(data.traffic), [data.traffic]);
  const points = useMemo(() => axisPoints(data), [data]);
  const modelChart = useMemo(
    () => stackedBars(data.traffic, models, (b) => b.byModelVersion, [data.from, data.to]),
    [data.traffic, models, data.from, data.to],
  );
  const variantChart = useMemo(
    () => stackedBars(data.traffic, variants, (b) => b.byVariant, [data.from, data.to]),
    [data.traffic, variants, data.from, data.to],
  );
  const rateChart = useMemo(
    () => ratesChart(data.traffic, kinds, [data.from, data.to]),
    [data.traffic, kinds, data.from, data.to],
  );
  const axisChart = useMemo(() => timeAxisChart(points, [data.from, data.to]), [points, data.from, data.to]);
  const completenessDenied = isDenied(answer, ["dashboard", "completeness"]);

  const bucketColumns: TableColumn<TrafficBucket>[] = [
    timeColumn("start", "Bucket start", (row) => row.start),
    countColumn("recommendations", "Recommendations", (row) => row.recommendations),
  ];
  const byKey = (keys: string[], pick: (bucket: TrafficBucket) => Count[]): TableColumn<TrafficBucket>[] => [
    ...bucketColumns,
    ...keys.map((key) => countColumn<TrafficBucket>(`count:${key}`, key, (row) => counted(pick(row), key))),
  ];
  const rateColumns: TableColumn<TrafficBucket>[] = [
    ...bucketColumns,
    ...kinds.map((kind) => ({
      key: `rate:${kind}`,
      header: `${kind} rate`,
      numeric: true,
      value: (row: TrafficBucket) => rateOf(row, kind),
      render: (row: TrafficBucket) => percent(rateOf(row, kind)),
    })),
  ];

  return (
    <>
      <div className="summary" aria-label="Totals">
        <div className="card">
          <div className="muted">Recommendations, {dayCount(range)} days</div>
          <div className="big" data-testid="total-recommendations">
            {count(data.recommendations)}
          </div>
        </div>
        {data.outcomes.map((outcome) => (
          <div className="card" key={outcome.kind}>
            <div className="muted">{outcome.kind} rate</div>
            <div className="big" data-testid={`rate-${outcome.kind}`}>
              {percent(outcome.rate)}
            </div>
            <div className="muted">{count(outcome.count)} recommendations</div>
          </div>
        ))}
        <div className="card">
          <div className="muted">Open findings</div>
          <div className="big" data-testid="open-findings">
            {count(data.anomalies.length + data.driftAlerts.length)}
          </div>
          <div className="muted">
            {count(data.anomalies.length)} anomalies, {count(data.driftAlerts.length)} drift alerts
          </div>
        </div>
      </div>

      <h2>Lineage changes, anomalies and drift on one time axis</h2>
      <HiddenBadges hidden={data.hidden} />
      <Chart
        name="time-axis"
        caption="Lineage changes, anomalies and drift alerts"
        summary={`${data.changes.length} lineage changes, ${data.anomalies.length} anomalies first seen and ${data.driftAlerts.length} drift onsets; the shaded band is the range.`}
        option={axisChart}
        height={260}
      />

      <h2>Traffic</h2>
      <Chart
        name="traffic-by-model-version"
        caption="Recommendations by model version"
        summary={`${count(data.recommendations)} recommendations in ${data.traffic.length} buckets, stacked by ${models.length} model versions.`}
        option={modelChart}
      />
      <DataTable
        name="traffic-by-model-version"
        caption="Recommendations per bucket and model version"
        columns={byKey(models, (b) => b.byModelVersion)}
        rows={data.traffic}
        rowKey={(row) => row.start}
      />
      <Chart
        name="traffic-by-variant"
        caption="Recommendations by experiment variant"
        summary={`${count(data.recommendations)} recommendations stacked by ${variants.length} variants; (none) is outside every experiment.`}
        option={variantChart}
      />
      <DataTable
        name="traffic-by-variant"
        caption="Recommendations per bucket and variant"
        columns={byKey(variants, (b) => b.byVariant)}
        rows={data.traffic}
        rowKey={(row) => row.start}
      />

      <h2>Outcome rates</h2>
      <Chart
        name="outcome-rates"
        caption="Outcome rates per bucket"
        summary={`The share of recommendations with each kind of outcome (${kinds.join(", ") || "none"}), per bucket, counted in the bucket the recommendation was served in.`}
        option={rateChart}
      />
      <DataTable
        name="outcome-rates"
        caption="Outcome rates per bucket"
        columns={rateColumns}
        rows={data.traffic}
        rowKey={(row) => row.start}
      />

      <h2>Open anomalies</h2>
      <DataTable
        name="anomalies"
        caption="Open anomalies"
        rows={data.anomalies}
        rowKey={(row) => row.uid}
        empty="No open anomaly was seen in this range."
        columns={ANOMALY_COLUMNS}
      />

      <h2>Open drift alerts</h2>
      <DataTable
        name="drift-alerts"
        caption="Open drift alerts"
        rows={data.driftAlerts}
        rowKey={(row) => row.uid}
        empty="No open drift alert overlaps this range."
        columns={DRIFT_COLUMNS}
      />

      <h2>Completeness audits</h2>
      {completenessDenied || data.completeness === null ? (
        <p>
          Completeness audits are governance records: <NotVisible />.
        </p>
      ) : (
        <DataTable
          name="completeness"
          caption="Completeness audits of this range"
          rows={data.completeness}
          rowKey={(row) => row.uid}
          empty="No completeness audit covers this range: `graph-lineage audit completeness` runs one."
          columns={COMPLETENESS_COLUMNS}
        />
      )}

      <h2>Lineage changes</h2>
      <DataTable
        name="lineage-changes"
        caption="Lineage changes in this range, oldest first"
        rows={data.changes}
        rowKey={(row) => `${row.at}|${row.kind}|${row.uid}`}
        empty="Nothing in the lineage changed in this range."
        columns={CHANGE_COLUMNS}
      />
      <p className="muted">
        Showing <Time value={span[0]} /> to <Time value={span[1]} /> (the end excluded).
      </p>
    </>
  );
}
