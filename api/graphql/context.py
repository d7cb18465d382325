"""What every resolver receives: the store, the settings and (later) the caller."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from graph_lineage.settings import Settings
from graph_lineage.store import Store


@dataclass
class RequestContext:
    request: Request
    store: Store
    settings: Settings
