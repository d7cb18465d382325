// A lineage graph drawn by Cytoscape.js in layers from left to right (dagre): origins on
// the left, what was derived from them to the right, arrows the way data flows. Kinds differ
// by shape and Okabe-Ito colour; labels give way when zoomed out, so a thousand nodes stay
// readable. Focus it and use the arrow keys to move from node to node, Enter to open one.
// Exports as PNG and SVG, stamped (exports.ts).
import cytoscape, { type Core, type ElementDefinition } from "cytoscape";
import dagre from "cytoscape-dagre";
import svg from "cytoscape-svg";
import { type KeyboardEvent, useEffect, useMemo, useRef, useState } from "react";

import { exportDrawing, useExportScope } from "./exports";
import { ExportButtons } from "./ExportButtons";
import { type Drawn, fillOf, gridOf, KIND_SHAPES, shapeOf } from "./graphModel";

cytoscape.use(dagre);
cytoscape.use(svg);

const HIGHLIGHT = "#D55E00";
const MAX_SIDE = 8192; // px: a PNG larger than this is scaled down to fit
const LEGEND_KINDS = Object.keys(KIND_SHAPES);

interface Props {
  name: string; // names the exported file
  caption: string; // the figure's title and accessible name
  drawn: Drawn;
  selected?: string | null;
  path?: string[];
  /** A node was clicked, or chosen with Enter. */
  onActivate?: (id: string) => void;
  height?: number;
}

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: "node",
    style: {
      shape: "data(shape)" as never,
      "background-color": "data(fill)",
      "border-width": 1,
      "border-color": "#222222",
      width: 28,
      height: 20,
      label: "data(label)",
      "font-size": 10,
      color: "#1b1f24",
      "text-valign": "bottom",
      "text-margin-y": 3,
      "text-max-width": "140px",
      "text-wrap": "ellipsis",
      "min-zoomed-font-size": 7,
    },
  },
  {
    selector: "node.group",
    style: { "border-style": "dashed", "border-width": 2, width: 34, height: 26, "text-wrap": "wrap" },
  },
  {
    selector: "node:parent",
    style: {
      "background-opacity": 0,
      "border-style": "dashed",
      "border-width": 1,
      label: "data(label)",
      "text-valign": "top",
      "text-halign": "center",
      "text-margin-y": -4,
      padding: "12px",
    },
  },
  {
    selector: "edge",
    style: {
      width: 1,
      "line-color": "#8c959f",
      "target-arrow-color": "#8c959f",
      "target-arrow-shape": "triangle",
      "arrow-scale": 0.7,
      "curve-style": "bezier",
    },
  },
  { selector: ".faded", style: { opacity: 0.25 } },
  { selector: "edge.path", style: { width: 4, "line-color": HIGHLIGHT, "target-arrow-color": HIGHLIGHT, opacity: 1 } },
  { selector: "node.path", style: { "border-width": 4, "border-color": HIGHLIGHT, opacity: 1 } },
  { selector: "node.selected", style: { "border-width": 4, "border-color": "#0072B2" } },
  {
    selector: "node.focused",
    style: { "overlay-color": HIGHLIGHT, "overlay-opacity": 0.3, "overlay-padding": 6 },
  },
];

function elementsOf(drawn: Drawn): ElementDefinition[] {
  const ids = new Set(drawn.nodes.map((n) => n.id));
  const nodes: ElementDefinition[] = drawn.nodes.map((node) => ({
    group: "nodes",
    data: {
      id: node.id,
      label: node.label,
      kind: node.kind,
      shape: shapeOf(node.kind),
      fill: fillOf(node.kind),
      ...(node.parent ? { parent: node.parent } : {}),
    },
    classes: node.kind === "Group" ? "group" : undefined,
  }));
  // Drawn the way data flows: from the origin to what was derived from it.
  const edges: ElementDefinition[] = drawn.edges
    .filter((edge) => ids.has(edge.source) && ids.has(edge.target))
    .map((edge, index) => ({
      group: "edges",
      data: { id: `e${index}`, source: edge.target, target: edge.source, type: edge.type },
    }));
  return [...nodes, ...edges];
}

/** The size of the PNG the export writes before its stamp: the whole graph, at most MAX_SIDE. */
function pngSize(cy: Core): { width: number; height: number; scale: number } {
  const box = cy.elements().boundingBox();
  const width = Math.ceil(box.w);
  const height = Math.ceil(box.h);
  const scale = Math.min(1, MAX_SIDE / Math.max(width, 1), MAX_SIDE / Math.max(height, 1));
  return { width: Math.floor(width * scale), height: Math.floor(height * scale), scale };
}

const CELL = { width: 118, height: 38 }; // a member of a box: its node and its label

/** Lays out in layers all but the boxes, then each box's members in a grid to the right. */
function layOut(cy: Core): void {
  const boxes = cy.nodes(":parent");
  const members = boxes.children();
  const layered = cy.elements().difference(boxes.union(members).union(boxes.connectedEdges()));
  layered
    .layout({ name: "dagre", rankDir: "LR", nodeSep: 16, rankSep: 110, edgeSep: 4, animate: false, fit: false } as cytoscape.LayoutOptions)
    .run();
  const right = layered.boundingBox().x2 + 200;
  let top = layered.boundingBox().y1;
  const anchorY = (box: cytoscape.NodeSingular) => box.connectedEdges().connectedNodes().difference(box).nodes().first().position("y");
  const sorted = boxes.toArray().sort((a, b) => anchorY(a) - anchorY(b));
  for (const box of sorted) {
    const inside = box.children().toArray();
    const { columns, rows } = gridOf(inside.length);
    inside.forEach((member, index) => {
      member.position({ x: right + (index % columns) * CELL.width, y: top + Math.floor(index / columns) * CELL.height });
    });
    top += rows * CELL.height + 80;
  }
  cy.fit(undefined, 24);
}

