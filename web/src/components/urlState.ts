// A view's state lives in its URL's query, so a copied address restores the view exactly.
import { useCallback } from "react";
import { useSearchParams } from "react-router";

export type UrlPatch = Record<string, string | number | boolean | null | undefined | string[]>;

export interface UrlState {
  get: (key: string, fallback?: string) => string;
  getAll: (key: string) => string[];
  /** Sets (or, with null/undefined/"", removes) keys; `push` adds a history entry. */
  set: (patch: UrlPatch, push?: boolean) => void;
}

export function useUrlState(): UrlState {
  const [params, setParams] = useSearchParams();
  const get = useCallback((key: string, fallback = "") => params.get(key) ?? fallback, [params]);
  const getAll = useCallback((key: string) => params.getAll(key), [params]);
  const set = useCallback(
    (patch: UrlPatch, push = false) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [key, value] of Object.entries(patch)) {
            next.delete(key);
            if (Array.isArray(value)) value.forEach((item) => next.append(key, item));
            else if (value !== null && value !== undefined && value !== "") next.set(key, String(value));
          }
          return next;
        },
        { replace: !push },
      ),
    [setParams],
  );
  return { get, getAll, set };
}
