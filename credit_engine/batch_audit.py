"""The audit record of one batch rating run: a registry file rated by ``credit-engine rate`` is ONE entry in the
audit log (action ``batch_rating``), not one per row.

The entry names what went in and what came out so the run can be checked and replayed later: the input file's
SHA-256, its row count and how many rows were rejected, the model and policy versions (and the policy's
fingerprint), the output file's SHA-256, and who ran it (the operating-system user and host, as ``key_id`` ``cli``).
It is appended synchronously in its own transaction through the audit log's repository part
(:meth:`~credit_engine.audit.repository.AuditRepository.record`): a command has no event loop and no writer thread.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
import socket
from pathlib import Path

from sqlalchemy import Engine

from credit_engine.audit.entry import AuditEntry
from credit_engine.audit.repository import AuditRepository
from credit_engine.batch import BatchResult
from credit_engine.policy.config import RatingPolicy

ACTION = "batch_rating"
KEY_ID = "cli"
_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def batch_rating_entry(
    input_path: Path, result: BatchResult, policy: RatingPolicy, model_version: str, *, command: str = "rate"
) -> AuditEntry:
    """The one audit entry of a rating run whose input was ``input_path`` and whose outcome is ``result``."""
    detail = {
        "input_file": str(input_path),
        "output_file": str(result.output),
        "output_sha256": file_sha256(result.output),
        "rows": result.rated + result.rejected,
        "rated": result.rated,
        "rejected": result.rejected,
        "policy_fingerprint": policy.fingerprint(),
        "ran_by": {"user": _user(), "host": socket.gethostname(), "command": command},
    }
    return AuditEntry(
        record_id=os.urandom(16).hex(),
        action=ACTION,
        recorded_at=dt.datetime.now(dt.UTC),
        key_id=KEY_ID,
        input_sha256=file_sha256(input_path),
        outcome="rated",
        resource_id=Path(input_path).name[:128],
        model_version=model_version[:128],
        policy_version=policy.version,
        detail=detail,
    )


def record_batch_rating(engine: Engine, entry: AuditEntry) -> None:
    """Append the run's entry to the audit log of ``engine``'s database, committed before this returns."""
    AuditRepository(engine).record(entry)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER: a container's anonymous uid
        return str(os.getuid())