function ordered(cy: Core): string[] {
  return cy
    .nodes()
    .toArray()
    .sort((a, b) => a.position("x") - b.position("x") || a.position("y") - b.position("y"))
    .map((node) => node.id());
}

export function GraphCanvas({ name, caption, drawn, selected = null, path = [], onActivate, height = 560 }: Props) {
  const scope = useExportScope();
  const holder = useRef<HTMLDivElement | null>(null);
  const graph = useRef<Core | null>(null);
  const activate = useRef(onActivate);
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  const [focused, setFocused] = useState<string | null>(null);
  const elements = useMemo(() => elementsOf(drawn), [drawn]);

  useEffect(() => {
    activate.current = onActivate;
  }, [onActivate]);

  useEffect(() => {
    if (!holder.current) return;
    const cy = cytoscape({
      container: holder.current,
      style: STYLE,
      pixelRatio: 1, // so an export's size is the graph's size in pixels
      textureOnViewport: true,
      hideEdgesOnViewport: true,
      minZoom: 0.05,
      maxZoom: 1.5, // a small graph is not blown up past legibility
    });
    cy.on("tap", "node", (event) => activate.current?.(event.target.id()));
    graph.current = cy;
    return () => {
      cy.destroy();
      graph.current = null;
    };
  }, []);

  useEffect(() => {
    const cy = graph.current;
    if (!cy) return;
    cy.batch(() => {
      cy.elements().remove();
      cy.add(elements);
    });
    layOut(cy);
    const frame = requestAnimationFrame(() => setSize(pngSize(cy)));
    return () => cancelAnimationFrame(frame);
  }, [elements]);

  useEffect(() => {
    const cy = graph.current;
    if (!cy) return;
    cy.batch(() => {
      cy.elements().removeClass("selected path faded focused");
      if (path.length > 0) {
        const onPath = new Set(path);
        cy.elements().addClass("faded");
        cy.nodes().filter((node) => onPath.has(node.id())).removeClass("faded").addClass("path");
        path.slice(1).forEach((id, index) => {
          const previous = path[index] as string;
          cy.getElementById(id)
            .edgesWith(cy.getElementById(previous))
            .removeClass("faded")
            .addClass("path");
        });
      }
      if (selected) cy.getElementById(selected).removeClass("faded").addClass("selected");
      if (focused) cy.getElementById(focused).removeClass("faded").addClass("focused");
    });
  }, [elements, selected, path, focused]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const cy = graph.current;
    if (!cy || cy.nodes().length === 0) return;
    const order = ordered(cy);
    const here = focused ? order.indexOf(focused) : -1;
    const step: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    if (event.key in step) {
      event.preventDefault();
      const next = order[(here + (step[event.key] ?? 0) + order.length) % order.length] as string;
      setFocused(next);
      cy.animate({ center: { eles: cy.getElementById(next) } }, { duration: 0 });
    } else if ((event.key === "Enter" || event.key === " ") && focused) {
      event.preventDefault();
      onActivate?.(focused);
    } else if (event.key === "+" || event.key === "-") {
      cy.zoom({ level: cy.zoom() * (event.key === "+" ? 1.25 : 0.8), renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    } else if (event.key === "0") {
      cy.fit(undefined, 24);
    }
  };

  const exportAs = async (format: string) => {
    const cy = graph.current;
    if (!cy) throw new Error("the graph is not drawn yet");
    const { scale } = pngSize(cy);
    await exportDrawing(
      scope,
      name,
      {
        png: async () => cy.png({ full: true, scale, bg: "#ffffff", output: "base64uri" }),
        svg: async () => cy.svg({ full: true, scale, bg: "#ffffff" }),
      },
      format as "png" | "svg",
    );
  };

  const focusedNode = focused ? drawn.nodes.find((node) => node.id === focused) : undefined;
  return (
    <figure className="graph" data-graph={name}>
      <figcaption>
        <span>{caption}</span>
        <span className="muted" data-testid="drawing-size">
          {size ? `PNG ${size.width} × ${size.height} px` : ""}
        </span>
        <ExportButtons label={caption} formats={["png", "svg"]} onExport={exportAs} disabled={drawn.nodes.length === 0} />
      </figcaption>
      <div
        ref={holder}
        className="graph-canvas"
        tabIndex={0}
        role="application"
        aria-roledescription="graph"
        aria-label={`${caption}: ${drawn.nodes.length} nodes, ${drawn.edges.length} edges. Arrow keys move from node to node, Enter opens one, + and - zoom, 0 fits.`}
        onKeyDown={onKeyDown}
        style={{ height }}
      />
      <p className="sr-status" aria-live="polite" data-testid="graph-focus">
        {focusedNode ? `Focused: ${focusedNode.id}, ${focusedNode.kind}${focusedNode.expandable ? " (Enter opens 25 more)" : ""}` : ""}
      </p>
      <Legend kinds={new Set(drawn.nodes.map((node) => node.kind))} />
    </figure>
  );
}

function Legend({ kinds }: { kinds: Set<string> }) {
  const shown = LEGEND_KINDS.filter((kind) => kinds.has(kind));
  return (
    <ul className="legend" aria-label="Legend: kinds by shape and colour">
      {shown.map((kind) => (
        <li key={kind}>
          <span className="swatch" style={{ background: fillOf(kind) }} aria-hidden="true" />
          {kind === "Group" ? "collapsed recommendations" : kind === "Page" ? "opened pages of a group" : kind} <span className="muted">({shapeOf(kind).replace("-", " ")})</span>
        </li>
      ))}
      <li className="muted">Arrows: the way data flows, from origin to what was derived.</li>
    </ul>
  );
}
