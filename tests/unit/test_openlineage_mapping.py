"""Facets read into properties, and a request's events folded into one row per node."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from graph_lineage.openlineage import RunEvent, parse_event
from graph_lineage.openlineage.facets import read_facets, read_parent
from graph_lineage.openlineage.mapping import LineageBatch
from graph_lineage.store import Label, Rel
from graph_lineage.store import openlineage_writes as cypher

RUN_ID = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
NOW = datetime(2026, 11, 2, tzinfo=UTC)


def run_event(event_type: str | None, time: str, **changes: Any) -> RunEvent:
    raw: dict[str, Any] = {
        "eventTime": time,
        "eventType": event_type,
        "producer": "https://example.com/producer",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": RUN_ID},
        "job": {"namespace": "spark", "name": "build_ctr"},
        "inputs": [{"namespace": "s3://lake", "name": "clickstream"}],
        "outputs": [{"namespace": "s3://lake", "name": "user_ctr_7d"}],
    }
    raw.update(changes)
    event = parse_event(raw)
    assert isinstance(event, RunEvent)
    return event


def rows(batch: LineageBatch, query: str) -> list[dict[str, Any]]:
    found = [params["rows"] for q, params in batch.statements(NOW) if q == query]
    assert len(found) == 1
    rows: list[dict[str, Any]] = found[0]
    return rows


def test_schema_fields_are_flattened_with_their_types() -> None:
    facets = {
        "schema": {
            "fields": [
                {"name": "user_id", "type": "string"},
                {"name": "ctx", "type": "struct", "fields": [{"name": "device"}]},
            ]
        }
    }

    reading = read_facets("dataset", facets, "[0].inputs[0]", [])

    assert reading.values == {
        "schema": {
            "schema_fields": ["user_id", "ctx", "ctx.device"],
            "schema_types": ["string", "struct", ""],
        }
    }


def test_unknown_facets_are_dropped_but_their_names_are_kept() -> None:
    facets = {"spark.logicalPlan": {"plan": ["huge"]}, "documentation": {"description": "d"}}

    reading = read_facets("dataset", facets, "[0].inputs[0]", [])

    assert reading.values == {"documentation": {"description": "d"}}
    assert reading.seen == ["documentation", "spark.logicalPlan"]


def test_a_deleted_facet_clears_its_properties() -> None:
    reading = read_facets("job", {"sql": {"_deleted": True}}, "[0].job", [])

    assert reading.values == {"sql": {"sql": None}}


def test_a_malformed_facet_is_ignored_with_a_warning_that_says_where() -> None:
    warnings: list[str] = []

    reading = read_facets("job", {"sql": {"text": "select 1"}}, "[3].job", warnings)

    assert reading.values == {}
    assert warnings == ["[3].job.facets.sql ignored: query: Field required"]


def test_the_parent_facet_names_a_run_and_its_job() -> None:
    facets = {"parent": {"run": {"runId": RUN_ID}, "job": {"namespace": "airflow", "name": "d"}}}
    warnings: list[str] = []

    parent = read_parent(facets, "[0].run", warnings)
    broken = read_parent({"parent": {"run": {}}}, "[1].run", warnings)

    assert parent is not None and (parent.namespace, parent.name) == ("airflow", "d")
    assert str(parent.run_id) == RUN_ID
    assert broken is None and len(warnings) == 1 and warnings[0].startswith("[1].run.facets")


@pytest.mark.parametrize("order", [("START", "COMPLETE"), ("COMPLETE", "START")])
def test_start_and_complete_in_one_request_in_either_order(order: tuple[str, str]) -> None:
    times = {"START": "2026-11-01T10:00:00Z", "COMPLETE": "2026-11-01T11:00:00Z"}
    batch = LineageBatch()
    for kind in order:
        batch.add(run_event(kind, times[kind]))

    (run,) = rows(batch, cypher.RUNS)

    assert run["state"]["name"] == "COMPLETE"
    assert run["started_at"] == datetime(2026, 11, 1, 10, tzinfo=UTC)
    assert run["ended_at"] == datetime(2026, 11, 1, 11, tzinfo=UTC)
    assert run["valid_from"] == datetime(2026, 11, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize("order", [("START", "FAIL"), ("FAIL", "START")])
def test_on_equal_times_the_later_state_wins(order: tuple[str, str]) -> None:
    batch = LineageBatch()
    for kind in order:
        batch.add(run_event(kind, "2026-11-01T10:00:00Z"))

    (run,) = rows(batch, cypher.RUNS)

    assert run["state"]["name"] == "FAIL"


def test_other_and_missing_event_types_leave_the_state_alone() -> None:
    batch = LineageBatch()
    batch.add(run_event("RUNNING", "2026-11-01T10:00:00Z"))
    batch.add(run_event("OTHER", "2026-11-01T12:00:00Z"))
    batch.add(run_event(None, "2026-11-01T13:00:00Z"))

    (run,) = rows(batch, cypher.RUNS)

    assert run["state"]["name"] == "RUNNING"
    assert run["started_at"] is None and run["ended_at"] is None


def test_the_newest_facet_wins_whatever_the_order() -> None:
    def job(query: str) -> dict[str, Any]:
        return {"namespace": "spark", "name": "build_ctr", "facets": {"sql": {"query": query}}}

    batch = LineageBatch()
    batch.add(run_event("COMPLETE", "2026-11-01T11:00:00Z", job=job("new")))
    batch.add(run_event("START", "2026-11-01T10:00:00Z", job=job("old")))

    (row,) = rows(batch, cypher.JOBS)

    (facet,) = row["facets"]
    assert facet["props"] == {"sql": "new", "sql_at": datetime(2026, 11, 1, 11, tzinfo=UTC)}


def test_one_row_per_node_and_edge_and_datasets_are_linked_last() -> None:
    batch = LineageBatch()
    batch.add(run_event("START", "2026-11-01T10:00:00Z"))
    batch.add(run_event("COMPLETE", "2026-11-01T11:00:00Z"))

    statements = batch.statements(NOW)

    sizes = [len(params.get("rows", params.get("datasets", []))) for _, params in statements]
    queries = [query for query, _ in statements]
    assert queries == [
        cypher.JOBS,
        cypher.DATASETS,
        cypher.RUNS,
        cypher.RUN_INPUTS,
        cypher.RUN_OUTPUTS,
        cypher.LINK_DATASETS,
    ]
    assert sizes == [1, 2, 1, 1, 1, 2]
    assert batch.counts == {"RunEvent": 2}


def test_an_empty_batch_writes_nothing() -> None:
    assert LineageBatch().statements(NOW) == []


def test_the_cypher_uses_only_known_labels_and_relationship_types() -> None:
    text = "\n".join(
        value for name, value in vars(cypher).items() if name.isupper() and isinstance(value, str)
    )

    labels = set(re.findall(r"\(\w*:(\w+)", text))
    types = set(re.findall(r"\[\w*:(\w+)\]", text))

    assert labels == {"Job", "Run", "Dataset", "DataSource", "FeatureVersion"}
    assert labels <= {label.value for label in Label}
    assert types == {
        "RUN_OF",
        "READ",
        "PRODUCED_BY",
        "CHILD_OF",
        "CONSUMES",
        "OUTPUT_OF",
        "SAME_AS",
    }
    assert types <= {rel.value for rel in Rel}
