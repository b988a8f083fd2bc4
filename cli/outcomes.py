"""``credit-engine outcomes build``: the outcome table of the rated 富民贷 loans as of a day (贷后表现).

One row per disbursed 富民贷 loan linked to its assessment, with the assessment's inputs, PD, grade, model and policy
versions and the label bad / good / censored under the outcome definition (``credit_engine/policy/outcomes-*.yaml``;
``--window-months`` and ``--dpd`` override it, the file's metadata records the effective definition). The ledger and
audit log are read as known at the end of the as-of day (China time), or at ``--known-at`` (a back-dated as-of
of a ledger recorded later, e.g. a replayed history); ``--county`` narrows the build to the loans of a county's
funds and its assessments. Exit codes: 0 written, 2 invalid options (every error listed, each naming its option),
1 other failures. Heavy modules are imported inside the command.
"""

from __future__ import annotations

from pathlib import Path

import typer

from cli import options
from cli.common import console, guarded, settings
from cli.options import KNOWN_AT_HELP

app = typer.Typer(no_args_is_help=True, help="Loan outcomes / 贷后表现.")
OPTION_OF_FIELD = {"window_months": "--window-months", "dpd_threshold": "--dpd"}


def _options(as_of, window_months, dpd, out: Path, counties: list[str], definition):  # noqa: ANN001, ANN202
    """The as-of date and the effective definition; every bad option in one ``InvalidInput``."""
    import datetime as dt
    import re

    from credit_engine.errors import InvalidInput, RowError
    from credit_engine.outcomes.definition import OutcomeDefinitionError

    errors, values = [], {}
    try:
        day = dt.date.fromisoformat(as_of)
    except ValueError:
        errors.append(RowError(None, "--as-of", "date", "YYYY-MM-DD / 日期格式 YYYY-MM-DD", as_of))
    for field, text in (("window_months", window_months), ("dpd_threshold", dpd)):
        if text is not None:
            try:
                values[field] = int(text)
            except ValueError:
                errors.append(RowError(None, OPTION_OF_FIELD[field], "integer", "a whole number / 须为整数", text))
    for county in counties:
        if not re.fullmatch(r"\d{6}", county):
            errors.append(RowError(None, "--county", "county_code", "6 digits (GB/T 2260) / 6 位县代码", county))
    if out.suffix.lower() != ".parquet":
        errors.append(RowError(None, "--out", "parquet", "a .parquet file / 须为 .parquet 文件", str(out)))
    try:
        effective = definition.with_overrides("options", **values)
    except OutcomeDefinitionError as error:
        effective = definition
        for field, message in error.problems:
            option = OPTION_OF_FIELD.get(field, field)
            errors.append(RowError(None, option, field, f"{message} / 取值超出范围", str(values.get(field))))
    if errors:
        raise InvalidInput(errors, f"{len(errors)} invalid option(s) / 选项有误")
    return day, effective


@app.command("build")
@guarded
def build(
    as_of: str = typer.Option(..., "--as-of", help="As-of date YYYY-MM-DD / 观察日."),
    window_months: str | None = typer.Option(None, "--window-months", help="Window in months / 表现期(月)."),
    dpd: str | None = typer.Option(None, "--dpd", help="Days past due that make a loan bad / 逾期天数阈值."),
    out: Path = typer.Option(..., "--out", help="Output .parquet file / 输出文件."),
    county: list[str] | None = typer.Option(None, "--county", help="Only this county, repeatable / 仅该县."),
    definition_file: Path | None = typer.Option(None, "--definition", help="Outcome definition YAML / 贷后表现定义."),
    known_at: str | None = typer.Option(None, "--known-at", help=KNOWN_AT_HELP),
) -> None:
    """Build the outcome table of the rated 富民贷 loans / 生成贷后表现表."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from credit_engine.ledger.database import open_ledger
    from credit_engine.outcomes.build import build_outcomes, summary_lines
    from credit_engine.outcomes.definition import load_definition
    from credit_engine.outcomes.outfile import build_metadata, write_outcomes
    from credit_engine.service_db.database import ensure_migrated

    shipped = load_definition(definition_file)
    day, definition = _options(as_of, window_months, dpd, out, county or [], shipped)
    moment = options.moment("--known-at", known_at)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("opening / 打开数据库", total=None)
        engine = open_ledger(settings())
        try:
            ensure_migrated(engine)
            table, known_at = build_outcomes(
                engine,
                definition,
                day,
                moment,
                on_step=lambda step: progress.update(task, description=step),
                counties=county,
            )
        finally:
            engine.dispose()
        progress.update(task, description=f"writing / 写入 {out}")
        path = write_outcomes(table.rows, build_metadata(definition, shipped, day, known_at, table.summary), out)
    for line in summary_lines(definition, table.summary):
        console.print(line, highlight=False)
    console.print(f"outcomes / 贷后表现: {len(table.rows)} rows / 行 → {path}", highlight=False)
