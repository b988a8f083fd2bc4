"""``credit-engine stress``: the fund stress test (基金压力测试) of the ledger's funds as of a date.

Reads each fund's live book (open loans, their PDs from their assessments or the scenario's product PDs), runs the
Monte-Carlo of :mod:`credit_engine.stress` and writes JSON, XLSX or a self-contained HTML page. Every bad option is
listed at once (exit 2); other failures exit 1. Scenario settings come from the versioned YAML beside the fund
policy, or ``--scenario-file``. Heavy modules are imported inside the command.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from cli.common import console, err_console, guarded, settings

FORMAT_HELP = "json | xlsx | html"


def _number_list(text: str) -> tuple[float, ...]:
    values = tuple(float(part) for part in text.split(",") if part.strip())
    if not values:
        raise ValueError("empty")
    return values


def _check(errors: list, option: str, rule: str, message: str, value: object, ok: bool) -> None:
    from credit_engine.errors import RowError

    if not ok:
        errors.append(RowError(None, option, rule, message, None if value is None else str(value)))


def _scope_errors(errors: list, fund: str | None, county: str | None) -> None:
    from credit_engine.identifiers import code_violation, message, shown

    _check(
        errors, "--county", "one_scope", "--fund or --county, not both / 二者只能选一", county, not (fund and county)
    )
    for option, kind, value in (("--fund", "fund_id", fund), ("--county", "county_code", county)):
        rule = None if value is None else code_violation(kind, value)
        _check(errors, option, rule or "", message(kind, rule) if rule else "", shown(value), rule is None)


def _leverages(errors: list, text: str | None, default: tuple[float, ...]) -> tuple[float, ...]:
    if text is None:
        return default
    try:
        return _number_list(text)
    except ValueError:
        message = "comma-separated multiples, e.g. 8,10,12 / 以逗号分隔的倍数"
        _check(errors, "--leverage", "multiples", message, text, False)
        return default


OPTION_NAMES = {
    "horizon_months": "--horizon-months",
    "scenarios": "--scenarios",
    "leverage": "--leverage",
    "seed": "--seed",
    "workers": "--workers",
}


def parse_options(  # noqa: PLR0913 - one value per option
    as_of: str,
    fund: str | None,
    county: str | None,
    horizon: int,
    scenarios: int,
    leverage: str | None,
    seed: int,
    fmt: str,
    workers: int | None,
    scenario,  # noqa: ANN001 - a StressScenario
    errors_so_far: tuple = (),
):  # noqa: ANN201 - (date, StressOptions)
    """Every option checked at once: ``InvalidInput`` listing each bad one."""
    import datetime as dt

    from credit_engine.errors import InvalidInput
    from credit_engine.stress.scenario import StressOptions

    errors: list = list(errors_so_far)
    day = None
    try:
        day = dt.date.fromisoformat(as_of)
    except ValueError:
        _check(errors, "--as-of", "date", "YYYY-MM-DD", as_of, False)
    _scope_errors(errors, fund, county)
    leverages = _leverages(errors, leverage, scenario.leverages)
    _check(errors, "--format", "stress_format", f"one of {FORMAT_HELP} / 格式", fmt, fmt in ("json", "xlsx", "html"))
    processes = workers if workers is not None else max(min(os.cpu_count() or 1, 2), 1)
    options = StressOptions(horizon, scenarios, leverages, seed, workers=processes)
    for error in options.errors():
        _check(errors, OPTION_NAMES.get(error.field, error.field), error.rule, error.message, error.value, False)
    if errors:
        raise InvalidInput(errors, f"{len(errors)} invalid option(s) / 参数有误")
    return day, options


def _scenario(path: Path | None):  # noqa: ANN202 - (StressScenario, its errors)
    """The scenario settings of ``path`` (default: the shipped file); when they are invalid, the shipped settings and
    the errors, so they are listed with the options' own."""
    from credit_engine.errors import InvalidInput
    from credit_engine.stress.scenario import load_scenario

    try:
        return load_scenario(path), ()
    except InvalidInput as error:
        return load_scenario(), tuple(error.errors)


def _books(day, scenario, fund: str | None, county: str | None):  # noqa: ANN001, ANN202 - LiveBooks
    from credit_engine.errors import InvalidInput, RowError
    from credit_engine.ledger.database import open_ledger
    from credit_engine.stress.live_book import live_books

    engine = open_ledger(settings())
    try:
        books = live_books(engine, day, scenario, fund_id=fund, county_code=county)
    finally:
        engine.dispose()
    if not books:
        option, value = ("--fund", fund) if fund else ("--county", county) if county else ("--as-of", str(day))
        message = "no fund open on the as-of date in this scope / 截至日该范围内没有基金"
        raise InvalidInput([RowError(None, option, "no_fund", message, value)])
    return books


def register(app: typer.Typer) -> None:
    """Add ``credit-engine stress`` to the console script."""

    @app.command("stress")
    @guarded
    def stress(  # noqa: PLR0913 - the command's options
        as_of: str = typer.Option(..., "--as-of", help="Value date YYYY-MM-DD / 截至日."),
        fund: str | None = typer.Option(None, "--fund", help="Only this fund / 仅该基金."),
        county: str | None = typer.Option(None, "--county", help="Only this county's funds (6 digits) / 仅该县."),
        horizon: int = typer.Option(36, "--horizon-months", help="Months simulated / 模拟月数."),
        scenarios: int = typer.Option(100_000, "--scenarios", help="Monte-Carlo scenarios / 情景数."),
        leverage: str | None = typer.Option(None, "--leverage", help="Multiples tested, e.g. 8,10,12 / 测试倍数."),
        seed: int = typer.Option(20260101, "--seed", help="Random seed / 随机种子."),
        fmt: str = typer.Option(..., "--format", help=f"{FORMAT_HELP} / 格式."),
        out: Path = typer.Option(..., "--out", help="Output file / 输出文件."),
        scenario_file: Path | None = typer.Option(None, "--scenario-file", help="Scenario YAML / 情景设置文件."),
        workers: int | None = typer.Option(None, "--workers", help="Processes (default: up to 2) / 进程数."),
    ) -> None:
        """Fund stress test: P(exhaustion), safe multiple, top-up / 基金压力测试."""
        from rich.progress import Progress

        from credit_engine.stress.rendering import write_stress
        from credit_engine.stress.service import stress_test

        scenario, scenario_errors = _scenario(scenario_file)
        day, options = parse_options(
            as_of, fund, county, horizon, scenarios, leverage, seed, fmt, workers, scenario, scenario_errors
        )
        books = _books(day, scenario, fund, county)
        with Progress(console=err_console, transient=True) as progress:
            task = progress.add_task("stress test / 压力测试", total=len(books))
            result = stress_test(books, scenario, options, lambda done, total: progress.update(task, completed=done))
        path = write_stress(result, fmt, out)
        below = sum(f.current.exhaustion_within_horizon >= scenario.target_exhaustion_probability for f in result.funds)
        console.print(
            f"stress test / 压力测试: {len(result.funds)} funds / 基金, {below} above the target / 超过目标, "
            f"{result.loans_with_model_pd}/{result.loans} loans with a model PD / 笔有模型PD → {path}",
            highlight=False,
        )
