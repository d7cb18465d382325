import { type ReactNode } from "react";
import { NavLink, useNavigate } from "react-router";

import { currentSession, signOut } from "../auth/session";
import { hasRole, usePrincipal } from "../auth/principal";
import { VIEWS } from "../views/registry";

export function Layout({ children }: { children: ReactNode }) {
  const principal = usePrincipal();
  const session = currentSession();
  const navigate = useNavigate();
  const leave = () => {
    signOut();
    navigate("/sign-in", { replace: true });
  };
  const shown = VIEWS.filter((view) => !view.roles || hasRole(principal, view.roles));
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">graph-lineage</span>
        <nav aria-label="Views">
          <ul>
            {shown.map((view) => (
              <li key={view.path}>
                <NavLink to={`/${view.path}`} end={view.path === ""}>
                  {view.title}
                </NavLink>
              </li>
            ))}
            <li>
              <a href="/ui/graphiql">GraphiQL</a>
            </li>
          </ul>
        </nav>
        <span className="who" aria-live="polite">
          {principal ? (
            <>
              <span data-testid="principal">{principal.subject}</span>{" "}
              <span className="muted">({principal.roles.join(", ")})</span>
            </>
          ) : (
            session?.label
          )}
          <button type="button" onClick={leave}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
