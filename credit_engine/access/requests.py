"""Writes admitted once per idempotency key: a retry replays the first response, never runs the write twice.

Every write carries an ``Idempotency-Key`` chosen by the client; keys are per API key. :meth:`IdempotentRequests.begin`
claims the key for a request (by its SHA-256) before the write runs: a second request with the same key and the
same hash gets the stored response back once the first has finished; with another hash it is refused
(:class:`IdempotencyKeyReused`, HTTP 422); while the first is still running it is refused (:class:`RequestInFlight`,
HTTP 409). A request that ends in an error gives its key back (:meth:`abandon`), so the client may retry it; a
claim left behind by a crashed process expires after ``stale_after``. The ledger's own idempotency (per fund and
event id) still guards the postings underneath.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from credit_engine.access.tables import RequestRow
from credit_engine.clock import Clock, utc_now
from credit_engine.errors import BilingualError

RUNNING, DONE = "running", "done"


class IdempotencyKeyReused(BilingualError):
    code = "idempotency_conflict"

    def __init__(self, key: str) -> None:
        super().__init__(
            f"Idempotency-Key {key} was already used for a different request", f"幂等键 {key} 已用于另一内容不同的请求"
        )


class RequestInFlight(BilingualError):
    code = "request_in_flight"

    def __init__(self, key: str) -> None:
        super().__init__(
            f"a request with Idempotency-Key {key} is still running; retry later",
            f"幂等键 {key} 的请求仍在处理中，请稍后重试",
        )


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status_code: int
    body: str


class IdempotentRequests:
    def __init__(
        self, engine: Engine, stale_after: dt.timedelta = dt.timedelta(minutes=2), clock: Clock = utc_now
    ) -> None:
        self.engine = engine
        self.stale_after = stale_after
        self.clock = clock

    def _insert(self):
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(RequestRow).on_conflict_do_nothing().returning(RequestRow.key_id)

    def begin(self, key_id: str, key: str, request_sha256: str) -> StoredResponse | None:
        """Claim ``key`` for this request (None: run it now), or the stored response of its first run."""
        now = self.clock()
        values = {"key_id": key_id, "idempotency_key": key, "request_sha256": request_sha256, "state": RUNNING}
        with self.engine.begin() as connection:
            if connection.execute(self._insert(), values | {"started_at": now}).first() is not None:
                return None  # claimed (a rowcount is not reliable for this statement on every driver)
            row = connection.execute(
                select(RequestRow).where(RequestRow.key_id == key_id, RequestRow.idempotency_key == key)
            ).one()
            if row.request_sha256 != request_sha256:
                raise IdempotencyKeyReused(key)
            if row.state == DONE:
                return StoredResponse(row.status_code, row.response)
            if now - row.started_at < self.stale_after:
                raise RequestInFlight(key)
            taken = connection.execute(
                update(RequestRow)
                .where(
                    RequestRow.key_id == key_id,
                    RequestRow.idempotency_key == key,
                    RequestRow.started_at == row.started_at,
                )
                .values(started_at=now)
            )
            if taken.rowcount != 1:
                raise RequestInFlight(key)
        return None

    def finish(self, key_id: str, key: str, status_code: int, body: str) -> None:
        """Store the response of a claimed request: retries replay it from now on."""
        with self.engine.begin() as connection:
            connection.execute(
                update(RequestRow)
                .where(RequestRow.key_id == key_id, RequestRow.idempotency_key == key)
                .values(state=DONE, status_code=status_code, response=body, finished_at=self.clock())
            )

    def abandon(self, key_id: str, key: str) -> None:
        """Give the key back after a failed request (nothing was written): a retry runs again."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(RequestRow).where(
                    RequestRow.key_id == key_id, RequestRow.idempotency_key == key, RequestRow.state == RUNNING
                )
            )
