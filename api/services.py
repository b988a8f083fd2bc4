"""Everything a running API holds, built from the settings when the app starts and closed when it stops.

One database engine (the ledger's: SQLite by default, PostgreSQL by URL) serves the ledger and the service tables;
the champion is loaded from the MLflow registry (``models:/<model_name>@champion``). Background threads keep the
API keys, the funds' headroom, the audit writer and (SQLite) the log checkpoints going; a serving process then freezes
its start-up heap (:mod:`api.heap`). If the database is unreachable at start-up the service still starts:
assessments answer (fund headroom unknown), keys are checked against the last known key table (a cache in the data
folder, written whenever the keys are loaded) and ``/readyz`` says what is missing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from api import heap
from api.alert_webhook import WebhookSender
from api.audit_writer import AuditWriter
from api.metrics import Metrics, champion_profile
from api.model_holder import (
    ChampionHolder,
    EnterpriseModelUnavailable,
    Loader,
    ModelReloadFailed,
    ReloadInProgress,
    ReloadOutcome,
)
from api.scorer import enterprise_samples
from credit_engine.access.key_cache import key_cache_path
from credit_engine.access.keys import KeyRing
from credit_engine.access.requests import IdempotentRequests
from credit_engine.alerts.changes import SeenStatus
from credit_engine.alerts.service import FundAlerts
from credit_engine.assessment import Assessor, FundHeadrooms
from credit_engine.audit.repository import AuditRepository
from credit_engine.config import Settings
from credit_engine.desk import LedgerDesk
from credit_engine.enterprise.assessment import EnterpriseAssessor
from credit_engine.enterprise.policy import load_enterprise_policy
from credit_engine.ledger import database as ledger_db
from credit_engine.ledger.wal import WalCheckpointer
from credit_engine.monitoring.profile import ReferenceProfile
from credit_engine.policy import load_policy
from credit_engine.service_db import database as service_db
from models.store import load_estimator

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApiOptions:
    """Limits and intervals of a running API (tests shorten them)."""

    max_body_bytes: int = 256 * 1024
    max_upload_bytes: int = 10 * 1024 * 1024
    key_refresh_seconds: float = 5.0
    fund_refresh_seconds: float = 2.0
    fund_stale_after_seconds: float = 15.0
    wal_checkpoint_seconds: float = 1.0  # SQLite: checkpoints off the commits (credit_engine.ledger.wal)
    audit_timeout_seconds: float = 30.0
    model_loader: Loader = field(default=load_estimator)
    profile_loader: Callable[[str | None, str | None], ReferenceProfile | None] = field(default=champion_profile)
    settle_heap: bool = False  # freeze what start-up loaded (api.heap); a serving process, not every test app


class Services:
    def __init__(self, settings: Settings, options: ApiOptions, metrics: Metrics | None = None) -> None:
        self.settings = settings
        self.options = options
        self.metrics = metrics or Metrics()
        self.engine = _engine(settings)
        self.checkpoints = WalCheckpointer(self.engine, options.wal_checkpoint_seconds)
        secret = settings.pseudonym_secret.get_secret_value()
        self.policy = load_policy(settings.policy_file)
        self.champion = ChampionHolder(
            f"models:/{settings.model_name}@champion", settings.mlflow_tracking_uri, options.model_loader
        )
        self.keys = KeyRing(self.engine, options.key_refresh_seconds, key_cache_path(settings.data_dir, self.engine))
        self.requests = IdempotentRequests(self.engine)
        self.fund_headrooms = FundHeadrooms(
            self.engine,
            refresh_seconds=options.fund_refresh_seconds,
            stale_after_seconds=options.fund_stale_after_seconds,
        )
        self.audit = AuditWriter(AuditRepository(self.engine), settings.data_dir, timeout=options.audit_timeout_seconds)
        self.assessor = Assessor(
            self.policy,
            self.champion.serving,
            self.fund_headrooms,
            self.audit,
            secret,
            on_decision=self.metrics.decided,
            on_assessment=self.metrics.assessed,
        )
        self.enterprise_policy = load_enterprise_policy(settings.enterprise_policy_file)
        self.enterprise_champion = ChampionHolder(
            f"models:/{settings.enterprise_model_name}@champion",
            settings.mlflow_tracking_uri,
            options.model_loader,
            samples=enterprise_samples,
            unavailable=EnterpriseModelUnavailable,
        )
        self.enterprise_assessor = EnterpriseAssessor(
            self.enterprise_policy,
            self.enterprise_champion.serving,
            self.fund_headrooms,
            self.audit,
            secret,
            on_decision=self.metrics.decided,
        )
        self.desk = LedgerDesk.open(self.engine, self.audit, self.fund_headrooms, secret)
        self.alerts = _alerts(settings, self.engine, self.fund_headrooms)

    def start(self) -> None:
        _migrate(self.engine)
        self.checkpoints.start()
        self.audit.start()
        self.keys.start()
        self.fund_headrooms.start()
        if self.alerts is not None:
            self.alerts.start()
        self.champion.load_at_start()
        self.enterprise_champion.load_at_start()
        self._serving(self.champion.current.model_version if self.champion.current else None)
        if self.options.settle_heap:
            heap.settle()

    def reload_champion(self, wait: bool = False) -> ReloadOutcome:
        outcome = self.champion.reload(wait=wait)
        self._reload_enterprise(wait)
        if outcome.changed:
            self._serving(outcome.model_version)
        if outcome.changed and self.options.settle_heap:
            heap.settle()
        return outcome

    def _reload_enterprise(self, wait: bool) -> None:
        """Reload the 强农贷 champion beside the household one; its failure keeps the old one and is only logged."""
        try:
            self.enterprise_champion.reload(wait=wait)
        except (ModelReloadFailed, ReloadInProgress) as error:
            log.warning("enterprise model not reloaded: %s", error)

    def _serving(self, version: str | None) -> None:
        """The model version in use, and its reference profile for the live PSI."""
        self.metrics.serving(version)
        self.metrics.watch(self.options.profile_loader(self.settings.mlflow_tracking_uri, version))

    def follow_sibling_reload(self) -> None:
        """Another worker of this server reloaded the champion: load it here too (after any reload running now);
        a failure is logged and the old model keeps serving."""
        try:
            outcome = self.reload_champion(wait=True)
        except ModelReloadFailed as error:
            log.warning("following another worker's reload failed, still serving %s", error.serving)
            return
        log.info("followed another worker's reload: serving %s", outcome.model_version)

    def close(self) -> None:
        if self.alerts is not None:
            self.alerts.close()
        self.fund_headrooms.close()
        self.keys.close()
        self.audit.close()
        self.checkpoints.close()
        self.engine.dispose()
        if self.options.settle_heap:
            heap.release()

    def database_ready(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True


def _alerts(settings: Settings, engine: Engine, headrooms: FundHeadrooms) -> FundAlerts | None:
    """The fund alerts, when a webhook is configured (its secret is required with it)."""
    if not settings.alert_webhook_url:
        return None
    if settings.alert_webhook_secret is None:
        raise ValueError("CREDIT_ENGINE_ALERT_WEBHOOK_SECRET is required with CREDIT_ENGINE_ALERT_WEBHOOK_URL")

    def seen() -> list[SeenStatus]:
        return [
            SeenStatus(fund.fund_id, fund.county_code, fund.bank_code, headroom.status, headroom.headroom_fen)
            for fund, headroom in headrooms.entries()
        ]

    send = WebhookSender(settings.alert_webhook_url, settings.alert_webhook_secret.get_secret_value())
    return FundAlerts(engine, seen, send, refresh_seconds=settings.alert_check_seconds)


def _engine(settings: Settings) -> Engine:
    sqlite = str(settings.database_url).startswith("sqlite")
    options = {"background_checkpoints": True} if sqlite else {"connect_args": {"connect_timeout": 5}}
    return ledger_db.engine_for_settings(settings, pool_pre_ping=True, **options)


def _migrate(engine: Engine) -> None:
    """SQLite: migrate both schemas; PostgreSQL: refuse an old schema. An unreachable database is only logged."""
    try:
        ledger_db.ensure_migrated(engine)
        service_db.ensure_migrated(engine)
    except SQLAlchemyError as error:
        log.warning("database unreachable at start-up (%s): serving assessments without it", type(error).__name__)
