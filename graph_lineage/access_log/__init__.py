"""The access log: one record per operation, append-only, chained by hash.

A record says who asked (subject, roles, how they authenticated), when, what (operation
name and type, the SHA-256 of the document and of its variables), whose data left (the
uids returned, the first 1,000 and a count), what was refused (denied field paths, error
codes) and how it ended. Documents and variables are kept as hashes only: they may hold
pseudonyms.

Record ``n`` stores ``hash = sha256(hash of record n-1 + canonical JSON of record n)``; the
first record chains to 64 zeros. Altering, removing or inserting a record breaks the chain
from there on, and :func:`verify` names the first broken ``seq``. Whoever may write to
Neo4j could recompute a whole chain, so keep the head hash :func:`verify` reports
somewhere else too: it anchors everything before it. Nothing in graph-lineage updates or
deletes a record; retention and erasure do not touch them.

>>> record = AccessRecord.build(subject="ana", roles=["auditor"], document="{ about { service } }")
>>> append(store, record).seq
1
>>> verify(store).ok
True

The modules: ``record`` (a record and its hash), ``group_commit`` (appending),
``paging`` (filter, pages and cursors), ``formats`` (export), ``chain`` (verify),
``exports`` (the records and stamps of files made from lineage data) and ``store`` (the
Cypher they run); ``refusals`` limits how many refusals at the door
(``401``, ``403``) are recorded per source.
"""

from graph_lineage.access_log.chain import ChainReport, verify
from graph_lineage.access_log.exports import Export, ExportStamp, record_export
from graph_lineage.access_log.formats import Format, export
from graph_lineage.access_log.group_commit import append, append_all
from graph_lineage.access_log.paging import (
    MAX_PAGE,
    AccessLogFilter,
    AccessLogPage,
    decode_cursor,
    encode_cursor,
    query,
    records,
)
from graph_lineage.access_log.record import (
    ANONYMOUS,
    ANSWERED,
    EXPORT,
    FAILED,
    MAX_LISTED,
    PARTIAL,
    REFUSED,
    AccessRecord,
    chain_hash,
)
from graph_lineage.access_log.refusals import RefusalLimiter

__all__ = [
    "ANONYMOUS",
    "ANSWERED",
    "EXPORT",
    "FAILED",
    "MAX_LISTED",
    "MAX_PAGE",
    "PARTIAL",
    "REFUSED",
    "AccessLogFilter",
    "AccessLogPage",
    "AccessRecord",
    "ChainReport",
    "Export",
    "ExportStamp",
    "Format",
    "RefusalLimiter",
    "append",
    "append_all",
    "chain_hash",
    "decode_cursor",
    "encode_cursor",
    "export",
    "query",
    "record_export",
    "records",
    "verify",
]
