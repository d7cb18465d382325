import { useEffect, useState } from "react";
import { useNavigate } from "react-router";

import { explorerConfig } from "../api/config";
import { finishOidcSignIn } from "../auth/oidc";
import { ErrorNotice, Loading } from "../components/Status";

/** Where the OIDC issuer sends the browser back with a code. */
export function Callback() {
  const navigate = useNavigate();
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    explorerConfig()
      .then((config) => {
        if (!config.oidc) throw new Error("No OIDC issuer is configured on this server.");
        return finishOidcSignIn(config.oidc, window.location.search);
      })
      .then((next) => navigate(next, { replace: true }))
      .catch((error: Error) => setProblem(error.message));
  }, [navigate]);
  return problem ? <ErrorNotice message={`${problem} Go back to the sign-in page to try again.`} /> : <Loading what="your sign-in" />;
}
