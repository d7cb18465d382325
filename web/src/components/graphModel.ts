// What GraphCanvas draws, independent of Cytoscape: nodes with a kind and a label, typed
// edges from the derived node to its origin, and the paths between two nodes.
import { colourOf } from "./palette";

export interface DrawnNode {
  id: string; // the uid, or `group:<context uid>` for a collapsed group
  kind: string; // a node label, or "Group"
  label: string;
  /** A collapsed group can be opened one page further. */
  expandable?: boolean;
  /** The box (a node of kind "Page") this node is drawn in, in a grid, outside the layers. */
  parent?: string;
}

export interface DrawnEdge {
  source: string; // the derived node
  target: string; // what it came from
  type: string;
}

export interface Drawn {
  nodes: DrawnNode[];
  edges: DrawnEdge[];
}

// Every kind differs by shape as well as by colour (palette.ts), so nothing is told by
// colour alone; the legend names both.
export const KIND_SHAPES: Record<string, string> = {
  DataSource: "barrel",
  Dataset: "barrel",
  Feature: "round-rectangle",
  FeatureVersion: "rectangle",
  Model: "hexagon",
  ModelVersion: "round-hexagon",
  Deployment: "tag",
  Experiment: "diamond",
  Variant: "round-diamond",
  LineageContext: "ellipse",
  Recommendation: "star",
  Outcome: "triangle",
  Group: "octagon",
  Page: "round-rectangle",
};

export function shapeOf(kind: string): string {
  return KIND_SHAPES[kind] ?? "round-rectangle";
}

export function fillOf(kind: string): string {
  return kind === "Group" || kind === "Page" ? "#ffffff" : colourOf(kind);
}

/** Where the members of a box go: a grid about three times as wide as tall, row by row. */
export function gridOf(count: number): { columns: number; rows: number } {
  const columns = Math.max(1, Math.ceil(Math.sqrt(count * 3)));
  return { columns: Math.min(columns, count || 1), rows: Math.ceil(count / columns) };
}

/** A short label: the uid without its kind's prefix (`user_ctr_7d@v3`), contexts shortened. */
export function shortLabel(uid: string): string {
  const colon = uid.indexOf(":");
  const rest = colon >= 0 ? uid.slice(colon + 1) : uid;
  if (uid.startsWith("context:")) return `context ${rest.slice(0, 8)}`;
  return rest;
}

/** The nodes of a shortest path from `from` to `to`, edges taken in either direction; [] if none. */
export function shortestPath(drawn: Drawn, from: string, to: string): string[] {
  if (from === to) return drawn.nodes.some((n) => n.id === from) ? [from] : [];
  const neighbours = new Map<string, string[]>();
  const link = (a: string, b: string) => neighbours.set(a, [...(neighbours.get(a) ?? []), b]);
  for (const edge of drawn.edges) {
    link(edge.source, edge.target);
    link(edge.target, edge.source);
  }
  const previous = new Map<string, string>([[from, from]]);
  const queue = [from];
  while (queue.length > 0) {
    const here = queue.shift() as string;
    for (const next of neighbours.get(here) ?? []) {
      if (previous.has(next)) continue;
      previous.set(next, here);
      if (next === to) {
        const path = [to];
        while (path[0] !== from) path.unshift(previous.get(path[0] as string) as string);
        return path;
      }
      queue.push(next);
    }
  }
  return [];
}

/** The edges along a path, in the order of the path. */
export function pathEdges(drawn: Drawn, path: string[]): DrawnEdge[] {
  const along: DrawnEdge[] = [];
  for (let index = 1; index < path.length; index += 1) {
    const a = path[index - 1];
    const b = path[index];
    const edge = drawn.edges.find((e) => (e.source === a && e.target === b) || (e.source === b && e.target === a));
    if (edge) along.push(edge);
  }
  return along;
}
