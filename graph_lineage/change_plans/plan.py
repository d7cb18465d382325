"""A planned change, as a small YAML or JSON file: what changes, and which traffic to weigh.

::

    title: move user_ctr_7d to v3
    as_of: 2026-10-31T00:00:00Z   # default: now
    window_days: 7                # traffic of the 7 whole days before as_of's day
    changes:
      - replace: feature:user_ctr_7d@v2
        with: feature:user_ctr_7d@v3
      - deprecate: feature:item_price@v1
      - drop: source:inventory
      - retire: model:ranker@v1

Every problem of a plan is reported at once, as :class:`InvalidPlan`, naming the change
(counted from 1) and what to do; nothing is analyzed until the whole plan is valid.

>>> plan = parse_plan({"changes": [{"drop": "source:inventory"}]})
>>> plan.changes[0].describe(), plan.window_days
('drop source:inventory', 7)
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

import yaml
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from graph_lineage import uids
from graph_lineage.errors import InvalidPlan

DEFAULT_WINDOW_DAYS = 7
MAX_WINDOW_DAYS = 365
MAX_CHANGES = 100
ACTIONS = ("replace", "deprecate", "drop", "retire")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# uid kind -> (what the uid must name, how to write it)
_FORMS = {
    "feature": ("a feature version", "feature:<name>@<version>"),
    "source": ("a data source", "source:<name>"),
    "model": ("a model version", "model:<name>@<version>"),
}


def _uid_of_kind(value: str, kind: str) -> str:
    noun, form = _FORMS[kind]
    try:
        parsed = uids.parse(value)
    except ValueError as error:
        raise ValueError(f"{error}; write {form}") from None
    if parsed.kind != kind or (parsed.version is None) != (kind == "source"):
        raise ValueError(f"{value!r} is not {noun}; write {form}")
    return value


FeatureVersionUid = Annotated[str, AfterValidator(lambda value: _uid_of_kind(value, "feature"))]
DataSourceUid = Annotated[str, AfterValidator(lambda value: _uid_of_kind(value, "source"))]
ModelVersionUid = Annotated[str, AfterValidator(lambda value: _uid_of_kind(value, "model"))]


class Change(BaseModel):
    """One change of a plan: an action on one node."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    action: ClassVar[str]

    @property
    def target(self) -> str:
        return str(getattr(self, self.action))

    @property
    def replacement(self) -> str | None:
        return None

    def describe(self) -> str:
        return f"{self.action} {self.target}"


class Replace(Change):
    """A feature version gives way to another version of the same feature."""

    action: ClassVar[str] = "replace"
    replace: FeatureVersionUid
    with_: FeatureVersionUid = Field(alias="with")

    @model_validator(mode="after")
    def _same_feature(self) -> Replace:
        old, new = uids.parse(self.replace), uids.parse(self.with_)
        if old.name != new.name:
            raise ValueError(
                f"`with` must be a version of the feature {old.name}, not {self.with_};"
                f" to move to another feature, deprecate {self.replace} instead"
            )
        if old.version == new.version:
            raise ValueError(f"`with` names the version it replaces, {self.replace}")
        return self

    @property
    def replacement(self) -> str | None:
        return self.with_

    def describe(self) -> str:
        return f"replace {self.replace} with {self.with_}"


class Deprecate(Change):
    """A feature version stops being computed; what reads it must move off it."""

    action: ClassVar[str] = "deprecate"
    deprecate: FeatureVersionUid


class Drop(Change):
    """A data source goes away, with every feature version derived from it."""

    action: ClassVar[str] = "drop"
    drop: DataSourceUid


class Retire(Change):
    """A model version stops serving."""

    action: ClassVar[str] = "retire"
    retire: ModelVersionUid


def _action_of(value: Any) -> str | None:
    if isinstance(value, Change):
        return value.action
    if not isinstance(value, dict):
        return None
    found = [key for key in ACTIONS if key in value]
    return found[0] if len(found) == 1 else None


