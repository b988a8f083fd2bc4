"""The funds a key may see as Prometheus gauges (:mod:`api.fund_gauges`): scraped with a bearer key."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import LedgerReadsDep, PrincipalDep
from api.fund_gauges import exposition
from api.schemas.common import error_responses

router = APIRouter(prefix="/v1", tags=["funds 风险补偿金"])


@router.get(
    "/metrics/funds",
    summary="Fund gauges for Prometheus / 基金监控指标",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}} | error_responses(401, 403, 503),
)
def fund_metrics(principal: PrincipalDep, ledger: LedgerReadsDep) -> Response:
    """Today's figures of every fund the key may read, in the Prometheus text format: balance, covered principal,
    multiple, floor and cap, floor shortfall, headroom, NPL ratio and its suspension threshold, status (one series
    per status, 1 for the current one). Scrape it with the key as a bearer token."""
    content, media_type = exposition(ledger.positions(principal, None, None))
    return Response(content, media_type=media_type)
