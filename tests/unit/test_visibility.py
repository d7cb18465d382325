"""Which kind each uid names, and how a visibility scrubs what it hides."""

from __future__ import annotations

from collections import Counter

from graph_lineage import uids
from graph_lineage.lineage.model import Node
from graph_lineage.lineage.visibility import HIDDEN, Visibility, kind_of_uid

EXAMPLES = {
    uids.source_uid("orders"): "DataSource",
    uids.feature_uid("ctr"): "Feature",
    uids.feature_version_uid("ctr", "v3"): "FeatureVersion",
    uids.model_uid("ranker"): "Model",
    uids.model_version_uid("ranker", "v2"): "ModelVersion",
    uids.deployment_uid("ranker", "v2", "production"): "Deployment",
    uids.experiment_uid("rollout"): "Experiment",
    uids.variant_uid("rollout", "control"): "Variant",
    uids.context_uid("abc123"): "LineageContext",
    uids.recommendation_uid("req-1"): "Recommendation",
    uids.outcome_uid("evt-1"): "Outcome",
    uids.statistics_uid("feature:ctr@v3", "2026-11-01"): "FeatureStatistics",
    "record:retention/20261101T000000Z-abcdef": "RunRecord",
    "job:airflow/train": "Job",
    "dataset:s3/bucket/x": "Dataset",
    "run:1b4e28ba-2fa1-11d2-883f-0016a3b7e1a2": "Run",
}


def test_every_uid_builder_names_its_kind() -> None:
    for uid, kind in EXAMPLES.items():
        assert kind_of_uid(uid) == kind, uid
    assert kind_of_uid("nothing-like-a-uid") is None


def test_hidden_nodes_are_counted_and_references_to_them_scrubbed() -> None:
    viewer = Visibility(hidden=frozenset({"Recommendation", "Variant"}))
    context = Node(
        "1",
        ("LineageContext",),
        {
            "uid": "context:abc",
            "variant": "variant:rollout/control",
            "feature_versions": ["feature:ctr@v3", "rec:req-9"],
            "model_version": "model:ranker@v2",
        },
    )
    recommendation = Node("2", ("Recommendation",), {"uid": "rec:req-1"})
    hidden: Counter[str] = Counter()

    (shown,) = viewer.visible([context, recommendation], hidden)

    assert hidden == {"Recommendation": 1}
    assert shown.properties == {
        "uid": "context:abc",
        "variant": HIDDEN,
        "feature_versions": ["feature:ctr@v3"],
        "model_version": "model:ranker@v2",
    }
    assert Visibility().scrub(context) is context  # seeing everything costs nothing
