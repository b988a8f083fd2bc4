"""Structured logs: one JSON object per line, one line per request, never a request body or an ID number.

``LOG_CONFIG`` is a ``logging.config.dictConfig`` dictionary (uvicorn applies it in every worker); request lines
come from the observing middleware (:mod:`api.middleware`) with the method, route template, status, duration,
request id and the API key's id — never bodies, query values or headers, which may carry personal data.

Lines are formatted where they are logged but written by a thread of their own (:class:`BackgroundHandler`): a
sink that is slow for a moment — a busy disk, a full pipe, a terminal — never holds up a worker's event loop. (With
the line written on the loop, the API benchmark caught the loop waiting in ``stream.write`` during its stalls.)
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.handlers
import queue
import sys
from typing import Any, TextIO

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,  # which worker of a multi-worker server wrote it
            "message": record.getMessage(),
        }
        line.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class _Writer(logging.handlers.QueueListener):
    def enqueue_sentinel(self) -> None:
        """The end mark waits for room (the writer is draining a full queue), for a while."""
        try:
            self.queue.put(self._sentinel, timeout=10)
        except queue.Full:  # the sink has been stuck for 10 s: leave the rest
            pass


class BackgroundHandler(logging.handlers.QueueHandler):
    """Formats a record on the caller's thread and hands the line to a writer thread that writes it to ``stream``.

    At most ``capacity`` lines wait; past that a line is dropped (never the caller blocked) and the next line that
    fits is preceded by a warning with the number dropped. :meth:`close` (also run by ``logging.shutdown`` when the
    process exits) writes what is waiting before it returns."""

    def __init__(self, stream: TextIO | None = None, capacity: int = 10_000) -> None:
        super().__init__(queue.Queue(capacity))
        self.sink = logging.StreamHandler(stream if stream is not None else sys.stderr)
        self.sink.setFormatter(logging.Formatter("%(message)s"))  # the line as formatted by this handler
        self.listener = _Writer(self.queue, self.sink)
        self.listener.start()
        self.dropped = 0

    def enqueue(self, record: logging.LogRecord) -> None:
        try:
            if self.dropped:
                self.queue.put_nowait(self._dropped_warning())
                self.dropped = 0
            self.queue.put_nowait(record)
        except queue.Full:
            self.dropped += 1

    def _dropped_warning(self) -> logging.LogRecord:
        record = logging.LogRecord(__name__, logging.WARNING, __file__, 0, "log lines dropped", None, None)
        record.dropped = self.dropped
        return self.prepare(record)

    def close(self) -> None:
        if self.listener._thread is not None:
            self.listener.enqueue_sentinel()  # every line queued is written, then the thread ends
            self.listener._thread.join(10)
            self.listener._thread = None
        self.sink.close()
        super().close()


LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "api.logging.JsonFormatter"}},
    "handlers": {"stdout": {"()": "api.logging.BackgroundHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "uvicorn": {"handlers": [], "level": "INFO", "propagate": True},
        "uvicorn.error": {"handlers": [], "level": "INFO", "propagate": True},
        "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        "mlflow": {"level": "WARNING"},
        "alembic": {"level": "WARNING"},
    },
}
