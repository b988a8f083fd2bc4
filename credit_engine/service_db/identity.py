"""Which database a local file belongs to: a short tag of the database's URL (password left out).

The service keeps a few files beside its database — the audit spool (entries written while the database was down)
and the cache of API keys — and must never apply one database's file to another (a spool drained into the wrong
audit log, keys of one deployment accepted by another). Each file carries the tag of its database in its name;
the same URL always gives the same tag, and a URL never appears in a file name.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url


def database_tag(target: Engine | URL | str) -> str:
    """16 hex digits naming the database of ``target`` (an engine, a URL or URL text)."""
    url = target.url if isinstance(target, Engine) else make_url(target)
    text = url.render_as_string(hide_password=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
