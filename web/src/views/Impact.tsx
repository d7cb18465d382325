// Impact: what a node touches downstream and the traffic through it (GraphQL impact),
// and, for a change written or uploaded here or for the node going away, the change
// plan's risk, reasons, traffic per day and segment, and owners (changePlan).
import { type FormEvent, useState } from "react";

import { isDenied } from "../api/client";
import { useQuery } from "../api/useQuery";
import { CHANGE_PLAN, type ChangePlanReport, ChangePlanReportView } from "../analyses/ChangePlanReport";
import { type ChangeInput, type ChangePlanInput, describeChange, EXAMPLE_PLAN, goingAway, moment, parsePlan } from "../analyses/changePlan";
import { trafficBySegment } from "../analyses/charts";
import { type Touched, TouchedTable } from "../analyses/TouchedTable";
import { Chart } from "../components/Chart";
import { DataTable, type TableColumn } from "../components/DataTable";
import { ExportScopeContext } from "../components/exports";
import { count, isIsoTime } from "../components/format";
import { Asked, Figures, ReportToolbar } from "../components/Report";
import { Empty, ErrorNotice, HiddenBadges, type HiddenCount, Loading, NotVisible } from "../components/Status";
import { Time } from "../components/Time";
import { useUrlState } from "../components/urlState";

const IMPACT = `
query Impact($uid: ID!, $since: DateTime) {
  impact(uid: $uid, since: $since) {
    root { uid kind properties }
    since
    featureVersions { uid owner }
    modelVersions { uid }
    deployments { uid environment status }
    variants { uid trafficShare }
    experiments { uid status }
    recommendations
    byModelVersion { key count }
    bySegment { key count }
    hidden { kind count }
  }
}`;

interface ImpactAnswer {
  impact: {
    root: { uid: string; kind: string; properties: Record<string, unknown> | null };
    since: string | null;
    featureVersions: { uid: string; owner: string | null }[];
    modelVersions: { uid: string }[];
    deployments: { uid: string; environment: string; status: string | null }[];
    variants: { uid: string; trafficShare: number | null }[];
    experiments: { uid: string; status: string | null }[];
    recommendations: number;
    byModelVersion: { key: string; count: number }[];
    bySegment: { key: string; count: number }[];
    hidden: HiddenCount[];
  };
}

type Count = { key: string; count: number };
const countColumns = (header: string): TableColumn<Count>[] => [
  { key: "key", header, value: (c) => c.key },
  { key: "count", header: "Recommendations", value: (c) => c.count, render: (c) => count(c.count), numeric: true },
];

type Property = { key: string; value: string };
const PROPERTIES: TableColumn<Property>[] = [
  { key: "key", header: "Property", value: (p) => p.key },
  // moments read in the reader's timezone like every other date (the export keeps them ISO)
  { key: "value", header: "Value", value: (p) => p.value, render: (p) => (isIsoTime(p.value) ? <Time value={p.value} withSeconds /> : p.value) },
];

function propertyRows(properties: Record<string, unknown>): Property[] {
  return Object.entries(properties)
    .filter(([key]) => key !== "uid")
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => ({ key, value: typeof value === "string" ? value : JSON.stringify(value) }));
}

function touched(impact: ImpactAnswer["impact"]): Touched[] {
  return [
    ...impact.modelVersions.map((m) => ({ kind: "ModelVersion", uid: m.uid, note: "" })),
    ...impact.deployments.map((d) => ({ kind: "Deployment", uid: d.uid, note: `${d.environment}, ${d.status ?? "unknown"}` })),
    ...impact.experiments.map((e) => ({ kind: "Experiment", uid: e.uid, note: e.status ?? "" })),
    ...impact.variants.map((v) => ({ kind: "Variant", uid: v.uid, note: "" })),
    ...impact.featureVersions.map((f) => ({ kind: "FeatureVersion", uid: f.uid, note: f.owner ? `owner ${f.owner}` : "" })),
  ];
}

const dayStart = (day: string) => (day ? moment(day) : null);

export function Impact() {
  const url = useUrlState();
  const mode = url.get("mode", "node") === "plan" ? "plan" : "node";
  return (
    <section aria-labelledby="impact-title" className="report-page">
      <h1 id="impact-title">Impact</h1>
      <fieldset className="mode no-print">
        <legend>Ask about</legend>
        {(["node", "plan"] as const).map((choice) => (
          <label key={choice}>
            <input type="radio" name="mode" value={choice} checked={mode === choice} onChange={() => url.set({ mode: choice }, true)} />{" "}
            {choice === "node" ? "a node" : "a change plan"}
          </label>
        ))}
      </fieldset>
      {mode === "node" ? <NodeImpact /> : <PlanImpact />}
    </section>
  );
}

