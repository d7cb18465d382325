"""The public surface is what users import; changing it is a decision, not an accident.

Each package's ``__all__`` is pinned here, sorted, as one string of names (encode/httpx
``tests/test_exported_members.py`` does the same with lists).
"""

from __future__ import annotations

import importlib

import pytest

PUBLIC: dict[str, str] = {
    "graph_lineage": "LineageError Settings __version__",
    "graph_lineage.store": (
        "LINEAGE_LABELS Label Migration MigrationStatus Rel ServerInfo Store load_migrations "
        "migrate migration_status recommendation_count resolve_target server_info"
    ),
    "graph_lineage.neo4j_local": "LocalNeo4j Status Supervisor",
    "api": "create_app",
    "graph_lineage.drift": "BlastRadius Cause DriftReport Judgment KINDS Monitor Problem Statistic"
    " Summary Thresholds chi_square compare jensen_shannon ks_from_quantiles psi rate_change scan"
    " select_kinds wasserstein",
    "graph_lineage.experiments": "ArmComparison ArmLineage Correction Effect EffectRow"
    " ExperimentFilter ExperimentListing ExperimentReport IntegrityCheck Interval Intervention"
    " Method ReportRequest SampleRatioCheck VariantListing VariantSummary experiment_report"
    " list_experiments report_json report_markdown",
    "graph_lineage.completeness": (
        "CompletenessReport Gap Tally Window completeness completeness_json completeness_markdown"
    ),
    "graph_lineage.anomalies": (
        "Alert AnomalyFilter AnomalyPage Delivery Finding RULES Rule ScanReport Webhooks "
        "Window anomalies anomaly_uid hidden_evidence scan"
    ),
    "graph_lineage.lineage": (
        "EVERYTHING Edge Graph Impact InvalidQuery LineageDiff Node NodeNotFound Page "
        "RecommendationFilter Trace Visibility downstream find_node lineage_diff upstream "
        "versions_of"
    ),
    "graph_lineage.change_plans": (
        "Change ChangeImpact ChangePlan InvalidPlan PlanImpact Reason RiskLevel Traffic "
        "analyze change_plan_json change_plan_markdown load_plan parse_plan"
    ),
    "graph_lineage.access_log": (
        "ANONYMOUS ANSWERED AccessLogFilter AccessLogPage AccessRecord ChainReport EXPORT "
        "Export ExportStamp FAILED Format MAX_LISTED MAX_PAGE PARTIAL REFUSED RefusalLimiter "
        "append append_all chain_hash decode_cursor encode_cursor export query record_export "
        "records verify"
    ),
    "graph_lineage.collector": (
        "BackendUnavailable CollectorConfig CollectorStats Decision EventsRejected FileConfig "
        "FileTransport HttpConfig HttpTransport LineageCollector Neo4jConfig Neo4jTransport "
        "Sampler Spool Transport TransportConfig TransportError make_transport"
    ),
    "graph_lineage.governance": (
        "Cutoffs ErasureReport RetentionPolicy RetentionReport erase_user erasure_subject "
        "run_retention"
    ),
    "graph_lineage.openlineage": (
        "DatasetEvent EventType IngestSummary JobEvent OpenLineageEvent RunEvent "
        "candidate_uids ingest link_signals link_signals_statement parse_event"
    ),
    "graph_lineage.auth": (
        "ApiKeys Authenticator Caller INGEST_ROLES READ_ROLES Role TokenVerifier "
        "Unauthenticated demo_token known_roles"
    ),
    "graph_lineage.collector.transports": (
        "BackendUnavailable EventsRejected FileConfig FileTransport HttpConfig HttpTransport "
        "Neo4jConfig Neo4jTransport Transport TransportConfig TransportError is_retryable "
        "make_transport"
    ),
}


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_the_public_names_of_each_package_are_pinned(package: str) -> None:
    module = importlib.import_module(package)
    assert sorted(module.__all__) == PUBLIC[package].split()
    for name in module.__all__:
        assert hasattr(module, name), f"{package}.{name}"


def test_errors_exported_by_packages_are_the_ones_in_errors() -> None:
    import graph_lineage.auth
    import graph_lineage.change_plans
    import graph_lineage.collector
    import graph_lineage.lineage
    from graph_lineage import errors

    exported = {
        graph_lineage: ["LineageError"],
        graph_lineage.lineage: ["InvalidQuery", "NodeNotFound"],
        graph_lineage.change_plans: ["InvalidPlan"],
        graph_lineage.auth: ["Unauthenticated"],
        graph_lineage.collector: ["BackendUnavailable", "EventsRejected", "TransportError"],
    }
    for module, names in exported.items():
        for name in names:
            assert name in module.__all__, f"{module.__name__}.{name}"
            assert getattr(module, name) is getattr(errors, name), f"{module.__name__}.{name}"
