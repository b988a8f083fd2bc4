"""The reference methods the benchmarks measure the pipeline against, each as ``fit on train → PD on test``."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def _columns(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    categorical = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    return categorical, [c for c in frame.columns if c not in categorical]


def optbinning_lr(train: pd.DataFrame, y: np.ndarray, test: pd.DataFrame) -> np.ndarray:
    from optbinning import BinningProcess

    categorical, _ = _columns(train)
    binning = BinningProcess(list(train.columns), categorical_variables=categorical)
    model = make_pipeline(binning, LogisticRegression(max_iter=1000))
    return model.fit(train, y).predict_proba(test)[:, 1]


def toad_lr(train: pd.DataFrame, y: np.ndarray, test: pd.DataFrame) -> np.ndarray:
    import toad

    frame = train.assign(target=y)
    combiner = toad.transform.Combiner()
    combiner.fit(frame, y="target", method="chi", min_samples=0.05)
    binned = combiner.transform(frame)
    woe = toad.transform.WOETransformer()
    train_woe = woe.fit_transform(binned, binned["target"], exclude=["target"]).drop(columns=["target"])
    test_woe = woe.transform(combiner.transform(test))
    model = LogisticRegression(max_iter=1000).fit(train_woe, y)
    return model.predict_proba(test_woe[train_woe.columns])[:, 1]


def plain_lightgbm(train: pd.DataFrame, y: np.ndarray, test: pd.DataFrame) -> np.ndarray:
    categorical, _ = _columns(train)

    def as_category(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        for c in categorical:
            out[c] = pd.Categorical(out[c], categories=sorted(train[c].astype(str).unique()))
        return out

    model = lgb.LGBMClassifier(verbose=-1, random_state=0)
    return model.fit(as_category(train), y).predict_proba(as_category(test))[:, 1]


def onehot_lr(train: pd.DataFrame, y: np.ndarray, test: pd.DataFrame) -> np.ndarray:
    categorical, numeric = _columns(train)
    prep = ColumnTransformer(
        [("cat", OneHotEncoder(handle_unknown="ignore"), categorical), ("num", StandardScaler(), numeric)]
    )
    model = make_pipeline(prep, LogisticRegression(max_iter=2000))
    return model.fit(train, y).predict_proba(test)[:, 1]
