"""A bank's event file posted for an API key: validated whole, every fund checked against the key, then each event
posted and audited.

The file is read and validated first (``InvalidInput``: nothing posted; a file that cannot be read at all is
refused as ``file_unreadable``); then every event's fund must lie in the key's scope and every reversal must undo
an event the key may post (earlier in the same file, else as recorded) before any event is posted; then each event
is applied in order (:meth:`~.recording.AuditedLedger.apply_event`) and the per-event outcomes are returned.
Business refusals (cap reached, wrong loan state) are outcomes, not errors.
"""

from __future__ import annotations

from pathlib import Path

from credit_engine.access.principal import Principal
from credit_engine.assessment.headroom import FundHeadrooms
from credit_engine.desk.authorisation import Authorisation
from credit_engine.desk.pseudonyms import Pseudonyms
from credit_engine.desk.recording import AuditedLedger
from credit_engine.errors import InvalidInput, RowError
from credit_engine.ledger import commands as c
from credit_engine.ledger.eventfile import EventRow, read_events
from credit_engine.ledger.importer import command_for


class EventImports:
    def __init__(
        self, authorisation: Authorisation, pseudonyms: Pseudonyms, ledger: AuditedLedger, fund_headrooms: FundHeadrooms
    ) -> None:
        self.authorisation = authorisation
        self.pseudonyms = pseudonyms
        self.ledger = ledger
        self.fund_headrooms = fund_headrooms

    def import_events(self, principal: Principal, path: Path) -> list[dict[str, object]]:
        """Post the file's events for ``principal`` (see the module docstring); per-event outcomes."""
        events = self._read(Path(path))
        commands = [command_for(event, principal.key_id)[1] for event in events]
        in_file = {(command.fund_id, command.idempotency_key): type(command).__name__ for command in commands}
        for command in commands:
            permission = self.authorisation.permission_to_post(principal, command)
            fund = self.authorisation.fund_to_post(principal, permission, command)
            if isinstance(command, c.Reverse):
                self.authorisation.may_reverse(principal, fund, command, in_file)
        outcomes = [
            self.ledger.apply_event(principal, event, command, self.authorisation.fund(command.fund_id))
            for event, command in zip(events, commands, strict=True)
        ]
        self.fund_headrooms.refresh({command.fund_id for command in commands})
        return outcomes

    def _read(self, path: Path) -> list[EventRow]:
        try:
            return read_events(path, self.pseudonyms.secret)
        except InvalidInput:
            raise
        except Exception as error:  # an uploaded file can be anything: whatever breaks the reader, it is not a table
            message = f"the file cannot be read as an event table / 无法读取该事件文件: {type(error).__name__}"
            raise InvalidInput([RowError(None, "file", "file_unreadable", message)]) from None
