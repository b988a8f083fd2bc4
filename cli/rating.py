"""Commands of the rating pipeline: ``train``, ``evaluate``, ``promote`` and ``rate``.

Each command builds a job or service call from its options and shows progress; the work happens in ``training/``
(jobs) and ``credit_engine.batch`` (rating a registry file; the run is one ``batch_rating`` entry in the audit log,
:mod:`credit_engine.batch_audit`). Heavy imports stay inside the commands.
"""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli import options
from cli.common import console, fail, guarded, settings

DataOpt = Annotated[Path, typer.Option("--data", help="Training data: Parquet, CSV or XLSX / 训练数据文件.")]
SpecOpt = Annotated[Path | None, typer.Option("--spec", help="Feature spec YAML (default: household contract).")]
ReportOpt = Annotated[Path | None, typer.Option("--report", help="Write the JSON report here / 报告文件.")]


class Product(StrEnum):
    """The product whose applications a file holds."""

    fumin = "fumin"
    qiangnong = "qiangnong"


def _steps() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console)


@guarded
def train(
    data: DataOpt,
    report: ReportOpt = None,
    spec: SpecOpt = None,
    experiment: Annotated[str | None, typer.Option(help="MLflow experiment name.")] = None,
    model_name: Annotated[str | None, typer.Option(help="Registered model name.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the holdout split and the selection folds.")] = 0,
    refit: Annotated[
        bool,
        typer.Option(
            "--refit/--no-refit",
            help="Select by cross-validation and register the winner refitted on every row (default), or select on "
            "the holdout and register the model fitted without it / 交叉验证选模并用全部数据重训.",
        ),
    ] = True,
    cv_folds: Annotated[int, typer.Option("--cv-folds", min=2, help="Cross-validation folds / 交叉验证折数.")] = 5,
    family: Annotated[list[str] | None, typer.Option("--family", help=options.FAMILY_HELP)] = None,
) -> None:
    """Train every model family, select one, register it / 训练、选模并登记模型."""
    from training.train_job import TrainJob

    job = TrainJob(
        data=data, spec=spec, experiment=experiment, model_name=model_name, report=report, seed=seed, refit=refit,
        cv_folds=cv_folds, **options.families(family),
    )  # fmt: skip
    with _steps() as progress:
        task = progress.add_task("start", total=None)
        result = job.run(settings(), on_step=lambda step: progress.update(task, description=step))
    _print_training(result)


def _print_training(result: dict) -> None:
    shown = ("lightgbm", "scorecard", "linear", "forest", "blend", "manual_sheet")
    families = [name for name in shown if name in result]
    selection = result["selection"]
    cv = selection.get("families", {})
    if cv:
        rows = "all rows / 全部数据" if selection.get("on") == "all_rows" else "training rows / 训练集"
        table = Table(title=f"Cross-validation / 交叉验证 ({selection['method']}, {selection['n_rows']:,} {rows})")
        for column in ("family", "mean AUC", "std", "min", "max"):
            table.add_column(column)
        for name, m in cv.items():
            table.add_row(name, *(f"{m[k]:.4f}" for k in ("mean_auc", "std_auc", "min_auc", "max_auc")))
        console.print(table)
    table = Table(title="Holdout, models fitted without it / 验证集结果（模型未见验证集）")
    for column in ("family", "AUC", "KS", "Brier", "n_test"):
        table.add_column(column)
    for name in families:
        m = result[name]
        table.add_row(name, f"{m['auc']:.4f}", f"{m['ks']:.4f}", f"{m['brier']:.5f}", str(m["n_test"]))
    console.print(table)
    deciles = Table(title=f"Calibration of {result['selected']} on the holdout / 验证集分十组校准")
    for column in ("decile", "rows", "mean PD", "observed rate"):
        deciles.add_column(column, justify="right")
    for row in result["calibration_by_decile"]:
        deciles.add_row(str(row["decile"]), f"{row['n']:,}", f"{row['mean_pd']:.4f}", f"{row['observed_rate']:.4f}")
    console.print(deciles)
    aliases = ", ".join(result["aliases"])
    fitted = result["registered_model"]
    console.print(
        f"selected / 选用: [bold]{result['selected']}[/] (by {result['selection']['by']}), registered fitted on "
        f"{fitted['fitted_on'].replace('_', ' ')} ({fitted['n_rows']:,}) → {result['model_uri']} (aliases: {aliases})"
    )


