"""Prometheus metrics of the service: requests and latency by route, decisions by outcome, the model served, and
the live PSI of the PD per county with the recent decision mix (模型监控) against the champion's reference profile.

Each app gets its own registry (nothing is registered at import). With several worker processes
(``PROMETHEUS_MULTIPROC_DIR`` set by ``credit-engine serve --workers N`` before the workers start) every process
writes its values to that folder and ``/metrics`` adds them up across processes (the live PSI and decision shares
are each process's recent assessments; across processes the highest is shown).
"""

from __future__ import annotations

import logging
import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from credit_engine.assessment.decision import Assessment
from credit_engine.monitoring.live import LiveStability
from credit_engine.monitoring.profile import PROFILE_ARTIFACT, ReferenceProfile, read_profile

log = logging.getLogger(__name__)
LATENCY_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "credit_engine_http_requests",
            "HTTP requests by method, route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "credit_engine_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.decisions = Counter(
            "credit_engine_assessments", "Assessments by decision.", ["decision"], registry=self.registry
        )
        self.model = Gauge(
            "credit_engine_model_info",
            "The model version served (1 for the version in use).",
            ["version"],
            registry=self.registry,
            multiprocess_mode="livemax",
        )
        self.live_psi, self.recent_decisions = _monitoring_gauges(self.registry)
        self._version: str | None = None
        self._live: LiveStability | None = None

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def decided(self, decision: str, count: int = 1) -> None:
        self.decisions.labels(decision).inc(count)

    def watch(self, profile: ReferenceProfile | None) -> None:
        """Compare recent assessments with ``profile``'s PD bins from now on (None: the champion has no profile)."""
        self._live = None if profile is None else LiveStability(profile.pd_bins)
        self.live_psi.clear()
        self.recent_decisions.clear()

    def assessed(self, assessment: Assessment) -> None:
        """One assessment decided: its county's PSI and the decision shares move (O(1) per assessment)."""
        live = self._live
        if live is None:
            return
        self.live_psi.labels(assessment.county_code).set(
            live.add(assessment.county_code, assessment.pd, assessment.decision)
        )
        for decision, share in live.decision_shares().items():
            self.recent_decisions.labels(decision).set(share)

    def serving(self, version: str | None) -> None:
        if version == self._version:
            return
        if self._version is not None:
            self.model.labels(self._version).set(0)
        if version is not None:
            self.model.labels(version).set(1)
        self._version = version

    def exposition(self) -> tuple[bytes, str]:
        folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if folder:
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=folder)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def _monitoring_gauges(registry: CollectorRegistry) -> tuple[Gauge, Gauge]:
    """The live PSI of the PD per county and the recent decision shares (set as assessments come in)."""
    live_psi = Gauge(
        "credit_engine_live_pd_psi",
        "PSI of the PD of each county's recent assessments against the champion's training bins.",
        ["county"],
        registry=registry,
        multiprocess_mode="livemax",
    )
    recent_decisions = Gauge(
        "credit_engine_recent_decision_share",
        "Share of each decision among the recent assessments.",
        ["decision"],
        registry=registry,
        multiprocess_mode="livemax",
    )
    return live_psi, recent_decisions


def champion_profile(tracking_uri: str | None, model_version: str | None) -> ReferenceProfile | None:
    """The reference profile logged with ``NAME/VERSION``'s training run (None, logged, when there is none)."""
    if not model_version or "/" not in model_version:
        return None
    import tempfile

    from mlflow import MlflowClient

    try:
        client = MlflowClient(tracking_uri=tracking_uri)
        name, version = model_version.rsplit("/", 1)
        run_id = client.get_model_version(name, version).run_id
        with tempfile.TemporaryDirectory() as folder:
            return read_profile(client.download_artifacts(run_id, PROFILE_ARTIFACT, folder))
    except Exception as error:  # noqa: BLE001 - the service serves on without live PSI
        log.warning("no reference profile for %s, live PSI off: %s", model_version, error)
        return None
