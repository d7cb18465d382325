"""The collector's thread: batching, retries, spooling, ordered replay, close and restart."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from graph_lineage.collector import CollectorConfig, LineageCollector, Sampler
from graph_lineage.errors import EventsRejected

from .collector_support import Backend, outcome, served


def _config(tmp_path: Path, **overrides: object) -> CollectorConfig:
    values: dict[str, object] = {
        "batch_size": 10,
        "flush_interval": 0.02,
        "max_retries": 2,
        "backoff_initial": 0.01,
        "backoff_max": 0.05,
        "spool_dir": tmp_path / "spool",
    }
    values.update(overrides)
    return CollectorConfig(**values)  # type: ignore[arg-type]


def _eventually(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def _record(collector: LineageCollector, first: int, count: int) -> list[str]:
    for n in range(first, first + count):
        assert collector.record(served(f"r{n}"))
    return [f"evt-r{n}" for n in range(first, first + count)]


def test_a_full_batch_is_sent_without_waiting_for_the_interval(tmp_path: Path) -> None:
    backend = Backend()
    collector = LineageCollector(backend, config=_config(tmp_path, flush_interval=60))

    expected = _record(collector, 0, 10)
    _eventually(lambda: backend.batches == [expected])
    expected += _record(collector, 10, 5)
    time.sleep(0.2)
    assert len(backend.batches) == 1, "a partial batch went before the interval"

    assert collector.flush(timeout=5)
    assert backend.batches == [expected[:10], expected[10:]]
    stats = collector.close()
    assert backend.closed
    assert (stats.queued, stats.sent, stats.spooled, stats.dropped) == (15, 15, 0, 0)


def test_a_partial_batch_is_sent_when_the_interval_passes(tmp_path: Path) -> None:
    backend = Backend()
    collector = LineageCollector(backend, config=_config(tmp_path, flush_interval=0.05))
    try:
        expected = _record(collector, 0, 3)
        _eventually(lambda: backend.received == expected)
    finally:
        collector.close()


def test_a_retryable_failure_is_retried_and_sent_once(tmp_path: Path) -> None:
    backend = Backend()
    failures = iter([True, True])
    original = backend.send

    def flaky(events: object) -> None:
        backend.down = next(failures, False)
        original(events)  # type: ignore[arg-type]

    backend.send = flaky  # type: ignore[method-assign]
    collector = LineageCollector(backend, config=_config(tmp_path))
    expected = _record(collector, 0, 10)
    assert collector.flush(timeout=5)
    stats = collector.close()

    assert backend.received == expected
    assert (stats.sent, stats.retries, stats.spooled) == (10, 2, 0)


def test_a_down_backend_gets_the_spool_first_then_newer_batches(tmp_path: Path) -> None:
    backend = Backend(down=True)
    collector = LineageCollector(backend, config=_config(tmp_path))
    older = _record(collector, 0, 30)
    assert collector.flush(timeout=10)
    spooled = collector.stats()
    assert (spooled.spooled, spooled.spool_pending, spooled.sent) == (30, 30, 0)

    backend.down = False
    newer = _record(collector, 30, 30)
    _eventually(lambda: len(backend.received) == 60)
    stats = collector.close()

    assert backend.received == older + newer
    assert (stats.sent, stats.spool_pending, stats.dropped) == (60, 0, 0)
    # Newer batches that arrived while the spool was not yet empty queued up behind it.
    assert stats.sent - stats.replayed + stats.spooled == stats.queued == 60
    assert not list((tmp_path / "spool").rglob("*.ndjson"))


def test_close_keeps_what_cannot_be_sent_and_the_next_collector_sends_it(tmp_path: Path) -> None:
    down = Backend(down=True)
    first = LineageCollector(down, config=_config(tmp_path, flush_interval=60))
    expected = _record(first, 0, 15)
    closed = first.close(timeout=5)
    assert (closed.spooled, closed.spool_pending, closed.sent) == (15, 15, 0)
    assert down.closed

    up = Backend()
    second = LineageCollector(up, config=_config(tmp_path))
    assert second.stats().spool_pending == 15
    _eventually(lambda: up.received == expected)
    stats = second.close()
    assert (stats.sent, stats.replayed, stats.spool_pending) == (15, 15, 0)


def test_one_refused_event_is_isolated_and_the_rest_of_its_batch_is_sent(tmp_path: Path) -> None:
    backend = Backend()
    backend.refuse = {"evt-r7"}
    collector = LineageCollector(backend, config=_config(tmp_path))
    expected = _record(collector, 0, 10)
    stats = collector.close()

    assert backend.received == [event for event in expected if event != "evt-r7"]
    assert stats.dropped_by_reason == {"rejected:invalid": 1}
    assert (stats.sent, stats.spooled, stats.retries) == (9, 0, 0)


def test_a_refusal_that_cannot_be_split_drops_the_batch_without_retrying(tmp_path: Path) -> None:
    backend = Backend()
    backend.crash = EventsRejected("schema version unknown", "unsupported")
    collector = LineageCollector(backend, config=_config(tmp_path))
    _record(collector, 0, 10)
    stats = collector.close()

    assert backend.attempts == 1
    assert stats.dropped_by_reason == {"rejected:unsupported": 10}
    assert stats.spool_pending == 0


def test_a_bug_in_a_transport_drops_its_batch_and_the_collector_keeps_going(
    tmp_path: Path,
) -> None:
    backend = Backend()
    backend.crash = TypeError("bug")
    collector = LineageCollector(backend, config=_config(tmp_path))
    _record(collector, 0, 10)
    assert collector.flush(timeout=5)
    backend.crash = None
    expected = _record(collector, 10, 10)
    stats = collector.close()

    assert backend.received == expected
    assert stats.dropped_by_reason == {"send_error": 10}


def test_damaged_spool_lines_are_counted_and_skipped(tmp_path: Path) -> None:
    down = Backend(down=True)
    first = LineageCollector(down, config=_config(tmp_path, flush_interval=60))
    expected = _record(first, 0, 3)
    first.close(timeout=5)
    segment = next((tmp_path / "spool").rglob("*.ndjson"))
    with segment.open("ab") as handle:
        handle.write(b'{"reasons": ["sampled"], "event": {"type": "nonsense"}}\n{"torn')

    up = Backend()
    stats = LineageCollector(up, config=_config(tmp_path)).close()

    assert up.received == expected
    assert stats.dropped_by_reason == {"corrupt_spool": 2}
    assert stats.spool_pending == 0


def test_record_never_raises_and_counts_what_it_refuses(tmp_path: Path) -> None:
    collector = LineageCollector(Backend(), Sampler(0.0), _config(tmp_path))
    assert collector.record({"type": "not an event"}) is False  # type: ignore[arg-type]
    assert collector.record(served("ordinary")) is False
    assert collector.record(outcome("r1")) is True
    collector.close()
    assert collector.record(outcome("r2")) is False

    stats = collector.stats()
    assert stats.recorded == 4
    assert stats.sampled_out == 1 and stats.queued == 1 and stats.sent == 1
    assert stats.dropped_by_reason == {"not_an_event": 1, "closed": 1}
    assert stats.kept_by_reason == {"lineage": 1}


def test_spooled_events_keep_why_they_were_kept(tmp_path: Path) -> None:
    sampler = Sampler(0.0, users={"vip"})
    collector = LineageCollector(Backend(down=True), sampler, _config(tmp_path, flush_interval=60))
    collector.record(served("r1", user="vip", error="boom"))
    collector.close(timeout=5)

    line = next((tmp_path / "spool").rglob("*.ndjson")).read_text()
    assert line.startswith('{"reasons":["error","chosen_user"],"event":{')