@guarded
def evaluate(
    model: Annotated[str, typer.Option("--model", help="Model URI, e.g. models:/household-pd@champion.")],
    data: DataOpt,
    report: ReportOpt = None,
    spec: SpecOpt = None,
    truth: Annotated[Path | None, typer.Option(help="Generator truth file (application_id, true_pd).")] = None,
) -> None:
    """Evaluate a stored model on a labelled file / 评估模型."""
    from training.evaluate_job import EvaluateJob

    with _steps() as progress:
        progress.add_task("evaluate", total=None)
        result = EvaluateJob(model=model, data=data, spec=spec, truth=truth, report=report).run(settings())
    shown = {k: result[k] for k in ("auc", "ks", "brier", "n_test", "bayes_auc", "auc_ratio_to_bayes") if k in result}
    console.print_json(json.dumps(shown))


@guarded
def promote(
    model_name: Annotated[str, typer.Option("--model-name", help="Registered model name.")],
    version: Annotated[str, typer.Option("--version", help="Version to promote to champion.")],
    force: Annotated[bool, typer.Option("--force", help="Promote even if not better (needs --reason).")] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (recorded on the version).")] = None,
) -> None:
    """Make a version the champion if it beats the current one on the same holdout / 晋升冠军模型."""
    from training.promote_job import PromoteJob

    if force and not (reason and reason.strip()):
        raise typer.BadParameter("--force needs --reason / 强制晋升必须说明原因", param_hint="--reason")
    result = PromoteJob(model_name=model_name, version=version, force=force, reason=reason).run(settings())
    console.print_json(json.dumps(result, ensure_ascii=False, default=str))


