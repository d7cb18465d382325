// Dates in the reader's timezone, with UTC on hover (and for screen readers, in the title).

export function utcText(iso: string): string {
  return new Date(iso).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, " UTC");
}

export function localText(iso: string, withSeconds = false): string {
  return new Date(iso).toLocaleString(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    ...(withSeconds ? { second: "2-digit" } : {}),
    timeZoneName: "short",
  });
}

export function Time({ value, withSeconds = false }: { value: string | null | undefined; withSeconds?: boolean }) {
  if (!value) return <span className="muted">—</span>;
  return (
    <time dateTime={value} title={utcText(value)}>
      {localText(value, withSeconds)}
    </time>
  );
}
