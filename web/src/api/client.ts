// The explorer's only door to data: POST /graphql as the signed-in principal, and
// POST /exports/report.pdf, which runs a report's GraphQL query on the server as that same
// principal. Field authorization, redaction and the access log apply to both exactly as
// to any client.
import { authorization, currentSession, signOut } from "../auth/session";

export interface GraphQLErrorItem {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

export interface Answer<T> {
  data: T | null;
  errors: GraphQLErrorItem[];
}

export const FORBIDDEN_FIELD = "FORBIDDEN_FIELD";

/** No valid credentials: the explorer sends the person to sign in. */
export class SignInNeeded extends Error {}

/** A request that got no answer to show; the message says what to do. */
export class RequestFailed extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

export type Variables = Record<string, unknown>;

export async function ask<T>(query: string, variables: Variables = {}, signal?: AbortSignal): Promise<Answer<T>> {
  const session = currentSession();
  if (!session) throw new SignInNeeded("sign in first");
  let reply: Response;
  try {
    reply = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: authorization(session) },
      body: JSON.stringify({ query, variables }),
      signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new RequestFailed("The graph-lineage API does not answer. Is it running (make run)?", null);
  }
  return answerOf<T>(reply);
}

async function answerOf<T>(reply: Response): Promise<Answer<T>> {
  if (reply.status === 401) {
    signOut();
    throw new SignInNeeded("your sign-in has expired or is not valid: sign in again");
  }
  const body = (await reply.json().catch(() => null)) as
    | { data?: T | null; errors?: GraphQLErrorItem[]; detail?: string }
    | null;
  if (reply.status === 403) {
    throw new RequestFailed(`${body?.detail ?? "Your role may not read lineage"}. Sign in with another role.`, 403);
  }
  if (reply.status === 503) {
    const retry = reply.headers.get("retry-after");
    const first = body?.errors?.[0]?.message;
    const wait = retry ? ` Try again in ${retry} s.` : " Try again shortly.";
    throw new RequestFailed(`${first ?? "The store is unavailable."}${wait}`, 503);
  }
  if (!body || (reply.status >= 400 && !body.errors)) {
    throw new RequestFailed(`The API answered ${reply.status}: ${body?.detail ?? reply.statusText}`, reply.status);
  }
  return { data: body.data ?? null, errors: body.errors ?? [] };
}

export interface ReportRequest {
  report: "trace" | "impact" | "experiment";
  arguments: Variables;
  filters: Record<string, unknown>;
  asOf: string | null;
}

/** A report as a PDF, made by the server as the signed-in principal; its suggested file name. */
export async function reportPdf(request: ReportRequest): Promise<{ pdf: Blob; name: string }> {
  const session = currentSession();
  if (!session) throw new SignInNeeded("sign in first");
  let reply: Response;
  try {
    reply = await fetch("/exports/report.pdf", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: authorization(session) },
      body: JSON.stringify(request),
    });
  } catch {
    throw new RequestFailed("The graph-lineage API does not answer. Is it running (make run)?", null);
  }
  if (reply.status === 401) {
    signOut();
    throw new SignInNeeded("your sign-in has expired or is not valid: sign in again");
  }
  if (!reply.ok) {
    const body = (await reply.json().catch(() => null)) as { detail?: string } | null;
    const retry = reply.headers.get("retry-after");
    const wait = retry ? ` Try again in ${retry} s.` : "";
    throw new RequestFailed(`The PDF was not made: ${body?.detail ?? reply.statusText}.${wait}`, reply.status);
  }
  const named = /filename="([^"]+)"/.exec(reply.headers.get("content-disposition") ?? "");
  return { pdf: await reply.blob(), name: named?.[1] ?? `${request.report}-report.pdf` };
}

/** The errors that are not field denials: those the view must show as failures. */
export function failures(answer: Answer<unknown>): GraphQLErrorItem[] {
  return answer.errors.filter((error) => error.extensions?.code !== FORBIDDEN_FIELD);
}

/** Whether the policy denied the field at `path` (or anything under it). */
export function isDenied(answer: Answer<unknown>, path: (string | number)[]): boolean {
  return answer.errors.some(
    (error) =>
      error.extensions?.code === FORBIDDEN_FIELD &&
      error.path !== undefined &&
      path.every((part, index) => error.path?.[index] === part),
  );
}

/** Whether the API accepts a credential: null if it does, else what it said. */
export async function refusalOf(credential: string): Promise<string | null> {
  const reply = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${credential}` },
    body: JSON.stringify({ query: "query SignIn { me { subject } }" }),
  }).catch(() => null);
  if (reply === null) return "The graph-lineage API does not answer. Is it running (make run)?";
  if (reply.ok) return null;
  const body = (await reply.json().catch(() => null)) as { detail?: string } | null;
  return body?.detail ?? `The API answered ${reply.status}.`;
}
