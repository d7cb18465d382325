// The lineage graph of one node: upstream or downstream, with depth and kinds; an as-of
// slider that replays it at a moment; recommendations and outcomes collapsed into a counted
// group per context, opened page by page; a side panel per node; the path between two nodes.
// Everything a person chose is in the URL.
import { useMemo } from "react";

import { useQuery } from "../api/useQuery";
import { AsOfSlider, momentsOf } from "../components/AsOfSlider";
import { DataTable, type TableColumn } from "../components/DataTable";
import { ExportScopeContext } from "../components/exports";
import { GraphCanvas } from "../components/GraphCanvas";
import { type Drawn, type DrawnNode, shortestPath, shortLabel } from "../components/graphModel";
import { NodePanel } from "../components/NodePanel";
import { SearchBox } from "../components/SearchBox";
import { Empty, ErrorNotice, type HiddenCount, HiddenBadges, Loading } from "../components/Status";
import { Time } from "../components/Time";
import { useUrlState } from "../components/urlState";

const GRAPH_FIELDS = `
  root depth depthReached truncated truncatedReason
  nodes { uid kind stub validFrom }
  edges { source target type }
  hidden { kind count }`;
const DOWNSTREAM = `
query LineageDown($uid: ID!, $depth: Int!, $asOf: DateTime, $kinds: [String!]) {
  graph: downstream(uid: $uid, depth: $depth, asOf: $asOf, kinds: $kinds, collapse: true) {
    ${GRAPH_FIELDS} groups { context recommendations outcomes }
  }
}`;
const UPSTREAM = `
query LineageUp($uid: ID!, $depth: Int!, $asOf: DateTime, $kinds: [String!]) {
  graph: upstream(uid: $uid, depth: $depth, asOf: $asOf, kinds: $kinds) { ${GRAPH_FIELDS} }
}`;

export const PAGE_SIZE = 25;
const MAX_OPEN_GROUPS = 8; // aliases per request are limited (settings.graphql_max_aliases)

export const KIND_CHOICES: { label: string; kinds: string[]; shown: boolean }[] = [
  { label: "Data sources", kinds: ["DataSource"], shown: true },
  { label: "Features", kinds: ["Feature"], shown: true },
  { label: "Feature versions", kinds: ["FeatureVersion"], shown: true },
  { label: "Models", kinds: ["Model"], shown: true },
  { label: "Model versions", kinds: ["ModelVersion"], shown: true },
  { label: "Deployments", kinds: ["Deployment"], shown: true },
  { label: "Experiments", kinds: ["Experiment"], shown: true },
  { label: "Variants", kinds: ["Variant"], shown: true },
  { label: "Contexts", kinds: ["LineageContext"], shown: true },
  { label: "Recommendations and outcomes (grouped per context)", kinds: ["Recommendation", "Outcome"], shown: true },
  { label: "Feature statistics", kinds: ["FeatureStatistics"], shown: false },
  { label: "OpenLineage jobs, runs, datasets", kinds: ["Job", "Run", "Dataset"], shown: false },
];
export const DEFAULT_KINDS = KIND_CHOICES.filter((c) => c.shown).flatMap((c) => c.kinds);

interface GraphNode {
  uid: string;
  kind: string;
  stub: boolean;
  validFrom: string | null;
}
interface Group {
  context: string;
  recommendations: number | null;
  outcomes: number | null;
}
interface LineageAnswer {
  graph: {
    root: string;
    depth: number;
    depthReached: number;
    truncated: boolean;
    truncatedReason: string | null;
    nodes: GraphNode[];
    edges: { source: string; target: string; type: string }[];
    hidden: HiddenCount[];
    groups?: Group[];
  };
}
interface PagedRecommendation {
  uid: string;
  servedAt: string | null;
  outcomes: { uid: string; observedAt: string | null }[];
}
type PageAnswer = Record<string, { edges: { node: PagedRecommendation }[] } | null>;

/** `open` values in the URL: `<context uid>~<pages>`. */
function openGroups(values: string[]): Map<string, number> {
  const open = new Map<string, number>();
  for (const value of values.slice(0, MAX_OPEN_GROUPS)) {
    const [context, pages] = value.split("~");
    if (context) open.set(context, Math.max(1, Number(pages) || 1));
  }
  return open;
}

