import { useEffect, useState } from "react";
import { useNavigate, useSearchParams } from "react-router";

import { refusalOf } from "../api/client";
import { type ExplorerConfig, explorerConfig } from "../api/config";
import { type OidcConfig, startOidcSignIn } from "../auth/oidc";
import { expiryIn, signIn, tokenExpiry } from "../auth/session";
import { ErrorNotice, Loading } from "../components/Status";

const ROLE_HELP: Record<string, string> = {
  viewer: "lineage without individual recommendations or people",
  engineer: "traces of single recommendations, no people",
  data_scientist: "experiments, drift, user pseudonyms",
  auditor: "everything, with the access log and governance runs",
  compliance: "the access log, retention and erasure",
  admin: "everything",
};

export function SignIn() {
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const next = search.get("next") ?? "/";
  const [config, setConfig] = useState<ExplorerConfig | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [pasted, setPasted] = useState("");

  useEffect(() => {
    explorerConfig().then(setConfig, (error: Error) => setProblem(error.message));
  }, []);

  const enter = (credential: string, method: "demo" | "pasted", label: string, expiresAt: number | null) => {
    signIn({ credential, method, label, expiresAt });
    // GraphiQL is a page of its own, outside the explorer's router
    if (next.startsWith("/graphiql")) window.location.assign(`/ui${next}`);
    else navigate(next, { replace: true });
  };

  const demo = async (role: string) => {
    setProblem(null);
    const reply = await fetch("/ui/demo-token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ role }),
    });
    const body = (await reply.json()) as { token?: string; subject?: string; expiresIn?: number; detail?: string };
    if (!reply.ok || !body.token) {
      setProblem(body.detail ?? `The demo sign-in answered ${reply.status}.`);
      return;
    }
    enter(body.token, "demo", body.subject ?? role, expiryIn(body.expiresIn ?? 3600));
  };

  const paste = async (event: React.FormEvent) => {
    event.preventDefault();
    const credential = pasted.trim();
    if (!credential) {
      setProblem("Paste a token or an API key first.");
      return;
    }
    const refusal = await refusalOf(credential);
    if (refusal) {
      setProblem(`This credential was refused: ${refusal}. Check it, or ask for a new one.`);
      return;
    }
    enter(credential, "pasted", "pasted credential", tokenExpiry(credential));
  };

  if (!config && !problem) return <Loading what="the sign-in options" />;
  return (
    <section className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in to graph-lineage</h1>
      <p>What you see depends on your role: the access policy hides fields and nodes your role may not read.</p>
      {problem && <ErrorNotice message={problem} />}
      {config?.oidc && <OidcButton oidc={config.oidc} next={next} onProblem={setProblem} />}
      {config && config.demoRoles.length > 0 && (
        <div className="card">
          <h2>Demo roles</h2>
          <ul className="role-list">
            {config.demoRoles.map((role) => (
              <li key={role}>
                <button type="button" onClick={() => void demo(role)}>
                  Sign in as {role.replace("_", " ")}
                </button>{" "}
                <span className="muted">{ROLE_HELP[role] ?? ""}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <form className="card" onSubmit={(event) => void paste(event)}>
        <h2>Token or API key</h2>
        <label htmlFor="credential">Bearer token or API key</label>
        <input
          id="credential"
          type="password"
          autoComplete="off"
          value={pasted}
          onChange={(event) => setPasted(event.target.value)}
          placeholder="eyJ… or glk_…"
        />
        <button type="submit">Sign in</button>
        <p className="muted">
          On the demo machine: <code>.venv/bin/graph-lineage token viewer</code>. Keys: <code>graph-lineage api-key create</code>.
        </p>
      </form>
    </section>
  );
}

function OidcButton({ oidc, next, onProblem }: { oidc: OidcConfig; next: string; onProblem: (problem: string) => void }) {
  return (
    <div className="card">
      <h2>Your organisation</h2>
      <button
        type="button"
        className="primary"
        onClick={() => startOidcSignIn(oidc, next).catch((error: Error) => onProblem(error.message))}
      >
        Sign in with {new URL(oidc.issuer).host}
      </button>
    </div>
  );
}
