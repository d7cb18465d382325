// Exports: every table as CSV and JSON, every graph and chart as PNG and SVG, every report
// printed (HTML) or as PDF (ReportButtons). Each file is stamped with who exported it, when,
// the view's filters and the data's as-of time, and each export is first recorded in the
// access log (the recordExport mutation, or the server for a PDF): no record, no stamp, no
// file. The stamp's words are the server's (`text`), the same in every format.
import { createContext, useContext } from "react";

import { ask, failures, RequestFailed } from "../api/client";

export type ExportFormat = "csv" | "json" | "png" | "svg" | "html" | "pdf";

/** What a view is showing: named in every stamp and in the access log. */
export interface ExportScope {
  view: string;
  filters: Record<string, unknown>;
  asOf: string | null;
}

export const ExportScopeContext = createContext<ExportScope>({ view: "explorer", filters: {}, asOf: null });

export function useExportScope(): ExportScope {
  return useContext(ExportScopeContext);
}

/** An export as the access log recorded it (the recordExport mutation's answer). */
export interface ExportStamp {
  exportedBy: string;
  roles: string[];
  at: string;
  format: Uppercase<ExportFormat>;
  view: string;
  filters: Record<string, unknown>;
  asOf: string | null;
  rows: number | null;
  bytes: number | null;
  accessLogSeq: number;
  /** The stamp as lines of text, as the server words it: every file prints these. */
  text: string[];
}

/** What is known of the file before its stamp is added. */
export interface ExportSize {
  rows?: number | null;
  bytes?: number | null;
}

const RECORD_EXPORT = `
mutation RecordExport($export: ExportInput!) {
  recordExport(export: $export) { exportedBy roles at format view filters asOf rows bytes accessLogSeq text }
}`;

/** Records the export in the access log and returns its stamp; throws when it was not recorded. */
export async function stampExport(scope: ExportScope, format: ExportFormat, size: ExportSize = {}): Promise<ExportStamp> {
  const input = {
    format: format.toUpperCase(),
    view: scope.view,
    filters: scope.filters,
    asOf: scope.asOf,
    rows: size.rows ?? null,
    bytes: size.bytes ?? null,
  };
  const answer = await ask<{ recordExport: ExportStamp }>(RECORD_EXPORT, { export: input });
  const failed = failures(answer);
  if (!answer.data || failed.length > 0) {
    const why = failed.map((e) => e.message).join("; ") || "the access log did not answer";
    throw new RequestFailed(`The export was not recorded, so it was not made: ${why}`, null);
  }
  return answer.data.recordExport;
}

export interface Column<Row> {
  key: string;
  header: string;
  /** The value in CSV and JSON: a number, string, boolean or null. */
  value: (row: Row) => string | number | boolean | null;
}

function csvCell(value: string | number | boolean | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n#]/.test(text) || text.trim() !== text ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV, after `# ` lines carrying the stamp. */
export function toCsv<Row>(columns: Column<Row>[], rows: Row[], stamp: ExportStamp | null): string {
  const lines = stamp ? stamp.text.map((line) => `# ${line}`) : [];
  lines.push(columns.map((column) => csvCell(column.header)).join(","));
  for (const row of rows) lines.push(columns.map((column) => csvCell(column.value(row))).join(","));
  return lines.join("\r\n") + "\r\n";
}

function records<Row>(columns: Column<Row>[], rows: Row[]): Record<string, string | number | boolean | null>[] {
  return rows.map((row) => Object.fromEntries(columns.map((column) => [column.key, column.value(row)])));
}

/** `{stamp, columns, rows}`: the stamp as an object (its `text` among it), one object per row. */
export function toJson<Row>(columns: Column<Row>[], rows: Row[], stamp: ExportStamp): string {
  return JSON.stringify({ stamp, columns: columns.map((c) => c.key), rows: records(columns, rows) }, null, 2);
}

/** The size of a text in UTF-8, as the file will hold it. */
export function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

export function fileName(scope: ExportScope, name: string, format: ExportFormat): string {
  const safe = `${scope.view}-${name}`.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 120);
  return `${safe}.${format}`;
}

