"""What every resolver receives: the caller, the store, the settings, the loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from api.graphql.loaders import Loaders, make_loaders
from graph_lineage.settings import Settings
from graph_lineage.store import Store


@dataclass(frozen=True)
class Caller:
    """Who is asking. Authentication middleware puts one in the ASGI scope as "caller";
    until a request carries one, the caller is anonymous with no roles."""

    subject: str
    roles: frozenset[str] = frozenset()

    @classmethod
    def of(cls, request: Request) -> Caller:
        caller = request.scope.get("caller")
        return caller if isinstance(caller, Caller) else cls(subject="anonymous")


@dataclass
class RequestContext:
    request: Request
    store: Store
    settings: Settings
    caller: Caller = field(init=False)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.caller = Caller.of(self.request)
        self.loaders = make_loaders(self.store)
