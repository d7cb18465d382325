"""What every resolver receives: the caller, what they may see, the store, the loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from api.graphql.loaders import Loaders, make_loaders
from api.graphql.observations import AccessObservations
from graph_lineage.auth import Caller
from graph_lineage.auth.policy import AccessPolicy
from graph_lineage.lineage.visibility import Visibility
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store


@dataclass
class RequestContext:
    request: Request
    store: Store
    settings: Settings
    policy: AccessPolicy
    sealer: Sealer  # opens sealed properties the policy lets through
    caller: Caller | None  # None only for the GraphiQL page itself
    visibility: Visibility  # the kinds of node hidden from the caller, by the policy
    loaders: Loaders = field(init=False)
    access: AccessObservations = field(init=False, default_factory=AccessObservations)

    def __post_init__(self) -> None:
        self.loaders = make_loaders(self.store, self.visibility)
