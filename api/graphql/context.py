"""What every resolver receives: the caller, what they may see, the store, the loaders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from strawberry.types import Info

from api.graphql.loaders import Loaders, make_loaders
from api.graphql.observations import AccessObservations
from graph_lineage.auth import Caller
from graph_lineage.auth.policy import AccessPolicy
from graph_lineage.lineage.visibility import Visibility
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store

_Answer = TypeVar("_Answer")


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


Context = Info[RequestContext, None]


async def ask(info: Context, question: Callable[..., _Answer], *arguments: Any) -> _Answer:
    """``question(store, *arguments, visibility)`` off the event loop, as the caller sees it."""
    context = info.context
    return await run_in_threadpool(question, context.store, *arguments, context.visibility)