@guarded
def rate(
    input: Annotated[Path, typer.Option("--input", help="Registry file to rate / 待评级文件.")],
    output: Annotated[Path, typer.Option("--output", help="Ratings: .parquet, .csv or .xlsx / 评级结果.")],
    model: Annotated[str | None, typer.Option("--model", help="Model URI (default: the champion).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Stop on any invalid row instead of rejecting it.")] = False,
    reasons: Annotated[bool, typer.Option("--reasons/--no-reasons", help="Compute model reasons.")] = True,
    product: Annotated[
        Product, typer.Option("--product", help="fumin (households, 富民贷) or qiangnong (enterprises, 强农贷).")
    ] = Product.fumin,
) -> None:
    """Rate every application of a file (households, or 强农贷 enterprises with ``--product qiangnong``): PD, grade,
    credit line or loan size, decision, reasons / 批量评级授信."""
    _check_rate_paths(input, output)
    from credit_engine.batch import rate_file
    from models.store import load_estimator

    config = settings()
    policy, table_product, model_name = _product(product, config)
    uri = model or f"models:/{model_name}@champion"
    loaded = load_estimator(uri, config.mlflow_tracking_uri)
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task("rating / 评级中", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = rate_file(
            input,
            output,
            loaded.estimator,
            policy,
            model_version=loaded.label,
            with_reasons=reasons,
            strict=strict,
            on_progress=on_progress,
            product=table_product,
        )
    _record_run(config, input, result, policy, loaded.label)
    _print_summary(result)


def _product(product: Product, config):
    """(policy, the table product for ``rate_file`` (None: 富民贷), registered model name) of ``product``."""
    if product is Product.qiangnong:
        from credit_engine.enterprise.policy import load_enterprise_policy
        from credit_engine.enterprise.table import rate_enterprise_applications
        from credit_engine.enterprise.validation import validate_enterprises

        table = (validate_enterprises, rate_enterprise_applications)
        return load_enterprise_policy(config.enterprise_policy_file), table, config.enterprise_model_name
    from credit_engine.policy import load_policy

    return load_policy(config.policy_file), None, config.model_name


def _record_run(config, input: Path, result, policy, model_version: str) -> None:
    """The run's one ``batch_rating`` entry in the audit log of the configured database."""
    from credit_engine.batch_audit import batch_rating_entry, record_batch_rating
    from credit_engine.ledger.database import open_ledger
    from credit_engine.service_db.database import ensure_migrated

    entry = batch_rating_entry(input, result, policy, model_version)
    engine = open_ledger(config)
    try:
        ensure_migrated(engine)
        record_batch_rating(engine, entry)
    finally:
        engine.dispose()
    console.print(f"audit record / 审计记录 {entry.record_id}", highlight=False)


def _check_rate_paths(input: Path, output: Path) -> None:
    """Exit 2 before any model is loaded or bar drawn: an input that is missing, unreadable or of an unknown type,
    an output of a type the ratings cannot be written as."""
    inputs = (".csv", ".xlsx", ".parquet")
    if not input.exists():
        fail(f"找不到输入文件 / input file not found: {input}", code=2)
    if not input.is_file() or not os.access(input, os.R_OK):
        fail(f"无法读取输入文件 / input file cannot be read: {input}", code=2)
    if input.suffix.lower() not in inputs:
        fail(f"不支持的输入文件类型 / unsupported input type {input.suffix or '(none)'!r}: use {', '.join(inputs)}", 2)
    if output.suffix.lower() not in inputs:
        message = (
            f"不支持的输出文件类型 / unsupported output type {output.suffix or '(none)'!r}: use {', '.join(inputs)}"
        )
        fail(message, code=2)
    try:
        with input.open("rb") as handle:
            handle.read(1)
    except OSError as error:
        fail(f"无法读取输入文件 / input file cannot be read: {input} ({error.strerror})", code=2)


def _print_summary(result) -> None:
    table = Table(title="Ratings by grade / 按等级汇总")
    for column in ("grade 等级", "households 户数", "mean PD", "credit lines 授信总额(元)"):
        table.add_column(column, justify="right")
    for row in result.by_grade.itertuples(index=False):
        table.add_row(str(row.grade), f"{row.households:,}", f"{row.mean_pd:.4f}", f"{row.credit_line_yuan:,}")
    console.print(table)
    console.print(_county_table(result.by_county))
    console.print(
        f"rated / 已评级 {result.rated:,} · rejected / 拒收 {result.rejected:,} · "
        f"output / 输出 {result.output} · summary by county / 分县汇总 {result.summary_path}"
    )
    if result.rejected:
        console.print(f"[yellow]invalid rows written to / 无效行已写入 {result.rejects_path}[/]")


def _county_table(summary) -> Table:
    from credit_engine.regions import county_by_code

    per_county = summary.groupby("county_code", observed=True).agg(
        applications=("applications", "sum"),
        approve=("approve", "sum"),
        refer=("refer", "sum"),
        decline=("decline", "sum"),
        credit_line=("total_credit_line_yuan", "sum"),
    )
    table = Table(title="Ratings by county / 按县汇总")
    table.add_column("county 县", no_wrap=True)
    for column in ("households 户数", "approve 批准", "refer 复核", "decline 拒绝", "lines 授信(元)"):
        table.add_column(column, justify="right")
    for code, row in per_county.iterrows():
        try:
            name = f"{code} {county_by_code(str(code)).name_zh}"
        except KeyError:
            name = str(code)
        table.add_row(
            name,
            f"{row.applications:,}",
            f"{row.approve:,}",
            f"{row.refer:,}",
            f"{row.decline:,}",
            f"{int(row.credit_line):,}",
        )
    return table


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("evaluate")(evaluate)
    app.command("promote")(promote)
    app.command("rate")(rate)
