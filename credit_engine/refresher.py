"""A background thread that calls ``refresh()`` every few seconds: the in-memory views a service keeps of the
database (API keys, the funds' headroom) stay current without a query per request."""

from __future__ import annotations

import threading


class PeriodicRefresh:
    """Mixin: ``_keep_refreshing(name)`` starts a daemon thread calling ``self.refresh()`` every
    ``self.refresh_seconds``; ``close()`` stops it."""

    refresh_seconds: float
    _stop: threading.Event | None = None
    _thread: threading.Thread | None = None

    def refresh(self) -> object:
        raise NotImplementedError

    def _keep_refreshing(self, name: str) -> None:
        if self._thread is None:
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, args=(self._stop,), name=name, daemon=True)
            self._thread.start()

    def close(self) -> None:
        if self._thread is not None:
            assert self._stop is not None
            self._stop.set()
            self._thread.join(5)
            self._thread = None

    def _run(self, stop: threading.Event) -> None:
        while not stop.wait(self.refresh_seconds):
            self.refresh()
