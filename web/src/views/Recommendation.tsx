// "Why did this user get this item?": the trace of one recommendation as a picture and a
// timeline (served feature versions with their hashes and materialization times, the model
// version and its training window, experiment, variant and flags, outcomes, notes), and
// what differs from another recommendation. Every table exports; the state is in the URL.
import { useMemo } from "react";

import { type Answer, isDenied } from "../api/client";
import { useQuery } from "../api/useQuery";
import { DataTable, type TableColumn } from "../components/DataTable";
import { ExportScopeContext } from "../components/exports";
import { ReportToolbar } from "../components/Report";
import { GraphCanvas } from "../components/GraphCanvas";
import { type Drawn, shortLabel } from "../components/graphModel";
import { NodePanel } from "../components/NodePanel";
import { SearchBox } from "../components/SearchBox";
import { Empty, ErrorNotice, HiddenBadges, type HiddenCount, Loading, NotVisible } from "../components/Status";
import { Time } from "../components/Time";
import { useUrlState } from "../components/urlState";
import { LineageDiff } from "../components/LineageDiff";

const TRACE = `
query Trace($id: ID!) {
  trace(recommendationId: $id) {
    recommendation { uid requestId servedAt userPseudonym segment cohort items scores latencyMs error stub }
    context { uid fingerprint firstSeen }
    modelVersion { uid trainedAt trainingWindowStart trainingWindowEnd artifactUri artifactHash stub }
    trainedOn { uid }
    servedFeatures { uid schemaHash transformHash featureStore materializedAt }
    servedNotTrained
    derivations { source target type }
    ancestors { uid kind }
    experiment { uid status randomizationUnit featureFlags startedAt stoppedAt }
    variant { uid name trafficShare }
    declaredModelVersions
    outcomes { uid itemId outcomeType value observedAt }
    notes
    hidden { kind count }
  }
}`;

const RECENT = `
query RecentRecommendations { recommendations(first: 10) { edges { node { uid servedAt segment } } } }`;

interface Served {
  uid: string;
  schemaHash: string | null;
  transformHash: string | null;
  featureStore: string | null;
  materializedAt: string | null;
}
interface Outcome {
  uid: string;
  itemId: string;
  outcomeType: string;
  value: number | null;
  observedAt: string | null;
}
export interface TraceAnswer {
  trace: {
    recommendation: {
      uid: string;
      requestId: string;
      servedAt: string | null;
      userPseudonym: string | null;
      segment: string | null;
      cohort: string | null;
      items: string[];
      scores: number[];
      latencyMs: number | null;
      error: string | null;
      stub: boolean;
    };
    context: { uid: string; fingerprint: string; firstSeen: string | null } | null;
    modelVersion: {
      uid: string;
      trainedAt: string | null;
      trainingWindowStart: string | null;
      trainingWindowEnd: string | null;
      artifactUri: string | null;
      artifactHash: string | null;
      stub: boolean;
    } | null;
    trainedOn: { uid: string }[];
    servedFeatures: Served[];
    servedNotTrained: string[];
    derivations: { source: string; target: string; type: string }[];
    ancestors: { uid: string; kind: string }[];
    experiment: {
      uid: string;
      status: string | null;
      randomizationUnit: string | null;
      featureFlags: Record<string, unknown>;
      startedAt: string | null;
      stoppedAt: string | null;
    } | null;
    variant: { uid: string; name: string; trafficShare: number | null } | null;
    declaredModelVersions: string[];
    outcomes: Outcome[];
    notes: string[];
    hidden: HiddenCount[];
  } | null;
}
type Trace = NonNullable<TraceAnswer["trace"]>;

export interface TimelineRow {
  at: string;
  event: string;
  uid: string;
  detail: string;
}

