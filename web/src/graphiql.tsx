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

/** GraphiQL draws a tab as an <li role="tab"> around its own buttons, which assistive
 * technology can't reach (axe: nested-interactive; graphql/graphiql#3422): the tab role
 * moves to the tab's button, kept there as GraphiQL re-renders. */
function tabsAsButtons(container: HTMLElement): void {
  const fix = () => {
    container.querySelectorAll<HTMLElement>("li.graphiql-tab[role=tab]").forEach((item) => {
      const button = item.querySelector<HTMLElement>(".graphiql-tab-button");
      if (!button) return;
      button.setAttribute("role", "tab");
      button.setAttribute("aria-selected", item.getAttribute("aria-selected") ?? "false");
      item.setAttribute("role", "none");
      item.removeAttribute("aria-selected");
    });
  };
  new MutationObserver(fix).observe(container, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["role", "aria-selected"],
  });
  fix();
}

// In GraphiQL's corner: the way back to the explorer (in place of its logo's outside link).
const BACK = (
  <a href="/ui/" style={{ color: "#1f2937", fontSize: "1rem", textDecoration: "none" }}>
    graph-lineage <span style={{ color: "#0b5cad" }}>explorer</span>
  </a>
);

const root = document.getElementById("graphiql");
if (root) {
  if (!currentSession()) {
    window.location.replace(`/ui/sign-in?next=${encodeURIComponent("/graphiql")}`);
  } else {
    tabsAsButtons(root);
    createRoot(root).render(
      <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY}>
        <GraphiQL.Logo>{BACK}</GraphiQL.Logo>
      </GraphiQL>,
    );
  }
}
