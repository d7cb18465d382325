"""The public surface is what users import; changing it is a decision, not an accident."""

from __future__ import annotations

import api
import graph_lineage
import graph_lineage.completeness
import graph_lineage.neo4j_local
import graph_lineage.store


def test_graph_lineage_exports() -> None:
    assert sorted(graph_lineage.__all__) == ["LineageError", "Settings", "__version__"]


def test_store_exports() -> None:
    assert sorted(graph_lineage.store.__all__) == [
        "LINEAGE_LABELS",
        "Label",
        "Migration",
        "MigrationStatus",
        "Rel",
        "ServerInfo",
        "Store",
        "load_migrations",
        "migrate",
        "migration_status",
        "recommendation_count",
        "resolve_target",
        "server_info",
    ]


def test_neo4j_local_and_api_exports() -> None:
    assert sorted(graph_lineage.neo4j_local.__all__) == ["LocalNeo4j", "Status", "Supervisor"]
    assert api.__all__ == ["create_app"]


def test_completeness_exports() -> None:
    assert sorted(graph_lineage.completeness.__all__) == [
        "CompletenessReport",
        "Gap",
        "Tally",
        "Window",
        "completeness",
        "completeness_json",
        "completeness_markdown",
    ]


def test_every_exported_name_exists() -> None:
    modules = (
        graph_lineage,
        graph_lineage.store,
        graph_lineage.neo4j_local,
        graph_lineage.completeness,
    )
    for module in (*modules, api):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_anomalies_exports() -> None:
    import graph_lineage.anomalies

    assert sorted(graph_lineage.anomalies.__all__) == [
        "Alert",
        "AnomalyFilter",
        "AnomalyPage",
        "Delivery",
        "Finding",
        "RULES",
        "Rule",
        "ScanReport",
        "Webhooks",
        "Window",
        "anomalies",
        "anomaly_uid",
        "hidden_evidence",
        "scan",
    ]
    for name in graph_lineage.anomalies.__all__:
        assert hasattr(graph_lineage.anomalies, name), name


def test_lineage_and_change_plans_exports() -> None:
    import graph_lineage.change_plans
    import graph_lineage.lineage

    assert sorted(graph_lineage.lineage.__all__) == [
        "EVERYTHING",
        "Edge",
        "Graph",
        "Impact",
        "InvalidQuery",
        "LineageDiff",
        "Node",
        "NodeNotFound",
        "Page",
        "RecommendationFilter",
        "Trace",
        "Visibility",
        "downstream",
        "find_node",
        "lineage_diff",
        "upstream",
        "versions_of",
    ]
    assert sorted(graph_lineage.change_plans.__all__) == [
        "Change",
        "ChangeImpact",
        "ChangePlan",
        "InvalidPlan",
        "MigrationImpact",
        "Reason",
        "RiskLevel",
        "Traffic",
        "analyze",
        "load_plan",
        "migration_json",
        "migration_markdown",
        "parse_plan",
    ]
    for module in (graph_lineage.lineage, graph_lineage.change_plans):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_access_log_exports() -> None:
    import graph_lineage.access_log

    assert sorted(graph_lineage.access_log.__all__) == [
        "ANONYMOUS",
        "ANSWERED",
        "AccessLogFilter",
        "AccessLogPage",
        "AccessRecord",
        "ChainReport",
        "FAILED",
        "Format",
        "MAX_LISTED",
        "MAX_PAGE",
        "PARTIAL",
        "REFUSED",
        "RefusalLimiter",
        "append",
        "append_all",
        "chain_hash",
        "decode_cursor",
        "encode_cursor",
        "export",
        "query",
        "records",
        "verify",
    ]
    for name in graph_lineage.access_log.__all__:
        assert hasattr(graph_lineage.access_log, name), name


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
