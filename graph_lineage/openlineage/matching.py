"""Which DataSource or FeatureVersion an OpenLineage dataset names.

A dataset is matched by its *name* (the namespace is ignored) in two forms: the full
name, and its last ``/`` segment (``events/clickstream`` -> ``clickstream``). Each form

- that is a valid uid name may be the DataSource ``source:<form>``;
- that reads ``<feature>@<version>`` may be the FeatureVersion ``feature:<feature>@<version>``;
- may be the FeatureVersion ``feature:<form>@<v>`` when the dataset's ``version`` facet
  says ``datasetVersion: <v>``.

These are only candidates: a ``SAME_AS`` edge is drawn to a candidate that exists in the
graph, whichever of the two arrived first (see ``link_signals``).

>>> candidate_uids("warehouse/clickstream", None)
['source:clickstream', 'source:warehouse/clickstream']
>>> candidate_uids("user_ctr_7d", "v3")
['feature:user_ctr_7d@v3', 'source:user_ctr_7d']
"""

from __future__ import annotations

import re

from graph_lineage import uids

_NAME = re.compile(rf"^{uids.NAME}$")
_VERSION = re.compile(rf"^{uids.VERSION}$")


def candidate_uids(name: str, dataset_version: str | None) -> list[str]:
    """The uids of the DataSources and FeatureVersions a dataset of this name could be."""
    forms = {name, name.rstrip("/").rsplit("/", 1)[-1]}
    found: set[str] = set()
    for form in forms:
        if _NAME.match(form):
            found.add(uids.source_uid(form))
            if dataset_version and _VERSION.match(dataset_version):
                found.add(uids.feature_version_uid(form, dataset_version))
        feature, at, version = form.rpartition("@")
        if at and _NAME.match(feature) and _VERSION.match(version):
            found.add(uids.feature_version_uid(feature, version))
    return sorted(found)
