"""The BM25F index: flat sparse/dense storage equals the straightforward computation, and the
analyser's block-by-block segmentation equals jieba's."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pytest

from intents.normalize import normalize_loose
from knowledge import index as index_module
from knowledge.analysis import _RUN_SPLIT, Analyzer
from knowledge.base import KnowledgeBase
from knowledge.index import FIELDS, K1, ZONE_WEIGHTS, Postings, service_fields
from knowledge.schema import Catalogue


def reference(catalogue: Catalogue, analyzer: Analyzer) -> dict[str, dict[int, float]]:
    """feature -> service -> contribution, computed with dictionaries, field by field."""
    docs = []
    for service in catalogue.services:
        doc: dict[str, dict[str, int]] = {}
        for field, texts in service_fields(service).items():
            counts: dict[str, int] = defaultdict(int)
            for text in texts:
                for feature in analyzer.document_features(normalize_loose(text)):
                    counts[feature] += 1
            doc[field] = counts
        docs.append(doc)
    n = len(docs)
    zone_df: dict[str, dict[str, int]] = {zone: defaultdict(int) for zone in ZONE_WEIGHTS}
    for doc in docs:
        for zone in ZONE_WEIGHTS:
            fields = [f for f, spec in FIELDS.items() if spec[0] == zone]
            for feature in {t for f in fields for t in doc[f]}:
                zone_df[zone][feature] += 1
    avg = {f: max(1.0, sum(sum(d[f].values()) for d in docs) / n) for f in FIELDS}
    out: dict[str, dict[int, float]] = defaultdict(dict)
    for i, doc in enumerate(docs):
        pseudo: dict[str, dict[str, float]] = {zone: defaultdict(float) for zone in ZONE_WEIGHTS}
        for field, counts in doc.items():
            zone, weight, b = FIELDS[field]
            norm = (1 - b) + b * sum(counts.values()) / avg[field]
            for feature, count in counts.items():
                pseudo[zone][feature] += weight * count / norm
        for zone, values in pseudo.items():
            for feature, value in values.items():
                df = zone_df[zone][feature]
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                contrib = ZONE_WEIGHTS[zone] * idf * value / (K1 + value)
                out[feature][i] = out[feature].get(i, 0.0) + contrib
    return out


def stored(postings: Postings, feature: str) -> dict[int, float]:
    row = postings.features[feature]
    dense = postings.dense_row[row]
    if dense >= 0:
        values = postings.dense[dense]
        return {int(d): float(values[d]) for d in np.flatnonzero(values)}
    start, end = postings.indptr[row], postings.indptr[row + 1]
    docs, contrib = postings.docs[start:end], postings.contrib[start:end]
    assert list(docs) == sorted(docs)
    return {int(d): float(c) for d, c in zip(docs, contrib, strict=True)}


@pytest.mark.parametrize("share", [0.0, 0.2, 0.5, 2.0])  # all dense ... none dense
def test_postings_equal_the_reference(
    tiny_kb: KnowledgeBase, share: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "DENSE_SHARE", share)
    catalogue = tiny_kb.catalogue
    analyzer = Analyzer(["居民身份证", "住房公积金", "残疾人证"])
    postings = Postings(catalogue.services, analyzer)
    expected = reference(catalogue, analyzer)
    assert set(postings.features) == set(expected)
    for feature, by_doc in expected.items():
        got = stored(postings, feature)
        assert got.keys() == by_doc.keys(), feature
        for doc, value in by_doc.items():
            assert got[doc] == pytest.approx(value, rel=1e-6), (feature, doc)
        row = postings.features[feature]
        assert postings.max_contrib[row] == pytest.approx(max(by_doc.values()), rel=1e-6)
    dense_rows = int((postings.dense_row >= 0).sum())
    if share == 0.0:
        assert dense_rows == len(expected)
    if share > 1.0:
        assert dense_rows == 0


@pytest.mark.parametrize("share", [0.0, 2.0])
def test_rankings_do_not_depend_on_the_storage(
    tiny_kb: KnowledgeBase, share: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "DENSE_SHARE", share)
    kb = KnowledgeBase(tiny_kb.catalogue, tiny_kb.districts)
    for text in ("身份证丢了怎么补", "第一次办身份证", "租房提公基金", "残疾证", "南山身份证过期"):
        got = [(h.service.id, h.score, h.confidence) for h in kb.search(text)]
        want = [(h.service.id, h.score, h.confidence) for h in tiny_kb.search(text)]
        assert [g[0] for g in got] == [w[0] for w in want], text
        for g, w in zip(got, want, strict=True):
            assert g[1:] == pytest.approx(w[1:], abs=2e-4)


def test_tokens_equal_jieba_tokenize() -> None:
    analyzer = Analyzer(["港澳通行证", "居民身份证"])
    texts = [
        "第一次办港澳通行证要带啥",
        "身份证丢了, 怎么补办?? 在线办abc123可以吗",
        "a b  c",
        "   ",
        "",
        "\r\n你好\r\n谢谢",
        "x-y_z.%#&+ 居民身份证㐀补办",  # ASCII symbols jieba keeps, a CJK extension character
        "港澳通行证过期了换新的要带什么。港澳通行证过期了换新的要带什么。",
    ]
    for text in texts:
        expected = [
            (w, s, e)
            for w, s, e in analyzer._jieba.tokenize(text, HMM=True)
            if not _RUN_SPLIT.fullmatch(w)
        ]
        assert analyzer.tokens(text) == expected, text
        analyzer.cache_clear()
        assert analyzer.tokens(text) == expected, text
