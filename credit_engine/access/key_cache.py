"""The last known key table on local disk, so a service started while its database is down still knows its keys.

Whenever the API keys are loaded from the database, :func:`write_key_cache` stores them — key ids, roles, scopes,
revocation times and the SHA-256 of each secret, never a secret — in one JSON file readable by the service's user
only (mode 0600), replaced atomically. The file's name carries the tag of its database
(:func:`~credit_engine.service_db.identity.database_tag`), so one deployment never accepts another's keys.
:func:`read_key_cache` returns the stored records, or None for a missing, unreadable or too widely readable file.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from credit_engine.service_db.identity import database_tag

log = logging.getLogger(__name__)


def key_cache_path(folder: Path, engine: Engine) -> Path:
    """Where the keys of ``engine``'s database are cached, under the service's data folder."""
    return Path(folder) / f"api-keys-{database_tag(engine)}.json"


def write_key_cache(path: Path, records: list[dict[str, Any]]) -> None:
    """Replace the cache with ``records`` (plain JSON values): written to a private temporary file, fsynced, then
    renamed over the old one, so a reader sees the old table or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    text = json.dumps({"keys": records}, ensure_ascii=False, sort_keys=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, text.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, path)


def read_key_cache(path: Path) -> list[dict[str, Any]] | None:
    """The cached records, or None (no cache, not this user's, readable by others, or not a key table)."""
    try:
        status = path.stat()
        if status.st_uid != os.getuid() or stat.S_IMODE(status.st_mode) & 0o077:
            log.warning("API key cache %s is not private to this user (mode 0600): ignored", path.name)
            return None
        records = json.loads(path.read_text(encoding="utf-8"))["keys"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("API key cache %s cannot be read: %s", path.name, type(error).__name__)
        return None
    return records if isinstance(records, list) else None
