"""The ``uid`` contract: ``<kind>:<name>[@<version>]``, the same in GraphQL, CLI, Cypher.

>>> feature_version_uid("user_ctr_7d", "v3")
'feature:user_ctr_7d@v3'
>>> parse("model:ranker@2026-11-01")
Uid(kind='model', name='ranker', version='2026-11-01')
"""

from __future__ import annotations

import hashlib
import re
from typing import NamedTuple

NAME = r"[A-Za-z0-9][A-Za-z0-9_.\-/]*"
VERSION = r"[A-Za-z0-9][A-Za-z0-9_.\-:+]*"
_UID = re.compile(rf"^(?P<kind>[a-z_]+):(?P<name>{NAME})(?:@(?P<version>{VERSION}))?$")


class Uid(NamedTuple):
    kind: str
    name: str
    version: str | None


def parse(uid: str) -> Uid:
    """Split a uid into kind, name and version; ValueError names what is wrong."""
    match = _UID.match(uid)
    if not match:
        raise ValueError(f"{uid!r} is not a uid of the form <kind>:<name>[@<version>]")
    return Uid(match["kind"], match["name"], match["version"])


def source_uid(name: str) -> str:
    return f"source:{name}"


def feature_uid(name: str) -> str:
    return f"feature:{name}"


def feature_version_uid(feature: str, version: str) -> str:
    return f"feature:{feature}@{version}"


def model_uid(name: str) -> str:
    return f"model:{name}"


def model_version_uid(model: str, version: str) -> str:
    return f"model:{model}@{version}"


def deployment_uid(model: str, version: str, environment: str) -> str:
    return f"deployment:{model}/{environment}@{version}"


def experiment_uid(name: str) -> str:
    return f"experiment:{name}"


def variant_uid(experiment: str, variant: str) -> str:
    return f"variant:{experiment}/{variant}"


def recommendation_uid(request_id: str) -> str:
    return f"rec:{request_id}"


def context_uid(fingerprint: str) -> str:
    return f"context:{fingerprint}"


def outcome_uid(event_id: str) -> str:
    return f"outcome:{event_id}"


def statistics_uid(feature_version: str, window_start: str) -> str:
    parsed = parse(feature_version)
    return f"stats:{parsed.name}/{parsed.version}@{window_start}"


def openlineage_name(namespace: str, name: str) -> str:
    """The uid name of an OpenLineage job or dataset: ``<namespace>/<name>``, uid-safe.

    A URI namespace loses its ``://`` and a port or user part its ``:`` and ``@``, which
    become ``/``, ``.`` and ``.``. Any other character a uid name cannot hold becomes ``_``,
    and then ``--`` and 8 hex digits of a hash of the original pair keep the name unique.

    >>> openlineage_name("postgres://db.internal:5432", "public.clicks")
    'postgres/db.internal.5432/public.clicks'
    >>> openlineage_name("file", "/data/events")
    'file//data/events'
    >>> openlineage_name("s3://bucket", "reports/2026 q3.csv")
    's3/bucket/reports/2026_q3.csv--9a5dcc4b'
    """
    uri = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*)://([^/]*)(.*)$", namespace)
    if uri:
        authority = re.sub(r"[@:]", ".", uri[2])
        namespace_part = f"{uri[1]}/{authority}{uri[3]}"
    else:
        namespace_part = namespace
    joined = f"{namespace_part}/{name}"
    safe = re.sub(r"[^A-Za-z0-9_.\-/]", "_", joined)
    if safe == joined and re.match(rf"^{NAME}$", safe):
        return safe
    if not re.match(r"^[A-Za-z0-9]", safe):
        safe = f"x{safe}"
    digest = hashlib.sha256(f"{namespace}\n{name}".encode()).hexdigest()[:8]
    return f"{safe}--{digest}"
