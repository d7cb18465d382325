"""Sampling: a deterministic fraction by request id, rules that always keep, and the reasons."""

from __future__ import annotations

import hashlib

import pytest

from graph_lineage.collector import Sampler

from .collector_support import outcome, served


def _reference_sampled_in(request_id: str, fraction: float, salt: str = "") -> bool:
    """The documented rule, written independently: first 8 bytes of keyed BLAKE2b."""
    digest = hashlib.blake2b(request_id.encode(), digest_size=8, key=salt.encode()).digest()
    return int.from_bytes(digest, "big") < int(fraction * 2**64)


def test_the_fraction_follows_the_documented_hash_and_is_stable_across_instances() -> None:
    request_ids = [f"req-{n}" for n in range(20_000)]
    first, second = Sampler(0.1), Sampler(0.1)

    kept = [rid for rid in request_ids if first.decide(served(rid)).keep]

    assert kept == [rid for rid in request_ids if second.decide(served(rid)).keep]
    assert kept == [rid for rid in request_ids if _reference_sampled_in(rid, 0.1)]
    assert 1_800 < len(kept) < 2_200


def test_a_salt_chooses_another_fraction() -> None:
    request_ids = [f"req-{n}" for n in range(2_000)]
    plain = {rid for rid in request_ids if Sampler(0.5).sampled_in(rid)}
    salted = {rid for rid in request_ids if Sampler(0.5, salt="s1").sampled_in(rid)}

    assert plain != salted
    assert salted == {rid for rid in request_ids if _reference_sampled_in(rid, 0.5, "s1")}


def test_fraction_one_keeps_everything_as_sampled_and_zero_keeps_nothing() -> None:
    assert Sampler(1.0).decide(served("r1")).reasons == ("sampled",)
    decision = Sampler(0.0).decide(served("r1"))
    assert decision.keep is False and decision.reasons == ()


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (served("r1", error="timeout"), "error"),
        (served("r1", user="vip"), "chosen_user"),
        (served("r1", experiment="ranker-v7"), "chosen_experiment"),
        (served("r1", scores=(0.5, 0.999)), "outlier_score"),
        (served("r1", scores=(-3.0, 0.5)), "outlier_score"),
    ],
)
def test_each_rule_keeps_what_the_fraction_drops_and_says_why(event: object, reason: str) -> None:
    sampler = Sampler(
        0.0, users={"vip"}, experiments={"ranker-v7"}, score_above=0.99, score_below=-1.0
    )

    decision = sampler.decide(event)  # type: ignore[arg-type]

    assert decision.keep and decision.reasons == (reason,)
    assert not decision.sampled_only


def test_every_matching_reason_is_listed_with_sampled_last() -> None:
    sampler = Sampler(1.0, users={"vip"}, experiments={"exp"}, score_above=0.9)

    decision = sampler.decide(served("r1", error="boom", user="vip", experiment="exp", scores=[1]))

    assert decision.reasons == (
        "error",
        "chosen_user",
        "chosen_experiment",
        "outlier_score",
        "sampled",
    )


def test_ordinary_requests_match_no_rule() -> None:
    sampler = Sampler(0.0, users={"vip"}, experiments={"exp"}, score_above=0.99, score_below=0.0)

    assert not sampler.decide(served("r1", user="other", experiment="other-exp")).keep
    assert not Sampler(0.0, keep_errors=False).decide(served("r2", error="boom")).keep


def test_only_served_recommendations_are_sampled_the_rest_is_lineage() -> None:
    decision = Sampler(0.0).decide(outcome("r1"))

    assert decision.keep and decision.reasons == ("lineage",)


def test_sampled_only_marks_events_kept_by_chance() -> None:
    sampler = Sampler(1.0, users={"vip"})

    assert sampler.decide(served("r1")).sampled_only
    assert not sampler.decide(served("r1", user="vip")).sampled_only


@pytest.mark.parametrize("fraction", [-0.1, 1.5])
def test_a_fraction_outside_zero_to_one_is_refused(fraction: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        Sampler(fraction)
