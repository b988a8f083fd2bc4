"""Request logs are written off the caller's thread: a slow log sink never holds up a worker's event loop, and no
line is lost when the process exits."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time

from api.logging import BackgroundHandler, JsonFormatter


class BlockedStream:
    """A stream whose writes wait until ``release`` is set (a full pipe, a stuck disk)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.writing = threading.Event()
        self.text = ""

    def write(self, text: str) -> None:
        self.writing.set()
        self.release.wait(30)
        self.text += text

    def flush(self) -> None:
        pass

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines()]


def _logger(handler: logging.Handler, name: str) -> logging.Logger:
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(name)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    return logger


def _log_in_a_thread(logger: logging.Logger, *messages: str) -> bool:
    """Log from another thread; True if every call returned within 5 s."""
    worker = threading.Thread(target=lambda: [logger.info(m, extra={"route": "/r"}) for m in messages])
    worker.start()
    worker.join(5)
    return not worker.is_alive()


def test_logging_returns_while_the_sink_is_blocked_and_every_line_is_written_in_order_afterwards():
    stream = BlockedStream()
    handler = BackgroundHandler(stream)
    logger = _logger(handler, "test.background.order")
    assert _log_in_a_thread(logger, "one", "two", "three")
    assert stream.writing.wait(5) and stream.text == ""
    stream.release.set()
    handler.close()
    logger.removeHandler(handler)
    assert [(line["message"], line["route"]) for line in stream.lines()] == [
        ("one", "/r"),
        ("two", "/r"),
        ("three", "/r"),
    ]


def test_lines_past_the_capacity_are_dropped_and_counted_never_waited_for():
    stream = BlockedStream()
    handler = BackgroundHandler(stream, capacity=2)
    logger = _logger(handler, "test.background.drop")
    assert _log_in_a_thread(logger, "first")
    assert stream.writing.wait(5)  # the writer holds "first", blocked in write
    assert _log_in_a_thread(logger, "queued 1", "queued 2", "lost 1", "lost 2")
    assert handler.dropped == 2
    stream.release.set()
    deadline = time.monotonic() + 10
    while not handler.queue.empty() and time.monotonic() < deadline:  # the writer drains it: room again
        time.sleep(0.01)
    assert _log_in_a_thread(logger, "after")
    handler.close()
    logger.removeHandler(handler)
    lines = stream.lines()
    assert [line["message"] for line in lines] == ["first", "queued 1", "queued 2", "log lines dropped", "after"]
    assert lines[3]["level"] == "warning" and lines[3]["dropped"] == 2


def test_the_served_log_configuration_writes_its_last_lines_before_the_process_exits():
    program = (
        "import logging, logging.config\n"
        "from api.logging import LOG_CONFIG\n"
        "logging.config.dictConfig(LOG_CONFIG)\n"
        "assert type(logging.getLogger().handlers[0]).__name__ == 'BackgroundHandler'\n"
        "for i in range(500):\n"
        "    logging.getLogger('api.requests').info('request', extra={'n': i})\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=True)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["n"] for line in lines] == list(range(500))
