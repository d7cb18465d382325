"""Alerts: when one is due, what it carries, and how webhooks get it (a real HTTP server)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest

from graph_lineage.anomalies import Finding, Webhooks, Window, anomaly_uid
from graph_lineage.anomalies.alerts import alert_reason, alerts_for, log_findings
from graph_lineage.anomalies.records import Stored
from graph_lineage.errors import ConfigurationError
from graph_lineage.settings import Settings

from ..webhooks import receiver

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
FINDING = Finding.of(
    "orphan_recommendation",
    "no-context",
    "warning",
    "3 recommendations have no lineage context",
    3,
    ["rec:req-1", "rec:req-2", "context:abc", "rec:req-1"],
    totals={"Recommendation": 1500},
)


def _stored(previous: str | None, alerted: int | None, count: int = 3) -> Stored:
    finding = Finding.of(FINDING.rule, FINDING.key, "warning", "s", count, FINDING.evidence)
    return Stored(finding, previous, alerted, datetime(2026, 11, 1, tzinfo=UTC), 2)


def test_a_finding_is_keyed_by_its_problem_and_tallies_its_evidence() -> None:
    assert FINDING.uid == anomaly_uid("orphan_recommendation", "no-context")
    assert FINDING.uid.startswith("anomaly:orphan_recommendation/")
    assert FINDING.uid != anomaly_uid("version_skew", "no-context")
    assert FINDING.evidence == ("rec:req-1", "rec:req-2", "context:abc")
    assert FINDING.evidence_counts == {"Recommendation": 1500, "LineageContext": 1}


@pytest.mark.parametrize(
    ("previous", "alerted", "count", "reason"),
    [
        (None, None, 3, "new"),
        ("resolved", 3, 3, "reopened"),
        ("open", None, 3, "undelivered"),
        ("open", 3, 5, None),  # grew, but less than twice: ongoing, not re-sent
        ("open", 3, 3, None),
        ("open", 3, 6, "escalated"),
        ("open", 0, 1, "escalated"),
    ],
)
def test_an_alert_is_due_once_per_problem_until_it_doubles(
    previous: str | None, alerted: int | None, count: int, reason: str | None
) -> None:
    assert alert_reason(_stored(previous, alerted, count)) == reason


def test_alerts_withhold_recommendations_and_count_them() -> None:
    stored = Stored(FINDING, None, None, NOW, 1)

    (alert,) = alerts_for([stored], NOW)
    body = alert.body()

    assert body["evidence"] == ["context:abc"]
    assert body["withheld_evidence"] == {"Recommendation": 1500}
    assert body["count"] == 3 and body["reason"] == "new" and body["previous_count"] is None
    assert body["anomaly"] == FINDING.uid and body["last_seen"] == NOW.isoformat()


def test_every_finding_is_logged_alerted_ones_as_warnings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    due = _stored(None, None)
    ongoing = Stored(
        Finding.of("version_skew", "context:x", "critical", "skewed", 7, ["context:x"]),
        "open",
        7,
        NOW,
        4,
    )
    caplog.set_level(logging.INFO, logger="graph_lineage.anomalies")

    log_findings([due, ongoing], alerts_for([due, ongoing], NOW))

    levels = {record.getMessage().split()[1]: record.levelno for record in caplog.records}
    assert levels == {"new": logging.WARNING, "ongoing": logging.INFO}


def test_a_webhook_gets_json_and_a_failing_one_is_retried_with_backoff() -> None:
    alerts = alerts_for([Stored(FINDING, None, None, NOW, 1)], NOW)
    waits: list[float] = []
    with receiver(failures=[500, 503]) as hook:
        delivery = Webhooks([hook.url], retries=3, backoff=0.5, sleep=waits.append).deliver(alerts)

    assert delivery.delivered == {FINDING.uid: 3} and delivery.failures == []
    assert len(hook.attempts) == 3 and len(hook.accepted) == 1
    assert hook.accepted[0]["summary"] == FINDING.summary
    assert waits == [0.5, 1.0]


def test_an_undeliverable_alert_is_reported_never_dropped(caplog: pytest.LogCaptureFixture) -> None:
    alerts = alerts_for([Stored(FINDING, None, None, NOW, 1)], NOW)
    waits: list[float] = []
    with receiver(failures=[500] * 10) as down, receiver() as up:
        webhooks = Webhooks([up.url, down.url], retries=2, backoff=0.1, sleep=waits.append)
        delivery = webhooks.deliver(alerts)

    assert delivery.delivered == {}  # one webhook took it: still due for the next scan
    assert delivery.undelivered == 1
    assert [(f.url, f.error) for f in delivery.failures] == [(down.url, "HTTP 500")]
    assert len(down.attempts) == 3 and len(up.accepted) == 1
    assert "1 of 1 anomaly alerts were not delivered" in caplog.text


def test_a_refusal_is_not_retried_and_an_unreachable_hook_is() -> None:
    alerts = alerts_for([Stored(FINDING, None, None, NOW, 1)], NOW)
    waits: list[float] = []
    with receiver(failures=[400]) as hook:
        refused = Webhooks([hook.url], retries=3, sleep=waits.append).deliver(alerts)
    assert len(hook.attempts) == 1 and refused.failures[0].error == "HTTP 400" and waits == []

    with receiver() as closed:
        url = closed.url  # the server is gone once the block ends
    unreachable = Webhooks([url], retries=2, backoff=0, sleep=waits.append).deliver(alerts)
    assert unreachable.undelivered == 1 and len(waits) == 2


def test_webhook_settings_are_checked() -> None:
    settings = Settings(alert_webhooks=" https://a.example/h , http://b.example:81/x ,")
    assert Webhooks.from_settings(settings).urls == [
        "https://a.example/h",
        "http://b.example:81/x",
    ]
    with pytest.raises(ConfigurationError, match="not an http"):
        Webhooks(["ftp://nope"])


def test_a_window_is_whole_days_in_utc() -> None:
    late = datetime.fromisoformat("2026-10-20T23:30:00-05:00")  # 04:30 on the 21st in UTC

    assert Window(late).day == date(2026, 10, 21)
    assert Window(late).start == datetime(2026, 10, 21, tzinfo=UTC)
    assert Window(date(2026, 10, 3)).parameters() == {
        "since": datetime(2026, 10, 3, tzinfo=UTC),
        "sinceDay": date(2026, 10, 3),
    }
    assert Window().parameters() == {"since": None, "sinceDay": None}