function NodeImpact() {
  const url = useUrlState();
  const uid = url.get("uid");
  const since = url.get("since");
  const asOf = url.get("asOf");
  const days = url.get("days");
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const field = (name: string) => String(form.get(name) ?? "").trim();
    url.set({ uid: field("uid"), since: field("since"), asOf: field("asOf"), days: field("days") }, true);
  };
  return (
    <>
      <form key={`${uid}|${since}|${asOf}|${days}`} className="filters no-print" onSubmit={submit} aria-label="Which node">
        <div>
          <label htmlFor="impact-uid">Node uid</label>
          <input id="impact-uid" name="uid" size={36} defaultValue={uid} placeholder="source:clickstream" required />
        </div>
        <div>
          <label htmlFor="impact-since">Recommendations since (UTC day)</label>
          <input id="impact-since" name="since" type="date" defaultValue={since} />
        </div>
        <div>
          <label htmlFor="impact-as-of">Risk judged as of (UTC day)</label>
          <input id="impact-as-of" name="asOf" type="date" defaultValue={asOf} />
        </div>
        <div>
          <label htmlFor="impact-days">Traffic window (days)</label>
          <input id="impact-days" name="days" type="number" min={1} max={365} defaultValue={days || "7"} />
        </div>
        <button type="submit" className="primary">
          Show impact
        </button>
      </form>
      {uid ? (
        <NodeReport uid={uid} since={since} asOf={asOf} days={days} />
      ) : (
        <Empty>Type a node's uid (a data source, feature, model, deployment or experiment) to see what depends on it.</Empty>
      )}
    </>
  );
}

function NodeReport({ uid, since, asOf, days }: { uid: string; since: string; asOf: string; days: string }) {
  const variables = { uid, since: dayStart(since) };
  const [state, retry] = useQuery<ImpactAnswer>(IMPACT, variables);
  const filters = { uid, since, asOf, days };
  if (state.status === "loading" || state.status === "idle") return <Loading what={`the impact of ${uid}`} />;
  if (state.status === "failed") return <ErrorNotice message={`${state.message}. Check the uid (kind:name@version).`} retry={retry} />;
  const impact = state.answer.data.impact;
  const rootDenied = isDenied(state.answer, ["impact", "root", "properties"]);
  const change = goingAway(uid);
  return (
    <ExportScopeContext.Provider value={{ view: "impact", filters, asOf: null }}>
      <article className="report" aria-labelledby="impact-report-title">
        <h2 id="impact-report-title">
          Impact of <code>{impact.root.uid}</code> <span className="muted">({impact.root.kind})</span>
        </h2>
        <Asked items={[["Node", uid], ["Recommendations since", since || "the beginning"], ["Risk as of", asOf || "now"], ["Window", `${days || 7} days`]]} />
        <ReportToolbar label="the impact report" pdf={{ report: "impact", arguments: variables }} />
        <Figures
          figures={[
            { key: "impact-recommendations", label: since ? `Recommendations since ${since}` : "Recommendations through it", value: count(impact.recommendations) },
            { key: "impact-touched", label: "Downstream nodes", value: count(touched(impact).length) },
          ]}
        />
        <HiddenBadges hidden={impact.hidden} />
        <h3>Its properties</h3>
        {rootDenied || impact.root.properties === null ? (
          <p>
            Properties: <NotVisible />
          </p>
        ) : (
          <DataTable name="properties" caption={`Properties of ${impact.root.uid}`} columns={PROPERTIES} rows={propertyRows(impact.root.properties)} rowKey={(p) => p.key} />
        )}
        {!change && (
          <>
            <h3>What it touches</h3>
            <TouchedTable name="touched" rows={touched(impact)} />
          </>
        )}
        <h3>Traffic through it</h3>
        <Chart
          name="impact-by-segment"
          caption="Recommendations per segment"
          summary={`${count(impact.recommendations)} recommendations through ${uid}, by segment; the table below has the counts.`}
          option={trafficBySegment(impact.bySegment.map((s) => ({ segment: s.key, recommendations: s.count, total: s.count })))}
        />
        <div className="table-pair">
          <DataTable name="by-segment" caption="Per segment" columns={countColumns("Segment")} rows={impact.bySegment} rowKey={(c) => c.key} />
          <DataTable name="by-model-version" caption="Per model version" columns={countColumns("Model version")} rows={impact.byModelVersion} rowKey={(c) => c.key} />
        </div>
        {change ? (
          <GoingAway change={change} asOf={asOf} days={days} />
        ) : (
          <p className="muted">
            Risk, owners and traffic per day are judged for a change: name a feature version, a data source or a model version, or write a change plan.
          </p>
        )}
      </article>
    </ExportScopeContext.Provider>
  );
}

