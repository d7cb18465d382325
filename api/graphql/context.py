"""What every resolver receives: the caller, the store, the settings, the loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from api.graphql.loaders import Loaders, make_loaders
from api.graphql.observations import AccessObservations
from graph_lineage.auth import Caller
from graph_lineage.auth.policy import AccessPolicy
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store


@dataclass
class RequestContext:
    request: Request
    store: Store
    settings: Settings
    caller: Caller | None = field(init=False)  # None only for the GraphiQL page itself
    loaders: Loaders = field(init=False)
    policy: AccessPolicy = field(init=False)
    access: AccessObservations = field(init=False, default_factory=AccessObservations)
    sealer: Sealer = field(init=False)  # opens sealed properties the policy lets through

    def __post_init__(self) -> None:
        self.policy = self.request.app.state.policy
        self.sealer = self.request.app.state.sealer
        self.caller = self.request.scope.get("caller")  # set by AuthenticationMiddleware
        self.loaders = make_loaders(self.store)
