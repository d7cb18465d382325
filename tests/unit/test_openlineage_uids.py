"""OpenLineage names become uids: readable where the spec's naming allows, always valid."""

from __future__ import annotations

import random
import string

import pytest

from graph_lineage import uids
from graph_lineage.openlineage import candidate_uids


@pytest.mark.parametrize(
    ("namespace", "name", "expected"),
    [
        ("postgres://db:5432", "public.clicks", "postgres/db.5432/public.clicks"),
        ("s3://lake", "events/clickstream", "s3/lake/events/clickstream"),
        ("gs://bucket", "a/b.parquet", "gs/bucket/a/b.parquet"),
        ("abfss://box@acct.dfs.core.windows.net", "x", "abfss/box.acct.dfs.core.windows.net/x"),
        ("kafka://broker:9092", "clicks", "kafka/broker.9092/clicks"),
        ("bigquery", "project.dataset.table", "bigquery/project.dataset.table"),
        ("file", "/data/events", "file//data/events"),
        ("airflow-prod", "daily_ctr.build", "airflow-prod/daily_ctr.build"),
    ],
)  # fmt: skip
def test_conventional_names_read_as_they_are(namespace: str, name: str, expected: str) -> None:
    assert uids.openlineage_name(namespace, name) == expected


@pytest.mark.parametrize(
    ("namespace", "name", "readable"),
    [
        ("s3://lake", "reports/2026 q3.csv", "s3/lake/reports/2026_q3.csv--"),
        ("hive", "db:table", "hive/db_table--"),
        ("kafka://b1:9092,b2:9092", "clicks", "kafka/b1.9092_b2.9092/clicks--"),
        ("_internal", "job", "x_internal/job--"),
        ("s3://lake", "données/é", "s3/lake/donn_es/_--"),
    ],
)
def test_other_characters_are_replaced_and_a_hash_keeps_them_apart(
    namespace: str, name: str, readable: str
) -> None:
    normalized = uids.openlineage_name(namespace, name)

    assert normalized.startswith(readable)
    assert len(normalized) == len(readable) + 8
    assert uids.openlineage_name(namespace, name) == normalized


def test_names_that_would_collide_do_not() -> None:
    names = ["a b", "a_b", "a:b", "a\tb", "a  b"]

    normalized = {uids.openlineage_name("s3://lake", name) for name in names}

    assert len(normalized) == len(names)


def test_every_name_makes_a_valid_uid() -> None:
    alphabet = string.printable + "éß→@:%"
    draw = random.Random(7)
    for _ in range(2000):
        namespace = "".join(draw.choices(alphabet, k=draw.randint(1, 20)))
        name = "".join(draw.choices(alphabet, k=draw.randint(1, 30)))
        for kind in ("job", "dataset"):
            uid = f"{kind}:{uids.openlineage_name(namespace, name)}"
            parsed = uids.parse(uid)
            assert (parsed.kind, parsed.version) == (kind, None)


@pytest.mark.parametrize(
    ("name", "version", "expected"),
    [
        ("clickstream", None, ["source:clickstream"]),
        ("lake/events/clickstream", None, ["source:clickstream", "source:lake/events/clickstream"]),
        ("user_ctr_7d@v3", None, ["feature:user_ctr_7d@v3"]),
        ("fs/ctr@v3", None, ["feature:ctr@v3", "feature:fs/ctr@v3"]),
        ("user_ctr_7d", "v3", ["feature:user_ctr_7d@v3", "source:user_ctr_7d"]),
        ("public.clicks", None, ["source:public.clicks"]),
        ("my table", None, []),
        ("x", "not a version", ["source:x"]),
    ],
)  # fmt: skip
def test_candidates_for_name_matching(name: str, version: str | None, expected: list[str]) -> None:
    assert candidate_uids(name, version) == expected
