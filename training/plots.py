"""Evaluation plots saved as PNG files for MLflow: ROC, calibration, PD by grade, SHAP summary.

Uses matplotlib's Agg backend (no screen); every function writes one file and returns its path.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.metrics import roc_curve  # noqa: E402


def roc_plot(y: np.ndarray, scores: dict[str, np.ndarray], path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(5.5, 5))
    for name, pd_ in scores.items():
        fpr, tpr, _ = roc_curve(y, pd_)
        ax.plot(fpr, tpr, label=name)
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC on the holdout")
    ax.legend(loc="lower right")
    return _save(fig, path)


def calibration_plot(deciles: list[dict], path: Path, title: str = "Calibration by decile") -> Path:
    frame = pd.DataFrame(deciles)
    fig, ax = plt.subplots(figsize=(5.5, 5))
    top = float(max(frame["mean_pd"].max(), frame["observed_rate"].max())) * 1.1
    ax.plot([0, top], [0, top], linestyle=":", color="grey")
    ax.plot(frame["mean_pd"], frame["observed_rate"], marker="o", label="observed default rate")
    if "mean_true_pd" in frame:
        ax.plot(frame["mean_pd"], frame["mean_true_pd"], marker="s", label="generator's true PD")
    ax.set(xlabel="mean predicted PD", ylabel="rate", title=title)
    ax.legend(loc="upper left")
    return _save(fig, path)


def grade_distribution_plot(grades: np.ndarray, pd_: np.ndarray, y: np.ndarray, order: list[str], path: Path) -> Path:
    frame = pd.DataFrame({"grade": grades, "pd": pd_, "y": y})
    stats = frame.groupby("grade").agg(n=("pd", "size"), mean_pd=("pd", "mean"), rate=("y", "mean"))
    stats = stats.reindex(order).fillna(0)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.bar(stats.index, stats["n"], color="#4c72b0")
    left.set(title="Households by grade", ylabel="count")
    right.plot(stats.index, stats["mean_pd"], marker="o", label="mean PD")
    right.plot(stats.index, stats["rate"], marker="s", label="observed default rate")
    right.set(title="PD by grade", ylabel="rate")
    right.legend()
    return _save(fig, path)


def shap_summary_plot(contributions: np.ndarray, matrix: np.ndarray, names: list[str], path: Path) -> Path:
    """Beeswarm of per-feature contributions (TreeSHAP from ``pred_contrib``, bias column dropped).

    ``matrix`` is the model's encoded input (categories as codes), which colours the points.
    """
    import shap

    values = contributions[:, : len(names)]
    features = pd.DataFrame(matrix[:, : len(names)], columns=names)
    shap.summary_plot(values, features, show=False, max_display=20, plot_size=(8, 7))
    fig = plt.gcf()
    fig.suptitle("SHAP summary (log-odds contributions)")
    return _save(fig, path)


def _save(fig: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
