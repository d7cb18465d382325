"""The OpenLineage events graph-lineage accepts: RunEvent, DatasetEvent and JobEvent.

Only the core of the spec (https://openlineage.io/spec/2-0-2/OpenLineage.json) is checked
here, strictly: what the spec requires must be there and well typed. Unknown top-level
fields are ignored, as the spec allows them; facets stay raw JSON objects until
:mod:`graph_lineage.openlineage.facets` reads the ones it knows.

The kind of an event is told by its shape, as in the spec: ``run`` (with ``job``) makes a
RunEvent, ``dataset`` a DatasetEvent, ``job`` without ``run`` a JobEvent.

>>> parse_event({"eventTime": "2026-11-01T10:00:00Z", "producer": "https://x",
...              "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json",
...              "dataset": {"namespace": "s3://bucket", "name": "clicks"}}).dataset.uid
'dataset:s3/bucket/clicks'
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    field_validator,
)

from graph_lineage import uids

Facets = dict[str, Any]
# Namespaces and names become part of uids (indexed: Neo4j's string index keys hold
# about 8 kB), so both are bounded; see docs/openlineage.md.
MAX_NAMESPACE = 500
MAX_NAME = 1000
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Namespace = Annotated[str, Field(min_length=1, max_length=MAX_NAMESPACE)]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME)]


class EventType(StrEnum):
    START = "START"
    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    ABORT = "ABORT"
    FAIL = "FAIL"
    OTHER = "OTHER"


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


def _no_null_facets(value: Facets | None) -> Facets:
    return value or {}


class Job(_Model):
    namespace: Namespace
    name: Name
    facets: Facets = Field(default_factory=dict)

    _facets = field_validator("facets", mode="before")(_no_null_facets)

    @property
    def uid(self) -> str:
        return f"job:{uids.openlineage_name(self.namespace, self.name)}"


class Dataset(_Model):
    namespace: Namespace
    name: Name
    facets: Facets = Field(default_factory=dict)

    _facets = field_validator("facets", mode="before")(_no_null_facets)

    @property
    def uid(self) -> str:
        return f"dataset:{uids.openlineage_name(self.namespace, self.name)}"


class InputDataset(Dataset):
    input_facets: Facets = Field(default_factory=dict, alias="inputFacets")

    _input_facets = field_validator("input_facets", mode="before")(_no_null_facets)


class OutputDataset(Dataset):
    output_facets: Facets = Field(default_factory=dict, alias="outputFacets")

    _output_facets = field_validator("output_facets", mode="before")(_no_null_facets)


class Run(_Model):
    run_id: UUID = Field(alias="runId")
    facets: Facets = Field(default_factory=dict)

    _facets = field_validator("facets", mode="before")(_no_null_facets)

    @property
    def uid(self) -> str:
        return run_uid(self.run_id)


def run_uid(run_id: UUID | str) -> str:
    return f"run:{UUID(str(run_id))}"


def as_utc(value: datetime) -> datetime:
    """The spec asks for an offset; clients often send local time without one: take UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class BaseEvent(_Model):
    event_time: datetime = Field(alias="eventTime")
    producer: Text
    schema_url: Text = Field(alias="schemaURL")

    _event_time = field_validator("event_time")(as_utc)


def _no_null_list(value: list[Any] | None) -> list[Any]:
    return value or []


class RunEvent(BaseEvent):
    event_type: EventType | None = Field(default=None, alias="eventType")
    run: Run
    job: Job
    inputs: list[InputDataset] = Field(default_factory=list)
    outputs: list[OutputDataset] = Field(default_factory=list)

    _lists = field_validator("inputs", "outputs", mode="before")(_no_null_list)


class JobEvent(BaseEvent):
    job: Job
    inputs: list[InputDataset] = Field(default_factory=list)
    outputs: list[OutputDataset] = Field(default_factory=list)

    _lists = field_validator("inputs", "outputs", mode="before")(_no_null_list)


class DatasetEvent(BaseEvent):
    dataset: Dataset


def _kind(raw: Any) -> str | None:
    if not isinstance(raw, dict):
        return None
    if "run" in raw:
        return "RunEvent"
    if "dataset" in raw:
        return "DatasetEvent"
    if "job" in raw:
        return "JobEvent"
    return None


OpenLineageEvent = RunEvent | DatasetEvent | JobEvent

_TaggedEvent = Annotated[
    Annotated[RunEvent, Tag("RunEvent")]
    | Annotated[DatasetEvent, Tag("DatasetEvent")]
    | Annotated[JobEvent, Tag("JobEvent")],
    Discriminator(
        _kind,
        custom_error_type="not_openlineage",
        custom_error_message=(
            "not an OpenLineage event: give `run` and `job` (RunEvent), `dataset`"
            " (DatasetEvent) or `job` alone (JobEvent)"
        ),
    ),
]

EVENT_ADAPTER: TypeAdapter[OpenLineageEvent] = TypeAdapter(_TaggedEvent)


def parse_event(raw: Any) -> OpenLineageEvent:
    """Validate one decoded JSON event; raises pydantic.ValidationError naming each problem."""
    return EVENT_ADAPTER.validate_python(raw)
