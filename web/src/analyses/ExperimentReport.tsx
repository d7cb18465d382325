// One experiment's report (GraphQL experimentReport): exposure per variant, the sample
// ratio tests, each treatment's lifts with their intervals (a chart with error bars and a
// table), the integrity checks, what each arm served and what changed mid-way.
import { isDenied } from "../api/client";
import { useQuery } from "../api/useQuery";
import { Chart } from "../components/Chart";
import { DataTable, type TableColumn } from "../components/DataTable";
import { count, type Interval, percent, signed, significant } from "../components/format";
import { Asked, Figures, ReportToolbar } from "../components/Report";
import { ErrorNotice, Loading, NOT_VISIBLE, NotVisible } from "../components/Status";
import { Time } from "../components/Time";
import { ArmsLineage, type Arms } from "./ArmsLineage";
import { exposureChart, liftChart } from "./charts";

const REPORT = `
query ExperimentReport($experiment: ID!, $method: ExperimentMethod, $correction: MultipleComparisonCorrection,
                       $from: DateTime, $to: DateTime) {
  experimentReport(experiment: $experiment, method: $method, correction: $correction, from: $from, to: $to) {
    experiment name status unit windowStart windowEnd method correction alpha srmThreshold
    mismatches requests outcomes notes record
    variants { name uid units requests declaredShare metrics { metric value } }
    sampleRatios {
      periodStart periodEnd segment observed { variant value } declared { variant value }
      pValue mismatch note summary
    }
    effects {
      metric segment control treatment controlMean treatmentMean
      absolute { estimate low high } relative { estimate low high }
      pValue adjustedP significant method controlUnits treatmentUnits varianceReduction note
    }
    integrity { name passed count summary examples hiddenExamples }
    arms {
      lineage {
        variant requests
        modelVersions { uid share } featureVersions { uid share } trainedOn { uid share }
        sources { uid share } flags { flags share }
      }
      differences statement
    }
    interventions { kind at subject summary shares { variant value } confounds }
  }
}`;

interface VariantValue {
  variant: string;
  value: number;
}

interface Variant {
  name: string;
  uid: string;
  units: number;
  requests: number;
  declaredShare: number | null;
  metrics: { metric: string; value: number | null }[];
}

interface SampleRatio {
  periodStart: string;
  periodEnd: string | null;
  segment: string | null;
  observed: VariantValue[];
  declared: VariantValue[];
  pValue: number | null;
  mismatch: boolean;
  note: string | null;
  summary: string;
}

export interface Effect {
  metric: string;
  segment: string | null;
  control: string;
  treatment: string;
  controlMean: number | null;
  treatmentMean: number | null;
  absolute: Interval | null;
  relative: Interval | null;
  pValue: number | null;
  adjustedP: number | null;
  significant: boolean;
  method: string | null;
  controlUnits: number | null;
  treatmentUnits: number | null;
  varianceReduction: number | null;
  note: string | null;
}

interface Check {
  name: string;
  passed: boolean;
  count: number;
  summary: string;
  examples: string[] | null;
  hiddenExamples: number;
}

interface Intervention {
  kind: string;
  at: string;
  subject: string;
  summary: string;
  shares: VariantValue[];
  confounds: boolean;
}

interface Report {
  experiment: string;
  name: string;
  status: string | null;
  unit: string;
  windowStart: string | null;
  windowEnd: string | null;
  method: string;
  correction: string;
  alpha: number;
  srmThreshold: number;
  mismatches: number;
  requests: number;
  outcomes: number;
  notes: string[];
  record: string | null;
  variants: Variant[];
  sampleRatios: SampleRatio[];
  effects: Effect[];
  integrity: Check[];
  arms: Arms | null;
  interventions: Intervention[];
}

export interface Asking {
  experiment: string;
  method: string;
  correction: string;
  from: string;
  to: string;
  lift: "relative" | "absolute";
}

const values = (list: VariantValue[], asShare: boolean) =>
  list.map((v) => `${v.variant} ${asShare ? percent(v.value) : count(v.value)}`).join(", ");

const SAMPLE_RATIOS: TableColumn<SampleRatio>[] = [
  { key: "periodStart", header: "Period from", value: (s) => s.periodStart, render: (s) => <Time value={s.periodStart} /> },
  { key: "periodEnd", header: "to", value: (s) => s.periodEnd ?? "still running", render: (s) => (s.periodEnd ? <Time value={s.periodEnd} /> : "still running") },
  { key: "segment", header: "Segment", value: (s) => s.segment ?? "all" },
  { key: "observed", header: "Units", value: (s) => values(s.observed, false) },
  { key: "declared", header: "Declared", value: (s) => values(s.declared, true) },
  { key: "pValue", header: "p-value", value: (s) => s.pValue, render: (s) => significant(s.pValue), numeric: true },
  { key: "mismatch", header: "Mismatch", value: (s) => (s.mismatch ? "MISMATCH" : "no") },
  { key: "note", header: "Note", value: (s) => s.note },
];

