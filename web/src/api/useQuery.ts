import { useCallback, useEffect, useState } from "react";

import { type Answer, ask, failures, RequestFailed, SignInNeeded, type Variables } from "./client";

export type QueryState<T> =
  | { status: "idle" }
  | { status: "loading" }
  /** `denied`: the policy refused every field asked (show NotVisible, not an error). */
  | { status: "failed"; message: string; denied?: boolean }
  | { status: "answered"; answer: Answer<T> & { data: T } };

type Settled<T> = { key: string; state: QueryState<T> };

/** Runs a GraphQL query whenever its variables change; `skip` waits for input. */
export function useQuery<T>(query: string, variables: Variables, skip = false): [QueryState<T>, () => void] {
  const [attempt, setAttempt] = useState(0);
  const variablesText = JSON.stringify(variables);
  const key = `${attempt}:${query}:${variablesText}`;
  const [settled, setSettled] = useState<Settled<T> | null>(null);
  useEffect(() => {
    if (skip) return;
    const controller = new AbortController();
    const settle = (state: QueryState<T>) => setSettled({ key, state });
    ask<T>(query, JSON.parse(variablesText) as Variables, controller.signal)
      .then((answer) => {
        const failed = failures(answer);
        if (answer.data === null) {
          const denied = answer.errors.length > 0 && failed.length === 0;
          const message = (denied ? answer.errors : failed).map((e) => e.message).join("; ") || "No data.";
          settle({ status: "failed", message, denied });
        } else {
          settle({ status: "answered", answer: answer as Answer<T> & { data: T } });
        }
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof SignInNeeded) window.dispatchEvent(new CustomEvent("graph-lineage:sign-in-needed"));
        const known = error instanceof RequestFailed || error instanceof SignInNeeded;
        settle({ status: "failed", message: known ? error.message : String(error) });
      });
    return () => controller.abort();
  }, [query, key, variablesText, skip]);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  if (skip) return [{ status: "idle" }, retry];
  return [settled?.key === key ? settled.state : { status: "loading" }, retry];
}
