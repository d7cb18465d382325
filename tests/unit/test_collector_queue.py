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
from graph_lineage.events import Event

from .collector_support import Backend, outcome, served

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


def test_an_event_appended_after_the_last_sort_is_taken_back_by_its_caller() -> None:
    counters = Counters()
    queue = EventQueue(10, counters)
    early, late = served("early"), served("late")
    queue.inbox.append(early)  # a record() past its checks before close(), appending now
    queue.close()
    queue.seal()
    queue.inbox.append(late)  # the same, but appending after the thread's last sort

    assert queue.noticed(early) is True, "sorted by the last sort: it will be sent"
    assert queue.noticed(late) is False
    assert [e.event.request_id for e in queue.take(10)] == ["early"]
    assert len(queue) == 0
    assert counters.dropped == {"closed": 1} and counters.queued == 1


def test_threads_overshooting_the_last_places_are_shed_when_sorted() -> None:
    counters = Counters()
    queue = EventQueue(2, counters, Sampler(1.0, users={"vip"}))
    for request_id in ("s0", "s1", "s2"):  # three threads passed the room check at once
        queue.inbox.append(served(request_id))
    queue.inbox.append(served("v0", user="vip"))

    assert [e.event.request_id for e in queue.take(10)] == ["s1", "v0"]
    assert counters.recorded == 4 and counters.queued == 3
    assert counters.dropped == {"shed_sampled": 2}
    assert counters.kept_for == {("sampled",): 3, ("chosen_user", "sampled"): 1}


def test_events_sampled_now_and_later_keep_their_arrival_order(tmp_path: Path) -> None:
    backend = Backend()
    config = CollectorConfig(flush_interval=60, spool_dir=tmp_path)
    collector = LineageCollector(backend, Sampler(0.0, users={"vip"}), config)
    assert collector.record(outcome("r0"))  # lineage: kept, sampled by the thread
    assert collector.record(served("r1", user="vip"))  # sampled now: record() reports it
    assert not collector.record(served("r2"))
    assert collector.record(outcome("r3"))

    stats = collector.close()

    assert backend.received == ["out-r0", "evt-r1", "out-r3"]
    assert (stats.recorded, stats.sampled_out, stats.queued) == (4, 1, 3)
    assert stats.kept_by_reason == {"lineage": 2, "chosen_user": 1}


def test_stats_count_events_the_thread_has_not_sorted_yet(tmp_path: Path) -> None:
    config = CollectorConfig(flush_interval=60, spool_dir=tmp_path)
    collector = LineageCollector(Backend(), Sampler(1.0, users={"vip"}), config)
    try:
        for n in range(3):
            assert collector.record(served(f"r{n}", user="vip" if n == 1 else "user-1"))

        stats = collector.stats()
    finally:
        collector.close()

    assert (stats.recorded, stats.queued, stats.pending) == (3, 3, 3)
    assert stats.kept_by_reason == {"sampled": 3, "chosen_user": 1}


def test_a_sampler_failing_off_the_serving_path_is_counted_not_lost(tmp_path: Path) -> None:
    class Failing(Sampler):
        def decide(self, event: Event) -> Decision:
            raise RuntimeError("a bug in a sampler")

    backend = Backend()
    config = CollectorConfig(flush_interval=60, spool_dir=tmp_path)
    collector = LineageCollector(backend, Failing(1.0), config)
    assert collector.record(served("r0"))  # accepted: its reasons are worked out later

    stats = collector.close()

    assert backend.received == []
    assert (stats.recorded, stats.queued, stats.pending) == (1, 0, 0)
    assert stats.dropped_by_reason == {"record_error": 1}
