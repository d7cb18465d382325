// A local OpenID Connect issuer (panva's oidc-provider) for trying the explorer's OIDC
// sign-in and for its browser test. Not for production: its login page accepts any name,
// and the name picks the roles (a known role name, or "name:role1,role2").
//
//   node web/scripts/oidc-provider.mjs --port 9400 --redirect http://127.0.0.1:8000/ui/callback
//
// Then start the API with
//   GRAPH_LINEAGE_AUTH_ISSUER=http://127.0.0.1:9400 GRAPH_LINEAGE_AUTH_JWKS=http://127.0.0.1:9400/jwks
//   GRAPH_LINEAGE_AUTH_AUDIENCE=urn:graph-lineage GRAPH_LINEAGE_UI_OIDC_CLIENT_ID=graph-lineage-explorer
//   GRAPH_LINEAGE_UI_OIDC_SCOPES="openid profile graph-lineage"
import { generateKeyPairSync } from "node:crypto";
import { parseArgs } from "node:util";

import Provider from "oidc-provider";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "9400" },
    redirect: { type: "string", multiple: true, default: ["http://127.0.0.1:8000/ui/callback"] },
    audience: { type: "string", default: "urn:graph-lineage" },
    client: { type: "string", default: "graph-lineage-explorer" },
  },
});
const ROLES = new Set(["viewer", "engineer", "data_scientist", "auditor", "compliance", "admin"]);
const issuer = `http://127.0.0.1:${values.port}`;
const origins = new Set(values.redirect.map((uri) => new URL(uri).origin));

function rolesOf(accountId) {
  const [, listed] = accountId.split(":");
  if (listed) return listed.split(",").filter((role) => ROLES.has(role));
  return ROLES.has(accountId) ? [accountId] : ["viewer"];
}

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "local-1", alg: "RS256", use: "sig" };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: values.client,
      token_endpoint_auth_method: "none", // a public client: PKCE, no secret
      redirect_uris: values.redirect,
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  jwks: { keys: [signingKey] },
  scopes: ["openid", "profile", "graph-lineage"],
  clientBasedCORS: (_ctx, origin) => origins.has(origin),
  findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id, name: id.split(":")[0] }) }),
  extraTokenClaims: (_ctx, token) => ({ roles: rolesOf(token.accountId) }),
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => values.audience,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => {
        if (resource !== values.audience) throw new Error(`unknown resource ${resource}`);
        return { scope: "graph-lineage", audience: values.audience, accessTokenFormat: "jwt", jwt: { sign: { alg: "RS256" } } };
      },
    },
  },
  ttl: { AccessToken: 3600, AuthorizationCode: 120, Grant: 3600, Interaction: 600, Session: 3600, IdToken: 3600 },
});
provider.proxy = false;

provider.listen(Number(values.port), "127.0.0.1", () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
