"""The loss waterfall of an insured fund, once, over numpy arrays: the insurer first, then fund and bank.

For a loss ``L`` (a compensated loan's principal, or simulated losses), the insurer pays
``min(L × insurer_share, layer_left)``: a ``share`` cover has no layer (``layer_left`` = ∞) and a ``first_loss``
cover pays everything (share 100 %) until its layer is used up. The remainder ``L − insurer`` is split between the
fund and the bank at the fund policy's share (7:3 by default). Without a cover (share 0) the fund's part is exactly
``L × fund share`` — the rule the ledger had before insurance.

A recovery ``R`` after an insured loss is shared in the proportions in which the loss was borne (DOMAIN.md §3:
recoveries go back pro rata): the insurer takes ``R × insurer part ÷ loss`` back, the rest is split fund:bank at the
same fund share. Integer inputs (fen) are rounded half up to the fen, as :func:`credit_engine.ledger.money.share_of`
does; float inputs (the simulation's yuan) are not rounded. Shares are basis points.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

BPS = 10_000
NO_LAYER = np.iinfo(np.int64).max
"""``layer_left`` of a cover without a first-loss layer (a share cover)."""


class Parts(NamedTuple):
    """Who bears a loss (or receives a recovery): insurer, fund and bank parts, summing to the whole."""

    insurer: NDArray
    fund: NDArray
    bank: NDArray


def _is_integral(*values: NDArray) -> bool:
    """Whole fen: integer arrays, or Python ints in object arrays (one loss, never overflowing)."""
    return all(v.dtype.kind in "iuO" for v in values)


def _times_ratio(amount: NDArray, numerator: NDArray, denominator: NDArray | int, integral: bool) -> NDArray:
    """``amount × numerator ÷ denominator``, rounded half up when integral (fen), exact otherwise."""
    if integral:
        denominator = np.maximum(denominator, 1)
        return (amount * numerator + denominator // 2) // denominator
    return amount * numerator / np.maximum(denominator, 1e-300)


def _split_rest(rest: NDArray, fund_share_bps: NDArray, integral: bool) -> tuple[NDArray, NDArray]:
    fund = _times_ratio(rest, fund_share_bps, BPS, integral)
    return fund, rest - fund


def split_loss(
    loss: ArrayLike, fund_share_bps: ArrayLike, insurer_share_bps: ArrayLike = 0, layer_left: ArrayLike = NO_LAYER
) -> Parts:
    """Insurer, fund and bank parts of ``loss`` (arrays broadcast; fen in → fen out, yuan in → yuan out)."""
    loss, fund_bps = np.asarray(loss), np.asarray(fund_share_bps, dtype=np.int64)
    insurer_bps, layer = np.asarray(insurer_share_bps, dtype=np.int64), np.asarray(layer_left)
    integral = _is_integral(loss)
    wanted = _times_ratio(loss, insurer_bps, BPS, integral)
    insurer = np.minimum(wanted, np.maximum(layer, 0)).astype(loss.dtype if integral else float)
    fund, bank = _split_rest(loss - insurer, fund_bps, integral)
    return Parts(insurer, fund, bank)


def split_recovery(recovered: ArrayLike, loss: ArrayLike, insurer_part: ArrayLike, fund_share_bps: ArrayLike) -> Parts:
    """A recovery's parts: the insurer's pro rata to its part of ``loss``, the rest fund:bank at the fund share."""
    recovered, loss, insurer_part = np.asarray(recovered), np.asarray(loss), np.asarray(insurer_part)
    integral = _is_integral(recovered, loss, insurer_part)
    insurer = _times_ratio(recovered, insurer_part, loss, integral)
    fund, bank = _split_rest(recovered - insurer, np.asarray(fund_share_bps, dtype=np.int64), integral)
    return Parts(insurer, fund, bank)


def _exact(value: int) -> NDArray:
    return np.array(int(value), dtype=object)


def split_one(
    loss_fen: int, fund_share_bps: int, insurer_share_bps: int = 0, layer_left_fen: int | None = None
) -> tuple[int, int, int]:
    """:func:`split_loss` of one loss in fen, as plain ints (insurer, fund, bank)."""
    layer = NO_LAYER if layer_left_fen is None else layer_left_fen
    parts = split_loss(_exact(loss_fen), fund_share_bps, insurer_share_bps, _exact(layer))
    return int(parts.insurer), int(parts.fund), int(parts.bank)


def recovery_one(recovered_fen: int, loss_fen: int, insurer_fen: int, fund_share_bps: int) -> tuple[int, int, int]:
    """:func:`split_recovery` of one recovery in fen, as plain ints (insurer, fund, bank)."""
    parts = split_recovery(_exact(recovered_fen), _exact(loss_fen), _exact(insurer_fen), fund_share_bps)
    return int(parts.insurer), int(parts.fund), int(parts.bank)
