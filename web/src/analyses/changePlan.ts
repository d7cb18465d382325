// A change plan as a person writes it, read into GraphQL's ChangePlanInput. The text is
// what `graph-lineage change-plan PLAN` reads: YAML or JSON, with `as_of` and
// `window_days` (GraphQL's `asOf` and `windowDays` are accepted too). Only the shape is
// checked here; the API judges the uids and answers every problem of the plan at once.
import { parse } from "yaml";

export const ACTIONS = ["replace", "deprecate", "drop", "retire"] as const;
export type Action = (typeof ACTIONS)[number];

export interface ChangeInput {
  replace?: string;
  with?: string;
  deprecate?: string;
  drop?: string;
  retire?: string;
}

export interface ChangePlanInput {
  changes: ChangeInput[];
  title?: string;
  asOf?: string;
  windowDays?: number;
}

export type Parsed = { plan: ChangePlanInput; problems: [] } | { plan: null; problems: string[] };

const KEYS: Record<string, keyof ChangePlanInput> = {
  title: "title",
  as_of: "asOf",
  asOf: "asOf",
  window_days: "windowDays",
  windowDays: "windowDays",
  changes: "changes",
};
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_WINDOW_DAYS = 365;

export const EXAMPLE_PLAN = `title: move user_ctr_7d from v2 to v3
window_days: 7        # traffic of the 7 whole days before as_of's day
changes:
  - replace: feature:user_ctr_7d@v2
    with: feature:user_ctr_7d@v3
`;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A date alone means midnight UTC, as on the command line. */
export function moment(text: string): string {
  const trimmed = text.trim();
  return DATE_ONLY.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed;
}

function change(value: unknown, index: number, problems: string[]): ChangeInput | null {
  const where = `change ${index}`;
  if (!isRecord(value)) {
    problems.push(`${where}: write it as a mapping, e.g. "- deprecate: feature:<name>@<version>"`);
    return null;
  }
  const actions = ACTIONS.filter((action) => action in value);
  if (actions.length !== 1) {
    problems.push(`${where}: a change needs exactly one of ${ACTIONS.join(", ")}`);
    return null;
  }
  const action = actions[0] as Action;
  const allowed: string[] = action === "replace" ? ["replace", "with"] : [action];
  const found: ChangeInput = {};
  for (const [key, text] of Object.entries(value)) {
    if (!allowed.includes(key)) {
      problems.push(`${where}: \`${key}\` is not part of a ${action} change (it takes ${allowed.join(" and ")})`);
    } else if (typeof text !== "string" || text.trim() === "") {
      problems.push(`${where} \`${key}\`: write a uid, e.g. feature:user_ctr_7d@v3`);
    } else {
      found[key as keyof ChangeInput] = text.trim();
    }
  }
  if (action === "replace" && !("with" in value)) problems.push(`${where}: replace needs \`with\`, the version taking over`);
  return found;
}

function setting(plan: ChangePlanInput, key: keyof ChangePlanInput, value: unknown, problems: string[]): void {
  if (key === "title") {
    if (typeof value === "string" && value.trim()) plan.title = value.trim();
    else problems.push("`title`: write some text, or leave it out");
  } else if (key === "asOf") {
    if (typeof value === "string" && !Number.isNaN(Date.parse(moment(value)))) plan.asOf = moment(value);
    else problems.push("`as_of`: write an ISO 8601 time with its zone, e.g. 2026-10-31T00:00:00Z");
  } else if (key === "windowDays") {
    if (Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_WINDOW_DAYS) {
      plan.windowDays = value as number;
    } else problems.push(`\`window_days\`: write a whole number of days from 1 to ${MAX_WINDOW_DAYS}`);
  }
}

export function parsePlan(text: string): Parsed {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    return { plan: null, problems: [`not YAML or JSON: ${error instanceof Error ? error.message : String(error)}`] };
  }
  if (!isRecord(document)) return { plan: null, problems: ["a plan is a mapping with `changes` (and optionally title, as_of, window_days)"] };
  const problems: string[] = [];
  const plan: ChangePlanInput = { changes: [] };
  for (const [key, value] of Object.entries(document)) {
    const known = KEYS[key];
    if (!known) problems.push(`\`${key}\` is not a key of a plan: it has title, as_of, window_days and changes`);
    else if (known !== "changes") setting(plan, known, value, problems);
  }
  const changes = document.changes;
  if (!Array.isArray(changes) || changes.length === 0) {
    problems.push("`changes`: list at least one change (replace, deprecate, drop or retire)");
  } else {
    changes.forEach((value, index) => {
      const found = change(value, index + 1, problems);
      if (found) plan.changes.push(found);
    });
  }
  return problems.length > 0 ? { plan: null, problems } : { plan, problems: [] };
}

/** The change a node's going away would be, when a plan can name it: by its uid's kind. */
export function goingAway(uid: string): ChangeInput | null {
  const [kind, rest = ""] = uid.split(/:(.*)/s);
  if (kind === "source" && rest && !rest.includes("@")) return { drop: uid };
  if (kind === "feature" && rest.includes("@")) return { deprecate: uid };
  if (kind === "model" && rest.includes("@")) return { retire: uid };
  return null;
}

export function describeChange(change: ChangeInput): string {
  if (change.replace) return `replace ${change.replace} with ${change.with ?? "?"}`;
  const action = ACTIONS.find((name) => change[name]);
  return action ? `${action} ${change[action]}` : "no change";
}
