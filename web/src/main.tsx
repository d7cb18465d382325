import "./styles.css";

import { StrictMode, useEffect } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from "react-router";

import { PrincipalProvider } from "./auth/principal";
import { currentSession } from "./auth/session";
import { Layout } from "./components/Layout";
import { Callback } from "./views/Callback";
import { VIEWS } from "./views/registry";
import { SignIn } from "./views/SignIn";

/** Every view needs a session; without one, sign in and come back to the same URL. */
function SignedIn({ children }: { children: React.ReactNode }) {
  const location = useLocation();
  const navigate = useNavigate();
  const here = `${location.pathname}${location.search}${location.hash}`;
  useEffect(() => {
    const expired = () => navigate(`/sign-in?next=${encodeURIComponent(here)}`, { replace: true });
    window.addEventListener("graph-lineage:sign-in-needed", expired);
    return () => window.removeEventListener("graph-lineage:sign-in-needed", expired);
  }, [navigate, here]);
  if (!currentSession()) return <Navigate to={`/sign-in?next=${encodeURIComponent(here)}`} replace />;
  return (
    <PrincipalProvider>
      <Layout>{children}</Layout>
    </PrincipalProvider>
  );
}

function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<main id="main"><SignIn /></main>} />
      <Route path="/callback" element={<main id="main"><Callback /></main>} />
      {/* the explorer's front door: the dashboard is the overview every role may read */}
      <Route path="/" element={<Navigate to="/dashboard" replace />} />
      {VIEWS.map((view) => (
        <Route key={view.path} path={`/${view.path}`} element={<SignedIn>{view.element}</SignedIn>} />
      ))}
      <Route path="*" element={<SignedIn><NotFound /></SignedIn>} />
    </Routes>
  );
}

function NotFound() {
  const location = useLocation();
  return (
    <section>
      <h1>No such view</h1>
      <p>
        Nothing lives at <code>{location.pathname}</code>. Pick a view above.
      </p>
    </section>
  );
}

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <BrowserRouter basename="/ui">
        <App />
      </BrowserRouter>
    </StrictMode>,
  );
}