/** Everything on the path that has a time, oldest first. */
export function timelineOf(trace: Trace): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const add = (at: string | null | undefined, event: string, uid: string, detail = "") => {
    if (at) rows.push({ at, event, uid, detail });
  };
  for (const feature of trace.servedFeatures) {
    const hashes = `schema ${feature.schemaHash ?? "—"}, transform ${feature.transformHash ?? "—"}`;
    add(feature.materializedAt, "feature version materialized", feature.uid, hashes);
  }
  const model = trace.modelVersion;
  if (model) {
    add(model.trainingWindowStart, "training window starts", model.uid);
    add(model.trainingWindowEnd, "training window ends", model.uid);
    add(model.trainedAt, "model version trained", model.uid, `artifact ${model.artifactHash ?? "—"}`);
  }
  if (trace.experiment) {
    add(trace.experiment.startedAt, "experiment started", trace.experiment.uid, `unit ${trace.experiment.randomizationUnit ?? "—"}`);
    add(trace.experiment.stoppedAt, "experiment stopped", trace.experiment.uid);
  }
  add(trace.context?.firstSeen, "context first served", trace.context?.uid ?? "");
  const served = trace.recommendation;
  add(served.servedAt, "recommendation served", served.uid, `${served.items.length} items, segment ${served.segment ?? "—"}`);
  for (const outcome of trace.outcomes) {
    add(outcome.observedAt, `outcome: ${outcome.outcomeType}`, outcome.uid, `item ${outcome.itemId}${outcome.value === null ? "" : `, value ${outcome.value}`}`);
  }
  return rows.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** The trace as a graph: the recommendation, its context, what the context used, and origins. */
export function drawnOf(trace: Trace): Drawn {
  const nodes = new Map<string, string>(); // uid → kind
  const edges: Drawn["edges"] = [];
  const node = (uid: string | undefined, kind: string) => uid && nodes.set(uid, nodes.get(uid) ?? kind);
  const edge = (source: string | undefined, target: string | undefined, type: string) => {
    if (source && target) edges.push({ source, target, type });
  };
  const rec = trace.recommendation.uid;
  node(rec, "Recommendation");
  node(trace.context?.uid, "LineageContext");
  edge(rec, trace.context?.uid, "HAS_CONTEXT");
  node(trace.modelVersion?.uid, "ModelVersion");
  edge(trace.context?.uid, trace.modelVersion?.uid, "USED_MODEL");
  for (const feature of trace.servedFeatures) {
    node(feature.uid, "FeatureVersion");
    edge(trace.context?.uid, feature.uid, "USED_FEATURE");
  }
  for (const feature of trace.trainedOn) {
    node(feature.uid, "FeatureVersion");
    edge(trace.modelVersion?.uid, feature.uid, "TRAINED_ON");
  }
  for (const ancestor of trace.ancestors) node(ancestor.uid, ancestor.kind);
  for (const derivation of trace.derivations) edge(derivation.source, derivation.target, derivation.type);
  node(trace.variant?.uid, "Variant");
  edge(trace.context?.uid, trace.variant?.uid, "IN_VARIANT");
  node(trace.experiment?.uid, "Experiment");
  edge(trace.variant?.uid, trace.experiment?.uid, "OF");
  for (const outcome of trace.outcomes) {
    node(outcome.uid, "Outcome");
    edge(outcome.uid, rec, "FOR");
  }
  return { nodes: [...nodes].map(([uid, kind]) => ({ id: uid, kind, label: shortLabel(uid) })), edges };
}

const TIMELINE_COLUMNS: TableColumn<TimelineRow>[] = [
  { key: "at", header: "When", value: (row) => row.at, render: (row) => <Time value={row.at} withSeconds /> },
  { key: "event", header: "What", value: (row) => row.event },
  { key: "uid", header: "uid", value: (row) => row.uid, render: (row) => <code>{row.uid}</code> },
  { key: "detail", header: "Detail", value: (row) => row.detail },
];
const SERVED_COLUMNS: TableColumn<Served & { trained: boolean }>[] = [
  { key: "uid", header: "Feature version", value: (f) => f.uid, render: (f) => <code>{f.uid}</code> },
  { key: "schemaHash", header: "Schema hash", value: (f) => f.schemaHash, render: (f) => <code>{f.schemaHash ?? "—"}</code> },
  { key: "transformHash", header: "Transform hash", value: (f) => f.transformHash, render: (f) => <code>{f.transformHash ?? "—"}</code> },
  { key: "materializedAt", header: "Materialized", value: (f) => f.materializedAt, render: (f) => <Time value={f.materializedAt} withSeconds /> },
  { key: "featureStore", header: "Store", value: (f) => f.featureStore },
  { key: "trained", header: "Model trained on it", value: (f) => (f.trained ? "yes" : "no") },
];
const OUTCOME_COLUMNS: TableColumn<Outcome>[] = [
  { key: "observedAt", header: "Observed", value: (o) => o.observedAt, render: (o) => <Time value={o.observedAt} withSeconds /> },
  { key: "outcomeType", header: "Outcome", value: (o) => o.outcomeType },
  { key: "itemId", header: "Item", value: (o) => o.itemId },
  { key: "value", header: "Value", value: (o) => o.value, numeric: true },
];
type Item = { rank: number; item: string; score: number | null };
const ITEM_COLUMNS: TableColumn<Item>[] = [
  { key: "rank", header: "Rank", value: (i) => i.rank, numeric: true },
  { key: "item", header: "Item", value: (i) => i.item },
  { key: "score", header: "Score", value: (i) => i.score, numeric: true },
];

