import type { OidcConfig } from "../auth/oidc";

export interface ExplorerConfig {
  demoRoles: string[];
  oidc: OidcConfig | null;
}

let loaded: Promise<ExplorerConfig> | null = null;

/** How a person may sign in here: served by the API at /ui/config.json. */
export function explorerConfig(): Promise<ExplorerConfig> {
  loaded ??= fetch("/ui/config.json").then(async (reply) => {
    if (!reply.ok) throw new Error(`The API answered ${reply.status} for its sign-in settings.`);
    return (await reply.json()) as ExplorerConfig;
  });
  return loaded;
}
