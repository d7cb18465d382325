// The audit trail, for the governance roles: the access log (who read what, what was
// denied), filtered and paged, and the records of governance runs by kind (retention,
// erasure, key rotation, completeness audits, experiment reports). Filters and pages live
// in the URL.
import { type FormEvent } from "react";

import { isDenied } from "../api/client";
import { useQuery } from "../api/useQuery";
import { codeColumn, countColumn, timeColumn } from "../components/columns";
import { DataTable, type TableColumn } from "../components/DataTable";
import { ExportScopeContext } from "../components/exports";
import { count, yesNo } from "../components/format";
import { ErrorNotice, Loading, NotVisible } from "../components/Status";
import { apiBounds } from "../components/timeRange";
import { useUrlState } from "../components/urlState";

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

interface Connection<T> {
  edges: { node: T }[];
  pageInfo: PageInfo;
}

interface AccessRecord {
  seq: number;
  at: string;
  subject: string;
  roles: string[];
  authMethod: string | null;
  operationName: string | null;
  outcome: string;
  returnedUidCount: number;
  deniedFieldCount: number;
  deniedFields: string[];
  errorCodes: string[];
  requestPath: string | null;
  reason: string | null;
  suppressedCount: number | null;
}

interface RunRecord {
  uid: string;
  runKind: string | null;
  status: string | null;
  dryRun: boolean | null;
  startedAt: string | null;
  finishedAt: string | null;
  deletedRecommendations: number | null;
  deletedOutcomes: number | null;
  deletedFeatureStatistics: number | null;
  deletedDriftWindows: number | null;
  subject: string | null;
  method: string | null;
  recommendations: number | null;
  complete: number | null;
  share: number | null;
  passed: boolean | null;
  activeKeyId: string | null;
  resealed: number | null;
}

const ACCESS_LOG = `
query AccessLog($filter: AccessLogFilterInput, $first: Int!, $after: String) {
  accessLog(filter: $filter, first: $first, after: $after) {
    edges { node { seq at subject roles authMethod operationName outcome returnedUidCount deniedFieldCount deniedFields errorCodes requestPath reason suppressedCount } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const RUN_RECORDS = `
