"""Completion by uid or name: ``search(store, "ctr")``, for a person who types a node's name.

A node matches when its uid starts with the text, with or without its kind's prefix
(``user_ctr`` finds ``feature:user_ctr_7d``; a seek on the uid constraint's index), or when
its uid or name holds words starting with each word of the text (the ``lineage_search``
fulltext index of migration 0009). Exact uids come first, then uid prefixes (shortest
first), then names by relevance. Nodes of kinds the caller may not see are counted in
``hidden``, never named.

>>> [hit.uid for hit in search(store, "user_ctr_7d@v", first=2).hits]
['feature:user_ctr_7d@v1', 'feature:user_ctr_7d@v2']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, LiteralString

from graph_lineage import uids
from graph_lineage.errors import InvalidQuery
from graph_lineage.lineage.model import Node
from graph_lineage.lineage.visibility import EVERYTHING, Visibility
from graph_lineage.store.connection import Store
from graph_lineage.store.labels import Label
from graph_lineage.store.reads import node_columns

MAX_HITS = 50
MAX_TEXT = 200

# The kinds a person looks for, with the prefix of their uids.
SEARCHABLE: dict[Label, str] = {
    Label.DATA_SOURCE: "source",
    Label.FEATURE: "feature",
    Label.FEATURE_VERSION: "feature",
    Label.MODEL: "model",
    Label.MODEL_VERSION: "model",
    Label.DEPLOYMENT: "deployment",
    Label.EXPERIMENT: "experiment",
    Label.VARIANT: "variant",
    Label.LINEAGE_CONTEXT: "context",
    Label.RECOMMENDATION: "rec",
    Label.OUTCOME: "outcome",
    Label.JOB: "job",
    Label.RUN: "run",
    Label.DATASET: "dataset",
}


def _per_kind(returning: LiteralString) -> LiteralString:
    """One branch per searchable label (from the enum, never from input), for ``ask.kind``."""
    branches = [
        f"  WITH ask WHERE ask.kind = '{label.value}'"
        f" MATCH (n:{label.value}) WHERE n.uid STARTS WITH ask.prefix {returning}"
        for label in SEARCHABLE
    ]
    return "\n  UNION ALL\n".join(branches)  # built from the enum, never from input


# Each row of $asked is {kind, prefix}: one index seek on that label's uid.
BY_PREFIX = f"""
UNWIND $asked AS ask
CALL (ask) {{
{_per_kind("RETURN n ORDER BY n.uid LIMIT $limit")}
}}
RETURN {node_columns("n")}
"""

HIDDEN_BY_PREFIX = f"""
UNWIND $asked AS ask
CALL (ask) {{
{_per_kind("RETURN count(n) AS count")}
}}
RETURN sum(count) AS count
"""

BY_WORDS = f"""
CALL db.index.fulltext.queryNodes('lineage_search', $words) YIELD node AS n, score
WHERE any(label IN labels(n) WHERE label IN $kinds)
RETURN {node_columns("n")}
ORDER BY score DESC, n.uid
LIMIT $limit
"""

# Hidden nodes found by words, except those the prefix count has counted already.
HIDDEN_BY_WORDS = """
CALL db.index.fulltext.queryNodes('lineage_search', $words) YIELD node AS n
WHERE any(label IN labels(n) WHERE label IN $kinds)
  AND NOT any(prefix IN $prefixes WHERE n.uid STARTS WITH prefix)
RETURN count(n) AS count
"""


@dataclass(frozen=True)
class SearchHit:
    uid: str
    kind: str
    name: str
    version: str | None


@dataclass
class SearchResult:
    hits: list[SearchHit] = field(default_factory=list)
    hidden: int = 0  # matching nodes of kinds the caller may not see


def search(
    store: Store,
    text: str,
    kinds: list[str] | None = None,
    first: int = 10,
    visibility: Visibility = EVERYTHING,
) -> SearchResult:
    """The nodes whose uid or name ``text`` begins, best first, of ``kinds`` (labels)."""
    if not 1 <= first <= MAX_HITS:
        raise InvalidQuery(f"first must be between 1 and {MAX_HITS}, not {first}")
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise InvalidQuery(f"search text is at most {MAX_TEXT} characters, not {len(text)}")
    unknown = sorted(set(kinds or []) - set(SEARCHABLE))
    if unknown:
        known = ", ".join(SEARCHABLE)
        raise InvalidQuery(f"cannot search kinds {', '.join(unknown)}; searchable: {known}")
    if not text:
        return SearchResult()
    wanted = [label for label in SEARCHABLE if kinds is None or label in kinds]
    shown = [label for label in wanted if label not in visibility.hidden]
    hidden = [label for label in wanted if label in visibility.hidden]
    words = _words(text)
    by_prefix = _nodes(store.read(BY_PREFIX, asked=_asked(text, shown), limit=first))
    by_prefix.sort(key=lambda node: (node.uid != text, len(node.uid), node.uid))
    by_words = []
    if words:
        by_words = _nodes(store.read(BY_WORDS, words=words, kinds=shown, limit=first))
    return SearchResult(
        hits=_ranked(by_prefix + by_words, visibility)[:first],
        hidden=_count_hidden(store, text, words, hidden),
    )


def _asked(text: str, labels: list[Label]) -> list[dict[str, str]]:
    """Per label, the uid prefix ``text`` stands for: itself, or itself after the kind's."""
    asked = []
    for label in labels:
        kind = f"{SEARCHABLE[label]}:"
        typed_kind = ":" in text or kind.startswith(text)
        prefix = text if typed_kind else kind + text
        if prefix.startswith(kind) or kind.startswith(prefix):
            asked.append({"kind": label.value, "prefix": prefix})
    return asked


def _words(text: str) -> str | None:
    """A fulltext query of the text's words as prefixes: letters only, as the index keeps."""
    letters = re.findall(r"[a-z]+", text.lower())
    return " AND ".join(f"{word}*" for word in letters) if letters else None


def _nodes(rows: list[dict[str, Any]]) -> list[Node]:
    return [Node.from_row(row) for row in rows]


def _ranked(nodes: list[Node], visibility: Visibility) -> list[SearchHit]:
    """Each node once, in the order given; a hidden one never (its kind was not asked)."""
    seen: set[str] = set()
    hits = []
    for node in nodes:
        if node.uid in seen or visibility.hides(node):
            continue
        seen.add(node.uid)
        hits.append(_hit(node))
    return hits


def _hit(node: Node) -> SearchHit:
    try:
        parsed = uids.parse(node.uid)
        name, version = parsed.name, parsed.version
    except ValueError:  # a uid written before the contract was enforced
        name, version = node.uid, None
    return SearchHit(uid=node.uid, kind=node.kind, name=name, version=version)


def _count_hidden(store: Store, text: str, words: str | None, labels: list[Label]) -> int:
    if not labels:
        return 0
    asked = _asked(text, labels)
    count = int(store.read(HIDDEN_BY_PREFIX, asked=asked)[0]["count"] or 0) if asked else 0
    indexed = [label for label in labels if label in FULLTEXT_LABELS]
    if words and indexed:
        prefixes = [ask["prefix"] for ask in asked]
        rows = store.read(HIDDEN_BY_WORDS, words=words, kinds=indexed, prefixes=prefixes)
        count += int(rows[0]["count"])
    return count


# The labels migration 0009 puts in the lineage_search index.
FULLTEXT_LABELS = frozenset(SEARCHABLE) - {Label.RECOMMENDATION, Label.OUTCOME, Label.RUN}