const effectLabel = (e: Effect, treatments: number) =>
  `${e.metric} · ${e.segment ?? "all"}${treatments > 1 ? ` · ${e.treatment}` : ""}`;

function effectColumns(relative: boolean, treatments: number): TableColumn<Effect>[] {
  const chosen = (e: Effect) => (relative ? e.relative : e.absolute);
  const treatment: TableColumn<Effect>[] = treatments > 1 ? [{ key: "treatment", header: "Treatment arm", value: (e) => e.treatment }] : [];
  return [
    { key: "metric", header: "Metric", value: (e) => e.metric },
    { key: "segment", header: "Segment", value: (e) => e.segment ?? "all" },
    ...treatment,
    { key: "controlMean", header: "Control", value: (e) => e.controlMean, render: (e) => significant(e.controlMean), numeric: true },
    { key: "treatmentMean", header: "Treatment", value: (e) => e.treatmentMean, render: (e) => significant(e.treatmentMean), numeric: true },
    { key: "lift", header: relative ? "Relative lift" : "Absolute lift", value: (e) => chosen(e)?.estimate ?? null, render: (e) => signed(chosen(e)?.estimate, relative), numeric: true },
    { key: "low", header: "Interval low", value: (e) => chosen(e)?.low ?? null, render: (e) => signed(chosen(e)?.low, relative), numeric: true },
    { key: "high", header: "Interval high", value: (e) => chosen(e)?.high ?? null, render: (e) => signed(chosen(e)?.high, relative), numeric: true },
    { key: "pValue", header: "p-value", value: (e) => e.pValue, render: (e) => significant(e.pValue), numeric: true },
    { key: "adjustedP", header: "Adjusted p", value: (e) => e.adjustedP, render: (e) => significant(e.adjustedP), numeric: true },
    { key: "significant", header: "Significant", value: (e) => (e.significant ? "yes" : "no") },
    { key: "units", header: "Units (control / treatment)", value: (e) => (e.controlUnits === null ? null : `${e.controlUnits}/${e.treatmentUnits}`) },
    { key: "method", header: "Method or note", value: (e) => e.note ?? e.method },
  ];
}

function checkColumns(denied: (index: number) => boolean, rows: Check[]): TableColumn<Check>[] {
  const index = (c: Check) => rows.indexOf(c);
  return [
    { key: "name", header: "Check", value: (c) => c.name },
    { key: "passed", header: "Passed", value: (c) => (c.passed ? "passed" : "FAILED") },
    { key: "count", header: "Count", value: (c) => c.count, render: (c) => count(c.count), numeric: true },
    { key: "summary", header: "Summary", value: (c) => c.summary },
    {
      key: "examples",
      header: "Example requests",
      value: (c) => (denied(index(c)) ? NOT_VISIBLE : (c.examples ?? []).join(", ")),
      render: (c) => (denied(index(c)) ? <NotVisible /> : (c.examples ?? []).join(", ") || "—"),
    },
    { key: "hiddenExamples", header: "Hidden examples", value: (c) => c.hiddenExamples, numeric: true },
  ];
}

const INTERVENTIONS: TableColumn<Intervention>[] = [
  { key: "at", header: "At", value: (i) => i.at, render: (i) => <Time value={i.at} /> },
  { key: "kind", header: "Kind", value: (i) => i.kind },
  { key: "subject", header: "Subject", value: (i) => i.subject, render: (i) => <code>{i.subject}</code> },
  { key: "shares", header: "Share of each arm touched", value: (i) => values(i.shares, true) },
  { key: "confounds", header: "Confounds", value: (i) => (i.confounds ? "CONFOUNDS" : "no") },
  { key: "summary", header: "Summary", value: (i) => i.summary },
];

function variantColumns(report: Report): TableColumn<Variant>[] {
  const total = report.variants.reduce((sum, v) => sum + v.units, 0);
  const metrics = [...new Set(report.variants.flatMap((v) => v.metrics.map((m) => m.metric)))];
  return [
    { key: "name", header: "Variant", value: (v) => v.name },
    { key: "units", header: `Units (${report.unit})`, value: (v) => v.units, render: (v) => count(v.units), numeric: true },
    { key: "requests", header: "Requests", value: (v) => v.requests, render: (v) => count(v.requests), numeric: true },
    { key: "observedShare", header: "Observed share", value: (v) => (total ? v.units / total : null), render: (v) => percent(total ? v.units / total : null), numeric: true },
    { key: "declaredShare", header: "Declared share", value: (v) => v.declaredShare, render: (v) => percent(v.declaredShare), numeric: true },
    ...metrics.map((metric) => ({
      key: metric,
      header: metric,
      numeric: true,
      value: (v: Variant) => v.metrics.find((m) => m.metric === metric)?.value ?? null,
      render: (v: Variant) => significant(v.metrics.find((m) => m.metric === metric)?.value),
    })),
  ];
}

