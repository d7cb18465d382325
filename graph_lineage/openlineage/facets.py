"""The OpenLineage facets graph-lineage keeps, turned into node and edge properties.

Facets are open-ended. The ones listed in :data:`KEPT` are read into properties; every
other facet is dropped, and only its name is remembered (``facets_seen``). A kept facet
that does not match its spec is dropped too, with a warning, rather than costing the
whole event. A facet sent with ``"_deleted": true`` clears its properties.

Each kept facet is stamped: ``<key>_at`` holds the ``eventTime`` of the event that last
set it, so that a late, older event never overwrites a newer one's facet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graph_lineage.limits import bounded_text
from graph_lineage.openlineage.events import MAX_NAME, MAX_NAMESPACE, Facets, as_utc

Holder = Literal["job", "run", "dataset", "output"]


# Limits of what a known facet may hold; a facet over them is ignored with a warning.
# The long bound (descriptions, SQL, error messages and their stack traces, dataSource
# URIs) is the setting ``openlineage_max_facet_text``, given to :func:`read_facets`.
SHORT_TEXT = 1000
LONG_TEXT = 100_000


Short = Annotated[str, Field(max_length=SHORT_TEXT)]
Long = Annotated[str, bounded_text("openlineage_max_facet_text", LONG_TEXT)]


class _Facet(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)
    FIELDS: ClassVar[tuple[str, ...]]

    def props(self) -> dict[str, Any]:
        raise NotImplementedError


class Documentation(_Facet):
    FIELDS = ("description",)
    description: Long

    def props(self) -> dict[str, Any]:
        return {"description": self.description}


class Owner(BaseModel):
    name: Short
    type: Short | None = None


class Ownership(_Facet):
    FIELDS = ("owners",)
    owners: list[Owner] | None = None

    def props(self) -> dict[str, Any]:
        return {"owners": [owner.name for owner in self.owners or []]}


class SchemaField(BaseModel):
    name: Short
    type: Short | None = None
    fields: list[SchemaField] | None = None


class Schema(_Facet):
    FIELDS = ("schema_fields", "schema_types")
    fields: list[SchemaField] | None = None

    def props(self) -> dict[str, Any]:
        flat = list(_flatten(self.fields or [], ""))
        return {"schema_fields": [n for n, _ in flat], "schema_types": [t for _, t in flat]}


def _flatten(fields: list[SchemaField], prefix: str) -> Iterator[tuple[str, str]]:
    for schema_field in fields:
        name = f"{prefix}{schema_field.name}"
        yield name, schema_field.type or ""
        yield from _flatten(schema_field.fields or [], f"{name}.")


class DataSource(_Facet):
    FIELDS = ("data_source_name", "data_source_uri")
    name: Short | None = None
    uri: Long | None = None

    def props(self) -> dict[str, Any]:
        return {"data_source_name": self.name, "data_source_uri": self.uri}


class Version(_Facet):
    FIELDS = ("version",)
    dataset_version: Short = Field(alias="datasetVersion")

    def props(self) -> dict[str, Any]:
        return {"version": self.dataset_version}


class Sql(_Facet):
    FIELDS = ("sql",)
    query: Long

    def props(self) -> dict[str, Any]:
        return {"sql": self.query}


class JobType(_Facet):
    FIELDS = ("processing_type", "integration", "job_type")
    processing_type: Short = Field(alias="processingType")
    integration: Short
    job_type: Short | None = Field(default=None, alias="jobType")

    def props(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.FIELDS}


class SourceCodeLocation(_Facet):
    FIELDS = ("source_code_url", "source_code_path", "source_code_version")
    url: Short
    path: Short | None = None
    version: Short | None = None

    def props(self) -> dict[str, Any]:
        return dict(zip(self.FIELDS, (self.url, self.path, self.version), strict=True))


class NominalTime(_Facet):
    FIELDS = ("nominal_start_time", "nominal_end_time")
    start: datetime = Field(alias="nominalStartTime")
    end: datetime | None = Field(default=None, alias="nominalEndTime")

    def props(self) -> dict[str, Any]:
        end = as_utc(self.end) if self.end else None
        return {"nominal_start_time": as_utc(self.start), "nominal_end_time": end}


class ErrorMessage(_Facet):
    FIELDS = ("error_message", "error_language")
    message: Long
    language: Short = Field(alias="programmingLanguage")

    def props(self) -> dict[str, Any]:
        return {"error_message": self.message, "error_language": self.language}


class OutputStatistics(_Facet):
    FIELDS = ("row_count", "size_bytes", "file_count")
    row_count: int | None = Field(default=None, alias="rowCount")
    size: int | None = None
    file_count: int | None = Field(default=None, alias="fileCount")

    def props(self) -> dict[str, Any]:
        return {"row_count": self.row_count, "size_bytes": self.size, "file_count": self.file_count}


# Facet fields stored sealed (see graph_lineage.sealing), by stamp key: connection
# strings carry host names and often users, as ``DataSource.uri`` does.
SEALED_FACET_FIELDS: dict[str, tuple[str, ...]] = {"data_source": ("data_source_uri",)}


# Facet name in OpenLineage -> (stamp key, model), per kind of holder.
KEPT: dict[Holder, dict[str, tuple[str, type[_Facet]]]] = {
    "job": {
        "documentation": ("documentation", Documentation),
        "ownership": ("ownership", Ownership),
        "sql": ("sql", Sql),
        "jobType": ("job_type", JobType),
        "sourceCodeLocation": ("source_code", SourceCodeLocation),
    },
    "run": {
        "nominalTime": ("nominal_time", NominalTime),
        "errorMessage": ("error", ErrorMessage),
    },
    "dataset": {
        "documentation": ("documentation", Documentation),
        "ownership": ("ownership", Ownership),
        "schema": ("schema", Schema),
        "dataSource": ("data_source", DataSource),
        "version": ("version", Version),
    },
    "output": {"outputStatistics": ("statistics", OutputStatistics)},
}


@dataclass
class FacetReading:
    """What one holder's facets say: properties per kept facet, and every facet's name."""

    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)


def read_facets(
    holder: Holder,
    facets: Facets,
    where: str,
    warnings: list[str],
    max_facet_text: int = LONG_TEXT,
) -> FacetReading:
    """The kept facets of ``facets`` as properties; problems are appended to ``warnings``."""
    reading = FacetReading(seen=sorted(facets))
    for name, raw in facets.items():
        kept = KEPT[holder].get(name)
        if kept is None or raw is None:
            continue
        key, model = kept
        if isinstance(raw, dict) and raw.get("_deleted") is True:
            reading.values[key] = dict.fromkeys(model.FIELDS)
            continue
        try:
            context = {"openlineage_max_facet_text": max_facet_text}
            reading.values[key] = model.model_validate(raw, context=context).props()
        except ValidationError as error:
            warnings.append(_ignored(f"{where}.facets.{name}", error))
    return reading


@dataclass(frozen=True)
class ParentRef:
    run_id: UUID
    namespace: str
    name: str


class _ParentRun(BaseModel):
    run_id: UUID = Field(alias="runId")


class _ParentJob(BaseModel):
    namespace: str = Field(min_length=1, max_length=MAX_NAMESPACE)
    name: str = Field(min_length=1, max_length=MAX_NAME)


class _Parent(BaseModel):
    run: _ParentRun
    job: _ParentJob


def read_parent(facets: Facets, where: str, warnings: list[str]) -> ParentRef | None:
    """The run named by the ``parent`` run facet, if there is a valid one."""
    raw = facets.get("parent")
    if raw is None:
        return None
    try:
        parent = _Parent.model_validate(raw)
    except ValidationError as error:
        warnings.append(_ignored(f"{where}.facets.parent", error))
        return None
    return ParentRef(parent.run.run_id, parent.job.namespace, parent.job.name)


def _ignored(where: str, error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    spot = ".".join(str(part) for part in first["loc"]) or "facet"
    return f"{where} ignored: {spot}: {first['msg']}"
