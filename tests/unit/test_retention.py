"""Retention policy and erasure subjects: the pure parts, no server."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from graph_lineage.cli import main
from graph_lineage.governance import RetentionPolicy, erasure_subject
from graph_lineage.governance.records import record_uid, utc
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.settings import Settings

NOW = datetime(2027, 1, 10, tzinfo=UTC)


def test_cutoffs_are_days_before_now_and_zero_keeps_forever() -> None:
    policy = RetentionPolicy(recommendations_days=90, outcomes_days=30, feature_statistics_days=0)

    cutoffs = policy.cutoffs(NOW)

    assert cutoffs.recommendations == datetime(2026, 10, 12, tzinfo=UTC)
    assert cutoffs.outcomes == NOW - timedelta(days=30)
    assert cutoffs.feature_statistics is None


def test_a_time_without_a_zone_is_utc_and_others_are_converted() -> None:
    assert utc(datetime(2027, 1, 10)) == NOW
    assert utc(datetime(2027, 1, 10, 2, tzinfo=timezone(timedelta(hours=2)))) == NOW
    assert RetentionPolicy().cutoffs(datetime(2027, 1, 10)).recommendations == datetime(
        2026, 10, 12, tzinfo=UTC
    )


def test_the_policy_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPH_LINEAGE_RETENTION_RECOMMENDATIONS_DAYS", "30")
    monkeypatch.setenv("GRAPH_LINEAGE_RETENTION_BATCH_SIZE", "500")

    policy = RetentionPolicy.from_settings(Settings())

    assert policy == RetentionPolicy(30, 90, 365, 500)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("retention_recommendations_days", -1),
        ("retention_outcomes_days", -1),
        ("retention_feature_statistics_days", -1),
        ("retention_batch_size", 0),
    ],
)
def test_negative_retention_and_empty_batches_are_refused(field: str, value: int) -> None:
    with pytest.raises(ValidationError, match=field):
        Settings(**{field: value})


def test_record_uids_name_the_kind_and_the_time_and_never_collide() -> None:
    at = datetime(2027, 1, 10, 3, 4, 5, 678, tzinfo=UTC)

    uids = {record_uid("retention", at) for _ in range(50)}

    assert len(uids) == 50
    assert all(
        re.fullmatch(r"record:retention/2027-01-10T03:04:05\.000678Z-[0-9a-f]{6}", u) for u in uids
    )


def test_the_erasure_subject_is_keyed_stable_and_not_the_pseudonym() -> None:
    keyed = Pseudonymizer(b"k" * 32)
    subject = erasure_subject(keyed, "user-00007")

    assert subject == erasure_subject(keyed, "user-00007")
    assert re.fullmatch(r"s_[0-9a-f]{32}", subject)
    assert subject[2:] != keyed.pseudonym("user-00007")[2:]
    assert subject != erasure_subject(keyed, "user-00008")
    assert subject != erasure_subject(Pseudonymizer(b"j" * 32), "user-00007")


def test_an_empty_user_is_refused_before_anything_connects(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["erase", "--user", ""]) == 2
    assert "--user is empty" in capsys.readouterr().err
