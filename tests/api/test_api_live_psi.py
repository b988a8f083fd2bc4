"""``/metrics`` exposes the live PSI of the PD per county against the champion's reference profile and the recent
decision mix; a champion without a profile is served without them."""

from __future__ import annotations

import math
import re

from api.metrics import champion_profile
from api.services import ApiOptions
from credit_engine.monitoring.profile import Bins, ReferenceProfile

REFERENCE = ReferenceProfile(Bins("numeric", (0.5, 0.3, 0.2, 0.0), edges=(0.01, 0.05)), {}, 1000)


def _gauge(text: str, name: str, label: str) -> float:
    found = re.search(rf"^{name}{{{label}}} (\S+)$", text, re.MULTILINE)
    assert found, text
    return float(found.group(1))


def test_metrics_show_the_live_psi_per_county_and_the_decision_mix(api_for, settings_factory, mlflow_store, tmp_path):
    asked = []

    def loader(tracking_uri, version):
        asked.append(version)
        return REFERENCE

    with api_for(
        settings_factory(tmp_path, mlflow_store[0]),
        ApiOptions(key_refresh_seconds=0.5, fund_stale_after_seconds=60, profile_loader=loader),
    ) as api:
        pds = []
        for income in (30_000, 80_000):
            answer = api.post(api.keys.officer, "/v1/fumin/assessments", api.application(annual_net_income=income))
            assert answer.status_code == 200, answer.text
            pds.append(answer.json()["pd"])
        text = api.client.get("/metrics").text
    assert asked == ["household-pd/1"]
    counts = [sum(p < 0.01 for p in pds), sum(0.01 <= p < 0.05 for p in pds), sum(p >= 0.05 for p in pds), 0]
    actual = [max(n / len(pds), 1e-4) for n in counts]
    expected = [max(s, 1e-4) for s in REFERENCE.pd_bins.shares]
    by_hand = sum((a - e) * math.log(a / e) for e, a in zip(expected, actual, strict=True))
    assert abs(_gauge(text, "credit_engine_live_pd_psi", 'county="140121"') - by_hand) < 1e-9
    assert "credit_engine_recent_decision_share{decision=" in text


def test_a_champion_without_a_reference_profile_has_no_live_psi(api, mlflow_store):
    assert champion_profile(mlflow_store[0], "household-pd/1") is None
    answer = api.post(api.keys.officer, "/v1/fumin/assessments", api.application())
    assert answer.status_code == 200
    assert "credit_engine_live_pd_psi{" not in api.client.get("/metrics").text