export function Recommendation() {
  const url = useUrlState();
  const id = url.get("id");
  const other = url.get("b");
  const scope = { view: "recommendation", filters: { recommendation: id, comparedWith: other }, asOf: null };
  return (
    <ExportScopeContext.Provider value={scope}>
      <section className="recommendation">
        <h1>Why did this user get this item?</h1>
        <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Which recommendation">
          <SearchBox
            key={id}
            label="Recommendation"
            value={id}
            kinds={["Recommendation"]}
            placeholder="request id or rec: uid"
            onPick={(picked) => url.set({ id: picked, b: null }, true)}
          />
        </form>
        {id === "" ? <Recent onPick={(picked) => url.set({ id: picked }, true)} /> : (
          <TraceView
            id={id}
            other={other}
            onCompare={(b) => url.set({ b }, true)}
            selected={url.get("sel") || null}
            onSelect={(sel) => url.set({ sel }, true)}
          />
        )}
      </section>
    </ExportScopeContext.Provider>
  );
}

function Recent({ onPick }: { onPick: (uid: string) => void }) {
  const [state, retry] = useQuery<{ recommendations: { edges: { node: { uid: string; servedAt: string | null; segment: string | null } }[] } | null }>(RECENT, {});
  if (state.status === "loading") return <Loading what="recent recommendations" />;
  if (state.status === "failed" && !state.denied) return <ErrorNotice message={state.message} retry={retry} />;
  if (state.status === "idle") return null;
  if (state.status === "failed" || !state.answer.data.recommendations) {
    return (
      <p>
        Recent recommendations: <NotVisible />. Individual recommendations are for investigating roles; the lineage graph
        counts them per context.
      </p>
    );
  }
  const rows = state.answer.data.recommendations.edges.map((edge) => edge.node);
  return (
    <div className="card">
      <h2>Recent recommendations</h2>
      <ul>
        {rows.map((row) => (
          <li key={row.uid}>
            <button type="button" className="link" onClick={() => onPick(row.uid)}>
              {row.uid}
            </button>{" "}
            <span className="muted">
              <Time value={row.servedAt} /> · {row.segment ?? "no segment"}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

interface TraceProps {
  id: string;
  other: string;
  onCompare: (b: string | null) => void;
  selected: string | null;
  onSelect: (uid: string | null) => void;
}

function TraceView({ id, other, onCompare, selected, onSelect }: TraceProps) {
  const [state, retry] = useQuery<TraceAnswer>(TRACE, { id });
  const trace = state.status === "answered" ? state.answer.data.trace : null;
  const drawn = useMemo(() => (trace ? drawnOf(trace) : null), [trace]);
  if (state.status === "loading") return <Loading what="the trace" />;
  if (state.status === "failed") return <ErrorNotice message={state.message} retry={retry} />;
  if (state.status !== "answered") return null;
  if (!trace && isDenied(state.answer, ["trace"])) {
    return (
      <p>
        The trace of a recommendation: <NotVisible />.
      </p>
    );
  }
  if (!trace || !drawn) return <Empty>No recommendation you may see has this id. Check it, or pick one with the search above.</Empty>;
  return (
    <TraceBody trace={trace} answer={state.answer} drawn={drawn} other={other} onCompare={onCompare} selected={selected} onSelect={onSelect} />
  );
}

interface BodyProps extends Omit<TraceProps, "id"> {
  trace: Trace;
  answer: Answer<TraceAnswer>;
  drawn: Drawn;
}

function TraceBody({ trace, answer, drawn, other, onCompare, selected, onSelect }: BodyProps) {
  const rec = trace.recommendation;
  const trained = new Set(trace.trainedOn.map((f) => f.uid));
  const served = trace.servedFeatures.map((f) => ({ ...f, trained: trained.has(f.uid) }));
  const items: Item[] = rec.items.map((item, index) => ({ rank: index + 1, item, score: rec.scores[index] ?? null }));
  const model = trace.modelVersion;
  const flags = Object.entries(trace.experiment?.featureFlags ?? {});
  const pseudonymDenied = isDenied(answer, ["trace", "recommendation", "userPseudonym"]);
  return (
    <>
      <ReportToolbar label="the trace report" pdf={{ report: "trace", arguments: { recommendationId: rec.uid } }} />
      <dl className="facts card" data-testid="trace-facts">
        <div>
          <dt>Recommendation</dt>
          <dd>
            <code>{rec.uid}</code>
          </dd>
        </div>
        <div>
          <dt>Served</dt>
          <dd>
            <Time value={rec.servedAt} withSeconds />
          </dd>
        </div>
        <div>
          <dt>User (pseudonym)</dt>
          <dd>{pseudonymDenied ? <NotVisible /> : <code>{rec.userPseudonym ?? "—"}</code>}</dd>
        </div>
        <div>
          <dt>Segment, cohort</dt>
          <dd>
            {rec.segment ?? "—"}, {rec.cohort ?? "—"}
          </dd>
        </div>
        <div>
          <dt>Model version</dt>
          <dd data-testid="model-version">{model ? <code>{model.uid}</code> : "unknown"}</dd>
        </div>
        <div>
          <dt>Training window</dt>
          <dd>
            {model ? (
              <>
                <Time value={model.trainingWindowStart} /> to <Time value={model.trainingWindowEnd} />
              </>
            ) : (
              "—"
            )}
          </dd>
        </div>
        <div>
          <dt>Experiment, variant</dt>
          <dd data-testid="variant">
            {trace.variant ? (
              <>
                <code>{trace.experiment?.uid ?? "—"}</code>, <code>{trace.variant.uid}</code>
                {trace.variant.trafficShare !== null && ` (${Math.round(trace.variant.trafficShare * 100)}% of traffic)`}
              </>
            ) : (
              "not in an experiment"
            )}
          </dd>
        </div>
        <div>
          <dt>Flags</dt>
          <dd>{flags.length > 0 ? flags.map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(", ") : "none"}</dd>
        </div>
      </dl>
      {trace.notes.length > 0 && (
        <div className="card notes" role="note" aria-label="Notes">
          <h2>Notes</h2>
          <ul>
            {trace.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </div>
      )}
      <HiddenBadges hidden={trace.hidden} />
      <div className="graph-layout">
        <GraphCanvas name={rec.uid} caption="trace graph" drawn={drawn} height={420} selected={selected} onActivate={onSelect} />
        {selected && <NodePanel key={selected} uid={selected} onClose={() => onSelect(null)} />}
      </div>
      <DataTable name="timeline" caption="Timeline" columns={TIMELINE_COLUMNS} rows={timelineOf(trace)} rowKey={(row) => `${row.at}-${row.event}-${row.uid}`} />
      <DataTable name="served-features" caption="Served feature versions" columns={SERVED_COLUMNS} rows={served} rowKey={(f) => f.uid} />
      <DataTable name="items" caption="Items as ranked" columns={ITEM_COLUMNS} rows={items} rowKey={(i) => String(i.rank)} />
      <DataTable name="outcomes" caption="Outcomes" columns={OUTCOME_COLUMNS} rows={trace.outcomes} rowKey={(o) => o.uid} empty="No outcome was observed for this recommendation." />
      <LineageDiff a={rec.uid} b={other} onCompare={onCompare} />
    </>
  );
}
