"""The erasure ledger: who was erased, so that replayed events cannot bring them back.

Events can arrive again after an erasure: a file loaded twice, the collector's spool
draining late, a topic read from the start. The ledger holds one ``(:ErasureEntry)`` per
erased person, keyed by an HMAC of their erasure subject (:func:`erasure_subject`) under
a key derived from the pseudonymization key for the ledger alone, and one per request id
of the recommendations the erasure deleted (so outcomes replayed on their own are dropped
too). A key is neither the raw id, nor the pseudonym on recommendations, nor the subject
on the erasure's ``RunRecord``, so the ledger cannot be joined to any of them; the writer
recomputes keys from each event's raw user id and request id and drops what the ledger
names.

>>> ledger = ErasureLedger(Pseudonymizer(b"k" * 32))
>>> ledger.user_key("user-42")[:2], ledger.user_key("user-42") == ledger.user_key("user-42")
('e_', True)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.store.connection import Store

SUBJECT_DOMAIN = "graph-lineage/erasure-subject\x00"
LEDGER_DOMAIN = "graph-lineage/erasure-ledger"
REQUEST_DOMAIN = "request\x00"

RECORD_ERASED = """
UNWIND $keys AS key
MERGE (e:ErasureEntry {key: key})
  ON CREATE SET e.erased_at = $erasedAt
"""

ERASED_AMONG = """
UNWIND $keys AS key
MATCH (e:ErasureEntry {key: key})
RETURN e.key AS key
"""


def erasure_subject(pseudonymizer: Pseudonymizer, raw_user_id: str) -> str:
    """How erasure records name a person: ``s_`` and a keyed hash that is not the pseudonym."""
    return "s_" + pseudonymizer.pseudonym(SUBJECT_DOMAIN + raw_user_id).removeprefix("u_")


class ErasureLedger:
    """Records erased people and tells which users and requests of a batch were erased."""

    def __init__(self, pseudonymizer: Pseudonymizer) -> None:
        self._pseudonymizer = pseudonymizer
        self._keyer = pseudonymizer.derived(LEDGER_DOMAIN)

    def user_key(self, raw_user_id: str) -> str:
        """The ledger key of the person with ``raw_user_id``."""
        return self._key(erasure_subject(self._pseudonymizer, raw_user_id))

    def request_key(self, request_id: str) -> str:
        """The ledger key of an erased recommendation's request."""
        return self._key(REQUEST_DOMAIN + request_id)

    def record(
        self, store: Store, raw_user_id: str, request_ids: Iterable[str], erased_at: datetime
    ) -> None:
        keys = [self.user_key(raw_user_id), *(self.request_key(r) for r in request_ids)]
        store.write(RECORD_ERASED, keys=keys, erasedAt=erased_at)

    def erased_among(
        self, store: Store, raw_user_ids: Iterable[str], request_ids: Iterable[str]
    ) -> tuple[set[str], set[str]]:
        """Those of ``raw_user_ids`` and of ``request_ids`` that the ledger names."""
        users = {self.user_key(user): user for user in set(raw_user_ids)}
        requests = {self.request_key(request): request for request in set(request_ids)}
        if not users and not requests:
            return set(), set()
        found = {row["key"] for row in store.read(ERASED_AMONG, keys=[*users, *requests])}
        return (
            {user for key, user in users.items() if key in found},
            {request for key, request in requests.items() if key in found},
        )

    def _key(self, text: str) -> str:
        return "e_" + self._keyer.pseudonym(text).removeprefix("u_")
