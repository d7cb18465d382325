// The pieces of a printable report: its toolbar, its headline figures, a risk level, and
// the line that says what it was asked (printed in place of the form that asked it).
import type { ReactNode } from "react";

import type { ReportRequest, Variables } from "../api/client";
import { ReportButtons } from "./ReportButtons";

/**
 * Above a report: Print (recorded, with the stamp on paper) and, where the server makes
 * the same report, its PDF (`pdf`: the report's kind and its query's variables). On paper
 * only the stamp stays.
 */
export function ReportToolbar({ label, pdf }: { label: string; pdf?: { report: ReportRequest["report"]; arguments: Variables } }) {
  return (
    <div className="report-toolbar" role="toolbar" aria-label={`${label}: print and export`}>
      <ReportButtons label={label} report={pdf?.report} arguments={pdf?.arguments} />
    </div>
  );
}

/** "What was asked" in words: on screen under the title, and on paper instead of the form. */
export function Asked({ items }: { items: [string, ReactNode][] }) {
  const shown = items.filter(([, value]) => value !== null && value !== undefined && value !== "");
  if (shown.length === 0) return null;
  return (
    <p className="asked">
      {shown.map(([name, value], index) => (
        <span key={name}>
          {index > 0 && " · "}
          {name}: <strong>{value}</strong>
        </span>
      ))}
    </p>
  );
}

export interface Figure {
  key: string; // data-figure: what the number is, for finding it
  label: string;
  value: ReactNode;
  note?: ReactNode;
}

export function Figures({ figures }: { figures: Figure[] }) {
  return (
    <dl className="figures">
      {figures.map((figure) => (
        <div key={figure.key}>
          <dt>{figure.label}</dt>
          <dd data-figure={figure.key}>{figure.value}</dd>
          {figure.note && <dd className="muted">{figure.note}</dd>}
        </div>
      ))}
    </dl>
  );
}

const RISK_MARK: Record<string, string> = { NONE: "○", LOW: "◔", MEDIUM: "◑", HIGH: "◕", CRITICAL: "●" };

/** A risk level in words, with a mark and a colour that both say it. */
export function RiskLevel({ level }: { level: string }) {
  return (
    <span className={`risk risk-${level.toLowerCase()}`} data-risk={level}>
      <span aria-hidden="true">{RISK_MARK[level] ?? "?"} </span>
      {level.toLowerCase()}
    </span>
  );
}

/** uids to read (and copy), in columns. */
export function UidList({ label, uids }: { label: string; uids: string[] }) {
  return (
    <ul className="uid-list" aria-label={label}>
      {uids.map((uid) => (
        <li key={uid}>
          <code>{uid}</code>
        </li>
      ))}
    </ul>
  );
}
