"""Authentication: bearer JWTs and hashed API keys, mapped to graph-lineage's roles."""

from graph_lineage.auth.api_keys import ApiKeys
from graph_lineage.auth.authenticator import Authenticator
from graph_lineage.auth.principal import INGEST_ROLES, READ_ROLES, Caller, Role, known_roles
from graph_lineage.auth.tokens import TokenVerifier, demo_token
from graph_lineage.errors import Unauthenticated

__all__ = [
    "INGEST_ROLES",
    "READ_ROLES",
    "ApiKeys",
    "Authenticator",
    "Caller",
    "Role",
    "TokenVerifier",
    "Unauthenticated",
    "demo_token",
    "known_roles",
]