function groupsDocument(count: number): string {
  const variables = Array.from({ length: count }, (_, i) => `$c${i}: ID!, $n${i}: Int!`).join(", ");
  const fields = Array.from(
    { length: count },
    (_, i) => `g${i}: recommendations(filter: {context: $c${i}, servedTo: $asOf}, first: $n${i}) { edges { node { uid servedAt outcomes { uid observedAt } } } }`,
  ).join("\n  ");
  return `query LineageGroups($asOf: DateTime, ${variables}) {\n  ${fields}\n}`;
}

/** The pages as of a moment: an outcome observed after it had not happened yet. */
function asOfPages(pages: PageAnswer, asOf: string | null): PageAnswer {
  if (asOf === null) return pages;
  const moment = Date.parse(asOf);
  const before = (o: { observedAt: string | null }) => o.observedAt === null || Date.parse(o.observedAt) <= moment;
  return Object.fromEntries(
    Object.entries(pages).map(([key, page]) => [
      key,
      page && { edges: page.edges.map(({ node }) => ({ node: { ...node, outcomes: node.outcomes.filter(before) } })) },
    ]),
  );
}

function drawnOf(graph: LineageAnswer["graph"], open: Map<string, number>, pages: PageAnswer | null): Drawn {
  const nodes: DrawnNode[] = graph.nodes.map((node) => ({ id: node.uid, kind: node.kind, label: shortLabel(node.uid) }));
  const edges = [...graph.edges];
  [...open.keys()].forEach((context, index) => {
    const opened = pages?.[`g${index}`]?.edges ?? [];
    if (opened.length === 0) return;
    const box = `page:${context}`;
    nodes.push({ id: box, kind: "Page", label: `${opened.length} recommendations of ${shortLabel(context)}` });
    edges.push({ source: box, target: context, type: "HAS_CONTEXT" });
    for (const { node } of opened) {
      nodes.push({ id: node.uid, kind: "Recommendation", label: shortLabel(node.uid), parent: box });
      for (const outcome of node.outcomes) {
        nodes.push({ id: outcome.uid, kind: "Outcome", label: shortLabel(outcome.uid), parent: box });
        edges.push({ source: outcome.uid, target: node.uid, type: "FOR" });
      }
    }
  });
  for (const group of graph.groups ?? []) {
    if (!group.recommendations) continue;
    const shown = pages?.[`g${[...open.keys()].indexOf(group.context)}`]?.edges.length ?? 0;
    const rest = group.recommendations - shown;
    const outcomes = group.outcomes === null ? "" : `\n${group.outcomes.toLocaleString()} outcomes`;
    const label = rest > 0 ? `${rest.toLocaleString()} more recommendations${outcomes}` : `all ${shown} shown${outcomes}`;
    nodes.push({ id: `group:${group.context}`, kind: "Group", label, expandable: rest > 0 });
    edges.push({ source: `group:${group.context}`, target: group.context, type: "HAS_CONTEXT" });
  }
  return { nodes, edges };
}