export function ExperimentReportView({ asking, onLift }: { asking: Asking; onLift: (lift: "relative" | "absolute") => void }) {
  const day = (text: string) => (text ? `${text}T00:00:00Z` : null);
  const variables = {
    experiment: asking.experiment,
    method: asking.method || null,
    correction: asking.correction || null,
    from: day(asking.from),
    to: day(asking.to),
  };
  const [state, retry] = useQuery<{ experimentReport: Report }>(REPORT, variables);
  if (state.status === "loading" || state.status === "idle") return <Loading what={`the report of ${asking.experiment}`} />;
  if (state.status === "failed") return <ErrorNotice message={state.message} retry={retry} />;
  const report = state.answer.data.experimentReport;
  const relative = asking.lift === "relative";
  const treatments = new Set(report.effects.map((e) => e.treatment)).size;
  const estimated = report.effects.filter((e) => (relative ? e.relative : e.absolute));
  const totalUnits = report.variants.reduce((sum, v) => sum + v.units, 0);
  const denied = (index: number) => isDenied(state.answer, ["experimentReport", "integrity", index, "examples"]);
  return (
    <article className="report" aria-labelledby="experiment-report-title">
      <h2 id="experiment-report-title">Report of {report.name}</h2>
      <Asked
        items={[
          ["Experiment", report.experiment],
          ["Window", <span key="w"><Time value={report.windowStart} /> to <Time value={report.windowEnd} /></span>],
          ["Method", report.method.toLowerCase()],
          ["Correction", report.correction.toLowerCase()],
        ]}
      />
      <ReportToolbar label="the experiment report" pdf={{ report: "experiment", arguments: variables }} />
      <Figures
        figures={[
          { key: "status", label: "Status", value: report.status ?? "—" },
          { key: "units", label: `Units (${report.unit})`, value: count(totalUnits) },
          { key: "requests", label: "Exposed requests", value: count(report.requests) },
          { key: "outcomes", label: "Outcomes", value: count(report.outcomes) },
          { key: "mismatches", label: "Sample ratio mismatches", value: count(report.mismatches), note: `p below ${significant(report.srmThreshold)}` },
          { key: "alpha", label: "Significance level", value: significant(report.alpha), note: `${percent(1 - report.alpha)} intervals` },
        ]}
      />
      {report.notes.length > 0 && (
        <ul className="notes" aria-label="What limits the report">
          {report.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      <h3>Exposure</h3>
      <Chart
        name="exposure"
        caption="Units per variant"
        summary={`${count(totalUnits)} units in ${report.variants.length} variants, beside what the declared shares expect; the table below has the numbers.`}
        option={exposureChart(report.variants.map((v) => ({ variant: v.name, units: v.units, expected: v.declaredShare === null ? null : v.declaredShare * totalUnits })))}
        height={220}
      />
      <DataTable name="variants" caption="Variants" columns={variantColumns(report)} rows={report.variants} rowKey={(v) => v.uid} />
      <h3>Sample ratios</h3>
      <DataTable name="sample-ratios" caption="Sample ratio tests per split period and segment" columns={SAMPLE_RATIOS} rows={report.sampleRatios} rowKey={(s) => `${s.periodStart}|${s.segment ?? ""}`} />
      <h3>Lifts</h3>
      <fieldset className="mode no-print">
        <legend>Lift</legend>
        {(["relative", "absolute"] as const).map((choice) => (
          <label key={choice}>
            <input type="radio" name="lift" value={choice} checked={asking.lift === choice} onChange={() => onLift(choice)} /> {choice}
          </label>
        ))}
      </fieldset>
      {estimated.length > 0 && (
        <Chart
          name={`lifts-${asking.lift}`}
          caption={`${relative ? "Relative" : "Absolute"} lift of each comparison, with its ${percent(1 - report.alpha)} interval`}
          summary={`${estimated.length} comparisons of treatment against control; ${estimated.filter((e) => e.significant).length} significant after the ${report.correction.toLowerCase()} correction. The table below has every estimate and interval.`}
          option={liftChart(
            estimated.map((e) => ({ label: effectLabel(e, treatments), interval: (relative ? e.relative : e.absolute) as Interval, significant: e.significant })),
            relative,
            1 - report.alpha,
          )}
          height={80 + 28 * estimated.length}
        />
      )}
      <DataTable name={`effects-${asking.lift}`} caption="Effects of each treatment against the control" columns={effectColumns(relative, treatments)} rows={report.effects} rowKey={(e) => effectLabel(e, 2)} />
      <h3>Integrity checks</h3>
      <DataTable name="integrity" caption="Integrity checks" columns={checkColumns(denied, report.integrity)} rows={report.integrity} rowKey={(c) => c.name} />
      {report.interventions.length > 0 && (
        <>
          <h3>Changes during the experiment</h3>
          <DataTable name="interventions" caption="Interventions" columns={INTERVENTIONS} rows={report.interventions} rowKey={(i) => `${i.at}|${i.kind}|${i.subject}`} />
        </>
      )}
      <ArmsLineage arms={report.arms} variants={report.variants} />
      {report.record && (
        <p className="muted">
          This run is kept as <code>{report.record}</code> with a hash of the data its numbers come from.
        </p>
      )}
    </article>
  );
}
