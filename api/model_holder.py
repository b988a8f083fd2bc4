"""The champion being served, loaded once at start-up and swapped atomically on ``POST /v1/models/reload``.

Requests read :attr:`ChampionHolder.current` once when they start, so a reload never changes a decision half-way:
requests in flight finish on the old model, new ones get the new one the moment the reference is replaced. A reload
first resolves what ``models:/<name>@champion`` points to; the same version is not loaded again. A new version is
loaded and checked in full (it must score the household contract, :meth:`ServedModel.check`) before it replaces
anything; if any step fails the old model keeps serving and the error says why. One reload runs at a time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api.scorer import ModelRejected, ServedModel, sample_records
from credit_engine.errors import BilingualError
from credit_engine.scoring import Champion
from models.store import LoadedModel, load_estimator

log = logging.getLogger(__name__)
Loader = Callable[[str, str | None], LoadedModel]


class ModelUnavailable(BilingualError):
    code = "model_unavailable"
    message_en = "no model is loaded; ask a model administrator to reload the champion"
    message_zh = "尚未加载模型，请模型管理员重新加载冠军模型"


class EnterpriseModelUnavailable(ModelUnavailable):
    message_en = (
        "no 强农贷 enterprise model is registered or loaded (models:/enterprise-pd@champion); train and promote one"
    )
    message_zh = "尚未注册或加载强农贷企业评级模型 (models:/enterprise-pd@champion)，请先训练并晋升"


class ModelReloadFailed(BilingualError):
    code = "model_reload_failed"

    def __init__(self, reason: str, serving: str | None) -> None:
        self.reason = reason
        self.serving = serving
        super().__init__(
            f"reload failed, still serving {serving or 'no model'}: {reason}",
            f"重新加载失败，继续使用 {serving or '（无模型）'}：{reason}",
        )


class ReloadInProgress(BilingualError):
    code = "reload_in_progress"
    message_en = "another reload is running; try again when it has finished"
    message_zh = "另一次重新加载正在进行，请稍后再试"


@dataclass(frozen=True, slots=True)
class ReloadOutcome:
    previous_version: str | None
    model_version: str
    changed: bool


class ChampionHolder:
    """Holds the served champion of ``model_uri`` (e.g. ``models:/household-pd@champion``)."""

    def __init__(
        self,
        model_uri: str,
        tracking_uri: str | None,
        loader: Loader = load_estimator,
        *,
        samples: Callable[[], list[dict[str, Any]]] = sample_records,
        unavailable: type[ModelUnavailable] = ModelUnavailable,
    ) -> None:
        self.model_uri = model_uri
        self.samples = samples  # the applications a new model must score before it serves
        self.unavailable = unavailable
        self.tracking_uri = tracking_uri
        self.loader = loader
        self._current: ServedModel | None = None
        self._reloading = threading.Lock()
        self.last_error: str | None = None

    @property
    def current(self) -> ServedModel | None:
        return self._current

    def serving(self) -> Champion:
        """The scorer and model version a request should use (read once per request)."""
        model = self._current
        if model is None:
            raise self.unavailable()
        return model.champion

    def load_at_start(self) -> None:
        """Load the champion; a failure leaves the service up but not ready (``/readyz``) until a reload works."""
        try:
            self.reload()
        except ModelReloadFailed as error:
            log.error("no champion loaded at start-up: %s", error.reason)

    def reload(self, wait: bool = False) -> ReloadOutcome:
        """Load the champion the registry names now (``wait``: after a reload that is running, instead of raising
        ``ReloadInProgress``)."""
        if not self._reloading.acquire(blocking=wait):
            raise ReloadInProgress()
        try:
            return self._reload()
        finally:
            self._reloading.release()

    def _reload(self) -> ReloadOutcome:
        previous = self._current
        old_version = previous.model_version if previous else None
        try:
            version = self._resolve()
            if previous is not None and version is not None and version == old_version:
                return ReloadOutcome(old_version, old_version, False)
            candidate = ServedModel(self.loader(self.model_uri, self.tracking_uri), samples=self.samples)
            candidate.check()
        except ModelRejected as error:
            raise self._failed(str(error), old_version) from error
        except Exception as error:  # MLflow, the artifact store, unpickling: any failure keeps the old model
            raise self._failed(f"{type(error).__name__}: {error}", old_version) from error
        self._current = candidate
        self.last_error = None
        log.info("serving model %s (was %s), fast path %s", candidate.model_version, old_version, candidate.fast_path)
        return ReloadOutcome(old_version, candidate.model_version, True)

    def _failed(self, reason: str, serving: str | None) -> ModelReloadFailed:
        self.last_error = reason
        log.warning("model reload failed, still serving %s: %s", serving, reason)
        return ModelReloadFailed(reason[:500], serving)

    def _resolve(self) -> str | None:
        """``NAME/VERSION`` the URI points to now (None when it is not a registry URI)."""
        if not self.model_uri.startswith("models:/"):
            return None
        from mlflow import MlflowClient

        from models.store import resolve_version

        name, version = resolve_version(MlflowClient(tracking_uri=self.tracking_uri), self.model_uri)
        return f"{name}/{version}" if name and version else None
