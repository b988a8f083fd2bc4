"""Several workers: each accepts its own share of the connections (SO_REUSEPORT), a worker that dies is replaced,
SIGTERM stops them all, and a port that is taken fails at once with a message."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.server import reuse_port_socket

pytestmark = pytest.mark.xdist_group("test_api_workers")
CLI = str(Path(sys.executable).with_name("credit-engine"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


def _workers(pid: int) -> list[int]:
    """The worker processes (multiprocessing's spawn also starts a resource tracker: skip it)."""
    return [c for c in _children(pid) if "resource_tracker" not in Path(f"/proc/{c}/cmdline").read_text()]


def _established_on(port: int) -> set[int]:
    """Socket inodes of the server side of established TCP connections on ``port`` (from /proc/net/tcp)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":
            inodes.add(int(fields[9]))
    return inodes


def _socket_inodes(pid: int) -> set[int]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(int(target[8:-1]))
    return found


def _wait_ready(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail("the server did not become ready")


def _server_env(home: Path, tracking_uri: str, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_ENGINE_", "MLFLOW_"))}
    return env | {"CREDIT_ENGINE_HOME": str(home), "CREDIT_ENGINE_MLFLOW_TRACKING_URI": tracking_uri} | more


def _two_workers(home: Path, env: dict[str, str]) -> tuple[subprocess.Popen, int, str, Path]:
    """``credit-engine serve --workers 2`` on a free port, once it answers /readyz."""
    port = _free_port()
    log = home / "server.log"
    with log.open("w") as out:
        command = [CLI, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
        process = subprocess.Popen(command, env=env, cwd=home, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    _wait_ready(base, process, log)
    return process, port, base, log


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory, mlflow_store):
    home = tmp_path_factory.mktemp("workers")
    env = _server_env(home, mlflow_store[0])
    process, port, base, log = _two_workers(home, env)
    while len(_workers(process.pid)) < 2 or not all(_socket_inodes(w) for w in _workers(process.pid)):
        time.sleep(0.2)
    yield process, port, base, env, log
    if process.poll() is None:
        process.terminate()
        process.wait(60)


def test_the_workers_stop_when_their_supervisor_is_killed(tmp_path, mlflow_store):
    process, _, _, log = _two_workers(tmp_path, _server_env(tmp_path, mlflow_store[0]))
    while len(_workers(process.pid)) < 2:
        time.sleep(0.2)
    workers = _workers(process.pid)
    process.kill()  # SIGKILL: the supervisor cannot stop them itself
    process.wait()
    deadline = time.monotonic() + 60
    while any(Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert not any(Path(f"/proc/{w}").exists() for w in workers), log.read_text()[-2000:]
    assert "is gone; worker" in log.read_text()


def test_each_worker_accepts_its_own_share_of_the_connections(two_workers):
    process, port, base, _, _ = two_workers
    time.sleep(3)  # both workers listening (the fixture saw one answer)
    clients = [httpx.Client(base_url=base, timeout=10) for _ in range(24)]
    try:
        for client in clients:
            assert client.get("/healthz").status_code == 200  # each client keeps its connection open
        connections = _established_on(port)
        served = {w: len(_socket_inodes(w) & connections) for w in _workers(process.pid)}
        assert sum(served.values()) == 24, served
        assert all(count > 0 for count in served.values()), served  # all on one worker: 2 ** -23 by chance
    finally:
        for client in clients:
            client.close()


def test_a_worker_that_dies_is_replaced(two_workers):
    process, _, base, _, _ = two_workers
    victim = _workers(process.pid)[0]
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        workers = _workers(process.pid)
        if victim not in workers and len(workers) == 2:
            break
        time.sleep(0.3)
    else:
        pytest.fail("the dead worker was not replaced")
    for _ in range(10):
        assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200  # the other worker kept serving


def _every_worker_started(process: subprocess.Popen, log: Path, timeout: float = 120) -> list[int]:
    """The current workers, once each has logged its application start-up (every log line names its worker's pid): a
    worker that replaced a killed one may still be loading when the test goes on, and a SIGTERM before uvicorn's own
    handlers are installed ends it at once, without its "Finished server process" line. (Counting start-up lines
    against start lines instead never settled when the killed worker had died before its own start-up completed.)"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers, lines = _workers(process.pid), _json_lines(log)
        ready = {line.get("pid") for line in lines if line.get("message") == "Application startup complete."}
        if len(workers) == 2 and set(workers) <= ready:
            return workers
        time.sleep(0.2)
    pytest.fail(f"the workers did not finish starting: {log.read_text()[-2000:]}")


def _json_lines(log: Path) -> list[dict]:
    lines = []
    for text in log.read_text().splitlines():
        try:
            lines.append(json.loads(text))
        except ValueError:  # a warning printed by a library, not a log record
            continue
    return lines


def test_sigterm_stops_every_worker_and_the_parent(two_workers):
    process, _, _, _, log = two_workers
    workers = _every_worker_started(process, log)
    environ = dict(v.split("=", 1) for v in Path(f"/proc/{workers[0]}/environ").read_text().split("\0") if "=" in v)
    metrics = Path(environ["PROMETHEUS_MULTIPROC_DIR"])
    assert metrics.is_dir()
    process.send_signal(signal.SIGTERM)
    assert process.wait(60) == 0, log.read_text()[-2000:]
    assert not any(Path(f"/proc/{w}").exists() and "Z" not in Path(f"/proc/{w}/stat").read_text() for w in workers)
    assert not metrics.exists()  # the workers' metric files are removed with the server
    text = log.read_text()
    assert all(f"Finished server process [{w}]" in text for w in workers), text[-2000:]  # queued log lines written


def test_a_port_that_is_taken_fails_at_once_with_a_message(tmp_path, mlflow_store):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = _server_env(tmp_path, mlflow_store[0])
        command = [CLI, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
        done = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "无法监听" in done.stderr


def test_reuse_port_sockets_share_an_address():
    first = reuse_port_socket("127.0.0.1", 0)
    try:
        second = reuse_port_socket("127.0.0.1", first.getsockname()[1])
        second.close()
    finally:
        first.close()


WORKERS_MODEL = "household-pd-workers"


@pytest.fixture(scope="module")
def reloadable_workers(tmp_path_factory, mlflow_store, trainer):
    uri, artifacts = mlflow_store
    trainer(uri, artifacts, model_name=WORKERS_MODEL, seed=3, n_estimators=20)
    home = tmp_path_factory.mktemp("workers-reload")
    env = _server_env(home, uri, CREDIT_ENGINE_MODEL_NAME=WORKERS_MODEL)
    keys = subprocess.run(
        [CLI, "keys", "create", "--role", "model_admin", "--name", "models"],
        env=env, cwd=home, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    process, port, base, log = _two_workers(home, env)
    time.sleep(3)  # the second worker too
    yield base, keys.stdout.strip().splitlines()[-1], uri, artifacts
    process.terminate()
    process.wait(60)


def test_a_reload_on_one_worker_reaches_every_worker(reloadable_workers, trainer):
    base, token, uri, artifacts = reloadable_workers
    headers = {"Authorization": f"Bearer {token}"}
    version = trainer(uri, artifacts, model_name=WORKERS_MODEL, seed=4, n_estimators=25)  # promoted: the champion
    reloaded = httpx.post(f"{base}/v1/models/reload", headers=headers, timeout=60)
    assert reloaded.status_code == 200 and reloaded.json()["changed"] is True, reloaded.text
    wanted = f"{WORKERS_MODEL}/{version}"
    deadline = time.monotonic() + 60
    while True:
        clients = [httpx.Client(base_url=base, headers=headers, timeout=10) for _ in range(16)]  # both workers
        try:
            served = {c.get("/v1/models/champion").json()["model_version"] for c in clients}
        finally:
            for client in clients:
                client.close()
        if served == {wanted} or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert served == {wanted}
