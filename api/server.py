"""Running the API with uvicorn: one server process, or several workers that each accept their own connections.

With ``workers > 1`` every worker opens its own listening socket on the same address with ``SO_REUSEPORT``, so the
kernel spreads new connections over the workers by a hash of each connection. (uvicorn's own workers share one
socket: a burst of keep-alive connections — a bank system's connection pool — then lands on whichever worker woke
first, and the others idle: here, one benchmark run in three with two workers ran at the speed of one.)
The parent holds the port (bound, never listening, so it is given no connections and a port in use fails at once),
starts the workers, replaces one that dies, and on SIGINT or SIGTERM passes SIGTERM on and waits while the workers
finish the requests in flight (uvicorn's graceful shutdown) before it exits.

uvicorn ends a graceful stop by raising the stop signal again with its default action, so the process dies of it
without running its exit handlers: :func:`_flush_logs_on_sigterm` has the log lines still queued
(:class:`api.logging.BackgroundHandler`) written first, then lets SIGTERM end the process as before.

A model reload reaches one worker (the one that took the request); :func:`reload_siblings` then asks the parent,
with ``SIGUSR1``, to pass the signal to every worker, and each reloads the champion too (the worker that reloaded
first finds the same version and changes nothing).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from typing import Any

import uvicorn

APP = "api.app:serve_app"
STARTUP_FAILURE = 3  # a worker's exit code when the app could not start (uvicorn's convention)
SUPERVISOR_PID = "CREDIT_ENGINE_SUPERVISOR_PID"  # set for the workers of a :class:`Supervisor`
SIBLINGS_RELOAD = signal.SIGUSR1  # worker → supervisor → every worker: reload the champion
log = logging.getLogger("uvicorn.error")


def run(host: str, port: int, workers: int, log_config: dict[str, Any], graceful_seconds: int) -> None:
    options = {
        "app": APP,
        "factory": True,
        "host": host,
        "port": port,
        "log_config": log_config,
        "access_log": False,
        "server_header": False,
        "timeout_graceful_shutdown": graceful_seconds,
    }
    if workers == 1:
        _flush_logs_on_sigterm()
        uvicorn.run(**options)
        return
    Supervisor(options, workers).run()


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port) that other sockets of this user may bind too (``SO_REUSEPORT``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def serve_worker(options: dict[str, Any]) -> None:
    """One worker process: its own socket on the shared address, then uvicorn's server on it.

    The socket is bound here but listens only when uvicorn starts serving, after the app's start-up (the champion
    loaded): a worker that replaces a dead one joins the ``SO_REUSEPORT`` group when it can answer, so no
    connection waits in its backlog for a model still loading."""
    signal.signal(SIBLINGS_RELOAD, signal.SIG_IGN)  # until the app listens for it (it loads the champion anyway)
    _stop_when_orphaned(os.getppid())
    config = uvicorn.Config(**options)
    try:
        sock = reuse_port_socket(config.host, config.port)
    except OSError as error:  # it would fail the same way on every restart
        log.error("worker cannot listen on %s:%s: %s", config.host, config.port, error)
        sys.exit(STARTUP_FAILURE)
    server = uvicorn.Server(config)
    _flush_logs_on_sigterm()
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def _stop_when_orphaned(supervisor: int, every_seconds: float = 1.0) -> None:
    """A worker whose supervisor is gone (killed outright, say) stops as on SIGTERM instead of serving on alone."""

    def watch() -> None:
        while os.getppid() == supervisor:
            time.sleep(every_seconds)
        log.warning("supervisor [%d] is gone; worker [%d] stops", supervisor, os.getpid())
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="supervisor-watch", daemon=True).start()


def _flush_logs_on_sigterm() -> None:
    """SIGTERM (when nothing else handles it): write the queued log lines, then die of the signal as by default."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _die_after_flushing_logs)


def _die_after_flushing_logs(signum: int, _frame: object) -> None:
    logging.shutdown()
    signal.signal(signum, signal.SIG_DFL)
    signal.raise_signal(signum)


def supervised() -> bool:
    """This process is a worker of a :class:`Supervisor`."""
    return os.environ.get(SUPERVISOR_PID) == str(os.getppid())


def reload_siblings() -> bool:
    """Ask every worker of this server to reload the champion (False when this process has no supervisor)."""
    if not supervised():
        return False
    os.kill(os.getppid(), SIBLINGS_RELOAD)
    return True


class Supervisor:
    """Starts ``workers`` processes of :func:`serve_worker`, replaces any that dies, stops them on a signal."""

    def __init__(self, options: dict[str, Any], workers: int) -> None:
        self.options = options
        self.workers = workers
        self.context = multiprocessing.get_context("spawn")
        self.processes: list[Any] = []
        self.stopping = threading.Event()
        self.failed = False

    def run(self) -> None:
        holder = reuse_port_socket(self.options["host"], self.options["port"])  # fails here if the port is taken
        self.options = self.options | {"port": holder.getsockname()[1]}  # port 0: every worker on the same one
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: self.stopping.set())
        signal.signal(SIBLINGS_RELOAD, lambda *_: self._pass_on(SIBLINGS_RELOAD))
        os.environ[SUPERVISOR_PID] = str(os.getpid())  # the workers inherit it
        log.info("Started parent process [%d] with %d workers (SO_REUSEPORT)", os.getpid(), self.workers)
        try:
            self.processes = [self._start() for _ in range(self.workers)]
            while not self.stopping.wait(0.5):
                self._replace_dead()
        finally:
            self._stop_all()
            holder.close()
            log.info("Stopping parent process [%d]", os.getpid())
        if self.failed:
            sys.exit(STARTUP_FAILURE)

    def _start(self) -> Any:
        process = self.context.Process(target=serve_worker, args=(self.options,), name="credit-engine-worker")
        process.start()
        return process

    def _pass_on(self, signum: int) -> None:
        for process in self.processes:
            if process.is_alive():
                os.kill(process.pid, signum)

    def _replace_dead(self) -> None:
        for i, process in enumerate(self.processes):
            if process.is_alive():
                continue
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                log.error("Worker [%s] could not start the app; stopping", process.pid)
                self.stopping.set()
                self.failed = True
                return
            log.warning("Worker [%s] died (exit code %s); starting another", process.pid, process.exitcode)
            _forget_metrics(process.pid)
            self.processes[i] = self._start()

    def _stop_all(self) -> None:
        for process in self.processes:
            if process.is_alive():
                os.kill(process.pid, signal.SIGTERM)  # uvicorn: stop accepting, finish requests in flight
        deadline = self.options["timeout_graceful_shutdown"] + 10
        for process in self.processes:
            process.join(deadline)
            if process.is_alive():
                log.error("Worker [%s] did not stop in time; killing it", process.pid)
                process.kill()
                process.join()


def _forget_metrics(pid: int) -> None:
    """Drop a dead worker's live gauges from the shared Prometheus folder (its counters stay in the totals)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
