"""The drought production simulation (issue 12 §4): a seeded world in which a stale champion meets a drought.

One importable place for ``bench/drought_simulation.py`` and its slow test. :func:`build_world` plays production up
to the as-of day, each step through the product's own path:

1. the generator's registry with the drought scenario (:mod:`training.generator_drought`: 2021–2024 as usual, 2025
   with a drought in a third of the counties and e-commerce growing everywhere);
2. the champion: the training job (:class:`training.train_job.TrainJob`) on the applications before 2024,
   registered in the world's MLflow store;
3. the scoring API (the FastAPI app in-process, with its lifespan: champion, keys, fund headroom, audit writer):
   one fund per county opened through ``POST /v1/funds``, then the 2024 and 2025 applications (up to
   ``served_until``) assessed through ``POST /v1/fumin/assessments:batch`` — one audit entry each;
4. the ledger: the approved loans booked through the API's bank event file route (``POST /v1/ledger/event-files``):
   disbursements, then for the households the generator's truth made bad a delinquency 91 days past due within the
   year and a compensation claim for half of them, and for the good ones the repayment of loans that have reached
   maturity by the as-of day.

The learning loop then runs as console commands (:func:`run_command`: ``credit-engine outcomes build``,
``monitor``, ``retrain`` as subprocesses over the same home). The ledger records every event today while the world
is dated 2024–2026, so the commands read it with ``--known-at`` (the moment the world was built).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from training.generator import LABEL_COLUMN, generate_registry
from training.generator_drought import DroughtScenario, drought_counties

if TYPE_CHECKING:
    from credit_engine.config import Settings

BANK = "SXRCU"
PROVINCE = "14"
FUND_YUAN = 200_000_000
DISBURSED_AFTER_DAYS = 3


@dataclass(frozen=True)
class SimulationConfig:
    """The world's size and dates. ``households`` are the 2021–2024 applications (2025 adds a quarter as many)."""

    households: int = 6_000
    counties: int = 6
    seed: int = 12
    train_before: dt.date = dt.date(2024, 1, 1)
    served_from: dt.date = dt.date(2024, 1, 1)
    served_until: dt.date = dt.date(2025, 9, 30)
    as_of: dt.date = dt.date(2026, 10, 31)
    cv_folds: int = 3
    families: tuple[str, ...] | None = None  # the champion's candidate families (None: the training job's default)
    retrain_families: tuple[str, ...] = ()  # `retrain --family` (empty: every family)
    retrain_cv_folds: int = 5  # `retrain --cv-folds`
    monitor_html: bool = True  # also write monitor's HTML page (a second monitor run)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)  # the champion's (default: the job's, as retrain)
    scenario: DroughtScenario = field(default_factory=DroughtScenario)


@dataclass
class World:
    """What :func:`build_world` made: where, the registry and truth, the drought's counties, the champion, the
    assessments (one row per served application) and the moment every record was known."""

    config: SimulationConfig
    home: Path
    settings: Settings
    env: dict[str, str]
    registry: pd.DataFrame
    truth: pd.DataFrame
    shocked: frozenset[str]
    champion_version: str
    assessments: pd.DataFrame
    events: dict[str, int]
    known_at: dt.datetime

    @property
    def counties(self) -> list[str]:
        return sorted(self.registry["county_code"].unique())

    def group_of(self, county: str) -> str:
        return "shocked" if county in self.shocked else "unshocked"


