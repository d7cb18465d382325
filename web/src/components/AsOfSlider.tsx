// The as-of time slider: one step per moment something in the graph began (a feature
// version materialized, a model trained, a context first served), and "now" at the right.
// Moving it replays the graph as it stood at that moment.
import { useId } from "react";

import { Time } from "./Time";

interface Props {
  moments: string[]; // ISO times, oldest first, as the API wrote them
  asOf: string | null; // null: now
  onChange: (asOf: string | null) => void;
}

/** The distinct times, oldest first, kept exactly as written (microseconds included). */
export function momentsOf(times: (string | null | undefined)[]): string[] {
  const distinct = [...new Set(times.filter((time): time is string => !!time))];
  return distinct.sort((a, b) => Date.parse(a) - Date.parse(b) || a.localeCompare(b));
}

/** The slider's position for `asOf`: the last moment not after it, or the end for now. */
export function stepOf(moments: string[], asOf: string | null): number {
  if (asOf === null) return moments.length;
  const at = Date.parse(asOf);
  let step = -1;
  moments.forEach((moment, index) => {
    if (Date.parse(moment) <= at) step = index;
  });
  return Math.max(step, 0);
}

export function AsOfSlider({ moments, asOf, onChange }: Props) {
  const id = useId();
  const step = stepOf(moments, asOf);
  // with nothing to replay yet the thumb rests at "now", the right end, where it starts
  const end = Math.max(moments.length, 1);
  const at = moments.length === 0 ? end : step;
  return (
    <div className="as-of">
      <label htmlFor={id}>As of</label>
      <input
        id={id}
        type="range"
        min={0}
        max={end}
        step={1}
        value={at}
        disabled={moments.length === 0}
        aria-valuetext={asOf ? `as of ${asOf}` : "now"}
        onChange={(event) => {
          const index = Number(event.target.value);
          onChange(index >= moments.length ? null : (moments[index] ?? null));
        }}
      />
      <output htmlFor={id} data-testid="as-of">
        {asOf ? <Time value={asOf} withSeconds /> : "now"}
      </output>
      {moments.length === 0 && <span className="muted">nothing to replay yet</span>}
      {asOf && (
        <button type="button" onClick={() => onChange(null)}>
          Back to now
        </button>
      )}
    </div>
  );
}
