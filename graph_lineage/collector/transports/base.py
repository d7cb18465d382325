"""What every transport is: something that sends a batch of events, or says why it could not.

A transport raises :class:`BackendUnavailable` when trying again later can succeed and
:class:`EventsRejected` when it cannot. ``splittable`` on a rejection means each half of
the batch may still be accepted (too large, or one invalid event in an all-or-nothing
batch), so the collector bisects it down to the events the backend refuses. The errors
live in :mod:`graph_lineage.errors` with the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from graph_lineage.errors import LineageError
from graph_lineage.events import Event


@runtime_checkable
class Transport(Protocol):
    """Sends batches of events to one backend; called from the collector's thread only.

    >>> class Printer:
    ...     def send(self, events: Sequence[Event]) -> None:
    ...         print(len(events))
    ...     def close(self) -> None:
    ...         pass
    """

    def send(self, events: Sequence[Event]) -> None:
        """Deliver every event or raise a :class:`TransportError`; nothing in between."""

    def close(self) -> None:
        """Release connections and files; the transport is not used afterwards."""


def is_retryable(error: BaseException) -> bool:
    """Whether a failed send may succeed later: the transport said so, or it is an OS error."""
    if isinstance(error, LineageError):
        return error.retryable
    return isinstance(error, OSError)
