"""A policy's master scale as the numpy arrays the rating rules index, built once per policy object.

The rules rate one application per API request in microseconds, where rebuilding these small arrays on every call
would be a tenth of the rules' time. A policy is immutable (a frozen model), so its arrays are kept per policy
object — looked up by identity, so a changed copy (``model_copy(update=...)``) gets its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from credit_engine.policy.config import RatingPolicy

_KEPT = 16  # policies whose arrays are kept (a process serves one or two)


@dataclass(frozen=True, slots=True)
class ScaleArrays:
    upper_pd: np.ndarray  # max_pd of every grade but the last (which takes the rest), best grade first
    capped_line_yuan: np.ndarray  # each grade's line, at most the product's maximum amount


_kept: dict[int, tuple[RatingPolicy, ScaleArrays]] = {}


def scale_arrays(policy: RatingPolicy) -> ScaleArrays:
    """The arrays of ``policy`` (built on first use)."""
    kept = _kept.get(id(policy))
    if kept is not None and kept[0] is policy:
        return kept[1]
    lines = np.array([policy.grade_lines_yuan[grade] for grade in policy.grades], dtype="float64")
    arrays = ScaleArrays(
        upper_pd=np.array([band.max_pd for band in policy.master_scale[:-1]], dtype="float64"),
        capped_line_yuan=np.minimum(lines, policy.product_limits.max_amount_yuan),
    )
    if len(_kept) >= _KEPT:
        _kept.clear()
    _kept[id(policy)] = (policy, arrays)  # the entry holds the policy, so its id is not reused while kept
    return arrays
