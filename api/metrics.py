"""Prometheus metrics of the service: requests and latency by route, decisions by outcome, the model served.

Each app gets its own registry (nothing is registered at import). With several worker processes
(``PROMETHEUS_MULTIPROC_DIR`` set by ``credit-engine serve --workers N`` before the workers start) every process
writes its values to that folder and ``/metrics`` adds them up across processes.
"""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

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
        self._version: str | None = None

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def decided(self, decision: str, count: int = 1) -> None:
        self.decisions.labels(decision).inc(count)

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
