// Sign-in at an OIDC issuer by the authorization code flow with PKCE (RFC 7636): the
// explorer is a public client, holds no secret, and exchanges the code for an access
// token the API verifies with the issuer's keys (GRAPH_LINEAGE_AUTH_JWKS).
import { signIn } from "./session";

export interface OidcConfig {
  issuer: string;
  clientId: string;
  scopes: string;
  audience: string | null;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

interface Pending {
  state: string;
  verifier: string;
  next: string;
}

const PENDING = "graph-lineage.oidc";
export const CALLBACK_PATH = "/ui/callback";

function base64url(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function randomText(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

async function discover(issuer: string): Promise<Discovery> {
  const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  const reply = await fetch(url).catch(() => null);
  if (!reply?.ok) throw new Error(`The sign-in server ${issuer} does not answer (${url}); ask your administrator.`);
  return (await reply.json()) as Discovery;
}

function redirectUri(): string {
  return `${window.location.origin}${CALLBACK_PATH}`;
}

export async function startOidcSignIn(config: OidcConfig, next: string): Promise<void> {
  const discovery = await discover(config.issuer);
  const pending: Pending = { state: randomText(16), verifier: randomText(48), next };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: config.scopes,
    state: pending.state,
    code_challenge: await challengeOf(pending.verifier),
    code_challenge_method: "S256",
  });
  if (config.audience) query.set("resource", config.audience);
  window.location.assign(`${discovery.authorization_endpoint}?${query.toString()}`);
}

/** Back from the issuer: checks the state, trades the code for a token; returns `next`. */
export async function finishOidcSignIn(config: OidcConfig, search: string): Promise<string> {
  const answer = new URLSearchParams(search);
  const stored = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  const refused = answer.get("error");
  if (refused) throw new Error(`The sign-in server refused: ${answer.get("error_description") ?? refused}`);
  const pending = stored ? (JSON.parse(stored) as Pending) : null;
  const code = answer.get("code");
  if (!pending || !code || answer.get("state") !== pending.state) {
    throw new Error("This sign-in answer does not match a sign-in started here: start again.");
  }
  const discovery = await discover(config.issuer);
  const form = new URLSearchParams({
    grant_type: "authorization_code",
    code,
    redirect_uri: redirectUri(),
    client_id: config.clientId,
    code_verifier: pending.verifier,
  });
  if (config.audience) form.set("resource", config.audience);
  const reply = await fetch(discovery.token_endpoint, { method: "POST", body: form });
  const token = (await reply.json().catch(() => ({}))) as {
    access_token?: string;
    expires_in?: number;
    error_description?: string;
  };
  if (!reply.ok || !token.access_token) {
    throw new Error(`The sign-in server gave no token: ${token.error_description ?? reply.statusText}`);
  }
  const expiresAt = token.expires_in ? Date.now() + token.expires_in * 1000 : null;
  signIn({ credential: token.access_token, method: "oidc", label: config.issuer, expiresAt });
  return pending.next;
}
