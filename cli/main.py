"""The ``credit-engine`` console script: one typer app with a sub-app per area.

Exit codes: 0 success, 2 invalid input (the full list of errors on stderr), 1 anything else. Heavy libraries are
imported inside commands so that ``credit-engine --help`` stays fast and nothing happens at import.
"""

from __future__ import annotations

import typer

from cli import audit as audit_commands
from cli import data as data_commands
from cli import keys as keys_commands
from cli import ledger as ledger_commands
from cli import monitor as monitor_commands
from cli import outcomes as outcomes_commands
from cli import rating as rating_commands
from cli import report as report_commands
from cli import retrain as retrain_commands
from cli import serve as serve_commands
from cli import stress as stress_commands

app = typer.Typer(
    name="credit-engine",
    help="Credit rating, scoring and fund ledger for poverty-alleviation loans (富民贷 / 强农贷).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(data_commands.app, name="data", help="Synthetic registry data / 合成建档立卡数据.")
app.add_typer(ledger_commands.app, name="ledger", help="Risk-compensation fund ledger / 风险补偿金台账.")
app.add_typer(report_commands.app, name="report", help="Fund reports / 风险补偿金报表.")
app.add_typer(keys_commands.app, name="keys", help="API keys / API 密钥.")
app.add_typer(audit_commands.app, name="audit", help="Audit log / 审计日志.")
app.add_typer(outcomes_commands.app, name="outcomes", help="Loan outcomes / 贷后表现.")
rating_commands.register(app)
serve_commands.register(app)
stress_commands.register(app)
monitor_commands.register(app)
retrain_commands.register(app)


def main() -> None:  # pragma: no cover - console script
    app()
