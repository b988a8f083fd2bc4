"""What the command tests share: settings rooted in a temporary folder over a ledger and audit log of their own."""

from __future__ import annotations

import pytest

from tests.conftest import BACKENDS


@pytest.fixture(params=BACKENDS)
def home(request, monkeypatch, tmp_path, empty_database):
    """``CREDIT_ENGINE_HOME`` in a temporary folder (MLflow's store included) over a database of its own: the
    default SQLite file there, or an empty migrated PostgreSQL database (the ledger beside its audit log)."""
    for name in ("MLFLOW_TRACKING_URI", "CREDIT_ENGINE_MLFLOW_TRACKING_URI", "CREDIT_ENGINE_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CREDIT_ENGINE_HOME", str(tmp_path))
    if request.param == "sqlite":
        monkeypatch.delenv("CREDIT_ENGINE_DATABASE_URL", raising=False)
        yield tmp_path
        return
    from credit_engine.ledger.database import make_engine, migrate
    from credit_engine.service_db.database import migrate as migrate_service

    command = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_").removesuffix("_command")
    with empty_database("postgresql", f"cli_{command}") as url:
        engine = make_engine(url)
        migrate(engine), migrate_service(engine)
        engine.dispose()
        monkeypatch.setenv("CREDIT_ENGINE_DATABASE_URL", url)
        yield tmp_path


def assess_into_audit_log(bodies: list[dict], county: str, pd: float, model_version: str) -> list[str]:
    """The applications assessed by the assessment service — a scorer answering ``pd`` and one reason, the county's
    fund with room to spare — and written to the settings' audit log (the database ``home`` set up); their ids."""
    from credit_engine.access.principal import Principal, Role, Scope
    from credit_engine.assessment import Assessor, FundHeadroom
    from credit_engine.audit.repository import AuditRepository
    from credit_engine.config import load_settings
    from credit_engine.ledger.database import open_ledger
    from credit_engine.policy import load_policy
    from credit_engine.scoring import Champion

    class Scorer:
        def score_record(self, record, top_n=4):
            return pd, ["R06"]

    class Headrooms:
        def for_county(self, county_code, bank_code):
            return FundHeadroom(f"F-{county}", "ok", 10**10)

    settings = load_settings()
    engine = open_ledger(settings)
    try:
        secret = settings.pseudonym_secret.get_secret_value()
        champion = Champion(Scorer(), model_version)
        assessor = Assessor(load_policy(), lambda: champion, Headrooms(), AuditRepository(engine), secret)
        officer = Principal("k-cli", "officer", Role.OFFICER, Scope("RCC", frozenset({county})))
        return [assessor.assess(officer, body).assessment_id for body in bodies]
    finally:
        engine.dispose()