query RunRecords($kinds: [String!], $first: Int!, $after: String) {
  runRecords(kinds: $kinds, first: $first, after: $after) {
    edges { node { uid runKind status dryRun startedAt finishedAt deletedRecommendations deletedOutcomes deletedFeatureStatistics deletedDriftWindows subject method recommendations complete share passed activeKeyId resealed } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const PAGE = 50;
const ROLES = ["viewer", "engineer", "data_scientist", "auditor", "compliance", "admin", "producer"];
export const RUN_KINDS: { kind: string; label: string }[] = [
  { kind: "completeness", label: "Completeness audits" },
  { kind: "retention", label: "Retention runs" },
  { kind: "erasure", label: "Erasures" },
  { kind: "key_rotation", label: "Key rotations" },
  { kind: "experiment_report", label: "Experiment reports" },
];
const KIND_LABEL: Record<string, string> = {
  completeness: "completeness audit",
  retention: "retention",
  erasure: "erasure",
  key_rotation: "key rotation",
  experiment_report: "experiment report",
};

/** "1 outcome", "3 outcomes", "? outcomes" when the run did not say. */
function many(value: number | null, word: string): string {
  return `${value === null ? "?" : count(value)} ${word}${value === 1 ? "" : "s"}`;
}

/** What a run did, in words, from the fields its kind records. */
export function runSummary(run: RunRecord): string {
  const would = run.dryRun ? "would delete" : "deleted";
  switch (run.runKind) {
    case "retention":
      return `${would} ${many(run.deletedRecommendations, "recommendation")}, ${many(run.deletedOutcomes, "outcome")}, ${many(run.deletedFeatureStatistics, "feature statistic")}, ${many(run.deletedDriftWindows, "drift window")}`;
    case "erasure":
      return `${would} ${many(run.deletedRecommendations, "recommendation")} and ${many(run.deletedOutcomes, "outcome")} of ${run.subject ?? "?"}`;
    case "key_rotation":
      return `${run.dryRun ? "would re-seal" : "re-sealed"} ${many(run.resealed, "value")} under key ${run.activeKeyId ?? "?"}`;
    case "completeness":
      if (run.recommendations === null) return "";
      return `${count(run.complete ?? 0)} of ${many(run.recommendations, "recommendation")} complete${run.share === null ? "" : ` (${(run.share * 100).toFixed(2)}%)`}; ${run.passed ? "passed" : "did not pass"}`;
    case "experiment_report":
      return `${run.subject ?? "?"}, method ${run.method ?? "?"}`;
    default:
      return "";
  }
}

const FILTER_KEYS = ["logFrom", "logTo", "subject", "role", "operation", "uid", "denied", "logAfter", "runsAfter"];

const ACCESS_COLUMNS: TableColumn<AccessRecord>[] = [
  { key: "seq", header: "Seq", numeric: true, value: (row) => row.seq },
  timeColumn("at", "When", (row) => row.at, true),
  { key: "subject", header: "Subject", value: (row) => row.subject },
  { key: "roles", header: "Roles", value: (row) => row.roles.join(" ") },
  { key: "operationName", header: "Operation", value: (row) => row.operationName ?? row.requestPath },
  { key: "outcome", header: "Outcome", value: (row) => row.outcome },
  countColumn("returnedUidCount", "Uids returned", (row) => row.returnedUidCount),
  countColumn("deniedFieldCount", "Fields denied", (row) => row.deniedFieldCount),
  { key: "deniedFields", header: "Denied", value: (row) => row.deniedFields.join(" ") },
  {
    key: "reason",
    header: "Errors or reason",
    value: (row) =>
      [...row.errorCodes, row.reason, row.suppressedCount ? `${row.suppressedCount} refusals counted` : null]
        .filter(Boolean)
        .join("; "),
  },
];

const RUN_COLUMNS: TableColumn<RunRecord>[] = [
  timeColumn("startedAt", "Started", (row) => row.startedAt, true),
  { key: "runKind", header: "Kind", value: (row) => KIND_LABEL[row.runKind ?? ""] ?? row.runKind },
  { key: "status", header: "Status", value: (row) => row.status },
  { key: "dryRun", header: "Dry run", value: (row) => yesNo(row.dryRun) },
  { key: "summary", header: "What it did", value: (row) => runSummary(row) },
  timeColumn("finishedAt", "Finished", (row) => row.finishedAt, true),
  codeColumn("uid", "Record", (row) => row.uid),
];

export function Audit() {
  const url = useUrlState();
  const filters = { ...Object.fromEntries(FILTER_KEYS.map((key) => [key, url.get(key)])), kind: url.getAll("kind") };
  return (
    <ExportScopeContext.Provider value={{ view: "audit", filters, asOf: null }}>
      <section aria-labelledby="audit-title">
        <h1 id="audit-title">Audit</h1>
        <p className="muted">
          Who read what through the API (every operation, the explorer's included), and what the governance runs did. For the
          auditor, compliance and admin roles.
        </p>
        <AccessLogSection url={url} />
        <RunRecordsSection url={url} />
      </section>
    </ExportScopeContext.Provider>
  );
}

type Url = ReturnType<typeof useUrlState>;

function AccessLogSection({ url }: { url: Url }) {
  const from = url.get("logFrom");
  const to = url.get("logTo");
  const after = url.get("logAfter") || null;
  const bounds = from || to ? apiBounds({ from: from || "1970-01-01", to: to || "9999-12-30" }) : null;
  const filter = {
    from: from ? bounds?.from : null,
    to: to ? bounds?.to : null,
    subject: url.get("subject") || null,
    role: url.get("role") || null,
    operationName: url.get("operation") || null,
    uid: url.get("uid") || null,
    deniedOnly: url.get("denied") === "1",
  };
  const [state, retry] = useQuery<{ accessLog: Connection<AccessRecord> | null }>(ACCESS_LOG, { filter, first: PAGE, after });
  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    url.set(
      {
        logFrom: text("logFrom"),
        logTo: text("logTo"),
        subject: text("subject"),
        role: text("role"),
        operation: text("operation"),
        uid: text("uid"),
        denied: form.get("denied") ? "1" : null,
        logAfter: null,
      },
      true,
    );
  };
  const formKey = FILTER_KEYS.map((key) => url.get(key)).join("|");
  return (
    <section aria-labelledby="access-log-title">
      <h2 id="access-log-title">Access log</h2>
      <form key={formKey} className="filters" aria-label="Access log filters" onSubmit={apply}>
        <div>
          <label htmlFor="log-from">From (UTC day)</label>
          <input id="log-from" name="logFrom" type="date" defaultValue={from} />
        </div>
        <div>
          <label htmlFor="log-to">To (UTC day, included)</label>
          <input id="log-to" name="logTo" type="date" defaultValue={to} />
        </div>
        <div>
          <label htmlFor="log-subject">Subject</label>
          <input id="log-subject" name="subject" defaultValue={url.get("subject")} />
        </div>
        <div>
          <label htmlFor="log-role">Role</label>
          <select id="log-role" name="role" defaultValue={url.get("role")}>
            <option value="">Any role</option>
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="log-operation">Operation name</label>
          <input id="log-operation" name="operation" defaultValue={url.get("operation")} />
        </div>
        <div>
          <label htmlFor="log-uid">Returned uid</label>
          <input id="log-uid" name="uid" defaultValue={url.get("uid")} />
        </div>
        <div className="checkbox">
          <input id="log-denied" name="denied" type="checkbox" defaultChecked={url.get("denied") === "1"} />
          <label htmlFor="log-denied">Only operations refused a field</label>
        </div>
        <div>
          <button type="submit" className="primary">
            Apply filters
          </button>
        </div>
      </form>
      {state.status === "failed" ? (
        <ErrorNotice message={state.message} retry={retry} />
      ) : state.status !== "answered" ? (
        <Loading what="the access log" />
      ) : state.answer.data.accessLog === null || isDenied(state.answer, ["accessLog"]) ? (
        <p>
          The access log: <NotVisible />.
        </p>
      ) : (
        <>
          <DataTable
            name="access-log"
            caption={after ? "Access log, an older page" : "Access log, newest first"}
            rows={state.answer.data.accessLog.edges.map((edge) => edge.node)}
            rowKey={(row) => String(row.seq)}
            empty="No operation matches these filters."
            columns={ACCESS_COLUMNS}
          />
          <Pager
            label="access log"
            first={after === null}
            next={state.answer.data.accessLog.pageInfo}
            onFirst={() => url.set({ logAfter: null }, true)}
            onNext={(cursor) => url.set({ logAfter: cursor }, true)}
          />
        </>
      )}
    </section>
  );
}

function RunRecordsSection({ url }: { url: Url }) {
  const chosen = url.getAll("kind");
  const after = url.get("runsAfter") || null;
  const [state, retry] = useQuery<{ runRecords: Connection<RunRecord> | null }>(RUN_RECORDS, {
    kinds: chosen.length > 0 ? chosen : null,
    first: PAGE,
    after,
  });
  const toggle = (kind: string, on: boolean) => {
    const next = on ? [...chosen, kind] : chosen.filter((k) => k !== kind);
    url.set({ kind: RUN_KINDS.map((k) => k.kind).filter((k) => next.includes(k)), runsAfter: null }, true);
  };
  return (
    <section aria-labelledby="runs-title">
      <h2 id="runs-title">Governance runs</h2>
      <fieldset className="filters">
        <legend>Kinds (none checked: every kind)</legend>
        {RUN_KINDS.map(({ kind, label }) => (
          <div key={kind} className="checkbox">
            <input
              id={`kind-${kind}`}
              type="checkbox"
              checked={chosen.includes(kind)}
              onChange={(event) => toggle(kind, event.target.checked)}
            />
            <label htmlFor={`kind-${kind}`}>{label}</label>
          </div>
        ))}
      </fieldset>
      {state.status === "failed" ? (
        <ErrorNotice message={state.message} retry={retry} />
      ) : state.status !== "answered" ? (
        <Loading what="the run records" />
      ) : state.answer.data.runRecords === null || isDenied(state.answer, ["runRecords"]) ? (
        <p>
          Governance run records: <NotVisible />.
        </p>
      ) : (
        <>
          <DataTable
            name="run-records"
            caption="Governance runs, newest first"
            rows={state.answer.data.runRecords.edges.map((edge) => edge.node)}
            rowKey={(row) => row.uid}
            empty="No run of these kinds is recorded yet."
            columns={RUN_COLUMNS}
          />
          <Pager
            label="governance runs"
            first={after === null}
            next={state.answer.data.runRecords.pageInfo}
            onFirst={() => url.set({ runsAfter: null }, true)}
            onNext={(cursor) => url.set({ runsAfter: cursor }, true)}
          />
        </>
      )}
    </section>
  );
}

function Pager({
  label,
  first,
  next,
  onFirst,
  onNext,
}: {
  label: string;
  first: boolean;
  next: PageInfo;
  onFirst: () => void;
  onNext: (cursor: string) => void;
}) {
  const cursor = next.endCursor;
  return (
    <nav className="pager" aria-label={`Pages of the ${label}`}>
      <button type="button" disabled={first} onClick={onFirst}>
        Newest page
      </button>
      <button type="button" disabled={!next.hasNextPage || cursor === null} onClick={() => cursor && onNext(cursor)}>
        Older page
      </button>
    </nav>
  );
}
