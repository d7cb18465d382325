"""Parsing OpenLineage events: the spec's required fields strictly, everything else loosely."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from openlineage.client import event_v2 as ol
from openlineage.client.facet_v2 import schema_dataset, sql_job
from openlineage.client.serde import Serde
from pydantic import ValidationError

from graph_lineage.openlineage import DatasetEvent, EventType, JobEvent, RunEvent, parse_event

RUN_ID = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def run_event(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "eventTime": "2026-11-01T10:00:00Z",
        "eventType": "START",
        "producer": "https://example.com/producer",
        "schemaURL": SCHEMA_URL,
        "run": {"runId": RUN_ID},
        "job": {"namespace": "spark", "name": "build_ctr"},
    }
    event.update(changes)
    return event


def _client_json(event: object) -> Any:
    return json.loads(Serde.to_json(event))


def test_a_run_event_as_the_python_client_serializes_it() -> None:
    sent = ol.RunEvent(
        eventType=ol.RunState.COMPLETE,
        eventTime="2026-11-01T10:00:00.123456+01:00",
        run=ol.Run(runId=RUN_ID),
        job=ol.Job(namespace="spark", name="build_ctr", facets={"sql": sql_job.SQLJobFacet("q")}),
        producer="https://example.com/producer",
        inputs=[ol.InputDataset(namespace="postgres://db:5432", name="public.clicks")],
        outputs=[ol.OutputDataset(namespace="s3://lake", name="features/ctr")],
    )

    event = parse_event(_client_json(sent))

    assert isinstance(event, RunEvent)
    assert event.event_type is EventType.COMPLETE
    assert event.event_time == datetime(2026, 11, 1, 9, 0, 0, 123456, tzinfo=UTC)
    assert event.run.uid == f"run:{RUN_ID}"
    assert event.job.uid == "job:spark/build_ctr"
    assert event.job.facets["sql"]["query"] == "q"
    assert [d.uid for d in event.inputs] == ["dataset:postgres/db.5432/public.clicks"]
    assert [d.uid for d in event.outputs] == ["dataset:s3/lake/features/ctr"]


def test_dataset_and_job_events_as_the_python_client_serializes_them() -> None:
    schema = schema_dataset.SchemaDatasetFacet(
        fields=[schema_dataset.SchemaDatasetFacetFields(name="user_id", type="string")]
    )
    dataset = ol.DatasetEvent(
        eventTime="2026-11-01T10:00:00Z",
        producer="https://example.com/producer",
        dataset=ol.StaticDataset(namespace="s3://lake", name="clicks", facets={"schema": schema}),
    )
    job = ol.JobEvent(
        eventTime="2026-11-01T10:00:00Z",
        producer="https://example.com/producer",
        job=ol.Job(namespace="dbt", name="model.ctr"),
        outputs=[ol.OutputDataset(namespace="s3://lake", name="ctr")],
    )

    parsed_dataset = parse_event(_client_json(dataset))
    parsed_job = parse_event(_client_json(job))

    assert isinstance(parsed_dataset, DatasetEvent)
    assert parsed_dataset.dataset.uid == "dataset:s3/lake/clicks"
    assert isinstance(parsed_job, JobEvent)
    assert [d.name for d in parsed_job.outputs] == ["ctr"]


def test_the_kind_is_told_by_the_shape_not_by_the_schema_url() -> None:
    job_only = run_event(schemaURL="x")
    del job_only["run"]

    assert isinstance(parse_event(run_event()), RunEvent)
    assert isinstance(parse_event(job_only), JobEvent)


def test_something_else_is_refused_with_what_an_event_needs() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_event({"eventTime": "2026-11-01T10:00:00Z", "producer": "p", "schemaURL": "u"})

    assert "give `run` and `job` (RunEvent)" in str(caught.value)


@pytest.mark.parametrize(
    ("missing", "where"),
    [
        ("eventTime", ("RunEvent", "eventTime")),
        ("producer", ("RunEvent", "producer")),
        ("schemaURL", ("RunEvent", "schemaURL")),
        ("job", ("RunEvent", "job")),
    ],
)
def test_required_fields_are_required(missing: str, where: tuple[str, ...]) -> None:
    event = run_event()
    del event[missing]

    with pytest.raises(ValidationError) as caught:
        parse_event(event)

    assert [e["loc"] for e in caught.value.errors()] == [where]


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"run": {"runId": "not-a-uuid"}}, ("RunEvent", "run", "runId")),
        ({"run": {}}, ("RunEvent", "run", "runId")),
        ({"job": {"namespace": "spark", "name": ""}}, ("RunEvent", "job", "name")),
        ({"eventType": "FINISHED"}, ("RunEvent", "eventType")),
        ({"eventTime": "yesterday"}, ("RunEvent", "eventTime")),
        ({"inputs": [{"namespace": "s3://lake"}]}, ("RunEvent", "inputs", 0, "name")),
    ],
)
def test_wrong_fields_are_named(changes: dict[str, Any], where: tuple[Any, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_event(run_event(**changes))

    assert where in [e["loc"] for e in caught.value.errors()]


def test_unknown_fields_are_ignored_and_null_lists_are_empty() -> None:
    event = parse_event(run_event(inputs=None, outputs=None, somethingNew={"x": 1}))

    assert isinstance(event, RunEvent)
    assert event.inputs == [] and event.outputs == []


def test_an_event_time_without_offset_is_taken_as_utc() -> None:
    event = parse_event(run_event(eventTime="2026-11-01T10:00:00.5"))

    assert event.event_time == datetime(2026, 11, 1, 10, 0, 0, 500000, tzinfo=UTC)


def test_event_type_is_optional_as_in_the_spec() -> None:
    event = parse_event(run_event(eventType=None))

    assert isinstance(event, RunEvent) and event.event_type is None


def test_run_ids_are_compared_in_canonical_form() -> None:
    upper = parse_event(run_event(run={"runId": RUN_ID.upper()}))

    assert isinstance(upper, RunEvent)
    assert upper.run.uid == f"run:{RUN_ID}"
