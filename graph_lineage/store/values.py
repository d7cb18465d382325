"""Neo4j values as Python ones: the one place the rest of the code converts them.

Reads that project nodes send temporal properties as epoch values
(:func:`graph_lineage.store.reads.props_of`), so most rows hold Python values already;
aggregates and scalar columns (``max(r.served_at)``, a ``date()``) still arrive as the
driver's ``neo4j.time`` types, and these helpers turn them into ``datetime``, ``date``,
``time`` and ``timedelta``.

>>> from neo4j.time import DateTime
>>> native(DateTime(2026, 10, 1, 12, 0, 0)).isoformat()
'2026-10-01T12:00:00'
>>> jsonable({"at": [DateTime(2026, 10, 1)], "n": 1})
{'at': ['2026-10-01T00:00:00'], 'n': 1}
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def native(value: Any) -> Any:
    """A Neo4j temporal value as its Python one; anything else unchanged."""
    return value.to_native() if hasattr(value, "to_native") else value


def natives(value: Any) -> Any:
    """:func:`native`, also inside lists (a property may hold a list of times)."""
    if isinstance(value, list):
        return [natives(item) for item in value]
    return native(value)


def moment(value: Any) -> datetime | None:
    """A Neo4j or Python datetime as a Python one; None for anything else."""
    value = native(value)
    return value if isinstance(value, datetime) else None


def jsonable(value: Any) -> Any:
    """A value made of JSON types: times and dates as ISO 8601, tuples as lists."""
    value = native(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    return value
