"""A small learned extractor for entities with open vocabularies (``service`` mentions).

Word-level B/I/O tagging (jieba words, so spans fall on word boundaries) with a linear
model (one-vs-rest logistic regression) over each word, its first/last characters, length,
shape and the two words either side. Affix and context features let it generalise from
annotated examples to mentions the dictionaries miss (办理 + ...证 / ...卡 / ...证明 is a
service); it runs after the rule and dictionary extractors and loses every overlap with
them. Spans whose mean probability is below ``min_confidence`` are dropped. Trained only for
annotated entities that no rule or regex extractor owns; with no such annotations it is
empty and costs nothing.
"""

from __future__ import annotations

import random

import numpy as np

from intents.loader import Example, TrainingData
from intents.normalize import normalize
from intents.sparse import FeatureIndex, Features, LinearScorer
from intents.tokenizer import DomainTokenizer
from intents.types import Entity

_OUT = "O"
Token = tuple[str, int, int]


def _shape(word: str) -> str:
    if word.isdigit():
        return "digit"
    if word.isascii():
        return "ascii"
    return "han" if all("\u4e00" <= c <= "\u9fff" for c in word) else "mixed"


def _token_features(tokens: list[Token]) -> list[Features]:
    """Per jieba word: the word, its affixes and shape, and two words either side."""
    words = ["^^", "^", *(w for w, _, _ in tokens), "$", "$$"]
    rows: list[Features] = []
    for i, (word, _, _) in enumerate(tokens):
        j = i + 2
        rows.append(
            {
                f"w={word}": 1.0,
                f"s1={word[-1]}": 1.0,
                f"s2={word[-2:]}": 1.0,
                f"p1={word[0]}": 1.0,
                f"len={min(len(word), 5)}": 1.0,
                f"shape={_shape(word)}": 1.0,
                f"w-1={words[j - 1]}": 1.0,
                f"w+1={words[j + 1]}": 1.0,
                f"w-2={words[j - 2]}": 1.0,
                f"w+2={words[j + 2]}": 1.0,
                f"w-1|s1={words[j - 1]}|{word[-1]}": 1.0,
                "bias": 1.0,
            }
        )
    return rows


def _labels(tokens: list[Token], spans: list[tuple[int, int, str]]) -> list[str]:
    """B-/I-/O per token; a token that straddles a span boundary is O."""
    labels = []
    for _, start, end in tokens:
        label = _OUT
        for s_start, s_end, name in spans:
            if s_start <= start and end <= s_end:
                label = ("B-" if start == s_start else "I-") + name
        labels.append(label)
    return labels


def _training_examples(data: TrainingData, skip: frozenset[str]) -> list[Example]:
    """Every example with a mention to learn, and at most twice as many without one (a fixed
    sample): enough negatives for precision, and training stays fast on large data."""
    positive = [ex for ex in data.examples if any(s.entity not in skip for s in ex.entities)]
    if not positive:
        return []
    negative = [ex for ex in data.examples if not any(s.entity not in skip for s in ex.entities)]
    random.Random(len(data.examples)).shuffle(negative)
    return positive + negative[: 2 * len(positive)]


class SpanTagger:
    def __init__(
        self,
        scorer: LinearScorer | None,
        classes: list[str],
        tokenizer: DomainTokenizer | None,
        min_confidence: float = 0.6,
    ):
        self._scorer = scorer
        self._classes = classes
        self._tokenizer = tokenizer
        self._min_confidence = min_confidence

    @classmethod
    def train(
        cls, data: TrainingData, tokenizer: DomainTokenizer, skip: frozenset[str]
    ) -> SpanTagger:
        from sklearn.linear_model import LogisticRegression  # training only: see classifier
        from sklearn.multiclass import OneVsRestClassifier

        rows: list[Features] = []
        labels: list[str] = []
        for ex in _training_examples(data, skip):
            spans = [(s.start, s.end, s.entity) for s in ex.entities if s.entity not in skip]
            tokens = tokenizer.tokens(normalize(ex.text))
            rows += _token_features(tokens)
            labels += _labels(tokens, spans)
        if len(set(labels)) < 2:
            return cls(None, [], None)
        index = FeatureIndex(rows, min_count=1)
        # One-vs-rest liblinear: fast on thousands of words (lbfgs was ten times slower).
        model = OneVsRestClassifier(LogisticRegression(C=5.0, solver="liblinear"))
        model.fit(index.matrix(rows), labels)
        coef = np.vstack([est.coef_ for est in model.estimators_])
        intercept = np.concatenate([est.intercept_ for est in model.estimators_])
        if len(model.classes_) == 2:  # a single binary estimator: LinearScorer expands it
            coef, intercept = coef[:1], intercept[:1]
        scorer = LinearScorer(index, coef, intercept)
        return cls(scorer, [str(c) for c in model.classes_], tokenizer)

    @property
    def entity_names(self) -> frozenset[str]:
        return frozenset(c[2:] for c in self._classes if c != _OUT)

    def find(self, norm: str, original: str, tokens: list[Token] | None = None) -> list[Entity]:
        """Spans in ``norm``; ``tokens`` are its jieba tokens when the caller has them."""
        if self._scorer is None or self._tokenizer is None or not norm:
            return []
        if tokens is None:
            tokens = self._tokenizer.tokens(norm)
        if not tokens:
            return []
        scores = self._scorer.scores_many(_token_features(tokens))
        p = np.exp(scores - scores.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        best = p.argmax(axis=1)
        labels = [self._classes[k] for k in best]
        probs = [float(x) for x in p[np.arange(len(best)), best]]
        return self._spans(tokens, labels, probs, original)

    def _spans(
        self, tokens: list[Token], labels: list[str], probs: list[float], original: str
    ) -> list[Entity]:
        found = []
        i = 0
        while i < len(labels):
            if labels[i] == _OUT:
                i += 1
                continue
            name = labels[i][2:]
            j = i + 1
            while j < len(labels) and labels[j] == "I-" + name:
                j += 1
            start, end = tokens[i][1], tokens[j - 1][2]
            confidence = float(np.mean(probs[i:j]))
            text = original[start:end]
            if confidence >= self._min_confidence and end - start >= 2:
                found.append(
                    Entity(name, start, end, text, text, "SpanTagger", round(confidence, 3))
                )
            i = j
        return found
