"""Who is asking, and the roles graph-lineage knows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    ENGINEER = "engineer"
    DATA_SCIENTIST = "data_scientist"
    AUDITOR = "auditor"
    COMPLIANCE = "compliance"
    ADMIN = "admin"
    PRODUCER = "producer"  # ingestion only, no reads


READ_ROLES = frozenset(Role) - {Role.PRODUCER}
INGEST_ROLES = frozenset({Role.PRODUCER, Role.ADMIN})


def known_roles(claimed: object) -> frozenset[Role]:
    """The roles graph-lineage knows among those claimed (a list, or a space/comma string)."""
    if isinstance(claimed, str):
        claimed = claimed.replace(",", " ").split()
    if not isinstance(claimed, list | tuple | set | frozenset):
        return frozenset()
    values = {str(role) for role in claimed}
    return frozenset(role for role in Role if role.value in values)


@dataclass(frozen=True)
class Caller:
    """An authenticated principal: a subject, its known roles, and how it proved itself."""

    subject: str
    roles: frozenset[Role]
    method: str  # "jwt" or "api_key"

    def may(self, allowed: frozenset[Role]) -> bool:
        return bool(self.roles & allowed)
