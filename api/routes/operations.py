"""Operations: liveness, readiness, Prometheus metrics, the served model and its reload."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool

from api import server
from api.deps import PrincipalDep, ServicesDep
from api.schemas.common import error_responses
from api.schemas.operations import HealthOut, ModelOut, ReadyOut, ReloadOut
from credit_engine.access.principal import Permission

router = APIRouter(tags=["operations 运维"])


@router.get("/healthz", response_model=HealthOut, summary="The process is up / 存活")
async def healthz() -> HealthOut:
    return HealthOut(status="ok")


@router.get(
    "/readyz",
    response_model=ReadyOut,
    summary="Ready to serve: model loaded, database reachable / 就绪",
    responses={503: {"model": ReadyOut, "description": "Not ready: the body says what is missing"}},
)
async def readyz(services: ServicesDep, response: Response) -> ReadyOut:
    model = services.champion.current
    database = await run_in_threadpool(services.database_ready)
    ready = model is not None and database
    response.status_code = 200 if ready else 503
    version = model.model_version if model else None
    enterprise = services.enterprise_champion.current
    return ReadyOut(
        ready=ready,
        model_loaded=model is not None,
        database=database,
        model_version=version,
        fund_headroom_fresh=services.fund_headrooms.fresh,
        enterprise_model_version=enterprise.model_version if enterprise else None,
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics / 监控指标",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics(services: ServicesDep) -> Response:
    content, media_type = await run_in_threadpool(services.metrics.exposition)
    return Response(content, media_type=media_type)


def _model_out(services) -> ModelOut:
    model = services.champion.current
    return ModelOut(
        model_version=model.model_version if model else None,
        model_uri=services.champion.model_uri,
        loaded_at=model.loaded_at if model else None,
        fast_path=bool(model and model.fast_path),
        last_reload_error=services.champion.last_error,
    )


@router.get(
    "/v1/models/champion",
    response_model=ModelOut,
    tags=["models 模型"],
    summary="The model served / 当前模型",
    responses=error_responses(401, 403),
)
def champion(principal: PrincipalDep, services: ServicesDep) -> ModelOut:
    principal.require(Permission.READ_MODELS)
    return _model_out(services)


@router.post(
    "/v1/models/reload",
    response_model=ReloadOut,
    tags=["models 模型"],
    summary="Serve the newly promoted champion / 重新加载冠军模型",
    responses=error_responses(401, 403, 409),
)
def reload_model(principal: PrincipalDep, services: ServicesDep) -> ReloadOut:
    """Load what `models:/<name>@champion` points to now and swap it in atomically: requests in flight finish on
    the old model. A reload that fails (bad artifact, schema mismatch) keeps the old model and says why (409). With
    several workers, every worker then loads the new champion too."""
    principal.require(Permission.MANAGE_MODELS)
    outcome = services.reload_champion()
    if outcome.changed:
        server.reload_siblings()  # with several workers: every one of them loads it too
    return ReloadOut(
        previous_version=outcome.previous_version, model_version=outcome.model_version, changed=outcome.changed
    )
