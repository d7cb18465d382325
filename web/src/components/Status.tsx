// What a person sees while data loads, when there is none, when it failed, when the
// policy hides it. Each message says what to do next.
import type { ReactNode } from "react";

export function Loading({ what }: { what: string }) {
  return (
    <p className="status loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="status empty">{children}</p>;
}

export function ErrorNotice({ message, retry }: { message: string; retry?: () => void }) {
  return (
    <div className="status error" role="alert">
      <p>{message}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export const NOT_VISIBLE = "not visible to your role";

export function NotVisible() {
  return (
    <span className="not-visible" title="The access policy does not let your role read this field">
      {NOT_VISIBLE}
    </span>
  );
}

export interface HiddenCount {
  kind: string;
  count: number;
}

/** "+N hidden": nodes next to what is shown that the caller's role may not see. */
export function HiddenBadges({ hidden }: { hidden: HiddenCount[] }) {
  if (hidden.length === 0) return null;
  return (
    <span className="hidden-badges">
      {hidden.map((group) => (
        <span key={group.kind} className="badge hidden" title={`${group.count} ${group.kind} nodes your role may not see`}>
          +{group.count} hidden {group.kind}
        </span>
      ))}
    </span>
  );
}
