// GraphiQL from its npm package, built in: no CDN. It sends the explorer's signed-in
// credential with every operation unless the Headers pane sets Authorization itself.
import "graphiql/setup-workers/vite";
import "graphiql/style.css";

import { GraphiQL } from "graphiql";
import { createRoot } from "react-dom/client";

import { authorization, currentSession } from "./auth/session";

type Parameters = { query?: string; variables?: unknown; operationName?: string | null };

async function fetcher(parameters: Parameters, options?: { headers?: Record<string, string> }): Promise<unknown> {
  const session = currentSession();
  const headers: Record<string, string> = { "content-type": "application/json", ...(options?.headers ?? {}) };
  const own = Object.keys(headers).some((name) => name.toLowerCase() === "authorization");
  if (session && !own) headers.authorization = authorization(session);
  const reply = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify(parameters) });
  if (reply.status === 401) {
    return { errors: [{ message: "Not signed in: sign in at /ui/sign-in?next=/graphiql, or set an Authorization header." }] };
  }
  return reply.json();
}

const DEFAULT_QUERY = `# graph-lineage: ask what the explorer asks. Your sign-in is sent with every operation.
{
  me { subject roles }
  experiments { name variants { name } }
}
`;

const root = document.getElementById("graphiql");
if (root) {
  if (!currentSession()) {
    window.location.replace(`/ui/sign-in?next=${encodeURIComponent("/graphiql")}`);
  } else {
    createRoot(root).render(<GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} />);
  }
}
