// Who is signed in, kept for this browser tab (sessionStorage): a demo token, a pasted
// token or API key, or an OIDC access token. Every request to /graphql carries it.

export type SignInMethod = "demo" | "pasted" | "oidc";

export interface Session {
  credential: string;
  method: SignInMethod;
  label: string; // what the header shows before the API has said who this is
  expiresAt: number | null; // epoch milliseconds
}

const KEY = "graph-lineage.session";

export function currentSession(storage: Storage = sessionStorage): Session | null {
  const stored = storage.getItem(KEY);
  if (!stored) return null;
  try {
    const session = JSON.parse(stored) as Session;
    if (session.expiresAt !== null && session.expiresAt <= Date.now()) {
      storage.removeItem(KEY);
      return null;
    }
    return session;
  } catch {
    storage.removeItem(KEY);
    return null;
  }
}

export function signIn(session: Session, storage: Storage = sessionStorage): void {
  storage.setItem(KEY, JSON.stringify(session));
}

export function signOut(storage: Storage = sessionStorage): void {
  storage.removeItem(KEY);
}

export function authorization(session: Session): string {
  return `Bearer ${session.credential}`;
}

/** The expiry of a JWT, or null for an API key or anything that is not a JWT. */
export function tokenExpiry(credential: string): number | null {
  const parts = credential.split(".");
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const base64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(base64)) as { exp?: unknown };
    return typeof claims.exp === "number" ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}

/** When a credential that lives `seconds` from now expires, in epoch milliseconds. */
export function expiryIn(seconds: number): number {
  return Date.now() + seconds * 1000;
}
