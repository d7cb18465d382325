"""Configuration, read once from the environment.

Precedence, highest first: arguments passed to :class:`Settings`, ``GRAPH_LINEAGE_*``
environment variables, a ``.env`` file in the working directory, the defaults below.

Without ``GRAPH_LINEAGE_NEO4J_URI`` graph-lineage uses the local Neo4j that
``graph-lineage neo4j start`` runs, with the password that command generated. Setting the
URI means "use that server" and the local one is left alone.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "graph-lineage"


class Settings(BaseSettings):
    """All settings of graph-lineage; each field is ``GRAPH_LINEAGE_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(
        env_prefix="GRAPH_LINEAGE_", env_file=".env", extra="ignore", frozen=True
    )

    neo4j_uri: str | None = Field(
        default=None, description="Bolt URI of an external Neo4j; unset means the local one."
    )
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = Field(
        default=None, description="Password of neo4j_user; the local server's comes from its file."
    )
    neo4j_database: str = "neo4j"
    neo4j_ca_file: Path | None = Field(
        default=None,
        description="PEM certificates to trust for Bolt TLS with a bolt:// or neo4j:// URI"
        " (bolt+s:// and neo4j+s:// trust the system's CAs instead).",
    )
    query_timeout: float = Field(default=30.0, gt=0, description="Seconds before a read stops.")
    request_retry_seconds: float = Field(
        default=3.0,
        ge=0,
        description="Seconds an API request retries an unreachable or busy Neo4j before it"
        " answers 503 with Retry-After.",
    )
    request_connect_timeout: float = Field(
        default=2.0,
        gt=0,
        description="Seconds an API request waits to open or acquire a Neo4j connection.",
    )
    job_retry_seconds: float = Field(
        default=30.0,
        ge=0,
        description="Seconds background work (CLI jobs, retention, the collector's Neo4j"
        " transport) retries an unreachable or busy Neo4j.",
    )

    pseudonymization_key: SecretStr | None = Field(
        default=None, description="HMAC key that turns raw user ids into pseudonyms."
    )
    encryption_keys: SecretStr | None = Field(
        default=None,
        description="AES-256 keys of sensitive properties: `kid:base64key[,kid:base64key...]`.",
    )
    encryption_key_id: str | None = Field(
        default=None, description="Key id that seals new values; default: the only key."
    )
    demo: bool = Field(
        default=False, description="Demo mode: generate the keys it needs under local_home."
    )
    demo_recommendations: int = Field(
        default=20_000, ge=0, description="Recommendations in the demo `graph-lineage up` loads."
    )
    ingest_max_body_bytes: int = Field(default=16 * 1024 * 1024, gt=0)
    ingest_batch_size: int = Field(default=5000, gt=0)

    # Retention per kind, in days before the run's reference time; 0 keeps that kind forever.
    retention_recommendations_days: int = Field(
        default=90, ge=0, description="Days recommendations are kept (0: forever)."
    )
    retention_outcomes_days: int = Field(
        default=90, ge=0, description="Days outcomes are kept (0: as long as their recommendation)."
    )
    retention_feature_statistics_days: int = Field(
        default=365, ge=0, description="Days feature statistics are kept (0: forever)."
    )
    retention_batch_size: int = Field(
        default=10_000, gt=0, description="Nodes deleted per transaction by retention and erasure."
    )

    auth_jwt_secret: SecretStr | None = Field(
        default=None, description="HS256 secret that signs bearer tokens."
    )
    auth_jwks: str | None = Field(
        default=None, description="RS256: a JWKS file or URL; an external issuer signs tokens."
    )
    auth_issuer: str | None = Field(default=None, description="Required `iss` of tokens.")
    auth_audience: str | None = Field(default=None, description="Required `aud` of tokens.")
    auth_roles_claim: str = Field(default="roles", description="Claim (dotted path) of roles.")
    auth_api_keys_file: Path | None = Field(
        default=None, description="Hashed API keys; defaults to <local_home>/api-keys.json."
    )

    max_free_text: int = Field(
        default=10_000,
        ge=1,
        le=10_000_000,
        description="Most characters of a typed event's free text (description, error).",
    )
    openlineage_max_facet_text: int = Field(
        default=100_000,
        ge=1,
        le=10_000_000,
        description="Most characters of a long OpenLineage facet field (description, SQL,"
        " error message, dataSource URI); a longer facet is ignored with a warning.",
    )

    graphql_max_depth: int = Field(default=12, gt=0, description="Deepest GraphQL selection.")
    graphql_max_tokens: int = Field(default=2000, gt=0, description="Largest GraphQL document.")
    graphql_max_aliases: int = Field(default=15, ge=0, description="Most aliases in a document.")

    access_log_refusals_per_window: int = Field(
        default=10,
        ge=0,
        description="Refusals (401, 403) per source and window recorded one by one in the"
        " access log; the rest are counted in one summary record.",
    )
    access_log_refusal_window_seconds: float = Field(
        default=60.0, gt=0, le=86_400, description="Length of a source's refusal window."
    )
    access_log_refusal_sources: int = Field(
        default=1_000,
        ge=1,
        le=1_000_000,
        description="Sources whose refusals are counted at once; a new one pushes out the oldest.",
    )

    alert_webhooks: str | None = Field(
        default=None, description="Comma-separated URLs that anomaly alerts are POSTed to."
    )
    alert_retries: int = Field(default=3, ge=0, description="Retries of a failed alert POST.")
    alert_backoff: float = Field(
        default=1.0, ge=0, description="Seconds before the first retry of an alert; doubles."
    )
    alert_timeout: float = Field(default=10.0, gt=0, description="Seconds an alert POST may take.")

    drift_window: Literal["day", "hour"] = Field(
        default="day", description="The length of the windows drift detection compares."
    )
    drift_settle_seconds: int = Field(
        default=3600,
        ge=0,
        description="Seconds after a window ends before it is judged, so late outcomes count.",
    )
    drift_ingest_lag_seconds: int = Field(
        default=120,
        ge=0,
        description="Seconds the statistics cursor stays behind a scan's time: a batch that"
        " began earlier but committed later is still read.",
    )
    drift_baseline: Literal["trailing", "seasonal", "fixed"] = Field(
        default="trailing",
        description="What a window is compared with: the trailing windows (checked against"
        " the seasonal ones before a shift is called drift), the same window one or more"
        " seasons earlier only, or the fixed reference period.",
    )
    drift_baseline_windows: int = Field(
        default=7, ge=1, description="Undrifted windows a trailing baseline pools."
    )
    drift_lookback_windows: int = Field(
        default=28,
        ge=1,
        description="How far back a trailing baseline looks for undrifted windows; a shift"
        " older than that becomes the new normal.",
    )
    drift_min_baseline_windows: int = Field(
        default=7, ge=1, description="Windows a baseline needs before a window is judged."
    )
    drift_season_windows: int | None = Field(
        default=None,
        ge=2,
        description="Windows in one season; unset: 7 daily windows (a week), 24 hourly ones"
        " (a day).",
    )
    drift_seasonal_periods: int = Field(
        default=2, ge=1, description="Seasons back a seasonal baseline pools the same window of."
    )
    drift_reference_start: AwareDatetime | None = Field(
        default=None, description="Start of the fixed reference period (drift_baseline=fixed)."
    )
    drift_reference_end: AwareDatetime | None = Field(
        default=None, description="End of the fixed reference period (drift_baseline=fixed)."
    )
    drift_confirm_windows: int = Field(
        default=2,
        ge=1,
        description="Consecutive drifted windows that open an alert, and undrifted ones that"
        " close it: one noisy window alerts nobody.",
    )
    drift_numeric_statistic: Literal["auto", "ks", "wasserstein", "psi", "jensen_shannon"] = Field(
        default="auto",
        description="For numeric distributions; auto: KS up to drift_small_sample"
        " observations, normalised Wasserstein above.",
    )
    drift_categorical_statistic: Literal["auto", "chi_square", "jensen_shannon", "psi"] = Field(
        default="auto",
        description="For categories; auto: chi-square up to drift_small_sample observations,"
        " Jensen-Shannon distance above.",
    )
    drift_small_sample: int = Field(
        default=1000, ge=1, description="The most observations a window has to get a test."
    )
    drift_psi_threshold: float = Field(default=0.2, gt=0, description="PSI at or above: drift.")
    drift_jensen_shannon_threshold: float = Field(
        default=0.1, gt=0, le=1, description="Jensen-Shannon distance (base 2) at or above."
    )
    drift_wasserstein_threshold: float = Field(
        default=0.1, gt=0, description="Wasserstein distance in reference spreads at or above."
    )
    drift_ks_threshold: float = Field(
        default=0.1, gt=0, le=1, description="KS distance at or above (and p at or below)."
    )
    drift_cramers_v_threshold: float = Field(
        default=0.1, gt=0, le=1, description="Cramér's V at or above (with chi-square p)."
    )
    drift_p_value: float = Field(
        default=0.01, gt=0, lt=1, description="A test's p-value at or below (KS, chi-square)."
    )
    drift_rate_change: float = Field(
        default=0.2,
        gt=0,
        description="Relative change of a rate (outcomes, nulls) at or above, with its p.",
    )
    drift_rate_difference: float = Field(
        default=0.001,
        ge=0,
        lt=1,
        description="And the rate moved by at least this much (0.001: a tenth of a percentage"
        " point): 3 nulls in a million after none is not drift.",
    )
    drift_volume_change: float = Field(
        default=0.5, gt=0, description="Relative change of a window's count at or above."
    )
    drift_new_share: float = Field(
        default=0.05,
        gt=0,
        lt=1,
        description="A category (a cohort) at least this share of a window, under a fifth of"
        " it in the baseline, is new.",
    )
    drift_scan_interval: float = Field(
        default=0,
        ge=0,
        description="Seconds between drift scans the API process runs itself; 0: none.",
    )

    experiment_alpha: float = Field(
        default=0.05, gt=0, lt=1, description="Significance level of experiment effects."
    )
    experiment_srm_p_value: float = Field(
        default=0.001,
        gt=0,
        lt=1,
        description="A sample-ratio test below this p-value is a mismatch (GrowthBook's default).",
    )
    experiment_min_units: int = Field(
        default=30,
        ge=2,
        description="Units an arm needs before a report prints an interval for it.",
    )
    experiment_correction: Literal["holm", "benjamini_hochberg", "none"] = Field(
        default="holm",
        description="Correction for multiple comparisons across metrics, segments and"
        " treatments: Holm (family-wise error) or Benjamini-Hochberg (false discovery rate).",
    )
    experiment_method: Literal["fixed", "cuped", "sequential", "cuped_sequential"] = Field(
        default="fixed",
        description="fixed: one look at the end; cuped: variance reduced with each unit's"
        " pre-exposure metric; sequential: always-valid intervals for daily looks.",
    )
    experiment_sequential_tuning: float = Field(
        default=5000.0,
        gt=0,
        description="Units at which sequential intervals are tightest (GrowthBook's default).",
    )
    experiment_pre_period_days: int = Field(
        default=14, ge=1, description="Days before the start CUPED reads each unit's metric from."
    )

    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    ui_dir: Path | None = Field(
        default=None,
        description="Folder of the built explorer served under /ui/; default: web/dist of the"
        " checkout (`make web` builds it).",
    )
    ui_oidc_client_id: str | None = Field(
        default=None,
        description="The explorer's OIDC client id: with auth_issuer set, it signs in by the"
        " authorization code flow with PKCE at that issuer.",
    )
    ui_oidc_scopes: str = Field(
        default="openid profile", description="Scopes the explorer asks the OIDC issuer for."
    )

    local_home: Path = Field(
        default_factory=lambda: Path.cwd() / ".graph-lineage",
        description="Folder of the local Neo4j: configuration, data, logs, pid and password.",
    )
    local_cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        description="Where Neo4j's jars from Maven Central are kept, shared by every project.",
    )
    local_data_dir: Path | None = Field(default=None, description="Defaults to <local_home>/data.")
    local_logs_dir: Path | None = Field(default=None, description="Defaults to <local_home>/logs.")
    local_bolt_port: int = Field(default=7687, ge=1, le=65535)
    local_http_port: int = Field(default=7474, ge=1, le=65535)
    local_auth: bool = Field(default=True, description="False turns Neo4j authentication off.")
    local_bolt_tls: bool = Field(
        default=False,
        description="The local Neo4j requires TLS on Bolt, with a certificate made for it;"
        " clients trust exactly that certificate.",
    )
    local_heap: str = "1g"
    local_pagecache: str = "512m"
    local_start_timeout: float = Field(default=120.0, gt=0)
    neo4j_version: str = "5.26.30"
    neo4j_browser_version: str = "5.24.0"

    schema_dir: Path = Field(
        default=PROJECT_ROOT / "schema",
        description="Folder holding migrations/ and the exported GraphQL schema.",
    )

    @property
    def uses_local_neo4j(self) -> bool:
        return self.neo4j_uri is None

    @property
    def local_bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.local_bolt_port}"

    @property
    def local_http_uri(self) -> str:
        return f"http://127.0.0.1:{self.local_http_port}"

    @property
    def local_certificates_dir(self) -> Path:
        return self.local_home / "certificates" / "bolt"

    @property
    def bolt_ca_file(self) -> Path | None:
        """The certificates Bolt connections trust, when not the system's."""
        if self.neo4j_ca_file is not None:
            return self.neo4j_ca_file
        if self.uses_local_neo4j and self.local_bolt_tls:
            return self.local_certificates_dir / "public.crt"
        return None

    @property
    def local_password_file(self) -> Path:
        return self.local_home / "neo4j-password"

    @property
    def api_keys_file(self) -> Path:
        return self.auth_api_keys_file or self.local_home / "api-keys.json"

    @property
    def access_policy_file(self) -> Path:
        return self.schema_dir / "access-policy.toml"

    @property
    def migrations_dir(self) -> Path:
        return self.schema_dir / "migrations"

    @property
    def alert_webhook_urls(self) -> list[str]:
        return [url.strip() for url in (self.alert_webhooks or "").split(",") if url.strip()]
