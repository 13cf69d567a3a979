"""Boosted trees for the dedup scorers' second stage: fitted with scikit-learn at calibration
time, exported as complete trees of fixed depth that numpy walks at run time (scoring.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from townhall.dedup.scoring import ALWAYS_LEFT


def fit_boosted(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[Any],
    *,
    trees: int,
    depth: int,
    learning_rate: float,
    l2_regularization: float,
    seed: int,
) -> tuple[Any, dict[str, Any]]:
    """Boosted trees of `depth` levels over `x`: the fitted model and its exported trees."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    boosted = HistGradientBoostingClassifier(
        max_iter=trees,
        learning_rate=learning_rate,
        max_depth=depth,
        max_leaf_nodes=None,
        l2_regularization=l2_regularization,
        early_stopping=False,
        random_state=seed,
    )
    boosted.fit(x, y)
    return boosted, export_trees(boosted, depth)


def export_trees(model: Any, depth: int) -> dict[str, Any]:
    """Copy a fitted HistGradientBoostingClassifier into complete trees of `depth` levels."""
    inner, outer = 2**depth - 1, 2**depth
    features: list[list[int]] = []
    thresholds: list[list[float]] = []
    leaves: list[list[float]] = []
    # `_predictors` and `_baseline_prediction` are private; the calibrations check that the
    # exported trees reproduce scikit-learn's probabilities, so a change cannot slip through.
    for (predictor,) in model._predictors:
        feat = [0] * inner
        thr = [ALWAYS_LEFT] * inner
        leaf = [0.0] * outer
        _fill(predictor.nodes, 0, 0, depth, feat, thr, leaf)
        features.append(feat)
        thresholds.append(thr)
        leaves.append(leaf)
    return {
        "depth": depth,
        "base": float(np.ravel(model._baseline_prediction)[0]),
        "features": features,
        "thresholds": thresholds,
        "leaves": leaves,
    }


def _fill(
    nodes: Any,
    node: int,
    slot: int,
    depth: int,
    feat: list[int],
    thr: list[float],
    leaf: list[float],
) -> None:
    """Write `node` of a scikit-learn tree into heap slot `slot`, padding shallow leaves."""
    inner = 2**depth - 1
    if slot >= inner:
        if not nodes[node]["is_leaf"]:
            raise ValueError("a boosted tree is deeper than the exported depth")
        leaf[slot - inner] = float(nodes[node]["value"])
        return
    if nodes[node]["is_leaf"]:
        # Padding: threshold +inf always goes left; both children carry the same leaf.
        _fill(nodes, node, 2 * slot + 1, depth, feat, thr, leaf)
        _fill(nodes, node, 2 * slot + 2, depth, feat, thr, leaf)
        return
    feat[slot] = int(nodes[node]["feature_idx"])
    thr[slot] = float(nodes[node]["num_threshold"])
    _fill(nodes, int(nodes[node]["left"]), 2 * slot + 1, depth, feat, thr, leaf)
    _fill(nodes, int(nodes[node]["right"]), 2 * slot + 2, depth, feat, thr, leaf)
