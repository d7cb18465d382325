"""A full queue sheds events kept only by chance first, counts every drop, and never blocks."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_lineage.collector import CollectorConfig, LineageCollector, Sampler
from graph_lineage.collector.lanes import EventQueue
from graph_lineage.collector.sampling import KEEP_LINEAGE, KEEP_SAMPLED, Decision
from graph_lineage.collector.stats import Counters

from .collector_support import Backend, served

RULE = Decision(True, ("chosen_user",))


def test_a_kept_event_evicts_the_oldest_sampled_one() -> None:
    counters = Counters()
    queue = EventQueue(3, counters)
    for n in range(3):
        assert queue.offer(served(f"s{n}"), KEEP_SAMPLED)

    assert queue.offer(served("vip"), RULE)
    assert not queue.offer(served("s3"), KEEP_SAMPLED)

    assert [e.event.request_id for e in queue.take(10)] == ["s1", "s2", "vip"]
    assert counters.dropped == {"shed_sampled": 2}


def test_kept_events_are_dropped_only_when_no_sampled_one_is_left() -> None:
    counters = Counters()
    queue = EventQueue(2, counters)
    queue.offer(served("s0"), KEEP_SAMPLED)
    queue.offer(served("vip0"), RULE)

    assert queue.offer(served("vip1"), RULE)
    assert not queue.offer(served("vip2"), KEEP_LINEAGE)

    assert [e.event.request_id for e in queue.take(10)] == ["vip0", "vip1"]
    assert counters.dropped == {"shed_sampled": 1, "queue_full": 1}
    assert counters.queued == 3 and counters.settled == 1


def test_batches_interleave_both_lanes_in_arrival_order() -> None:
    queue = EventQueue(100, Counters())
    arrivals = [("a", KEEP_SAMPLED), ("b", RULE), ("c", KEEP_SAMPLED), ("d", KEEP_LINEAGE)]
    for request_id, decision in arrivals:
        queue.offer(served(request_id), decision)

    assert [e.event.request_id for e in queue.take(3)] == ["a", "b", "c"]
    assert [e.event.request_id for e in queue.take(3)] == ["d"]
    assert len(queue) == 0


@pytest.fixture
def stuck() -> Iterator[Backend]:
    backend = Backend()
    backend.gate.clear()
    yield backend
    backend.gate.set()


def test_a_stuck_backend_never_blocks_record_and_every_drop_is_counted(
    stuck: Backend, tmp_path: Path
) -> None:
    config = CollectorConfig(max_queue=50, batch_size=10, flush_interval=0.01, spool_dir=tmp_path)
    collector = LineageCollector(stuck, Sampler(1.0, users={"vip"}), config)
    try:
        in_flight = [collector.record(served(f"first{n}")) for n in range(10)]
        assert stuck.sending.wait(5)  # the thread holds that batch in a hanging send
        started = time.monotonic()
        sampled = [collector.record(served(f"s{n}")) for n in range(200)]
        kept = [collector.record(served(f"v{n}", user="vip")) for n in range(60)]
        elapsed = time.monotonic() - started
        stats = collector.stats()
    finally:
        stuck.gate.set()
        final = collector.close(timeout=10)

    assert elapsed < 5, "record() waited for the backend"
    assert all(in_flight) and sum(sampled) == 50 and sum(kept) == 50
    assert stats.pending == 50
    # 150 arriving sampled events refused, 50 queued ones evicted by kept events,
    # then 10 kept events refused once no sampled event was left to shed.
    assert stats.dropped_by_reason == {"shed_sampled": 150 + 50, "queue_full": 10}
    assert stats.kept_by_reason == {"sampled": 270, "chosen_user": 60}
    assert final.queued == 110 and final.dropped == 210
    assert final.sent == final.queued - 50 == 60
    assert stuck.received == [f"evt-first{n}" for n in range(10)] + [f"evt-v{n}" for n in range(50)]


def test_record_is_safe_to_call_from_many_threads(tmp_path: Path) -> None:
    backend = Backend()
    config = CollectorConfig(batch_size=100, flush_interval=0.01, spool_dir=tmp_path)
    collector = LineageCollector(backend, Sampler(1.0), config)

    def produce(thread: int) -> None:
        for n in range(2_000):
            collector.record(served(f"t{thread}-{n}"))

    threads = [threading.Thread(target=produce, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = collector.close()

    assert stats.recorded == 8_000
    assert stats.queued + stats.dropped == 8_000
    assert stats.sent == stats.queued
    assert len(set(backend.received)) == len(backend.received) == stats.sent


def test_a_closed_queue_refuses_every_later_event() -> None:
    counters = Counters()
    queue = EventQueue(10, counters)
    queue.offer(served("before"), KEEP_LINEAGE)
    queue.close()

    assert not queue.offer(served("after"), KEEP_LINEAGE)
    assert [e.event.request_id for e in queue.take(10)] == ["before"]
    assert counters.dropped == {"closed": 1} and counters.recorded == 2


def test_close_returns_on_time_even_while_the_backend_hangs(stuck: Backend, tmp_path: Path) -> None:
    config = CollectorConfig(batch_size=5, flush_interval=0.01, spool_dir=tmp_path)
    collector = LineageCollector(stuck, config=config)
    for n in range(5):
        collector.record(served(f"r{n}"))
    assert stuck.sending.wait(5)

    started = time.monotonic()
    hanging = collector.close(timeout=0.3)
    assert time.monotonic() - started < 3
    assert hanging.sent == 0

    stuck.gate.set()
    assert collector.close(timeout=10).sent == 5
    assert stuck.closed
