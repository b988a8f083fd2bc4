"""``credit-engine monitor``: model monitoring (模型监控) of the assessments since the model was registered.

Stability (PSI of the PD, CSI of each feature against the reference profile logged with the model), performance on
matured outcomes with early reads, fairness by county, gender and age band, and the decision mix — each figure
green / watch / act under the monitoring policy (the ledger and audit log as known at the end of the as-of day, or
at ``--known-at``) — written as JSON, XLSX or a self-contained HTML page, and logged
to MLflow as a monitoring run linked to the model version. The reference is the profile logged with ``--model``'s
version (default: the champion), or ``--baseline``: a run id, a profile JSON file, or a registry file
(CSV / XLSX / Parquet) profiled with the model's PDs. Exit codes: 0 every figure green or at watch, 3 any at act,
2 invalid options (every one named), 1 other failures. Heavy modules are imported inside the command.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from cli import options
from cli.common import console, guarded, settings
from cli.options import KNOWN_AT_HELP

FORMATS = ("json", "xlsx", "html")
PROFILE_SUFFIX = ".json"


def _options(as_of: str, since: str | None, fmt: str):  # noqa: ANN202 - (as_of, since)
    import datetime as dt

    from credit_engine.errors import InvalidInput, RowError

    errors, days = [], {}
    for option, text in (("--as-of", as_of), ("--since", since)):
        try:
            days[option] = dt.date.fromisoformat(text) if text is not None else None
        except ValueError:
            errors.append(RowError(None, option, "date", "YYYY-MM-DD / 日期格式 YYYY-MM-DD", text))
    if fmt not in FORMATS:
        errors.append(RowError(None, "--format", "monitor_format", "json | xlsx | html / 格式", fmt))
    if errors:
        raise InvalidInput(errors, f"{len(errors)} invalid option(s) / 选项有误")
    return days["--as-of"], days["--since"]


def _file_reference(config, path: Path, uri: str, spec):  # noqa: ANN001, ANN202 - (profile, identity, None)
    from credit_engine.monitoring.profile import read_profile

    if path.suffix.lower() == PROFILE_SUFFIX:
        try:
            profile = read_profile(path)
        except (ValueError, KeyError, TypeError) as error:
            raise _bad_baseline("reference_profile", "not a reference profile JSON / 不是参照分布文件", path) from error
        about = profile.about
        return profile, {"name": about.get("model_name", ""), "version": about.get("model_version", "")}, None
    from models.store import load_estimator
    from training.data import load_frame
    from training.monitoring_run import reference_profile

    loaded = load_estimator(uri, config.mlflow_tracking_uri)
    identity = {"name": str(loaded.model_name or ""), "version": str(loaded.version or ""), "uri": uri}
    frame = load_frame(path, spec, require_label=False)
    about = {"model_name": identity["name"], "model_version": identity["version"], "baseline": str(path)}
    return reference_profile(loaded.estimator, frame, spec, about), identity, None


def _bad_baseline(rule: str, message: str, value: object):  # noqa: ANN202 - an InvalidInput
    from credit_engine.errors import InvalidInput, RowError

    return InvalidInput([RowError(None, "--baseline", rule, message, str(value))], "invalid --baseline / 参照有误")


def _reference(config, baseline: str | None, uri: str, spec):  # noqa: ANN001, ANN202
    """(profile, model identity, registration day or None, from the registry?) of the options."""
    from training.monitoring_run import model_reference, run_reference

    if baseline is None:
        return (*model_reference(config, uri), True)
    if Path(baseline).exists():
        return (*_file_reference(config, Path(baseline), uri, spec), False)
    if Path(baseline).suffix or "/" in baseline:
        raise _bad_baseline("file_exists", "no such file (nor a run id) / 文件不存在（也不是运行编号）", baseline)
    from training import tracking

    return run_reference(tracking.configure(config), baseline), {"run_id": baseline}, None, True


def _read(as_of, known_at):  # noqa: ANN001, ANN202 - MonitoringInputs
    from credit_engine.ledger.database import open_ledger
    from credit_engine.monitoring.service import read_inputs
    from credit_engine.outcomes.definition import load_definition
    from credit_engine.service_db.database import ensure_migrated

    engine = open_ledger(settings())
    try:
        ensure_migrated(engine)
        return read_inputs(engine, as_of, load_definition(), known_at)
    finally:
        engine.dispose()


def _log(config, result, grades: tuple[str, ...]) -> None:  # noqa: ANN001 - Settings, MonitoringResult
    from credit_engine.monitoring.rendering import render_page
    from training.monitoring_run import log_monitoring_run

    run_id = log_monitoring_run(config, result, render_page(result, grades))
    console.print(f"MLflow 监控运行 monitoring run: {run_id}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``credit-engine monitor`` to the console script."""

    @app.command("monitor")
    @guarded
    def monitor(  # noqa: PLR0913 - the command's options
        as_of: str = typer.Option(..., "--as-of", help="As-of date YYYY-MM-DD / 截至日."),
        baseline: str | None = typer.Option(None, "--baseline", help="Run id, profile JSON or registry / 参照."),
        model: str | None = typer.Option(None, "--model", help="Model URI (default: the champion) / 模型."),
        since: str | None = typer.Option(None, "--since", help="First application day (default: registered)."),
        fmt: str = typer.Option(..., "--format", help="json | xlsx | html / 格式."),
        out: Path = typer.Option(..., "--out", help="Output file / 输出文件."),
        policy_file: Path | None = typer.Option(None, "--policy", help="Monitoring policy YAML / 监控策略."),
        log_run: bool | None = typer.Option(None, "--mlflow/--no-mlflow", help="Log to MLflow / 记录到 MLflow."),
        known_at: str | None = typer.Option(None, "--known-at", help=KNOWN_AT_HELP),
    ) -> None:
        """Model monitoring: stability, performance, fairness / 模型监控."""
        from credit_engine.features import household_spec
        from credit_engine.monitoring.policy import STATUS_LABELS, load_monitoring_policy
        from credit_engine.monitoring.rendering import write_monitoring
        from credit_engine.monitoring.service import monitor as run_monitor
        from credit_engine.policy import load_policy

        day, first = _options(as_of, since, fmt)
        moment = options.moment("--known-at", known_at)
        os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # one small JSON: no progress bar
        config, spec = settings(), household_spec()
        policy, grades = load_monitoring_policy(policy_file), load_policy(settings().policy_file).grades
        uri = model or f"models:/{config.model_name}@champion"
        profile, identity, registered, from_registry = _reference(config, baseline, uri, spec)
        inputs = _read(day, moment)
        result = run_monitor(inputs, profile, spec, policy, grades, day, first or registered, identity)
        path = write_monitoring(result, fmt, out, grades)
        if log_run if log_run is not None else from_registry:
            _log(config, result, grades)
        counts = ", ".join(f"{k} {v}" for k, v in result.counts.items())
        console.print(f"模型监控 monitoring: {STATUS_LABELS[result.status]} ({counts}) → {path}", highlight=False)
        if result.exit_code:
            raise typer.Exit(code=result.exit_code)
