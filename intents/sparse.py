"""Named sparse features -> scipy matrices for training, and fast one-row linear scoring.

scikit-learn fits the models; at parse time the hub scores one short text, where a
vectorizer + ``decision_function`` call costs far more than the arithmetic. ``LinearScorer``
keeps the fitted weights as a dense (features x classes) array and scores a feature dict
with one fancy-indexed sum.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # scipy is imported only to train (see intents.classifier)
    from scipy import sparse

Features = Mapping[str, float]
FloatArray = npt.NDArray[np.float64]


class FeatureIndex:
    """Feature name -> column; built from training rows, frozen afterwards."""

    def __init__(self, rows: Iterable[Features], min_count: int = 1):
        counts: dict[str, int] = {}
        for row in rows:
            for name in row:
                counts[name] = counts.get(name, 0) + 1
        names = sorted(n for n, c in counts.items() if c >= min_count)
        self.columns: dict[str, int] = {n: i for i, n in enumerate(names)}
        self.doc_freq = np.array([counts[n] for n in names], dtype=np.float64)

    def __len__(self) -> int:
        return len(self.columns)

    def matrix(self, rows: Sequence[Features]) -> sparse.csr_matrix:
        from scipy import sparse

        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for row in rows:
            for name, value in row.items():
                col = self.columns.get(name)
                if col is not None:
                    indices.append(col)
                    data.append(value)
            indptr.append(len(indices))
        return sparse.csr_matrix(
            (np.array(data, dtype=np.float64), np.array(indices, dtype=np.int64), indptr),
            shape=(len(rows), len(self.columns)),
        )


class LinearScorer:
    """scores = x @ W + b for one sparse feature dict (weights copied out of a fitted model)."""

    def __init__(self, index: FeatureIndex, coef: FloatArray, intercept: FloatArray):
        # sklearn stores (classes x features); a binary model has one row: expand it.
        if coef.shape[0] == 1:
            coef = np.vstack([-coef, coef])
            intercept = np.array([-intercept[0], intercept[0]])
        self.columns = index.columns
        self.weights: FloatArray = np.ascontiguousarray(coef.T)
        self.bias: FloatArray = np.asarray(intercept, dtype=np.float64)

    def scores(self, features: Features) -> FloatArray:
        cols = []
        vals = []
        for name, value in features.items():
            col = self.columns.get(name)
            if col is not None:
                cols.append(col)
                vals.append(value)
        if not cols:
            return self.bias.copy()
        result: FloatArray = np.asarray(vals) @ self.weights[cols] + self.bias
        return result

    def scores_many(self, rows: Sequence[Features]) -> FloatArray:
        """One score row per feature dict (binary-valued rows), with a few numpy calls."""
        cols: list[int] = []
        counts: list[int] = []
        for row in rows:
            found = [c for c in map(self.columns.get, row) if c is not None]
            cols.extend(found)
            counts.append(len(found))
        sums = np.zeros((len(rows), len(self.bias)))
        if cols:
            owner = np.repeat(np.arange(len(rows)), counts)
            gathered = self.weights[cols]
            for k in range(sums.shape[1]):
                sums[:, k] = np.bincount(owner, weights=gathered[:, k], minlength=len(rows))
        result: FloatArray = sums + self.bias
        return result
