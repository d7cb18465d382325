"""Transports: NDJSON file, HTTP against a small real HTTP server, Neo4j's error mapping, names."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from graph_lineage.collector import (
    BackendUnavailable,
    CollectorConfig,
    EventsRejected,
    FileConfig,
    FileTransport,
    HttpConfig,
    HttpTransport,
    LineageCollector,
    Neo4jConfig,
    Neo4jTransport,
    make_transport,
)
from graph_lineage.errors import ConfigurationError
from graph_lineage.events import parse_event
from graph_lineage.settings import Settings

from ..conftest import TEST_ENCRYPTION_KEYS, free_port
from .collector_support import outcome, served

EVENTS = [served("r1", experiment="exp"), outcome("r1"), served("r2", error="boom")]


class Recorder(ThreadingHTTPServer):
    """An HTTP backend that answers each POST with the next scripted status (then 200)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.statuses: list[int] = []
        self.requests: list[tuple[str, dict[str, str], bytes]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Recorder

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append((self.path, dict(self.headers), body))
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        reply = json.dumps({"status": status}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def api() -> Iterator[Recorder]:
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    yield server
    server.shutdown()
    thread.join()
    server.server_close()


def test_the_file_transport_appends_ndjson_that_parse_event_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "lineage.ndjson"
    transport = FileTransport(FileConfig(path=path, fsync=True))
    transport.send(EVENTS[:2])
    transport.send(EVENTS[2:])
    transport.close()

    lines = path.read_text().splitlines()
    assert [parse_event(line) for line in lines] == EVENTS


def test_an_unwritable_file_is_a_retryable_failure(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file, not a folder")
    transport = FileTransport(FileConfig(path=tmp_path / "taken" / "lineage.ndjson"))

    with pytest.raises(BackendUnavailable, match="cannot append"):
        transport.send(EVENTS)


def test_http_posts_ndjson_to_v1_events_with_the_token(api: Recorder) -> None:
    HttpTransport(HttpConfig(url=api.url + "/", token="secret")).send(EVENTS)

    path, headers, body = api.requests[0]
    assert path == "/v1/events"
    assert headers["Content-Type"] == "application/x-ndjson"
    assert headers["Authorization"] == "Bearer secret"
    assert [parse_event(line) for line in body.decode().splitlines()] == EVENTS


def test_http_can_post_a_json_array(api: Recorder) -> None:
    HttpTransport(HttpConfig(url=api.url, format="json")).send(EVENTS)

    _, headers, body = api.requests[0]
    assert headers["Content-Type"] == "application/json"
    assert [parse_event(item) for item in json.loads(body)] == EVENTS


@pytest.mark.parametrize("status", [500, 503, 429, 401])
def test_http_server_errors_and_throttling_are_retryable(api: Recorder, status: int) -> None:
    api.statuses = [status]

    with pytest.raises(BackendUnavailable, match=f"HTTP {status}"):
        HttpTransport(HttpConfig(url=api.url)).send(EVENTS)


@pytest.mark.parametrize(("status", "reason"), [(422, "invalid"), (413, "too_large")])
def test_http_invalid_or_too_large_is_refused_but_splittable(
    api: Recorder, status: int, reason: str
) -> None:
    api.statuses = [status]

    with pytest.raises(EventsRejected) as refusal:
        HttpTransport(HttpConfig(url=api.url)).send(EVENTS)
    assert (refusal.value.reason, refusal.value.splittable) == (reason, True)


def test_http_other_client_errors_are_refused_for_good(api: Recorder) -> None:
    api.statuses = [404]

    with pytest.raises(EventsRejected) as refusal:
        HttpTransport(HttpConfig(url=api.url)).send(EVENTS)
    assert (refusal.value.reason, refusal.value.splittable) == ("http_404", False)


def test_http_to_nothing_listening_is_retryable() -> None:
    transport = HttpTransport(HttpConfig(url=f"http://127.0.0.1:{free_port()}", timeout=2))

    with pytest.raises(BackendUnavailable, match="unreachable"):
        transport.send(EVENTS)


def test_a_collector_over_http_outlasts_a_503_and_delivers_once(
    api: Recorder, tmp_path: Path
) -> None:
    api.statuses = [503, 503]
    config = CollectorConfig(
        batch_size=3, flush_interval=0.02, backoff_initial=0.01, spool_dir=tmp_path
    )
    collector = LineageCollector(make_transport("http", {"url": api.url}), config=config)
    for event in EVENTS:
        collector.record(event)
    assert collector.flush(timeout=10)
    stats = collector.close()

    delivered = [request for request in api.requests if request[2]]
    assert len(delivered) == 3
    assert [parse_event(line) for line in delivered[-1][2].decode().splitlines()] == EVENTS
    assert (stats.sent, stats.retries, stats.spooled) == (3, 2, 0)


def test_a_collector_over_http_isolates_the_event_the_api_refuses(
    api: Recorder, tmp_path: Path
) -> None:
    api.statuses = [422, 200, 422]  # the whole batch, then its halves: [e1] ok, [e2, e3] refused
    api.statuses += [200, 422]  # then [e2] ok, [e3] refused
    config = CollectorConfig(batch_size=3, flush_interval=0.02, spool_dir=tmp_path)
    collector = LineageCollector(HttpTransport(HttpConfig(url=api.url)), config=config)
    for event in EVENTS:
        collector.record(event)
    stats = collector.close()

    assert (stats.sent, stats.dropped_by_reason) == (2, {"rejected:invalid": 1})
    assert len(api.requests) == 5


def test_transports_are_chosen_by_name(tmp_path: Path) -> None:
    path = tmp_path / "lineage.ndjson"

    assert isinstance(make_transport("file", FileConfig(path=path)), FileTransport)
    from_mapping = make_transport("file", {"path": str(path)})
    assert isinstance(from_mapping, FileTransport) and from_mapping.path == path
    assert isinstance(make_transport("http", HttpConfig(url="http://x")), HttpTransport)


def test_an_unknown_name_or_a_mismatched_config_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"unknown transport 'kafka'.*file, http, neo4j"):
        make_transport("kafka", {})
    with pytest.raises(ConfigurationError, match="takes a HttpConfig, not FileConfig"):
        make_transport("http", FileConfig(path=tmp_path / "x"))


def test_the_neo4j_transport_needs_a_pseudonymization_key(tmp_path: Path) -> None:
    settings = Settings(
        neo4j_uri="bolt://127.0.0.1:1", pseudonymization_key=None, demo=False, local_home=tmp_path
    )

    with pytest.raises(ConfigurationError, match="PSEUDONYMIZATION_KEY"):
        Neo4jTransport(Neo4jConfig(settings=settings))


def test_the_neo4j_transport_needs_encryption_keys(tmp_path: Path) -> None:
    settings = Settings(
        neo4j_uri="bolt://127.0.0.1:1", pseudonymization_key="k" * 32, local_home=tmp_path
    )

    with pytest.raises(ConfigurationError, match="GRAPH_LINEAGE_ENCRYPTION_KEYS"):
        Neo4jTransport(Neo4jConfig(settings=settings))


def test_an_unreachable_neo4j_is_retryable(tmp_path: Path) -> None:
    settings = Settings(
        neo4j_uri=f"bolt://127.0.0.1:{free_port()}",
        neo4j_password="unused",
        pseudonymization_key="k" * 32,
        encryption_keys=TEST_ENCRYPTION_KEYS,
        local_home=tmp_path,
    )
    transport = make_transport(
        "neo4j", Neo4jConfig(settings=settings, transaction_retry_seconds=0.1)
    )
    try:
        with pytest.raises(BackendUnavailable, match="unreachable"):
            transport.send(EVENTS)
    finally:
        transport.close()
