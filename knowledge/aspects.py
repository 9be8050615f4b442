"""Which aspect of a service the citizen asks about, from weighted cue patterns.

Aspects: ``materials fee time_limit locations conditions process online general``. Office
hours are part of ``locations``. Cues are matched on normalised text (Simplified, half-width,
lower case) and cover Mandarin, colloquial and Cantonese phrasing (带啥, 几多钱, 边度 ...).

Resolution:
1. every cue match is collected; overlapping matches keep the longer one (``需要什么条件`` is a
   conditions cue and hides the materials cue ``需要什么``); neutral phrases hide the cue words
   they contain without scoring (``变更地址`` is not a location question, ``资格认证`` is a
   service name, not a conditions question); broad patterns (``要……吗``) never hide;
2. each aspect scores the sum of its cues' weights (a cue counts once); a district mention
   adds a little to ``locations`` (``坪山能换护照吗`` asks where);
3. the highest score wins; ties go to the aspect mentioned first;
4. no cue -> ``general``.

Weights encode which cue is more specific when two aspects meet:
- a channel cue beats a generic "how": ``网上怎么办`` -> online;
- a money cue beats a place word: ``在哪里交钱`` -> fee (the question is about paying; the fee
  answer says how much, and offices are one follow-up away);
- two strong cues of different aspects tie and the first wins: ``要带什么去哪里办`` -> materials;
- yes/no questions about having to or being allowed to (要不要, 需要……吗, 能……吗) lean to
  conditions, but any specific cue outweighs them (``能网上办吗`` -> online).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from knowledge.districts import DEFAULT_DISTRICTS, district_mention
from knowledge.text import normalized

ASPECTS: tuple[str, ...] = (
    "materials",
    "fee",
    "time_limit",
    "locations",
    "conditions",
    "process",
    "online",
    "general",
)

STRONG = 3.0
MEDIUM = 2.0
WEAK = 1.0


def _cues(patterns: str) -> tuple[str, ...]:
    """Space-separated regular expressions (none contains a space)."""
    return tuple(patterns.split())


NEUTRAL = ""  # phrases that contain a cue word without asking about it (变更地址, 资格认证)

# (aspect, weight, broad, regular expressions). A "broad" rule (wildcards, very common words)
# adds its weight but never hides another cue; other matches hide shorter cues they overlap.
_RULES: tuple[tuple[str, float, bool, tuple[str, ...]], ...] = (
    (
        NEUTRAL,
        0.0,
        False,
        _cues(
            r"(?:变更|更改|修改|迁移|改)地址 地址(?:变更|更改|迁移) "
            r"资格(?:认证|确认|审核|核定|复核|审查) 手机号码? 电话号码 身份证号码? 照片回执 怎么样 "
            r"有效期(?:是|有)?(?:多长|多久|几年)(?:时间)?"
        ),
    ),
    (
        "materials",
        STRONG,
        False,
        _cues(
            r"材料 资料 证明文件 复印件 原件 申请表 表格 照片 相片 带[啥些什么咩乜] "
            r"要带 携带 带齐 带上 准备[啥些什么咩乜] 提交[啥些什么咩乜] "
            r"提供[啥些什么咩乜] 拿[啥什么咩乜]去 [啥什么]东西 "
            r"哪些(?:材料|资料|证件|证明|东西) 什么(?:证件|证明)"
        ),
    ),
    (
        "materials",
        MEDIUM,
        False,
        _cues(r"需要[啥什么咩乜]+[?!.。]*$ 要[啥什么咩乜]+[?!.。]*$ 体检"),
    ),
    ("materials", WEAK, False, _cues(r"证件 要[啥咩乜] 准备.{0,4}[啥什么咩乜]")),
    (
        "fee",
        STRONG,
        False,
        _cues(
            r"多少钱 几多钱 几钱 几多银 多少银 几蚊 收费 收[不唔]收 要钱 收钱 出钱 "
            r"要[不唔]要钱 给钱 花钱 费用 免费 工本费 手续费 税费 价格 价钱 花多少 "
            r"[要收]费 贵[不吗唔] [\d一二三四五六七八九十百]+块 费多少 费是多少 "
            r"[哪什]些?[种个]?费 什么费"
        ),
    ),
    ("fee", STRONG + 0.5, False, _cues(r"[交缴付给]钱 [交缴付]费 要[不唔]要[交缴] [交缴付]多少")),
    (
        "time_limit",
        STRONG,
        False,
        _cues(
            r"多久 几耐 好久 几天 多少天 几个?工作日 多少个?工作日 多长时间 多少时间 "
            r"几长时间 多长 时限 期限 什么时候才?[能可]?以?够?[拿领取出到下] "
            r"几时才?[能可]?[拿领取出到] [拿领取]到证 当天 当场 即办 立等 加急 等多 "
            r"[几多]久[能可]?[拿领] 要等 几个月 几周 几个星期 快[吗唔] 慢[吗唔]"
        ),
    ),
    ("time_limit", MEDIUM, False, _cues(r"出证 拿证 领证 [拿领]到 什么时候 啥时候 啥时 几时")),
    ("time_limit", WEAK, False, _cues(r"时间")),
    (
        "locations",
        STRONG,
        False,
        _cues(
            r"在哪 去哪 哪里 哪儿 哪个地方 什么地方 啥地方 地址 地点 位置 边度 喺边 去边 "
            r"边[个间]?(?:地方|窗口|度) (?:有冇|有没有|哪有)地方 附近 最近的 就近 怎么去 "
            r"点去 上班时间 办公时间 营业时间 工作时间 开放时间 几点 周末 周[六日天] "
            r"星期[六日天] 礼拜[六日天] 开门 关门 午休 节假日 上班 下班"
        ),
    ),
    ("locations", MEDIUM, False, _cues(r"电话 联系方式 哪[个间家] 地方")),
    ("locations", 1.5, False, _cues(r"窗口 网点 大厅 办事处 服务点")),
    (
        "conditions",
        STRONG,
        False,
        _cues(
            r"条件 符合 非深户 外地户口 外地人 外省 非本市 非户籍 能不能办 可不可以办 "
            r"可以办吗 能办吗 能否办 是否可以 有没有资格 够不够 门槛 限制 谁可以 谁能 "
            r"哪些(?:人|工作|行业|情况|单位|对象) 什么人 啥人 满足 能[不唔]能申请 可以申请吗 "
            r"能申请吗 得[唔不]得 有冇资格 "
            r"允许 要求 代办 代领 别人帮 家人帮 (?:多久|多长时间|几天|多少天|几年)内(?:要|必须|得) "
            r"(?:缴|交|存|缴存|满)了?(?:多久|几年|多少年|多少个月) "
            r"提前(?:多久|几天|多少天|多长时间)"
        ),
    ),
    (
        "conditions",
        MEDIUM,
        False,
        _cues(
            r"怎么算 如何计算 怎么计算 资格 年龄 \d+岁 [几一二三四五六七八九十]+岁 未满 "
            r"要不要 需不需要 用不用 是否需要 必须 一定要 非要 多少岁 学历 年限 最多 最高 上限 "
            r"额度 能[贷领取报]多少"
        ),
    ),
    (
        "conditions",
        WEAK,
        True,
        _cues(
            r"能不能 可不可以 可以吗 行不行 行吗 [能可].{0,10}吗 帮.{0,4}办 要.{1,10}吗 "
            r"需要.{1,10}吗"
        ),
    ),
    (
        "process",
        MEDIUM,
        False,
        _cues(
            r"怎么办 如何办 怎样办 咋办 咋弄 咋整 怎么弄 怎么搞 怎么申请 如何申请 怎样申请 "
            r"怎么操作 如何操作 怎么做 点样办 点办 点样 点弄 流程 步骤 手续 程序 第一步 "
            r"怎么样(?:才能|办|申请|弄|操作) 先做什么 办理方式 怎么处理 如何处理 怎么预约 "
            r"如何预约 预约 环节 怎么 如何 怎样 咋"
        ),
    ),
    (
        "online",
        STRONG + 1.0,
        False,
        _cues(
            r"网上 线上 在线 网办 手机 app 小程序 网站 网页 网址 链接 官网 粤省事 粤商通 "
            r"i深圳 12123 不用跑 不跑 零跑动 一网通办 掌上 微信 公众号 电脑 远程 不去现场 "
            r"不用去 唔使去 网络 上网 刷脸 人脸识别 视频认证"
        ),
    ),
    ("online", MEDIUM, True, _cues(r"在.{1,8}上(?:办|申请|弄|操作|报|交)")),
)

# A district mention ("坪山能换护照吗") leans towards where to go.
DISTRICT_WEIGHT = MEDIUM
CUE_CACHE_SIZE = 1024  # texts whose cue matches are kept


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[str, float, bool, re.Pattern[str]], ...]:
    return tuple(
        (aspect, weight, broad, re.compile("|".join(f"(?:{p})" for p in patterns)))
        for aspect, weight, broad, patterns in _RULES
    )


Cue = tuple[int, int, str, float]


def _raw_matches(text: str) -> tuple[list[Cue], list[Cue]]:
    """All (start, end, aspect, weight) matches, split into (specific, broad): at every
    position where a rule matches (overlapping matches included). ``search`` from the
    position after the last match skips ahead in C to the next position where one can."""
    specific: list[Cue] = []
    broad: list[Cue] = []
    for aspect, weight, is_broad, pattern in _compiled():
        found = broad if is_broad else specific
        position = 0
        while (m := pattern.search(text, position)) is not None:
            start, end = m.span()
            if end > start:
                found.append((start, end, aspect, weight))
            position = start + 1
    return specific, broad


def _resolve(specific: list[Cue], length: int) -> list[Cue]:
    """Non-overlapping specific cues, longest (then heaviest, then earliest) first."""
    specific.sort(key=lambda c: (-(c[1] - c[0]), -c[3], c[0]))
    chosen: list[Cue] = []
    taken = [False] * length
    for cue in specific:
        if not any(taken[cue[0] : cue[1]]):
            chosen.append(cue)
            taken[cue[0] : cue[1]] = [True] * (cue[1] - cue[0])
    return chosen


@lru_cache(maxsize=CUE_CACHE_SIZE)
def _resolved(text: str) -> tuple[tuple[Cue, ...], tuple[Cue, ...]]:
    """(the non-overlapping specific cues, every broad match) of normalised ``text``: search
    and aspect detection both look at the same message."""
    specific, broad = _raw_matches(text)
    return tuple(_resolve(specific, len(text))), tuple(broad)


def clear_cache() -> None:
    """Forget the cached cue matches."""
    _resolved.cache_clear()


def cue_matches(text: str) -> list[Cue]:
    """Cue matches ``(start, end, aspect, weight)`` in normalised text, longest first wins;
    broad matches are added unless a specific cue of the same aspect starts there."""
    specific, broad = _resolved(text)
    chosen = list(specific)
    covered = {(c[0], c[2]) for c in chosen}
    chosen += [cue for cue in broad if (cue[0], cue[2]) not in covered]
    return sorted(chosen)


def cue_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the specific aspect cues in normalised ``text`` (down-weighted by search);
    neutral phrases (资格认证) and broad patterns are not cues here."""
    specific, _ = _resolved(text)
    return sorted((c[0], c[1]) for c in specific if c[2] != NEUTRAL)


def detect_aspect(text: str, districts: Sequence[str] = DEFAULT_DISTRICTS) -> str:
    """The aspect asked about; ``general`` when no cue is present. A district mention adds
    ``DISTRICT_WEIGHT`` to ``locations``."""
    return aspect_of(normalized(text), districts)


def aspect_of(norm: str, districts: Sequence[str] = DEFAULT_DISTRICTS) -> str:
    """``detect_aspect`` of text that is normalised already."""
    scores: dict[str, float] = {}
    first: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    for start, end, aspect, weight in cue_matches(norm):
        key = (aspect, norm[start:end])
        if aspect == NEUTRAL or key in seen:
            continue
        seen.add(key)
        scores[aspect] = scores.get(aspect, 0.0) + weight
        first.setdefault(aspect, start)
    mention = district_mention(norm, districts)
    if mention is not None:
        scores["locations"] = scores.get("locations", 0.0) + DISTRICT_WEIGHT
        first["locations"] = min(first.get("locations", mention[1]), mention[1])
    if not scores:
        return "general"
    return max(scores, key=lambda a: (scores[a], -first[a]))
