"""Refusals at the door on their way to the access log: the per-source limiter, without a server."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from graph_lineage.access_log import AccessRecord, RefusalLimiter, chain_hash
from graph_lineage.access_log.record import DOOR_FIELDS, OPTIONAL_FIELDS, sha256


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _refusal(address: str = "10.0.0.1", subject: str | None = None, n: int = 0) -> AccessRecord:
    return AccessRecord.refusal(
        status=401 if subject is None else 403,
        reason=f"refusal {n}",
        method="POST",
        path="/graphql",
        source_address=address,
        subject=subject,
    )


def _limiter(clock: Clock, per_window: int = 10, max_sources: int = 1_000) -> RefusalLimiter:
    return RefusalLimiter(
        per_window=per_window, window_seconds=60, max_sources=max_sources, clock=clock
    )


def _admit_all(limiter: RefusalLimiter, refusals: list[AccessRecord]) -> list[AccessRecord]:
    return [record for refusal in refusals for record in limiter.admit(refusal)]


def test_the_first_n_per_window_are_recorded_and_the_rest_counted_in_one_summary() -> None:
    clock = Clock()
    limiter = _limiter(clock)

    recorded = _admit_all(limiter, [_refusal(n=n) for n in range(50)])
    assert [r.reason for r in recorded] == [f"refusal {n}" for n in range(10)]
    assert all(r.suppressed_count is None for r in recorded)

    clock.now = 59.9
    assert limiter.close_expired() == []  # the window is still open
    clock.now = 60.0
    (summary,) = limiter.close_expired()
    assert summary.suppressed_count == 40
    assert summary.error_codes == ("UNAUTHENTICATED",) and summary.outcome == "refused"
    assert summary.subject == "(anonymous)" and summary.source_address == "10.0.0.1"
    assert "40 more refusals" in (summary.reason or "") and "refusal 49" in (summary.reason or "")
    assert limiter.sources == 0


def test_the_next_refusal_after_the_window_brings_the_summary_then_a_new_window() -> None:
    clock = Clock()
    limiter = _limiter(clock, per_window=2)
    _admit_all(limiter, [_refusal(n=n) for n in range(5)])

    clock.now = 61
    summary, fresh = limiter.admit(_refusal(n=5))

    assert (summary.suppressed_count, fresh.reason, fresh.suppressed_count) == (
        3,
        "refusal 5",
        None,
    )
    assert [r.reason for r in limiter.admit(_refusal(n=6))] == ["refusal 6"]
    assert limiter.admit(_refusal(n=7)) == []  # the new window's limit is 2 again


def test_sources_are_an_address_and_a_subject() -> None:
    limiter = _limiter(Clock(), per_window=1)
    sources = [_refusal("10.0.0.1"), _refusal("10.0.0.2"), _refusal("10.0.0.1", "vic")]

    assert len(_admit_all(limiter, sources * 3)) == 3  # one each; six counted
    assert sorted(r.suppressed_count or 0 for r in limiter.close_all()) == [2, 2, 2]


def test_a_window_without_refusals_over_the_limit_leaves_no_summary() -> None:
    clock = Clock()
    limiter = _limiter(clock)
    _admit_all(limiter, [_refusal(n=n) for n in range(10)])

    clock.now = 120
    assert limiter.close_expired() == [] and limiter.sources == 0


def test_tracked_sources_are_bounded_and_the_oldest_is_pushed_out_with_its_summary() -> None:
    clock = Clock()
    limiter = _limiter(clock, per_window=1, max_sources=3)
    _admit_all(limiter, [_refusal("10.0.0.1")] * 4)  # one recorded, three counted
    for host in (2, 3):
        clock.now += 1
        limiter.admit(_refusal(f"10.0.0.{host}"))

    due = limiter.admit(_refusal("10.0.0.4"))

    assert limiter.sources == 3
    assert [(r.source_address, r.suppressed_count) for r in due] == [
        ("10.0.0.1", 3),
        ("10.0.0.4", None),
    ]
    assert len(limiter.admit(_refusal("10.0.0.1"))) == 1  # forgotten: a fresh window


def test_n_zero_records_summaries_only() -> None:
    limiter = _limiter(Clock(), per_window=0)

    assert _admit_all(limiter, [_refusal()] * 5) == []
    assert [r.suppressed_count for r in limiter.close_all()] == [5]


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        RefusalLimiter(per_window=1, window_seconds=0, max_sources=1)


def test_a_refusal_record_keeps_the_door_fields_and_bounds_their_length() -> None:
    record = AccessRecord.refusal(
        status=403,
        reason="x" * 10_000,
        method="GET",
        path="/" + "p" * 10_000,
        source_address="10.0.0.9",
        subject="vic",
        roles=["viewer"],
        auth_method="jwt",
    )

    assert (record.error_codes, record.roles, record.subject) == (
        ("FORBIDDEN",),
        ("viewer",),
        "vic",
    )
    assert len(record.reason or "") == 500 and len(record.request_path or "") == 1_000
    assert record.document_sha256 == sha256("")
    assert {name: record.as_json()[name] for name in ("request_method", "source_address")} == {
        "request_method": "GET",
        "source_address": "10.0.0.9",
    }


# The hash of this record as graph-lineage computed it before refusals (then exports) were
# recorded.
HASH_BEFORE_DOOR_FIELDS = "0d0695a87e73e409cbe6af5e158df67c7b02526c36da308bf28f3b32c32704ef"


def test_records_without_door_or_export_fields_hash_as_before_they_existed() -> None:
    record = AccessRecord.build(
        at=datetime(2027, 1, 10, 12, 30, 1, 250_000, tzinfo=UTC),
        subject="ana",
        roles=["auditor"],
        document="{ about { service } }",
    )
    record = replace(record, seq=1, previous_hash="0" * 64)

    assert chain_hash("0" * 64, record) == HASH_BEFORE_DOOR_FIELDS  # old chains still verify
    assert not set(OPTIONAL_FIELDS) & set(record.content())
    assert set(OPTIONAL_FIELDS) <= set(record.as_json())  # listed (null) in exports
    door = replace(_refusal(), seq=1)
    assert set(DOOR_FIELDS) - {"suppressed_count"} <= set(door.content())
    assert chain_hash("0" * 64, door) != chain_hash("0" * 64, replace(door, reason="other"))
