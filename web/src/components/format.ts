// Numbers as the analyses' views show them: counts in the reader's locale, statistics and
// p-values to three significant digits, shares and lifts as percentages. A missing value
// is an em dash, never a zero.

const DASH = "—";

/** Whether a property's value is a moment as the API writes it (ISO 8601, to the minute at least). */
export function isIsoTime(value: unknown): value is string {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value);
}

export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? DASH : value.toLocaleString();
}

/** Three significant digits, without trailing zeros: 0.00238, 0.1, 3.05e-29, 1. */
export function significant(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || Number.isNaN(value)) return DASH;
  if (Math.abs(value) >= 1000) return value.toLocaleString(undefined, { maximumFractionDigits: 1 });
  return String(Number(value.toPrecision(digits)));
}

/** A share from 0 to 1 as a percentage with one decimal: 0.3846 → "38.5%". */
export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return DASH;
  return `${(value * 100).toFixed(1)}%`;
}

/** A change, signed: 0.5065 → "+50.6%" (relative), 0.1441 → "+0.144" (absolute). */
export function signed(value: number | null | undefined, asPercent: boolean): string {
  if (value === null || value === undefined || Number.isNaN(value)) return DASH;
  const text = asPercent ? percent(value) : significant(value);
  return value > 0 ? `+${text}` : text;
}

/** A yes-or-no field as a person reads it (and as a table exports it); null stays unknown. */
export function yesNo(value: boolean | null): string | null {
  return value === null ? null : value ? "yes" : "no";
}

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}