function planInput(changes: ChangeInput[], asOf: string, days: string): ChangePlanInput {
  const plan: ChangePlanInput = { changes };
  if (asOf) plan.asOf = moment(asOf);
  if (days) plan.windowDays = Number(days);
  return plan;
}

function GoingAway({ change, asOf, days }: { change: ChangeInput; asOf: string; days: string }) {
  const [state, retry] = useQuery<{ changePlan: ChangePlanReport }>(CHANGE_PLAN, { change: planInput([change], asOf, days) });
  return (
    <section aria-labelledby="going-away-title">
      <h2 id="going-away-title">If it went away: {describeChange(change)}</h2>
      {state.status === "answered" ? (
        <ChangePlanReportView report={state.answer.data.changePlan} name="going-away" />
      ) : state.status === "failed" ? (
        <ErrorNotice message={state.message} retry={retry} />
      ) : (
        <Loading what="the risk of the change" />
      )}
    </section>
  );
}

function PlanImpact() {
  const url = useUrlState();
  const text = url.get("plan");
  return (
    <>
      <PlanForm key={text} text={text} onSubmit={(plan) => url.set({ plan }, true)} />
      {text ? <PlanReport text={text} /> : <Empty>Write a change plan above, or upload one, then assess it.</Empty>}
    </>
  );
}

function PlanForm({ text, onSubmit }: { text: string; onSubmit: (text: string) => void }) {
  const [draft, setDraft] = useState(text || EXAMPLE_PLAN);
  const [problem, setProblem] = useState<string | null>(null);
  const upload = async (files: FileList | null) => {
    const file = files?.[0];
    if (!file) return;
    try {
      const content = await file.text();
      setDraft(content);
      onSubmit(content);
    } catch (error) {
      setProblem(`The file could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return (
    <form
      className="plan-form no-print"
      aria-label="Change plan"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(draft);
      }}
    >
      <label htmlFor="plan-text">Change plan (YAML or JSON, as for graph-lineage change-plan)</label>
      <textarea id="plan-text" rows={9} cols={72} spellCheck={false} value={draft} onChange={(event) => setDraft(event.target.value)} />
      <div className="plan-actions">
        <button type="submit" className="primary">
          Assess the plan
        </button>
        <label htmlFor="plan-file">Or upload a plan file</label>
        <input id="plan-file" type="file" accept=".yaml,.yml,.json,application/json,text/yaml" onChange={(event) => void upload(event.target.files)} />
      </div>
      {problem && <ErrorNotice message={problem} />}
    </form>
  );
}

function PlanReport({ text }: { text: string }) {
  const parsed = parsePlan(text);
  if (!parsed.plan) {
    return (
      <div className="status error" role="alert">
        <p>The plan is not valid; fix these and assess it again:</p>
        <ul>
          {parsed.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      </div>
    );
  }
  return <AssessedPlan plan={parsed.plan} />;
}

function AssessedPlan({ plan }: { plan: ChangePlanInput }) {
  const [state, retry] = useQuery<{ changePlan: ChangePlanReport }>(CHANGE_PLAN, { change: plan });
  if (state.status === "loading" || state.status === "idle") return <Loading what="the plan's report" />;
  if (state.status === "failed") return <ErrorNotice message={state.message} retry={retry} />;
  const report = state.answer.data.changePlan;
  const filters = { title: plan.title ?? "", changes: plan.changes.map(describeChange).join("; "), windowDays: plan.windowDays ?? 7 };
  return (
    <ExportScopeContext.Provider value={{ view: "impact", filters, asOf: report.asOf }}>
      <article className="report" aria-labelledby="plan-report-title">
        <h2 id="plan-report-title">{report.title ?? "Change plan"}</h2>
        <Asked items={[["Changes", filters.changes], ["Window", `${report.windowStart} to ${report.windowEnd}`]]} />
        <ReportToolbar label="the change plan's report" />
        <ChangePlanReportView report={report} name="plan" />
      </article>
    </ExportScopeContext.Provider>
  );
}