def environment(home: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment of the world's commands: ``CREDIT_ENGINE_HOME`` (SQLite ledger and MLflow store inside) or a
    database URL, nothing inherited that would point elsewhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_ENGINE_", "MLFLOW_"))}
    env |= {"CREDIT_ENGINE_HOME": str(home), "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false"}
    if database_url:
        env["CREDIT_ENGINE_DATABASE_URL"] = database_url
    return env


def build_world(
    config: SimulationConfig, home: Path, database_url: str | None = None, on_step: Callable[[str], None] = print
) -> World:
    """Generate, train the champion, serve the 2024–2025 applications through the API and book their loans."""
    home.mkdir(parents=True, exist_ok=True)
    settings = world_settings(home, database_url)
    on_step("registry with the drought scenario / 含旱灾情景的合成数据")
    registry, truth = generate_registry(
        config.households, config.seed, counties=config.counties, scenario=config.scenario
    )
    shocked = shocked_counties(config)
    folder = home / "registry"
    folder.mkdir(exist_ok=True)
    registry.to_parquet(folder / "households.parquet", index=False)
    truth.to_parquet(folder / "truth.parquet", index=False)
    before = registry[registry["application_date"] < pd.Timestamp(config.train_before)]
    before.to_parquet(folder / "train.parquet", index=False)
    on_step(f"champion: training job on {len(before)} applications before {config.train_before} / 训练冠军模型")
    version = _train_champion(settings, folder / "train.parquet", config)
    served = registry[
        (registry["application_date"] >= pd.Timestamp(config.served_from))
        & (registry["application_date"] <= pd.Timestamp(config.served_until))
    ]
    on_step(f"serving {len(served)} applications through the scoring API / 评分接口评估")
    assessments, events = _serve_and_book(settings, served, config)
    known_at = dt.datetime.now(dt.UTC)
    env = environment(home, database_url)
    return World(config, home, settings, env, registry, truth, shocked, version, assessments, events, known_at)


def world_settings(home: Path, database_url: str | None = None) -> Settings:
    """The settings the world's commands read from :func:`environment`: everything under ``home`` (the SQLite
    ledger and audit log, or ``database_url``; the MLflow store), whatever this process's environment says."""
    from credit_engine.config import Settings

    database = database_url or f"sqlite:///{home / 'data' / 'ledger.db'}"
    return Settings(home=home, database_url=database, mlflow_tracking_uri=f"sqlite:///{home / 'mlruns' / 'mlflow.db'}")


def shocked_counties(config: SimulationConfig) -> frozenset[str]:
    """The codes of the counties the drought hits (the generator's counties are the first ``config.counties``)."""
    from credit_engine.regions import SHANXI_POVERTY_COUNTIES

    hit = drought_counties(config.scenario, config.seed, config.counties)
    return frozenset(SHANXI_POVERTY_COUNTIES[i].code for i in np.flatnonzero(hit))


def _train_champion(settings, data: Path, config: SimulationConfig) -> str:  # noqa: ANN001 - Settings
    from training.train_job import TrainJob

    job = TrainJob(
        data=data, params=config.params, cv_folds=config.cv_folds, seed=config.seed, families=config.families
    )
    return str(job.run(settings)["model_version"])


def _serve_and_book(settings, served: pd.DataFrame, config: SimulationConfig):  # noqa: ANN001, ANN202
    """Open the funds, assess through the API, book the approved loans through the API's event file route."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from credit_engine.access.keys import create_key
    from credit_engine.access.principal import Scope
    from credit_engine.ledger.database import engine_for_settings, migrate
    from credit_engine.service_db import database as service_db

    engine = engine_for_settings(settings)
    migrate(engine)
    service_db.migrate(engine)
    officer = create_key(engine, "officer", "simulation officer", Scope(BANK, frozenset(), PROVINCE))[1]
    admin = create_key(engine, "fund_admin", "simulation fund administrator", Scope(None, frozenset(), PROVINCE))[1]
    engine.dispose()
    with TestClient(create_app(settings)) as client:
        for county in sorted(served["county_code"].unique()):
            _open_fund(client, admin, county)
        client.app.state.services.fund_headrooms.refresh()
        assessments = _assess(client, officer, served)
        approved = assessments[assessments["decision"] == "approve"]
        events = loan_events(approved, served, config)
        counts = _post_events(client, officer, events)
    return assessments, counts


def _headers(token: str, key: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} | ({"Idempotency-Key": key} if key else {})


def _open_fund(client, token: str, county: str) -> None:  # noqa: ANN001 - a TestClient
    body = {"fund_id": fund_id(county), "county_code": county, "bank_code": BANK, "value_date": "2023-01-02",
            "amount_yuan": str(FUND_YUAN), "no_cap": True, "npl_suspension": "1"}  # fmt: skip
    response = client.post("/v1/funds", json=body, headers=_headers(token, f"open-{county}"))
    if response.status_code != 201:
        raise RuntimeError(f"opening the fund of {county} failed: {response.status_code} {response.text}")


def fund_id(county: str) -> str:
    return f"F-{county}"


def _assess(client, token: str, served: pd.DataFrame) -> pd.DataFrame:  # noqa: ANN001 - a TestClient
    """Every served application through the batch route (up to 1,000 a request): id, assessment, decision, PD,
    grade and credit line."""
    bodies = served.drop(columns=[LABEL_COLUMN]).assign(
        application_date=served["application_date"].dt.strftime("%Y-%m-%d")
    )
    rows = []
    for start in range(0, len(bodies), 1_000):
        chunk = bodies.iloc[start : start + 1_000].to_dict("records")
        response = client.post("/v1/fumin/assessments:batch", json=chunk, headers=_headers(token))
        if response.status_code != 200:
            raise RuntimeError(f"the batch assessment failed: {response.status_code} {response.text[:500]}")
        for sent, row in zip(chunk, response.json()["rows"], strict=True):
            if row["assessment"] is None:
                raise RuntimeError(f"application {sent['application_id']} was refused: {row['errors']}")
            result = row["assessment"]
            rows.append({"application_id": sent["application_id"], "assessment_id": result["assessment_id"],
                         "decision": result["decision"], "pd": result["pd"], "grade": result["grade"],
                         "credit_line_yuan": result["credit_line_yuan"]})  # fmt: skip
    return pd.DataFrame(rows)


def loan_events(approved: pd.DataFrame, served: pd.DataFrame, config: SimulationConfig) -> pd.DataFrame:
    """The bank's events of the approved loans, following the generator's truth (seeded): a disbursement of the
    credit line (at most the request) a few days after the application, within its month (a vintage is the month of
    application); for a bad loan a delinquency 91 days past
    due 4 to 12 months after disbursement (the loan reaches 90 DPD within the window) and, for every other one, a
    compensation claim a week later; for a good loan the repayment of its principal at maturity when that is by the
    as-of day. In value-date order, ending by the as-of day."""
    rng = np.random.default_rng([config.seed, 4])
    loans = approved.merge(served, on="application_id", validate="one_to_one")
    rows: list[dict[str, Any]] = []
    for i, loan in enumerate(loans.itertuples(index=False)):
        applied = loan.application_date.date()
        out = min(applied + dt.timedelta(days=DISBURSED_AFTER_DAYS), _months_later(applied.replace(day=1), 1))
        out = out - dt.timedelta(days=1) if out.day == 1 and out.month != applied.month else out
        due = _months_later(out, int(loan.term_months))
        amount = int(min(loan.credit_line_yuan, loan.requested_amount))
        fund, ref = fund_id(loan.county_code), f"L{i:06d}"
        rows.append({"event_id": f"D{i}", "event_type": "disbursement", "value_date": out, "fund_id": fund,
                     "loan_id": ref, "product": "fumin", "borrower_ref": loan.head_id_number, "amount_yuan": amount,
                     "maturity_date": due})  # fmt: skip
        if getattr(loan, LABEL_COLUMN):
            late = out + dt.timedelta(days=int(rng.integers(120, 360)))
            rows.append({"event_id": f"Q{i}", "event_type": "delinquency", "value_date": late, "fund_id": fund,
                         "loan_id": ref, "days_past_due": 91})  # fmt: skip
            claimed = late + dt.timedelta(days=7)
            if i % 2 == 0 and claimed <= config.as_of:
                rows.append({"event_id": f"C{i}", "event_type": "compensation_claim", "value_date": claimed,
                             "fund_id": fund, "loan_id": ref})  # fmt: skip
        elif due <= config.as_of:
            rows.append({"event_id": f"R{i}", "event_type": "repayment", "value_date": due, "fund_id": fund,
                         "loan_id": ref, "amount_yuan": amount})  # fmt: skip
    events = pd.DataFrame(rows)
    events = events[events["value_date"] <= config.as_of]
    return events.sort_values(["value_date", "event_id"], kind="stable").reset_index(drop=True)


def _months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, 28))


def _post_events(client, token: str, events: pd.DataFrame) -> dict[str, int]:  # noqa: ANN001 - a TestClient
    """The events as the bank's CSV file through the API, in chunks; posted / duplicate / refused counts."""
    counts = {"posted": 0, "duplicate": 0, "refused": 0}
    columns = ["event_id", "event_type", "value_date", "fund_id", "loan_id", "product", "borrower_ref",
               "amount_yuan", "maturity_date", "days_past_due"]  # fmt: skip
    frame = events.reindex(columns=columns)
    frame["days_past_due"] = frame["days_past_due"].astype("Int64")
    frame["amount_yuan"] = frame["amount_yuan"].astype("Int64")
    for number, start in enumerate(range(0, len(frame), 5_000)):
        text = frame.iloc[start : start + 5_000].to_csv(index=False)
        files = {"file": ("events.csv", io.BytesIO(text.encode("utf-8")), "text/csv")}
        response = client.post("/v1/ledger/event-files", files=files, headers=_headers(token, f"events-{number}"))
        if response.status_code != 200:
            raise RuntimeError(f"the event file was refused: {response.status_code} {response.text[:500]}")
        answer = response.json()
        for status in counts:
            counts[status] += answer[status]
        refused = [e for e in answer["events"] if e["status"] == "refused"]
        if refused:
            raise RuntimeError(f"{len(refused)} events refused by the ledger, e.g. {refused[:3]}")
    return counts


def run_command(world: World, *args: str, timeout: float = 1_800) -> subprocess.CompletedProcess:
    """``credit-engine ARGS`` as a console command over the world's home (a subprocess; output captured)."""
    script = Path(sys.executable).with_name("credit-engine")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from cli.main import app; app()"]
    return subprocess.run(  # noqa: S603 - our own console script with our own arguments
        [*command, *args], env=world.env, cwd=world.home, capture_output=True, text=True, timeout=timeout
    )


def known_at_option(world: World) -> list[str]:
    """``--known-at`` the moment the world was built (every record of it known)."""
    return ["--known-at", world.known_at.isoformat()]


def score_unserved(world: World, versions: dict[str, str]) -> dict[str, Any]:
    """Each model version (``{"stale": "1", "retrained": "2"}``) on the scenario year's applications that were never
    served (after ``served_until``: out of time for every model): AUC against the generator's outcomes, and per
    county group (shocked / unshocked) the rows, mean PD, realised default rate, mean true PD and calibration gap
    (realised − mean PD)."""
    from sklearn.metrics import roc_auc_score

    from credit_engine.contract import validate_applications
    from models.store import load_estimator

    year = world.config.scenario.year
    later = world.registry[
        (world.registry["application_date"] > pd.Timestamp(world.config.served_until))
        & (world.registry["application_date"].dt.year == year)
    ]
    frame = validate_applications(later, require_label=True).frame
    truth = world.truth.set_index("application_id").loc[frame["application_id"], "true_pd"].to_numpy()
    groups = np.array([world.group_of(code) for code in frame["county_code"]])
    label = frame[LABEL_COLUMN].to_numpy()
    tracking_uri = world.settings.mlflow_tracking_uri
    scored: dict[str, Any] = {"rows": len(frame), "from": str(later["application_date"].min().date()),
                              "to": str(later["application_date"].max().date()), "models": {}}  # fmt: skip
    for role, version in versions.items():
        model = load_estimator(f"models:/{world.settings.model_name}/{version}", tracking_uri).estimator
        pd_values = np.asarray(model.predict_pd(frame), dtype=float)
        by_group = {}
        for group in ("shocked", "unshocked"):
            mask = groups == group
            by_group[group] = {"rows": int(mask.sum()), "mean_pd": float(pd_values[mask].mean()),
                               "realised_rate": float(label[mask].mean()), "true_pd": float(truth[mask].mean()),
                               "calibration_gap": float(label[mask].mean() - pd_values[mask].mean())}  # fmt: skip
        scored["models"][role] = {"version": version, "auc": float(roc_auc_score(label, pd_values)),
                                  "by_group": by_group}  # fmt: skip
    scored["bayes_auc"] = float(roc_auc_score(label, truth))
    return scored


@dataclass
class LoopResult:
    """The console commands' exit codes, seconds and outputs: the outcome file, monitor's JSON, retrain's report."""

    exit_codes: dict[str, int]
    seconds: dict[str, float]
    outputs: dict[str, str]
    monitoring: dict
    retrain: dict


def run_loop(world: World, monitor_since: dt.date | None = None, retrain_policy: Path | None = None) -> LoopResult:
    """``outcomes build``, ``monitor`` (JSON and HTML, the scenario year's cohorts) and ``retrain`` (with the
    registry the champion was trained on; ``retrain_policy``: a retraining policy file, default the shipped one) as
    console commands at the as-of day, every record known."""
    import json
    import time

    as_of = world.config.as_of.isoformat()
    since = (monitor_since or dt.date(world.config.scenario.year, 1, 1)).isoformat()
    known, out = known_at_option(world), world.home / "out"
    families = [arg for name in world.config.retrain_families for arg in ("--family", name)]
    families += ["--cv-folds", str(world.config.retrain_cv_folds)]
    families += ["--policy", str(retrain_policy)] if retrain_policy else []
    commands = {
        "outcomes": ["outcomes", "build", "--as-of", as_of, "--out", str(out / "outcomes.parquet"), *known],
        "monitor": ["monitor", "--as-of", as_of, "--since", since, "--format", "json",
                    "--out", str(out / "monitoring.json"), *known],
        "monitor_html": ["monitor", "--as-of", as_of, "--since", since, "--format", "html", "--no-mlflow",
                         "--out", str(out / "monitoring.html"), *known],
        "retrain": ["retrain", "--as-of", as_of, "--include-registry", str(world.home / "registry" / "train.parquet"),
                    "--report", str(out / "retrain.json"), *families, *known],
    }  # fmt: skip
    if not world.config.monitor_html:
        del commands["monitor_html"]
    codes, seconds, outputs = {}, {}, {}
    for name, args in commands.items():
        started = time.perf_counter()
        done = run_command(world, *args)
        seconds[name] = time.perf_counter() - started
        codes[name], outputs[name] = done.returncode, done.stdout + done.stderr
    monitoring = json.loads((out / "monitoring.json").read_text(encoding="utf-8"))
    retrain = json.loads((out / "retrain.json").read_text(encoding="utf-8"))
    return LoopResult(codes, seconds, outputs, monitoring, retrain)