PlanChange = Annotated[
    Annotated[Replace, Tag("replace")]
    | Annotated[Deprecate, Tag("deprecate")]
    | Annotated[Drop, Tag("drop")]
    | Annotated[Retire, Tag("retire")],
    Discriminator(
        _action_of,
        custom_error_type="change_action",
        custom_error_message="a change needs exactly one of replace, deprecate, drop, retire",
    ),
]


class ChangePlan(BaseModel):
    """Changes to analyze together, and the traffic window that weighs them."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    title: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    as_of: AwareDatetime | None = Field(
        default=None, description="When the plan is judged (default: now)."
    )
    window_days: Annotated[int, Field(ge=1, le=MAX_WINDOW_DAYS)] = DEFAULT_WINDOW_DAYS
    changes: list[PlanChange] = Field(min_length=1, max_length=MAX_CHANGES)

    @field_validator("as_of", mode="before")
    @classmethod
    def _moment(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if _DATE_ONLY.match(text):
            text += "T00:00:00+00:00"
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"{value!r} is not an ISO 8601 time; write e.g. 2026-10-31T00:00:00Z"
            ) from None

    @model_validator(mode="after")
    def _each_target_once(self) -> ChangePlan:
        first: dict[str, int] = {}
        for index, change in enumerate(self.changes, start=1):
            if change.target in first:
                raise ValueError(
                    f"change {index} changes {change.target} again, as change"
                    f" {first[change.target]} does; keep one of them"
                )
            first[change.target] = index
        return self

    def judged_at(self) -> datetime:
        return self.as_of if self.as_of is not None else datetime.now(UTC)


class _PlanLoader(yaml.SafeLoader):
    """YAML without implicit timestamps: ``as_of`` is parsed, with its zone, by the model."""


_PlanLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_plan(text: str, source: str = "the plan") -> ChangePlan:
    """A plan from YAML or JSON text (JSON is YAML); :class:`InvalidPlan` says what is wrong."""
    try:
        data = yaml.load(text, Loader=_PlanLoader)  # a SafeLoader subclass
    except yaml.YAMLError as error:
        raise InvalidPlan([f"{source} is neither YAML nor JSON: {error}"]) from None
    if not isinstance(data, dict):
        raise InvalidPlan(
            [f"{source} must be a mapping with a `changes:` list, not {type(data).__name__}"]
        )
    return parse_plan(data)


def parse_plan(data: dict[str, Any]) -> ChangePlan:
    """A plan from parsed YAML, JSON or GraphQL input."""
    try:
        return ChangePlan.model_validate(data)
    except ValidationError as error:
        raise InvalidPlan([_problem(item) for item in error.errors(include_url=False)]) from None


_MISSING = {
    " `with`": "missing: give the feature version that replaces it",
    " `changes`": "missing: list the changes, e.g. `changes: [{drop: source:<name>}]`",
}
_KEYS = {
    "plan": "title, as_of, window_days and changes",
    "change": "one of replace (with `with`), deprecate, drop or retire",
}


def _problem(item: Any) -> str:
    loc = list(item["loc"])
    where, field = "plan", ""
    if len(loc) >= 2 and loc[0] == "changes" and isinstance(loc[1], int):
        where = f"change {loc[1] + 1}"
        loc = loc[3:] if len(loc) > 2 and loc[2] in ACTIONS else loc[2:]
    if loc:
        field = f" `{loc[-1]}`".replace("with_", "with")
    message = str(item["msg"]).removeprefix("Value error, ")
    kind = "change" if where != "plan" else "plan"
    if item["type"] == "extra_forbidden":
        message = f"unknown key; a {kind} has {_KEYS[kind]}"
    elif item["type"] == "missing" and field in _MISSING:
        message = _MISSING[field]
    elif item["type"] == "timezone_aware":
        message += "; write e.g. 2026-10-31T00:00:00Z"
    elif item["type"] == "change_action":
        given = sorted(item["input"]) if isinstance(item["input"], dict) else item["input"]
        message = f"{message} (got {given!r})"
    return f"{where}{field}: {message}" if where != "plan" or field else message
