"""The audit writer's spool: where entries go while the database cannot be reached, until they are copied in.

A spool file is JSON lines, fsynced after each group, in the data folder, named after its database and process
(``audit-spool-<tag>-<pid>.jsonl``, :func:`~credit_engine.service_db.identity.database_tag`): it is copied only into
the database it was written for. The process that writes a spool holds an exclusive lock on it while it lives, so
another process copies in only spools left by processes that stopped.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from credit_engine.audit.entry import AuditEntry

log = logging.getLogger(__name__)
Insert = Callable[[list[AuditEntry]], None]
"""Stores entries in the spool's database, leaving out those already there (a spool copied in twice)."""


class AuditSpool:
    """The spool files of one database (``database_tag``) in ``spool_dir``; this process writes its own."""

    def __init__(self, spool_dir: Path, database_tag: str) -> None:
        self.spool_dir = Path(spool_dir)
        self.prefix = f"audit-spool-{database_tag}-"
        self._file: TextIO | None = None

    @property
    def path(self) -> Path:
        return self.spool_dir / f"{self.prefix}{os.getpid()}.jsonl"

    @property
    def holds_entries(self) -> bool:
        """Whether this process has spooled entries not yet copied into the database."""
        return self._file is not None

    def append(self, entries: list[AuditEntry]) -> None:
        """Add entries to this process's spool, on disk when this returns (``OSError`` if the disk refuses)."""
        if self._file is None:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
            fcntl.flock(self._file, fcntl.LOCK_EX)  # held while this process lives: others leave it alone
        self._file.writelines(json.dumps(e.as_json(), ensure_ascii=False) + "\n" for e in entries)
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def replay(self, insert: Insert, batch: int) -> None:
        """Copy spooled entries into the database with ``insert``: this process's spool and any left by a stopped
        process of the same database; a spool that cannot be copied now stays for the next try."""
        if not self.spool_dir.is_dir():
            return
        for path in sorted(self.spool_dir.glob(f"{self.prefix}*.jsonl")):
            with contextlib.suppress(SQLAlchemyError, OSError):
                self._replay(path, path == self.path, insert, batch)

    def _replay(self, path: Path, own: bool, insert: Insert, batch: int) -> None:
        with path.open("r+", encoding="utf-8") as handle:
            if not own:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    return  # a live process still spools there
            entries = [AuditEntry.from_json(json.loads(line)) for line in handle if line.strip()]
            for start in range(0, len(entries), batch):
                insert(entries[start : start + batch])
        if own:
            self.close()
        path.unlink()
        log.info("audit log: %d spooled entries copied from %s", len(entries), path.name)