export function download(name: string, content: Blob): void {
  const url = URL.createObjectURL(content);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function exportTable<Row>(
  scope: ExportScope,
  name: string,
  columns: Column<Row>[],
  rows: Row[],
  format: "csv" | "json",
): Promise<void> {
  const data = format === "csv" ? toCsv(columns, rows, null) : JSON.stringify(records(columns, rows));
  const stamp = await stampExport(scope, format, { rows: rows.length, bytes: byteLength(data) });
  const text = format === "csv" ? toCsv(columns, rows, stamp) : toJson(columns, rows, stamp);
  const type = format === "csv" ? "text/csv;charset=utf-8" : "application/json";
  download(fileName(scope, name, format), new Blob([text], { type }));
}

const FOOTER_LINE = 16;

/** A PNG of `image` (a data URL) with the stamp written under it. */
export async function stampedPng(imageUrl: string, stamp: ExportStamp): Promise<Blob> {
  const image = new Image();
  image.src = imageUrl;
  await image.decode();
  const lines = stamp.text;
  const canvas = document.createElement("canvas");
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight + FOOTER_LINE * lines.length + 8;
  const context = canvas.getContext("2d");
  if (!context) throw new Error("this browser cannot draw on a canvas");
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, 0, 0);
  context.fillStyle = "#222222";
  context.font = "12px sans-serif";
  lines.forEach((line, index) => context.fillText(line, 6, image.naturalHeight + FOOTER_LINE * (index + 1)));
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the PNG could not be made"))), "image/png"),
  );
}

/** The SVG with the stamp in its metadata and as text lines under the drawing. */
export function stampedSvg(svg: string, stamp: ExportStamp): string {
  const document = new DOMParser().parseFromString(svg, "image/svg+xml");
  const root = document.documentElement;
  const namespace = "http://www.w3.org/2000/svg";
  const height = Number.parseFloat(root.getAttribute("height") ?? "0") || 0;
  const width = Number.parseFloat(root.getAttribute("width") ?? "0") || 0;
  const lines = stamp.text;
  const metadata = document.createElementNS(namespace, "metadata");
  metadata.textContent = JSON.stringify(stamp);
  root.insertBefore(metadata, root.firstChild);
  lines.forEach((line, index) => {
    const text = document.createElementNS(namespace, "text");
    text.setAttribute("x", "6");
    text.setAttribute("y", String(height + FOOTER_LINE * (index + 1)));
    text.setAttribute("font-size", "12");
    text.setAttribute("font-family", "sans-serif");
    text.textContent = line;
    root.append(text);
  });
  const total = height + FOOTER_LINE * lines.length + 8;
  root.setAttribute("height", String(total));
  const viewBox = root.getAttribute("viewBox");
  if (viewBox) {
    const [x, y, w] = viewBox.split(/[\s,]+/).map(Number);
    root.setAttribute("viewBox", `${x} ${y} ${w ?? width} ${total}`);
  }
  const serialized = new XMLSerializer().serializeToString(document);
  return serialized.startsWith("<?xml") ? serialized : `<?xml version="1.0" encoding="UTF-8"?>\n${serialized}`;
}

/** A drawing the view can hand out: a PNG data URL and an SVG string. */
export interface Drawing {
  png: () => Promise<string>;
  svg: () => Promise<string>;
}

export async function exportDrawing(scope: ExportScope, name: string, drawing: Drawing, format: "png" | "svg"): Promise<void> {
  if (format === "png") {
    const image = await drawing.png();
    const stamp = await stampExport(scope, format);
    download(fileName(scope, name, "png"), await stampedPng(image, stamp));
  } else {
    const drawn = await drawing.svg();
    const stamp = await stampExport(scope, format, { bytes: byteLength(drawn) });
    download(fileName(scope, name, "svg"), new Blob([stampedSvg(drawn, stamp)], { type: "image/svg+xml" }));
  }
}
