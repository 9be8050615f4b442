"""Everyday words -> the formal terms catalogues use, for query expansion.

Two tables are built in:

- ``BUILTIN_SYNONYMS``: ``{formal term: (everyday words ...)}``. A group is an equivalence
  class: when any member (formal or everyday) occurs in a query, the other members are
  *added* to it (never substituted), so the query matches whichever wording a department
  chose. Event groups (补领/丢了, 换领/过期, 首次/第一次 ...) have no single formal word; all
  members are equal.
- ``BUILTIN_TYPOS``: ``{correct word: (misspellings/homophones ...)}``. A misspelling adds the
  correct word (at full weight); misspellings themselves are never added.

A catalogue folder may hold ``synonyms.yml`` (``synonyms: {formal term: [everyday, words]}``,
a single string is one word); ``load_synonyms`` reads it and ``SynonymTable.merged`` adds it
to the built-in groups (same formal term -> words are unioned). The catalogue loader skips
that file when reading services.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from intents.normalize import normalize_loose
from knowledge.text import WordFinder


def _table(entries: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """``{word: "space separated words"}`` -> ``{word: (words ...)}``."""
    return {key: tuple(words.split()) for key, words in entries.items()}


BUILTIN_SYNONYMS: dict[str, tuple[str, ...]] = _table(
    {
        # identity and residence
        "居民身份证": "身份证 二代证 身份卡 身份证件",
        "临时居民身份证": "临时身份证 临时身份",
        "居住证": "暂住证 深圳居住证 居住卡",
        "居住登记": "居住信息登记 租房登记 暂住登记 住址申报 居住申报",
        "流动人员": "流动人口 外来人口",
        "户籍": "户口 深户 本地户口 户籍关系",
        "居民户口簿": "户口本 户口簿 户籍本",
        "户籍证明": "户口证明 户籍关系证明",
        "落户": "入户 迁户口 户口迁入 迁入 调户口 入深户 办深户 上户口 报户口",
        "人才引进": "人才入户 人才落户 引进人才 学历入户 大学生入户 毕业生落户 应届生入户",
        "随迁": "投靠 夫妻投靠 子女随迁 父母投靠 随迁入户",
        "新生儿": "宝宝 婴儿 刚出生 小孩出生 孩子出生 刚生 新出生",
        "预防接种": "打疫苗 疫苗 打预防针",
        "预防接种证": "疫苗本 接种本 接种证 小绿本 疫苗证",
        "出生医学证明": "出生证 出生证明",
        "无犯罪记录证明": "无犯罪证明 良民证 无犯罪 无犯罪记录 无违法犯罪证明 犯罪记录证明",
        # exit and entry
        "出入境": "出国 出境 出入境证件",
        "港澳": "香港 澳门 赴港 赴澳 去港",
        "普通护照": "护照 因私护照 出国护照",
        "往来港澳通行证": "港澳通行证 港澳证 去香港的证 去澳门的证 港澳通",
        "签注": "续签 港澳签证 再次签注 加签",
        "港澳居民来往内地通行证": "回乡证 回乡卡",
        "大陆居民往来台湾通行证": "台湾通行证 赴台证 赴台通行证 入台证 去台湾 台湾证 赴台",
        "台湾居民来往大陆通行证": "台胞证",
        # driving and vehicles
        "机动车驾驶证": "驾驶证 驾照 驾驶执照 驾驶本",
        "机动车行驶证": "行驶证 行驶本 行车证 车辆行驶证",
        "机动车号牌": "车牌 号牌 牌照 车牌号",
        "机动车": "汽车 小汽车 私家车 轿车 车辆 车子",
        "检验": "年检 年审 验车 车检 检车 审车",
        "交通违法": "违章 罚单 违停 违法停车 扣分 满分 扣满 超速 闯红灯 交通罚款",
        "增量指标": "摇号 摇车牌 购车指标 买车指标 竞价 车指标 拍车牌",
        "电动自行车": "电动车 电瓶车 电单车",
        "交通事故": "车祸 撞车 出事故",
        # social security and welfare
        "社会保险": "社保",
        "社会保障卡": "社保卡 医保卡",
        "医疗保险": "医保 医疗保障",
        "养老金": "退休金 退休工资 养老钱 基本养老金",
        "失业保险金": "失业金 失业补助 失业救济 失业补贴",
        "生育津贴": "产假工资 生育补贴 生育金",
        "生育登记": "准生证 生育服务证 生育证",
        "住房公积金": "公积金",
        "最低生活保障": "低保",
        "残疾人证": "残疾证 残联证",
        "老年人优待证": "长者卡 老人卡 敬老卡 老年证 长者证 老年卡",
        "异地就医": "外地看病 回老家看病 跨省就医 异地看病",
        "工伤认定": "工伤 上班受伤 工作受伤",
        "劳动仲裁": "欠薪 拖欠工资 讨薪 不发工资 劳动纠纷",
        "丧葬补助金": "丧葬费 抚恤金 丧葬补助",
        "死亡": "去世 过世 身故 离世",
        # business, property, tax, family, education
        "营业执照": "执照 营业证",
        "法定代表人": "法人 法人代表",
        "新办纳税人": "税务登记 税务报到 办税务 报税",
        "发票": "开票 领票 票据",
        "新建商品房": "一手房 新房 期房 楼花",
        "存量房": "二手房 旧房",
        "不动产登记信息查询": "无房证明 有房证明 查册 房产查询 查房产 名下房产",
        "公共租赁住房": "公租房 廉租房 保障房",
        "共有产权住房": "共有产权房 共有产权",
        "安居型商品房": "安居房",
        "大型群众性活动": "演唱会 音乐节 大型活动 庙会 展销会 体育比赛",
        "门诊特定病种": "门特 慢特病 特殊病种 慢性病 特病",
        "参保档次": "医保档次 换档 一档 二档 三档",
        "零星报销": "报销 垫付 垫的钱 垫钱 自费垫付 报账",
        "个体工商户": "个体户 个体经营 开店",
        "公司设立登记": "开公司 注册公司 成立公司 办公司 企业开办 新办企业",
        "不动产权证书": "房产证 房本 红本 房屋产权证 不动产证 产权证",
        "不动产登记": "过户 房屋登记",
        "个人所得税": "个税 工资税 所得税",
        "汇算": "退税 年度汇算 汇算清缴",
        "结婚登记": "结婚证 领证 登记结婚 扯证",
        "离婚登记": "离婚证 办离婚",
        "入学": "学位 学位申请 上学 读书 报名上学 入读",
        "小学一年级": "小一 幼升小 上小学 读小学",
        "初中一年级": "初一 小升初 上初中 读初中",
        "积分入学": "学位积分 入学积分",
        "养犬登记": "狗证 养狗 犬证",
        # what happens to a document (distinguish near-duplicate services)
        "补领": "补办 补发 补证 补卡 遗失 丢失 丢了 掉了 不见了 弄丢 搞丢 被盗 被偷 找不到 挂失",
        "换领": "换发 换证 换卡 换新 更换 过期 到期 期满 快过期 失效 损坏 破损 坏了 旧证 "
        "有效期满 写错 有误",
        "首次": "第一次 初次 头一次 头一回 第一回 首办 初领 新办 没办过 从没办过 首次申领",
        "临时": "急用 应急 暂时",
        "延期": "续期 延长 延续",
        "变更": "更改 修改 改名 更正 变动 换法人 改地址 换地址",
        "注销": "销户 撤销 取消",
        "提取": "取出 提现 拿出来 提出来 取钱",
        "租房": "租赁 租住 房租 租金 租的房",
        "购房": "买房 购买住房 买房子 购买房屋 置业 买了房",
        "贷款": "房贷 按揭 借款",
        "子女": "小孩 孩子 儿子 女儿 小朋友",
    }
)

BUILTIN_TYPOS: dict[str, tuple[str, ...]] = _table(
    {
        "港澳": "港奥 巷澳 港粤",
        "身份证": "身分证 生份证 深份证 身份正 身仹证",
        "驾驶证": "架驶证 驾使证 驾驶正 驾史证 架使证 驾驶症",
        "行驶证": "形驶证 行使证 行驶正",
        "驾照": "架照 驾找",
        "公积金": "公基金 工积金 公机金 共积金 公积京",
        "社保": "社宝 设保 社堡 射保",
        "医保": "医宝",
        "通行证": "通行正 通行症 通信证 同行证",
        "签注": "签住 签著 签驻",
        "护照": "护昭 户照 沪照",
        "营业执照": "营业执找 营页执照 营业直照",
        "居住证": "居住正 居往证 局住证",
        "户口": "户囗 沪口",
        "户籍": "户藉",
        "结婚": "结昏",
        "补办": "补半",
        "换领": "换岭",
        "户口簿": "户口薄 户口部",
        "无犯罪": "无范罪 吴犯罪",
        "不动产": "不动厂",
        "低保": "底保 抵保",
        "残疾": "残积 残急",
        "公租房": "公组房 公祖房",
        "换档": "换挡",
        "体检": "体捡",
        "登记": "登纪",
    }
)

# A one-character verb standing alone as a word (补身份证, 换护照, 公积金怎么取) opens the
# group of its formal event word; substrings would misfire (补贴, 换乘), so only whole tokens.
BUILTIN_CHAR_TRIGGERS: dict[str, str] = {
    "补": "补领",
    "丢": "补领",
    "换": "换领",
    "取": "提取",
    "提": "提取",
    "改": "变更",
    "租": "租房",
    "买": "购房",
}

EXPANSION_WEIGHT = 0.85  # weight of an added group member relative to the citizen's own words
CORRECTION_WEIGHT = 1.0  # weight of the correct word added for a misspelling


class SynonymsError(ValueError):
    """The synonyms file is invalid; the message names the file and the entry."""


@dataclass(frozen=True)
class SynonymTable:
    """Groups of equivalent words and misspellings, all normalised."""

    groups: tuple[tuple[str, ...], ...]
    typos: tuple[tuple[str, str], ...]  # (misspelling, correct word)
    triggers: tuple[tuple[str, str], ...] = ()  # (one character, formal word of its group)

    @classmethod
    def build(
        cls,
        groups: Mapping[str, Iterable[str]] = BUILTIN_SYNONYMS,
        typos: Mapping[str, Iterable[str]] = BUILTIN_TYPOS,
        triggers: Mapping[str, str] = BUILTIN_CHAR_TRIGGERS,
    ) -> SynonymTable:
        norm_groups: list[tuple[str, ...]] = []
        for formal, words in groups.items():
            members = dict.fromkeys(normalize_loose(w) for w in (formal, *words))
            norm_groups.append(tuple(m for m in members if len(m) >= 2))
        pairs = tuple(
            (normalize_loose(wrong), normalize_loose(right))
            for right, wrongs in typos.items()
            for wrong in wrongs
        )
        chars = tuple((normalize_loose(c), normalize_loose(f)) for c, f in triggers.items())
        return cls(tuple(g for g in norm_groups if len(g) >= 2), pairs, chars)

    def merged(self, extra: Mapping[str, Iterable[str]]) -> SynonymTable:
        """This table plus ``extra`` groups (a formal term already present gains the words)."""
        by_formal = {g[0]: list(g) for g in self.groups}
        for formal, words in extra.items():
            key = normalize_loose(formal)
            members = by_formal.setdefault(key, [key])
            members += [w for w in (normalize_loose(x) for x in words) if w not in members]
        groups = tuple(tuple(m for m in g if len(m) >= 2) for g in by_formal.values())
        return SynonymTable(tuple(g for g in groups if len(g) >= 2), self.typos, self.triggers)

    @cached_property
    def _char_groups(self) -> dict[str, tuple[str, ...] | None]:
        formal_group: dict[str, tuple[str, ...]] = {}
        for group in self.groups:
            formal_group.setdefault(group[0], group)
        return {c: formal_group.get(f) if f else None for c, f in dict(self.triggers).items()}

    @cached_property
    def _typo_order(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self.typos, key=lambda t: -len(t[0])))

    @cached_property
    def _typo_finder(self) -> WordFinder:
        return WordFinder(wrong for wrong, _ in self.typos)

    @cached_property
    def _member_finder(self) -> tuple[WordFinder, dict[str, list[int]]]:
        """Every group member, and the groups (by index) it belongs to."""
        groups_of: dict[str, list[int]] = {}
        for index, group in enumerate(self.groups):
            for member in group:
                groups_of.setdefault(member, []).append(index)
        return WordFinder(groups_of), groups_of

    def group_of_char(self, char: str) -> tuple[str, ...] | None:
        """The group a one-character word opens (``补`` -> the 补领 group), if any."""
        return self._char_groups.get(char)

    def words(self) -> list[str]:
        """Every group member and correct spelling (for a tokenizer dictionary)."""
        out = {w for g in self.groups for w in g}
        out.update(right for _, right in self.typos)
        return sorted(out)

    def correct(self, text: str) -> str:
        """``text`` with known misspellings replaced by the correct word (longest first)."""
        if not self._typo_finder.present(text):
            return text
        for wrong, right in self._typo_order:
            if wrong in text:
                text = text.replace(wrong, right)
        return text

    def corrections(self, text: str) -> list[str]:
        """Correct spellings of the misspellings found in normalised ``text``."""
        found = self._typo_finder.present(text)
        if not found:
            return []
        return list(dict.fromkeys(r for w, r in self.typos if w in found and r not in text))

    def groups_in(self, text: str) -> list[tuple[str, ...]]:
        """The groups with a member in normalised ``text`` (after adding corrections)."""
        seen = " ".join([text, *self.corrections(text)])
        finder, groups_of = self._member_finder
        indices = {i for member in finder.present(seen) for i in groups_of[member]}
        return [self.groups[i] for i in sorted(indices)]

    def expand(self, text: str) -> list[tuple[str, float]]:
        """Words to add to the normalised query ``text``, each with its weight."""
        added = dict.fromkeys(self.corrections(text), CORRECTION_WEIGHT)
        for group in self.groups_in(text):
            for member in group:
                if member not in text and member not in added:
                    added[member] = EXPANSION_WEIGHT
        return list(added.items())


def load_synonyms(path: Path) -> dict[str, tuple[str, ...]]:
    """Read ``synonyms: {formal term: [words]}``; raises ``SynonymsError`` naming the entry."""
    name = path.name
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SynonymsError(f"{name}: cannot read synonyms: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("synonyms"), dict):
        raise SynonymsError(f"{name}: expected a top-level 'synonyms:' mapping")
    out: dict[str, tuple[str, ...]] = {}
    for formal, words in data["synonyms"].items():
        if isinstance(words, str):
            words = [words]
        if not isinstance(formal, str) or not isinstance(words, list):
            raise SynonymsError(f"{name}: {formal}: expected a list of words")
        if not all(isinstance(w, str | int) for w in words):
            raise SynonymsError(f"{name}: {formal}: every word must be text")
        out[formal] = tuple(str(w) for w in words)
    return out
