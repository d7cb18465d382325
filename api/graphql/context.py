"""What every resolver receives: the store, the settings and (later) the caller."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from api.graphql.loaders import Loaders, make_loaders
from graph_lineage.settings import Settings
from graph_lineage.store import Store


@dataclass
class RequestContext:
    request: Request
    store: Store
    settings: Settings
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = make_loaders(self.store)
