// A report's two printable forms, for a view to drop in beside its title:
// - Print: the view itself, through the print style sheet (styles.css, @media print), with
//   the stamp under the title. The export is recorded first (format HTML).
// - PDF: made by the server (POST /exports/report.pdf), which runs the same GraphQL query as
//   the signed-in principal, stamps the PDF and records the export.
import { useState } from "react";
import { flushSync } from "react-dom";

import { reportPdf, type ReportRequest, type Variables } from "../api/client";
import { download, type ExportStamp, stampExport, useExportScope } from "./exports";

interface Props {
  /** The server's report of the same thing; without one (it makes trace, impact and
   * experiment reports), only Print is offered. */
  report?: ReportRequest["report"];
  arguments?: Variables; // the report query's variables, e.g. { recommendationId }
  label: string; // what is printed, for screen readers: "Print <label>"
  disabled?: boolean;
}

export function ReportButtons({ report, arguments: values = {}, label, disabled = false }: Props) {
  const scope = useExportScope();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [stamp, setStamp] = useState<ExportStamp | null>(null);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await work();
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  const print = async () => {
    const recorded = await stampExport(scope, "html");
    flushSync(() => setStamp(recorded)); // on the page before the browser lays it out
    window.print();
  };
  const pdf = async (kind: ReportRequest["report"]) => {
    const { pdf: file, name } = await reportPdf({ report: kind, arguments: values, filters: scope.filters, asOf: scope.asOf });
    download(name, file);
  };
  return (
    <>
      <span className="export-buttons" role="group" aria-label={`Print or download ${label}`}>
        <button type="button" disabled={disabled || busy} aria-label={`Print ${label}`} onClick={() => void run(print)}>
          Print
        </button>
        {report && (
          <button type="button" disabled={disabled || busy} aria-label={`Download ${label} as PDF`} onClick={() => void run(() => pdf(report))}>
            PDF
          </button>
        )}
        {problem && (
          <span className="export-problem" role="alert">
            {problem}
          </span>
        )}
      </span>
      {stamp && (
        <div className="print-only print-stamp" data-testid="print-stamp">
          {stamp.text.map((line) => (
            <div key={line}>{line}</div>
          ))}
        </div>
      )}
    </>
  );
}
