"""Intent classifier: a linear SVM on the weighted features, temperature-calibrated.

A one-vs-rest LinearSVC (class-balanced) gives one margin per intent. (A logistic-regression
ensemble was measured: no better on either benchmark, ten times slower to train.)
Confidence is a softmax over the margins with a temperature fitted to cross-validated margins
(minimum log-loss), so that "0.6" means roughly "right 60% of the time" on data like the
training data. With fewer than 2 examples of some intent the temperature falls back to 1.

scikit-learn and scipy are imported only when training: a hub that loads a saved model
starts about a second sooner and holds less memory without them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from intents.sparse import FeatureIndex, Features, FloatArray, LinearScorer


@dataclass(frozen=True)
class ClassifierSettings:
    svm_c: float = 0.5
    calibration_folds: int = 3
    seed: int = 7


def _fit(
    rows: Sequence[Features], labels: Sequence[str], classes: list[str], s: ClassifierSettings
) -> LinearScorer:
    from sklearn.svm import LinearSVC

    index = FeatureIndex(rows)
    y = np.array([classes.index(label) for label in labels])
    svm = LinearSVC(C=s.svm_c, class_weight="balanced", random_state=s.seed)
    svm.fit(index.matrix(rows), y)
    return LinearScorer(index, svm.coef_, svm.intercept_)


def softmax(scores: FloatArray, temperature: float) -> FloatArray:
    z = scores / temperature
    z = np.exp(z - z.max())
    result: FloatArray = z / z.sum()
    return result


def _fit_temperature(scores: FloatArray, y: FloatArray) -> float:
    from scipy.optimize import minimize_scalar

    def nll(log_t: float) -> float:
        t = math.exp(log_t)
        z = scores / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y)), y.astype(int)].mean())

    result = minimize_scalar(nll, bounds=(-4.0, 4.0), method="bounded")
    return float(math.exp(result.x))


class IntentClassifier:
    def __init__(self, classes: list[str], model: LinearScorer, temperature: float):
        self.classes = classes
        self._model = model
        self.temperature = temperature

    @classmethod
    def train(
        cls,
        rows: Sequence[Features],
        labels: Sequence[str],
        settings: ClassifierSettings = ClassifierSettings(),
    ) -> IntentClassifier:
        classes = sorted(set(labels))
        if len(classes) < 2:
            raise ValueError(f"need at least 2 intents to train, got {classes}")
        model = _fit(rows, labels, classes, settings)
        return cls(classes, model, cls._calibrate(rows, labels, classes, settings))

    @staticmethod
    def _calibrate(
        rows: Sequence[Features], labels: Sequence[str], classes: list[str], s: ClassifierSettings
    ) -> float:
        from sklearn.model_selection import StratifiedKFold

        counts = [list(labels).count(c) for c in classes]
        folds = min(s.calibration_folds, min(counts))
        if folds < 2:
            return 1.0
        y = np.array([classes.index(label) for label in labels])
        scores = np.zeros((len(rows), len(classes)))
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=s.seed)
        for train_idx, test_idx in splitter.split(np.zeros(len(y)), y):
            fold_rows = [rows[i] for i in train_idx]
            fold_labels = [labels[i] for i in train_idx]
            fold_classes = sorted(set(fold_labels))
            model = _fit(fold_rows, fold_labels, fold_classes, s)
            for i in test_idx:
                fold_scores = model.scores(rows[i])
                full = np.full(len(classes), fold_scores.min())
                full[[classes.index(c) for c in fold_classes]] = fold_scores
                scores[i] = full
        return _fit_temperature(scores, y.astype(np.float64))

    def rank(self, features: Features) -> list[tuple[str, float]]:
        probs = softmax(self._model.scores(features), self.temperature)
        order = np.argsort(-probs)
        return [(self.classes[i], float(probs[i])) for i in order]
