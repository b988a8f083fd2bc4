"""SQLite's write-ahead log is copied into the database file by the checkpointer thread, not by a commit.

Each test writes about 1,500 pages (300 commits of 20 KB) to a file of its own: more than SQLite's 1,000-page mark
at which a commit would run the checkpoint itself.
"""

from __future__ import annotations

import os
import time

from sqlalchemy import text

from credit_engine.ledger.database import BACKSTOP_CHECKPOINT_PAGES, make_engine
from credit_engine.ledger.wal import WalCheckpointer

COMMITS, BLOB_BYTES = 300, 20_000


def _write_many(engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS blob (id INTEGER PRIMARY KEY, body BLOB)"))
    for _ in range(COMMITS):
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO blob (body) VALUES (:body)"), {"body": os.urandom(BLOB_BYTES)})


def _log_pages(engine) -> int:
    """Pages in the log now (a passive checkpoint reports them; it also copies them, so call it once, last)."""
    return WalCheckpointer(engine).refresh()[1]


def test_a_commit_checkpoints_by_itself_by_default(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'default.db'}")
    _write_many(engine)
    assert _log_pages(engine) < 1_100  # a commit copied the log back and it restarted
    engine.dispose()


def test_with_background_checkpoints_no_commit_checkpoints_and_the_checkpointer_copies_the_log(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'background.db'}", background_checkpoints=True)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == BACKSTOP_CHECKPOINT_PAGES
    _write_many(engine)
    busy, log_pages, copied = WalCheckpointer(engine).refresh()
    assert (busy, copied) == (0, log_pages) and log_pages > COMMITS * BLOB_BYTES // 4096
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM blob")).scalar() == COMMITS
    engine.dispose()


def test_the_checkpointer_runs_on_a_thread_for_a_sqlite_file_only(tmp_path):
    on_file = WalCheckpointer(make_engine(f"sqlite:///{tmp_path / 'x.db'}", background_checkpoints=True), 0.01)
    on_server = WalCheckpointer(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    try:
        on_file.start()
        on_server.start()
        assert on_file._thread is not None and on_file._thread.name == "wal-checkpoint"
        assert on_server._thread is None and not on_server.needed
        deadline = time.monotonic() + 30
        while on_file.checkpoints < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert on_file.checkpoints >= 2  # again and again, until closed
    finally:
        on_file.close()
    assert on_file._thread is None


def test_a_checkpoint_on_a_database_that_cannot_be_opened_is_logged_not_raised(tmp_path, caplog):
    engine = make_engine(f"sqlite:///{tmp_path / 'missing-folder' / 'x.db'}", background_checkpoints=True)
    assert WalCheckpointer(engine).refresh() is None
    assert "WAL checkpoint failed" in caplog.text
