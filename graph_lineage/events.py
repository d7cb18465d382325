"""The lineage events producers send, one pydantic model per ``type``.

Every event carries ``event_id`` (the idempotency key), ``event_time`` (when the fact
became true: it is the validity time of what it creates), ``producer`` and
``schema_version``. :data:`Event` is the union selected by ``type``; :func:`parse_event`
validates raw JSON. Fields marked :data:`SENSITIVE` are sealed
(encrypted) before they are stored; :data:`SENSITIVE_FIELDS` lists them per event type.

>>> parse_event({"type": "outcome.observed", "event_id": "e1", "producer": "web",
...              "event_time": "2026-11-01T10:00:00Z", "request_id": "r1",
...              "item_id": "sku-9", "kind": "click"}).kind
'click'
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
    model_validator,
)

from graph_lineage import uids
from graph_lineage.limits import bounded_text

SCHEMA_VERSION = "1.0"

Name = Annotated[str, Field(min_length=1, max_length=200, pattern=rf"^{uids.NAME}$")]
Version = Annotated[str, Field(min_length=1, max_length=100, pattern=rf"^{uids.VERSION}$")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Hash = Annotated[str, Field(min_length=4, max_length=200)]
# Free text that is stored but never indexed: descriptions, error messages. Its bound is
# the setting ``max_free_text``, given to :func:`parse_event`; the schema shows the default.
MAX_FREE_TEXT = 10_000
LongText = Annotated[
    str,
    bounded_text("max_free_text", MAX_FREE_TEXT),
    Field(json_schema_extra={"maxLength": MAX_FREE_TEXT}),
]
Key = Annotated[str, Field(min_length=1, max_length=200)]
# A uid given as a reference (model_version, derived_from...): name + version + kind.
UidRef = Annotated[str, Field(min_length=1, max_length=400)]
Short = Annotated[str, Field(min_length=1, max_length=200)]

# Every model refuses NaN and infinities: the store keeps finite numbers only.
_CONFIG = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

# Marks a field whose value is sealed (AES-GCM) before it is stored; see sealing.py.
SENSITIVE: dict[str, Any] = {"sensitive": True}


def _check_uid(value: str, kinds: tuple[str, ...], needs_version: bool) -> str:
    parsed = uids.parse(value)
    if parsed.kind not in kinds:
        raise ValueError(f"{value!r} must be a uid of kind {' or '.join(kinds)}")
    if needs_version and parsed.kind != "source" and parsed.version is None:
        raise ValueError(f"{value!r} must name a version: <kind>:<name>@<version>")
    return value


class BaseEvent(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False
    )

    event_id: Annotated[str, Field(min_length=1, max_length=200)]
    event_time: AwareDatetime
    producer: Annotated[str, Field(min_length=1, max_length=500)]
    schema_version: Literal["1.0"] = "1.0"


class DataSourceEvent(BaseEvent):
    """A data source was registered, or its description changed."""

    type: Literal["data_source.registered", "data_source.changed"]
    name: Name
    kind: Annotated[str, Field(min_length=1, max_length=50, examples=["table", "stream"])]
    uri: Text = Field(
        description="Where it lives; connection strings carry hosts and credentials.",
        json_schema_extra=SENSITIVE,
    )
    owner: Text
    contains_pii: bool = False
    description: LongText | None = None

    @property
    def uid(self) -> str:
        return uids.source_uid(self.name)


class FeatureVersionMaterialized(BaseEvent):
    """A version of a feature was computed and written to a feature store."""

    type: Literal["feature_version.materialized"]
    feature: Name
    version: Version
    schema_hash: Hash
    transform_hash: Hash = Field(description="Hash of the transform code that computed it.")
    derived_from: list[UidRef] = Field(
        min_length=1,
        max_length=1000,
        description="uids of data sources and feature versions it was computed from.",
    )
    feature_store: Text
    materialized_at: AwareDatetime
    freshness_sla_seconds: Annotated[int, Field(gt=0)] | None = None
    owner: Text | None = None

    @field_validator("derived_from")
    @classmethod
    def _derived_from_uids(cls, values: list[str]) -> list[str]:
        return [_check_uid(v, ("source", "feature"), needs_version=True) for v in values]

    @property
    def uid(self) -> str:
        return uids.feature_version_uid(self.feature, self.version)


class ModelVersionTrained(BaseEvent):
    """A model version was trained on some feature versions."""

    type: Literal["model_version.trained"]
    model: Name
    version: Version
    trained_on: list[UidRef] = Field(
        min_length=1, max_length=1000, description="Feature version uids."
    )
    training_window_start: AwareDatetime
    training_window_end: AwareDatetime
    artifact_uri: Text
    artifact_hash: Hash
    metrics: dict[Key, float] = Field(default_factory=dict, max_length=1000)
    owner: Text | None = None

    @field_validator("trained_on")
    @classmethod
    def _feature_version_uids(cls, values: list[str]) -> list[str]:
        return [_check_uid(v, ("feature",), needs_version=True) for v in values]

    @model_validator(mode="after")
    def _window_in_order(self) -> ModelVersionTrained:
        if self.training_window_end < self.training_window_start:
            raise ValueError("training_window_end is before training_window_start")
        return self

    @property
    def uid(self) -> str:
        return uids.model_version_uid(self.model, self.version)


class ModelVersionDeployment(BaseEvent):
    """A model version was deployed to an environment (with a traffic share), or retired."""

    type: Literal["model_version.deployed", "model_version.retired"]
    model: Name
    version: Version
    environment: Name
    traffic: Annotated[float, Field(ge=0, le=1)] = 1.0

    @property
    def uid(self) -> str:
        return uids.deployment_uid(self.model, self.version, self.environment)

    @property
    def model_version_uid(self) -> str:
        return uids.model_version_uid(self.model, self.version)


class VariantDeclaration(BaseModel):
    model_config = _CONFIG

    name: Name
    traffic_share: Annotated[float, Field(ge=0, le=1)]
    model_version: UidRef = Field(description="uid of the model version this variant serves.")

    @field_validator("model_version")
    @classmethod
    def _model_version_uid(cls, value: str) -> str:
        return _check_uid(value, ("model",), needs_version=True)


class ExperimentEvent(BaseEvent):
    """An experiment started, changed its declaration, or stopped."""

    type: Literal["experiment.started", "experiment.changed", "experiment.stopped"]
    experiment: Name
    variants: list[VariantDeclaration] = Field(min_length=1)
    randomization_unit: Annotated[str, Field(min_length=1, max_length=50)] = "user"
    salt: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="Randomization salt; it predicts who gets which variant.",
        json_schema_extra=SENSITIVE,
    )
    feature_flags: dict[Key, Text | bool | int | float] = Field(
        default_factory=dict, max_length=1000
    )
    owner: Text | None = None

    @model_validator(mode="after")
    def _shares_add_up(self) -> ExperimentEvent:
        names = [v.name for v in self.variants]
        if len(set(names)) != len(names):
            raise ValueError("variant names must be unique")
        total = sum(v.traffic_share for v in self.variants)
        if total > 1.0 + 1e-9:
            raise ValueError(f"variant traffic shares add up to {total:.3f}, more than 1")
        return self

    @property
    def uid(self) -> str:
        return uids.experiment_uid(self.experiment)


class RankedItem(BaseModel):
    model_config = _CONFIG

    item_id: Annotated[str, Field(min_length=1, max_length=200)]
    score: float
    position: Annotated[int, Field(ge=0)]


class RecommendationServed(BaseEvent):
    """One recommendation request answered: what served it, for whom, what it returned."""

    type: Literal["recommendation.served"]
    request_id: Name
    served_at: AwareDatetime
    user_id: Annotated[str, Field(min_length=1, max_length=500)] = Field(
        description="The raw user id; pseudonymized with a keyed HMAC before it is stored."
    )
    segment: Annotated[str, Field(min_length=1, max_length=100)]
    cohort: Short | None = None
    model_version: UidRef
    feature_versions: list[UidRef] = Field(default_factory=list, max_length=1000)
    experiment: Name | None = None
    variant: Name | None = None
    items: list[RankedItem] = Field(default_factory=list, max_length=1000)
    latency_ms: Annotated[float, Field(ge=0)] | None = None
    error: LongText | None = None

    @field_validator("model_version")
    @classmethod
    def _model_version_uid(cls, value: str) -> str:
        return _check_uid(value, ("model",), needs_version=True)

    @field_validator("feature_versions")
    @classmethod
    def _feature_version_uids(cls, values: list[str]) -> list[str]:
        return [_check_uid(v, ("feature",), needs_version=True) for v in values]

    @model_validator(mode="after")
    def _variant_needs_experiment(self) -> RecommendationServed:
        if (self.variant is None) != (self.experiment is None):
            raise ValueError("experiment and variant go together: give both or neither")
        return self

    @property
    def uid(self) -> str:
        return uids.recommendation_uid(self.request_id)

    @property
    def variant_uid(self) -> str | None:
        if self.experiment is None or self.variant is None:
            return None
        return uids.variant_uid(self.experiment, self.variant)


class OutcomeObserved(BaseEvent):
    """What the user did with a recommended item: a click, a purchase, dwell time..."""

    type: Literal["outcome.observed"]
    request_id: Name
    item_id: Annotated[str, Field(min_length=1, max_length=200)]
    kind: Annotated[str, Field(min_length=1, max_length=50, examples=["click", "purchase"])]
    value: float = 1.0
    observed_at: AwareDatetime | None = Field(
        default=None, description="When it happened; defaults to event_time."
    )

    @property
    def uid(self) -> str:
        return uids.outcome_uid(self.event_id)


class Histogram(BaseModel):
    model_config = _CONFIG

    edges: list[float] = Field(min_length=2, max_length=10_000)
    counts: list[Annotated[int, Field(ge=0)]] = Field(max_length=10_000)

    @model_validator(mode="after")
    def _shape(self) -> Histogram:
        if len(self.counts) != len(self.edges) - 1:
            raise ValueError("a histogram has one count fewer than edges")
        if any(b < a for a, b in zip(self.edges, self.edges[1:], strict=False)):
            raise ValueError("histogram edges must be ascending")
        return self


class FeatureStatisticsObserved(BaseEvent):
    """Distribution of one feature version's values over a window, for drift detection."""

    type: Literal["feature_statistics.observed"]
    feature_version: UidRef
    window_start: AwareDatetime
    window_end: AwareDatetime
    count: Annotated[int, Field(ge=0)]
    nulls: Annotated[int, Field(ge=0)] = 0
    histogram: Histogram | None = None
    quantiles: dict[Key, float] | None = Field(
        default=None, max_length=1000, examples=[{"0.5": 0.12}]
    )
    categories: dict[Key, Annotated[int, Field(ge=0)]] | None = Field(
        default=None, max_length=10_000
    )

    @field_validator("feature_version")
    @classmethod
    def _feature_version_uid(cls, value: str) -> str:
        return _check_uid(value, ("feature",), needs_version=True)

    @model_validator(mode="after")
    def _has_a_distribution(self) -> FeatureStatisticsObserved:
        if self.histogram is None and self.quantiles is None and self.categories is None:
            raise ValueError("give a histogram, quantiles or category frequencies")
        if self.nulls > self.count:
            raise ValueError("nulls cannot exceed count")
        if self.window_end <= self.window_start:
            raise ValueError("window_end must be after window_start")
        return self

    @property
    def uid(self) -> str:
        return uids.statistics_uid(self.feature_version, _iso(self.window_start))


