"""jieba word segmentation with a government vocabulary and the caller's domain words.

Each ``DomainTokenizer`` owns a private ``jieba.Tokenizer`` (never jieba's global one) so two
engines with different catalogues do not share a dictionary. jieba's big base dictionary is
read from disk once per process (a read-only cache) and copied into each tokenizer; the domain
words are added at construction, i.e. once at start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)

# Words a citizen uses about government services that jieba's general dictionary splits.
GOVERNMENT_VOCABULARY: tuple[str, ...] = tuple(
    (
        "身份证 居民身份证 居住证 户口本 户口簿 户籍 落户 迁户口 港澳通行证 往来港澳通行证 "
        "台湾通行证 护照 签注 营业执照 统一社会信用代码 社保卡 社保 医保 医保卡 公积金 "
        "住房公积金 个税 个人所得税 不动产登记 房产证 不动产证 结婚登记 离婚登记 出生证明 "
        "出生医学证明 准生证 生育登记 驾驶证 驾照 行驶证 车管所 出入境 办事大厅 政务服务中心 "
        "行政服务大厅 行政服务中心 派出所 街道办 社区工作站 办件 办件进度 受理号 办件编号 "
        "业务编号 好差评 转人工 人工客服 人工服务 12345 热线 一网通办 网上办 掌上办 i深圳 "
        "粤省事 粤商通 小程序 公众号 复印件 原件 证明材料 申请表 工作日 办理时限 承诺时限 "
        "收费标准 免费 预约 取号 排队 窗口 营业时间 上班时间 办公时间 午休 节假日 进度查询 订阅 "
        "退订 投诉 举报 差评 好评 满意度 人才引进 人才补贴 积分入户 学位申请 新生儿 残疾证 低保 "
        "养老金 退休 失业金 失业保险 工伤 灵活就业 创业补贴 租房补贴"
    ).split()
)


@lru_cache(maxsize=1)
def base_dictionary() -> tuple[dict[str, int], int]:
    """jieba's base dictionary (word -> frequency, total), read once per process.

    About 60 MB and 0.7 s to load: every private tokenizer in the process (the catalogue
    search's too) should copy this one rather than load its own. Never mutate it."""
    base = jieba.Tokenizer()
    base.initialize()
    return base.FREQ, int(base.total)


class DomainTokenizer:
    """Segments normalised text into words; the dictionary is fixed after construction."""

    def __init__(
        self, domain_words: Iterable[str] = (), builtin: Sequence[str] = GOVERNMENT_VOCABULARY
    ):
        freq, total = base_dictionary()
        self._jieba = jieba.Tokenizer()
        self._jieba.FREQ = dict(freq)
        self._jieba.total = total
        self._jieba.initialized = True
        words = sorted({w.strip() for w in (*builtin, *domain_words) if w and w.strip()})
        for word in words:
            if " " not in word and len(word) <= 20:
                self._jieba.add_word(word.lower(), freq=max(1000, self._jieba.suggest_freq(word)))
        self.domain_words: tuple[str, ...] = tuple(words)

    def words(self, text: str) -> list[str]:
        """Words of ``text`` (already normalised), whitespace dropped."""
        return [w for w in self._jieba.lcut(text, HMM=True) if w.strip()]

    def tokens(self, text: str) -> list[tuple[str, int, int]]:
        """(word, start, end) with offsets into ``text``; whitespace dropped."""
        return [(w, s, e) for w, s, e in self._jieba.tokenize(text, HMM=True) if w.strip()]

    def __getstate__(self) -> dict[str, object]:
        return {"domain_words": self.domain_words}

    def __setstate__(self, state: dict[str, object]) -> None:
        words = state["domain_words"]
        assert isinstance(words, tuple)
        self.__init__(words, builtin=())  # type: ignore[misc]
