import { useState } from "react";

import type { ExportFormat } from "./exports";

interface Props {
  label: string; // what is exported, for screen readers: "Export <label> as CSV"
  formats: ExportFormat[];
  onExport: (format: ExportFormat) => Promise<void>;
  disabled?: boolean;
}

export function ExportButtons({ label, formats, onExport, disabled = false }: Props) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const run = async (format: ExportFormat) => {
    setBusy(true);
    setProblem(null);
    try {
      await onExport(format);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="export-buttons" role="group" aria-label={`Export ${label}`}>
      {formats.map((format) => (
        <button
          key={format}
          type="button"
          disabled={disabled || busy}
          aria-label={`Export ${label} as ${format.toUpperCase()}`}
          onClick={() => void run(format)}
        >
          {format.toUpperCase()}
        </button>
      ))}
      {problem && (
        <span className="export-problem" role="alert">
          {problem}
        </span>
      )}
    </span>
  );
}
