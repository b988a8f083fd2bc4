"""``credit-engine retrain``: retraining that proves itself (模型重训).

Builds the training set from the matured outcomes as of ``--as-of`` (the outcome build of ``credit-engine outcomes
build``, the ledger as known at the end of that day or at ``--known-at``; censored loans left out; ``--window-months``
and ``--dpd`` override the outcome definition) plus an original registry file if given, weighted by recency under
the retraining policy; trains every family with the training job (``--family``: only the families named;
``--cv-folds`` as for ``train``), recalibrates it by county on the latest matured vintages before the gate's
(policy ``recalibration``: a log-odds offset per county, those loans kept out of the model's training rows) and
registers the challenger; runs the promotion gate on the most recent matured
vintages out of time against the champion re-scored on the same rows (the approval ratios on every assessment of
those months); promotes only when the gate passes; writes the report (JSON).
Idempotent per as-of and data. Exit codes: 0 promoted or already done, 4 the gate refused (the champion stays),
2 invalid input (every option named), 1 other failures. Heavy modules are imported inside the command.
"""

from __future__ import annotations

from pathlib import Path

import typer

from cli import options
from cli.common import console, guarded, settings
from cli.options import KNOWN_AT_HELP

OPTION_OF_FIELD = {"window_months": "--window-months", "dpd_threshold": "--dpd"}


def _options(as_of: str, overrides: dict[str, int | None], report: Path, definition):  # noqa: ANN001, ANN202
    """The as-of date and the effective outcome definition; every bad option in one ``InvalidInput``."""
    import datetime as dt

    from credit_engine.errors import InvalidInput, RowError
    from credit_engine.outcomes.definition import OutcomeDefinitionError

    errors, day, effective = [], None, definition
    try:
        day = dt.date.fromisoformat(as_of)
    except ValueError:
        errors.append(RowError(None, "--as-of", "date", "YYYY-MM-DD / 日期格式 YYYY-MM-DD", as_of))
    if report.suffix.lower() != ".json":
        errors.append(RowError(None, "--report", "json", "a .json file / 须为 .json 文件", str(report)))
    values = {field: value for field, value in overrides.items() if value is not None}
    try:
        effective = definition.with_overrides("options", **values)
    except OutcomeDefinitionError as error:
        for field, message in error.problems:
            errors.append(RowError(None, OPTION_OF_FIELD.get(field, field), field, f"{message} / 取值超出范围",
                                   str(values.get(field))))  # fmt: skip
    if errors:
        raise InvalidInput(errors, f"{len(errors)} invalid option(s) / 选项有误")
    return day, effective


def _outcomes(day, definition, known_at):  # noqa: ANN001, ANN202 - (the OutcomeTable, the applicants' inputs)
    """The outcome table and the inputs of every assessment recorded by the same moment (the gate's applicants)."""
    from credit_engine.ledger.database import open_ledger
    from credit_engine.ledger.queries.outcomes import recorded_assessments
    from credit_engine.ledger.unit_of_work import UnitOfWork
    from credit_engine.outcomes.build import build_outcomes, summary_lines
    from credit_engine.service_db.database import ensure_migrated

    engine = open_ledger(settings())
    try:
        ensure_migrated(engine)
        table, moment = build_outcomes(engine, definition, day, known_at)
        with UnitOfWork(engine, read_only=True) as uow:
            assessments = recorded_assessments(uow, moment, product=definition.product)
            applicants = [dict(stored.inputs) for stored in assessments]
    finally:
        engine.dispose()
    for line in summary_lines(definition, table.summary):
        console.print(line, highlight=False)
    return table, applicants


def _check_files(registry: Path | None, policy: Path | None) -> None:
    from credit_engine.errors import InvalidInput, RowError

    missing = [(option, path) for option, path in (("--include-registry", registry), ("--policy", policy))
               if path is not None and not path.is_file()]  # fmt: skip
    if missing:
        raise InvalidInput([RowError(None, option, "file_exists", "no such file / 文件不存在", str(path))
                            for option, path in missing])  # fmt: skip


def _recalibration_lines(result: dict) -> list[str]:
    """One line per county whose offset moved its odds by at least a tenth, when the challenger was trained now."""
    terms = (result.get("training") or {}).get("recalibration")
    if not terms:
        return []
    lines = [f"分县校准 recalibration by county ({len(terms['counties'])} counties; others unchanged):"]
    for county in terms["counties"]:
        if abs(county["odds_ratio"] - 1.0) >= 0.1:
            before, after = county["model_mean_pd"], county["recalibrated_mean_pd"]
            lines.append(
                f"  {county['county_code']}: odds × {county['odds_ratio']:.2f} — {county['loans']} loans / 笔, "
                f"{county['bads']} bad / 违约; model {before:.2%} → {after:.2%}, "
                f"realised / 实际 {county['realised_default_rate']:.2%}"
            )
    return lines


def register(app: typer.Typer) -> None:
    """Add ``credit-engine retrain`` to the console script."""

    @app.command("retrain")
    @guarded
    def retrain(  # noqa: PLR0913 - the command's options
        as_of: str = typer.Option(..., "--as-of", help="As-of date YYYY-MM-DD / 截至日."),
        window_months: int | None = typer.Option(None, "--window-months", help="Window in months / 表现期(月)."),
        dpd: int | None = typer.Option(None, "--dpd", help="Days past due that make a loan bad / 逾期天数阈值."),
        registry: Path | None = typer.Option(None, "--include-registry", help="Original registry / 原始样本."),
        policy: Path | None = typer.Option(None, "--policy", help="Retraining policy YAML / 重训策略."),
        report: Path = typer.Option(..., "--report", help="Report .json / 报告文件."),
        known_at: str | None = typer.Option(None, "--known-at", help=KNOWN_AT_HELP),
        families: list[str] | None = typer.Option(None, "--family", help=options.FAMILY_HELP),
        cv_folds: int = typer.Option(5, "--cv-folds", min=2, help="Cross-validation folds / 交叉验证折数."),
    ) -> None:
        """Retrain on matured outcomes and gate the challenger / 模型重训与晋级闸门."""
        import json

        from credit_engine.outcomes.definition import load_definition
        from credit_engine.retraining.policy import load_retraining_policy
        from training.retrain_job import RetrainJob

        overrides = {"window_months": window_months, "dpd_threshold": dpd}
        day, definition = _options(as_of, overrides, report, load_definition())
        moment = options.moment("--known-at", known_at)
        _check_files(registry, policy)
        load_retraining_policy(policy)  # a bad policy is refused before the ledger is read
        table, applicants = _outcomes(day, definition, moment)
        job = RetrainJob(as_of=day, registry=registry, policy=policy, cv_folds=cv_folds, **options.families(families))
        result = job.run(settings(), table.rows, lambda step: console.print(step, highlight=False), applicants)
        result["outcome_definition"] = {"version": definition.version, "fingerprint": definition.fingerprint()}
        result["outcomes"] = table.summary
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
        for line in _recalibration_lines(result):
            console.print(line, highlight=False)
        said = f"{result['model_name']} version {result['version']} (champion {result['champion_after']})"
        console.print(f"模型重训 retrain: {result['decision_label']} — {said} → {report}", highlight=False)
        if result["exit_code"]:
            raise typer.Exit(code=result["exit_code"])
