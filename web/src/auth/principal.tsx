// The signed-in principal as the API sees it ({ me }), shared by every view.
import { createContext, type ReactNode, useContext, useEffect, useState } from "react";

import { ask, SignInNeeded } from "../api/client";

export interface Principal {
  subject: string;
  roles: string[];
  authMethod: string;
}

const PrincipalContext = createContext<Principal | null>(null);

export function usePrincipal(): Principal | null {
  return useContext(PrincipalContext);
}

export function hasRole(principal: Principal | null, roles: string[]): boolean {
  return principal !== null && principal.roles.some((role) => roles.includes(role));
}

export function PrincipalProvider({ children }: { children: ReactNode }) {
  const [principal, setPrincipal] = useState<Principal | null>(null);
  useEffect(() => {
    ask<{ me: Principal }>("query Me { me { subject roles authMethod } }")
      .then((answer) => setPrincipal(answer.data?.me ?? null))
      .catch((error: unknown) => {
        setPrincipal(null); // the views say why when their own request fails
        if (error instanceof SignInNeeded) window.dispatchEvent(new CustomEvent("graph-lineage:sign-in-needed"));
      });
  }, []);
  return <PrincipalContext.Provider value={principal}>{children}</PrincipalContext.Provider>;
}
