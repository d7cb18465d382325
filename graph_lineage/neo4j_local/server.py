"""Start, stop and inspect the local Neo4j server (``graph-lineage neo4j start|stop|status``)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import neo4j
from neo4j.exceptions import AuthError, ServiceUnavailable

from graph_lineage.errors import Neo4jStartFailed, PortInUse
from graph_lineage.neo4j_local.certificates import ensure_certificate
from graph_lineage.neo4j_local.distribution import ensure_distribution
from graph_lineage.neo4j_local.layout import Layout, neo4j_conf, read_or_create_password
from graph_lineage.neo4j_local.prerequisites import Java, find_java
from graph_lineage.settings import Settings

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"

# The flags Neo4j's own launcher passes (its default neo4j.conf plus the bootloader).
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:FlightRecorderOptions=stackdepth=256",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dlog4j.layout.jsonTemplate.maxStringLength=32768",
    "-Dfile.encoding=UTF-8",
)

Progress = Callable[[str], None]

# Servers started by this process, kept so they are reaped (not left as zombies) on stop.
_children: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class Status:
    """What ``graph-lineage neo4j status`` reports."""

    running: bool
    pid: int | None
    bolt_uri: str
    http_uri: str
    version: str
    user: str
    password_file: str | None
    home: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


class LocalNeo4j:
    """One Neo4j Community server run from Maven Central's jars, bound to 127.0.0.1.

    >>> server = LocalNeo4j(Settings())
    >>> server.start().bolt_uri
    'bolt://127.0.0.1:7687'
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.layout = Layout.from_settings(settings)
        self.process: subprocess.Popen[bytes] | None = None  # the server this object started

    def auth(self) -> tuple[str, str] | None:
        if not self.settings.local_auth:
            return None
        return (self.settings.neo4j_user, read_or_create_password(self.layout.password_file))

    def status(self) -> Status:
        pid = self._running_pid()
        version = self._served_version() if pid else None
        return Status(
            running=pid is not None,
            pid=pid,
            bolt_uri=self.settings.local_bolt_uri,
            http_uri=self.settings.local_http_uri,
            version=version or self.settings.neo4j_version,
            user=self.settings.neo4j_user,
            password_file=str(self.layout.password_file) if self.settings.local_auth else None,
            home=str(self.layout.home),
        )

    def start(self, progress: Progress | None = None) -> Status:
        """Start the server unless it runs already; return once Bolt and HTTP answer."""
        if self._running_pid() is not None:
            return self.status()
        java = find_java()
        self._check_ports_free()
        lib = ensure_distribution(
            self.settings.local_cache_dir,
            self.settings.neo4j_version,
            self.settings.neo4j_browser_version,
            progress,
        )
        self.layout.create()
        if self.settings.local_bolt_tls:
            ensure_certificate(self.settings.local_certificates_dir)
        (self.layout.conf_dir / "neo4j.conf").write_text(neo4j_conf(self.settings, self.layout))
        if self.settings.local_auth and not self.layout.has_system_database():
            self._set_initial_password(java, lib)
        process = self.process = self._spawn(java, lib)
        self.layout.pid_file.write_text(f"{process.pid}\n")
        if progress:
            progress(f"Neo4j starting (pid {process.pid}); waiting for Bolt...")
        self._wait_for_bolt(process)
        return self.status()

    def exit_status(self) -> int | None:
        """The exit status of the server this object started, once it has exited; None
        while it runs or when this object started none.

        Asking reaps the exited process, so it does not stay a zombie; a negative status
        is the signal that ended it (-9: killed).
        """
        if self.process is None:
            return None
        status = self.process.poll()
        if status is not None:
            _children.pop(self.process.pid, None)
            self.layout.pid_file.unlink(missing_ok=True)
        return status

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server with SIGTERM (SIGKILL after ``timeout``); False if it was not running."""
        pid = self._running_pid()
        if pid is None:
            self.layout.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
            while _alive(pid):
                time.sleep(0.1)
        self.layout.pid_file.unlink(missing_ok=True)
        return True

    def _classpath(self, lib: Path) -> str:
        return f"{self.layout.home / 'plugins'}/*:{lib}/*"

    def _java_command(self, java: Java, lib: Path, main: str) -> list[str]:
        return [str(java.executable), "-cp", self._classpath(lib), main]

    def _set_initial_password(self, java: Java, lib: Path) -> None:
        password = read_or_create_password(self.layout.password_file)
        command = self._java_command(java, lib, ADMIN_TOOL)
        command += ["dbms", "set-initial-password", password]
        environment = {
            **os.environ,
            "NEO4J_HOME": str(self.layout.home),
            "NEO4J_CONF": str(self.layout.conf_dir),
        }
        result = subprocess.run(
            command, env=environment, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            lines = result.stderr.strip().splitlines()
            reason = "\n".join(line for line in lines if not line.lstrip().startswith("at "))
            raise Neo4jStartFailed(f"setting the initial Neo4j password failed:\n{reason}")

    def _spawn(self, java: Java, lib: Path) -> subprocess.Popen[bytes]:
        heap = self.settings.local_heap
        command = [str(java.executable), f"-Xms{heap}", f"-Xmx{heap}", *JVM_FLAGS]
        command += ["-cp", self._classpath(lib), ENTRY_POINT]
        command += [f"--home-dir={self.layout.home}", f"--config-dir={self.layout.conf_dir}"]
        with self.layout.console_log.open("ab") as console:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                cwd=self.layout.home,
                start_new_session=True,
            )
        _children[process.pid] = process
        return process

    def _wait_for_bolt(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + self.settings.local_start_timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.layout.pid_file.unlink(missing_ok=True)
                raise Neo4jStartFailed(
                    f"Neo4j exited with code {process.returncode} while starting.\n"
                    + self.log_tail()
                )
            if self._bolt_answers():
                return
            time.sleep(0.5)
        self.stop(timeout=10)
        raise Neo4jStartFailed(
            f"Neo4j did not answer on {self.settings.local_bolt_uri} within"
            f" {self.settings.local_start_timeout:.0f}s; it was stopped.\n" + self.log_tail()
        )

    def _bolt_answers(self) -> bool:
        # Neo4j opens HTTP (and so Neo4j Browser) a moment after Bolt: wait for both.
        ports = (self.settings.local_bolt_port, self.settings.local_http_port)
        if not all(_port_open(port) for port in ports):
            return False
        try:
            uri, auth, trust = self.settings.local_bolt_uri, self.auth(), self._trust()
            with neo4j.GraphDatabase.driver(uri, auth=auth, **trust) as d:
                d.verify_connectivity()
        except ServiceUnavailable:
            return False
        except AuthError as error:
            raise Neo4jStartFailed(
                f"Neo4j answered but refused the password in {self.layout.password_file}: {error}."
                " The data folder was created with another password; set"
                " GRAPH_LINEAGE_NEO4J_PASSWORD or remove the data folder."
            ) from error
        return True

    def _trust(self) -> dict[str, Any]:
        if not self.settings.local_bolt_tls:
            return {}
        certificate = str(self.settings.local_certificates_dir / "public.crt")
        return {"encrypted": True, "trusted_certificates": neo4j.TrustCustomCAs(certificate)}

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of Neo4j's console and main logs, to show when a start fails."""
        parts = []
        for log in (self.layout.console_log, self.layout.logs / "neo4j.log"):
            if log.exists():
                tail = log.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"--- last lines of {log} ---\n" + "\n".join(tail))
        return "\n".join(parts) or f"(no log written under {self.layout.logs})"

    def _check_ports_free(self) -> None:
        for name, port in (
            ("Bolt", self.settings.local_bolt_port),
            ("HTTP", self.settings.local_http_port),
        ):
            if not _port_free(port):
                raise PortInUse(
                    f"port {port} on 127.0.0.1 ({name}) is already in use. Stop what listens"
                    f" there, or choose another port with GRAPH_LINEAGE_LOCAL_{name.upper()}_PORT."
                )

    def _running_pid(self) -> int | None:
        try:
            pid = int(self.layout.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _is_our_server(pid, self.layout.home) else None

    def _served_version(self) -> str | None:
        try:
            with urllib.request.urlopen(self.settings.local_http_uri + "/", timeout=5) as reply:
                discovery = json.load(reply)
        except (OSError, ValueError):
            return None
        version = discovery.get("neo4j_version")
        return str(version) if version else None


def _alive(pid: int) -> bool:
    child = _children.get(pid)
    if child is not None:
        if child.poll() is None:
            return True
        del _children[pid]
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_our_server(pid: int, home: Path) -> bool:
    if not _alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():
        return True
    arguments = cmdline.read_bytes().split(b"\0")
    return ENTRY_POINT.encode() in arguments and f"--home-dir={home}".encode() in arguments


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False
