"""Asset correlation and the one-factor Gaussian copula: a pool's default rate given the systematic factor.

A loan defaults within a period when its latent variable ``√ρ·Z + √(1−ρ)·ε`` falls below ``Φ⁻¹(PD)``; given the
systematic factor ``Z`` its probability of default is ``Φ((Φ⁻¹(PD) − √ρ·Z) / √(1−ρ))`` (Vasicek). ``ρ`` is set per
product, or by Basel's formula for other retail exposures from the loan's own PD (:func:`basel_retail_correlation`:
3 % for high PDs up to 16 % for low ones). :func:`conditional_pd_curve` tabulates the exposure-weighted default rate
of a pool of loans with different PDs and correlations on a grid of ``Z``, so a simulation reads it with one
``numpy.interp`` per scenario instead of one normal CDF per loan.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri

Z_GRID = np.linspace(-8.0, 8.0, 1601)


def basel_retail_correlation(pd: np.ndarray) -> np.ndarray:
    """Basel II/III "other retail" asset correlation: 0.03·w + 0.16·(1 − w), w = (1 − e^(−35·PD)) / (1 − e^(−35))."""
    weight = (1.0 - np.exp(-35.0 * np.asarray(pd, dtype=float))) / (1.0 - np.exp(-35.0))
    return 0.03 * weight + 0.16 * (1.0 - weight)


def period_pd(annual_pd: np.ndarray, months: int) -> np.ndarray:
    """The PD over ``months`` of a loan whose 12-month PD is ``annual_pd`` (a constant monthly hazard)."""
    return 1.0 - (1.0 - np.asarray(annual_pd, dtype=float)) ** (months / 12.0)


def conditional_pd(pd: np.ndarray, rho: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Vasicek: each loan's PD given the factor value ``z`` (broadcasting)."""
    pd = np.clip(pd, 1e-12, 1 - 1e-12)
    rho = np.asarray(rho, dtype=float)
    return ndtr((ndtri(pd) - np.sqrt(rho) * z) / np.sqrt(1.0 - rho))


def conditional_pd_curve(pd: np.ndarray, rho: np.ndarray, weight: np.ndarray, chunk: int = 2048) -> np.ndarray:
    """The ``weight``-weighted PD of a pool given each value of :data:`Z_GRID` (an array the size of the grid).

    An empty pool (no weight) has a curve of zeros."""
    pairs, inverse = np.unique(np.column_stack([pd, rho]).astype(float), axis=0, return_inverse=True)
    weight = np.bincount(inverse.ravel(), weights=np.asarray(weight, dtype=float), minlength=len(pairs))
    pd, rho = pairs[:, 0], pairs[:, 1]  # one term per distinct (PD, ρ): a homogeneous pool is one CDF per point
    total = weight.sum()
    curve = np.zeros_like(Z_GRID)
    if total <= 0:
        return curve
    for start in range(0, pd.size, chunk):
        part = slice(start, start + chunk)
        found = conditional_pd(pd[part, None], rho[part, None], Z_GRID[None, :])
        curve += weight[part] @ found
    return curve / total