Event = Annotated[
    DataSourceEvent
    | FeatureVersionMaterialized
    | ModelVersionTrained
    | ModelVersionDeployment
    | ExperimentEvent
    | RecommendationServed
    | OutcomeObserved
    | FeatureStatisticsObserved,
    Field(discriminator="type"),
]

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_TYPES: tuple[type[BaseEvent], ...] = get_args(get_args(Event)[0])


def sensitive_fields(model: type[BaseModel]) -> frozenset[str]:
    """The fields of ``model`` marked :data:`SENSITIVE`."""
    return frozenset(
        name
        for name, info in model.model_fields.items()
        if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("sensitive")
    )


# Event type -> its sensitive fields, for the event types that have any.
SENSITIVE_FIELDS: dict[type[BaseEvent], frozenset[str]] = {
    event_type: fields for event_type in EVENT_TYPES if (fields := sensitive_fields(event_type))
}


def parse_event(raw: dict[str, Any] | str | bytes, *, max_free_text: int = MAX_FREE_TEXT) -> Event:
    """Validate one event from a dict or JSON text; raises pydantic.ValidationError.

    ``max_free_text`` bounds descriptions and error messages (the setting of that name).
    """
    context = {"max_free_text": max_free_text}
    if isinstance(raw, str | bytes):
        return EVENT_ADAPTER.validate_json(raw, context=context)
    return EVENT_ADAPTER.validate_python(raw, context=context)


def events_json_schema() -> dict[str, Any]:
    """The JSON Schema of every event, as exported to schema/events.schema.json."""
    schema = EVENT_ADAPTER.json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "graph-lineage event"
    return schema


def render_events_json_schema() -> str:
    return json.dumps(events_json_schema(), indent=2, sort_keys=True) + "\n"


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