export function Lineage() {
  const url = useUrlState();
  const uid = url.get("uid");
  const direction = url.get("dir", "downstream") === "upstream" ? "upstream" : "downstream";
  const depth = Math.min(10, Math.max(1, Number(url.get("depth", "4")) || 4));
  const chosenKinds = url.getAll("kind");
  const kinds = chosenKinds.length > 0 ? chosenKinds : DEFAULT_KINDS;
  const asOfText = `${url.get("asOf")}`; // a primitive, so the React Compiler may memoize on it
  const asOf = asOfText === "" ? null : asOfText;
  const selected = url.get("sel") || null;
  const openText = url.getAll("open").join(" ");
  const open = useMemo(() => openGroups(openText.split(" ").filter(Boolean)), [openText]);
  const from = url.get("from");
  const to = url.get("to");

  const document = direction === "upstream" ? UPSTREAM : DOWNSTREAM;
  const base = { uid, depth, kinds };
  const [now, retryNow] = useQuery<LineageAnswer>(document, { ...base, asOf: null }, uid === "");
  const [then, retryThen] = useQuery<LineageAnswer>(document, { ...base, asOf }, uid === "" || asOf === null);
  const shown = asOf === null ? now : then;
  const graph = shown.status === "answered" ? shown.answer.data.graph : null;

  const openList = [...open.entries()];
  const pageVariables = Object.fromEntries([
    ["asOf", asOf],
    ...openList.flatMap(([context, count], index) => [
      [`c${index}`, context],
      [`n${index}`, count * PAGE_SIZE],
    ]),
  ]);
  const [pages] = useQuery<PageAnswer>(groupsDocument(openList.length), pageVariables, openList.length === 0 || !graph);
  const pageData = pages.status === "answered" ? pages.answer.data : null;

  const moments = useMemo(
    () => (now.status === "answered" ? momentsOf(now.answer.data.graph.nodes.map((node) => node.validFrom)) : []),
    [now],
  );
  const drawn = useMemo(
    () => (graph ? drawnOf(graph, open, pageData && asOfPages(pageData, asOf)) : { nodes: [], edges: [] }),
    [graph, open, pageData, asOf],
  );
  const path = useMemo(() => (from && to ? shortestPath(drawn, from, to) : []), [drawn, from, to]);

  const scope = {
    view: "lineage",
    filters: { uid, direction, depth, kinds: kinds.join(",") },
    asOf,
  };
  const activate = (id: string) => {
    if (id.startsWith("group:")) {
      const context = id.slice("group:".length);
      const next = new Map(open).set(context, (open.get(context) ?? 0) + 1);
      url.set({ open: [...next.entries()].map(([c, n]) => `${c}~${n}`) }, true);
    } else {
      url.set({ sel: id }, true);
    }
  };
  const toggleKinds = (choice: string[], on: boolean) => {
    const next = on ? [...new Set([...kinds, ...choice])] : kinds.filter((kind) => !choice.includes(kind));
    url.set({ kind: next.length > 0 ? next : DEFAULT_KINDS });
  };

  return (
    <ExportScopeContext.Provider value={scope}>
      <section className="lineage">
        <h1>Lineage graph</h1>
        <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="What to show">
          <SearchBox
            key={uid}
            label="Node"
            value={uid}
            placeholder="uid or name, e.g. clickstream"
            onPick={(picked) => url.set({ uid: picked, sel: null, open: null, from: null, to: null, asOf: null }, true)}
          />
          <div>
            <label htmlFor="lineage-direction">Direction</label>
            <select id="lineage-direction" value={direction} onChange={(event) => url.set({ dir: event.target.value, open: null })}>
              <option value="downstream">Downstream: what was derived from it</option>
              <option value="upstream">Upstream: what it came from</option>
            </select>
          </div>
          <div>
            <label htmlFor="lineage-depth">Depth</label>
            <select id="lineage-depth" value={depth} onChange={(event) => url.set({ depth: event.target.value })}>
              {Array.from({ length: 10 }, (_, i) => i + 1).map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
          <fieldset className="kinds">
            <legend>Kinds</legend>
            {KIND_CHOICES.map((choice) => (
              <label key={choice.label} className="check">
                <input
                  type="checkbox"
                  checked={choice.kinds.every((kind) => kinds.includes(kind))}
                  onChange={(event) => toggleKinds(choice.kinds, event.target.checked)}
                />{" "}
                {choice.label}
              </label>
            ))}
          </fieldset>
          <AsOfSlider moments={moments} asOf={asOf} onChange={(moment) => url.set({ asOf: moment, open: null })} />
        </form>
        {uid === "" && <Empty>Pick a node to start: type part of its uid or name above, e.g. “clickstream” or “ranker”.</Empty>}
        {uid !== "" && shown.status === "loading" && <Loading what="the lineage" />}
        {graph && pages.status === "loading" && <Loading what="the opened recommendations" />}
        {pages.status === "failed" && <ErrorNotice message={pages.message} />}
        {shown.status === "failed" && <ErrorNotice message={shown.message} retry={asOf ? retryThen : retryNow} />}
        {graph && shown.status === "answered" && (
          <LineageBody
            graph={graph}
            drawn={drawn}
            selected={selected}
            path={path}
            pathEnds={[from, to]}
            onActivate={activate}
            onPathEnds={(from, to) => url.set({ from, to }, true)}
            onClose={() => url.set({ sel: null }, true)}
            onOpen={(node) => url.set({ uid: node, sel: null, open: null, from: null, to: null }, true)}
            groupsShown={pageData}
            asOf={asOf}
            open={open}
          />
        )}
      </section>
    </ExportScopeContext.Provider>
  );
}

interface BodyProps {
  graph: LineageAnswer["graph"];
  drawn: Drawn;
  selected: string | null;
  path: string[];
  pathEnds: string[];
  onActivate: (id: string) => void;
  onPathEnds: (from: string | null, to: string | null) => void;
  onClose: () => void;
  onOpen: (uid: string) => void;
  groupsShown: PageAnswer | null;
  asOf: string | null;
  open: Map<string, number>;
}

function nodeColumns(onSelect: (uid: string) => void): TableColumn<GraphNode>[] {
  return [
    {
      key: "uid",
      header: "uid",
      value: (node) => node.uid,
      render: (node) => (
        <button type="button" className="link" onClick={() => onSelect(node.uid)}>
          {node.uid}
        </button>
      ),
    },
    { key: "kind", header: "Kind", value: (node) => node.kind },
    { key: "validFrom", header: "Valid from", value: (node) => node.validFrom, render: (node) => <Time value={node.validFrom} /> },
  ];
}

/** The nodes drawn, groups aside: the graph's, then what opened groups brought. */
function tableNodes(graph: LineageAnswer["graph"], pages: PageAnswer | null): GraphNode[] {
  const opened = Object.values(pages ?? {}).flatMap((page) => page?.edges ?? []);
  const leaves = opened.flatMap(({ node }) => [
    { uid: node.uid, kind: "Recommendation", stub: false, validFrom: node.servedAt },
    ...node.outcomes.map((o) => ({ uid: o.uid, kind: "Outcome", stub: false, validFrom: o.observedAt })),
  ]);
  return [...graph.nodes, ...leaves];
}

function LineageBody({ graph, drawn, selected, path, pathEnds, onActivate, onPathEnds, onClose, onOpen, groupsShown, asOf, open }: BodyProps) {
  const groupRows = (graph.groups ?? []).filter((group) => group.recommendations !== null);
  const shownOf = (context: string) => groupsShown?.[`g${[...open.keys()].indexOf(context)}`]?.edges.length ?? 0;
  const groupColumns: TableColumn<Group>[] = [
    { key: "context", header: "Context", value: (g) => g.context, render: (g) => <code>{g.context}</code> },
    { key: "recommendations", header: "Recommendations", value: (g) => g.recommendations, numeric: true },
    { key: "outcomes", header: "Outcomes", value: (g) => g.outcomes, numeric: true },
    { key: "shown", header: "Shown", value: (g) => shownOf(g.context), numeric: true },
    {
      key: "more",
      header: "Open",
      value: () => null,
      render: (g) =>
        (g.recommendations ?? 0) > shownOf(g.context) ? (
          <button type="button" onClick={() => onActivate(`group:${g.context}`)}>
            Show {PAGE_SIZE} more
          </button>
        ) : (
          "all shown"
        ),
    },
  ];
  const rows = tableNodes(graph, groupsShown && asOfPages(groupsShown, asOf));
  const uids = rows.map((node) => node.uid).sort();
  return (
    <>
      <p className="graph-summary" data-testid="graph-summary">
        <strong>{graph.nodes.length.toLocaleString()}</strong> nodes · <strong>{graph.edges.length.toLocaleString()}</strong> edges ·
        depth reached {graph.depthReached} of {graph.depth}
        {graph.truncated && <span className="badge"> cut: {graph.truncatedReason}</span>} <HiddenBadges hidden={graph.hidden} />
      </p>
      <div className="graph-layout">
        <GraphCanvas name={`${graph.root}-${graph.depth}`} caption="lineage graph" drawn={drawn} selected={selected} path={path} onActivate={onActivate} />
        {selected && <NodePanel key={selected} uid={selected} onClose={onClose} onOpen={onOpen} />}
      </div>
      <div className="path-picker filters">
        <div>
          <label htmlFor="path-from">Path from</label>
          <select id="path-from" value={pathEnds[0] ?? ""} onChange={(event) => onPathEnds(event.target.value || null, pathEnds[1] || null)}>
            <option value="">—</option>
            {uids.map((uid) => (
              <option key={uid}>{uid}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="path-to">to</label>
          <select id="path-to" value={pathEnds[1] ?? ""} onChange={(event) => onPathEnds(pathEnds[0] || null, event.target.value || null)}>
            <option value="">—</option>
            {uids.map((uid) => (
              <option key={uid}>{uid}</option>
            ))}
          </select>
        </div>
        <p aria-live="polite" data-testid="path">
          {pathEnds[0] && pathEnds[1]
            ? path.length > 0
              ? `Path (${path.length - 1} steps): ${path.join(" → ")}`
              : `No path between ${pathEnds[0]} and ${pathEnds[1]} in this graph.`
            : "Choose two nodes to highlight the path between them."}
        </p>
      </div>
      {groupRows.length > 0 && (
        <DataTable name="groups" caption="Recommendations per context (collapsed)" columns={groupColumns} rows={groupRows} rowKey={(g) => g.context} />
      )}
      <DataTable name="nodes" caption="Nodes of the graph" columns={nodeColumns(onActivate)} rows={rows} rowKey={(node) => node.uid} />
    </>
  );
}
