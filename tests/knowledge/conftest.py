"""Fixtures: a tiny catalogue written to tmp_path, and the shipped catalogue's KnowledgeBase."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.districts import DEFAULT_DISTRICTS

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_CATALOGUE = ROOT / "knowledge" / "catalogue"
SHIPPED_QUERIES = ROOT / "knowledge" / "eval" / "queries.yml"

TINY_CATALOGUE = """\
services:
  - id: id-first
    name: 居民身份证首次申领
    aliases: [居民身份证初次申领]
    department: 市公安局
    category: 户籍
    audience: 个人
    conditions:
      - 年满16周岁的本市户籍居民应当申领
    materials:
      - 居民户口簿
      - {name: 照片回执, copies: 1, note: 可现场拍照}
    process: [预约, 到窗口采集指纹, 领取证件]
    time_limit: 20
    fee: 20
    locations:
      - name: 南山派出所户政窗口
        address: 南山大道1号
        district: 南山区
        hours: 周一至周五 9:00-18:00
        phone: 0755-11111111
      - name: 福田派出所户政窗口
        address: 福中路2号
        district: 福田区
        hours: 周一至周五 9:00-18:00
        phone: 0755-22222222
    online_url: https://example.gov.cn/id
    phone: 0755-12345678
    legal_basis: 《居民身份证法》
    faq:
      - q: 小孩可以办身份证吗
        a: 可以，未满16周岁的可以申领。
  - id: id-renew
    name: 居民身份证换领补领
    aliases: [居民身份证换领, 居民身份证补领, 居民身份证遗失补领]
    department: 市公安局
    category: 户籍
    audience: [个人]
    conditions: [证件有效期满、损坏或遗失]
    materials: [居民户口簿, 原居民身份证（换领时交回）]
    process: [到户政窗口申请, 缴费, 领取证件]
    time_limit: 20个工作日
    fee: 换领20元；补领40元
    locations:
      - name: 罗湖派出所户政窗口
        address: 人民南路3号
        district: 罗湖
        hours: 周一至周五 9:00-18:00
        phone: 0755-33333333
    online_url: null
    phone: "0755-12345678"
    legal_basis: null
    faq: null
  - id: gjj-rent
    name: 住房公积金租房提取
    aliases: 租赁住房提取住房公积金
    department: 市住房公积金管理中心
    category: 公积金
    audience: [个人]
    conditions: [本市无自有住房且租房居住]
    materials: [居民身份证, 租赁合同]
    process: [登录公积金网上业务平台, 提交申请]
    time_limit: 即时办结
    fee: 不收费
    locations: []
    online_url: https://example.gov.cn/gjj
    phone: 0755-12329
    legal_basis: [《住房公积金管理条例》]
    faq: []
  - id: blank-service
    name: 残疾人证办理
    aliases: []
    department: 市残联
    category: 残联
    audience: []
    conditions: []
    materials: [居民身份证]
    process: []
    time_limit: ""
    fee: null
    locations: []
    online_url: null
    phone: null
    legal_basis: []
    faq: []
"""


@pytest.fixture
def write_catalogue(tmp_path: Path) -> Callable[..., Path]:
    """Write ``{file name: YAML text}`` into a fresh folder and return the folder."""

    def write(files: dict[str, str], folder: str = "catalogue") -> Path:
        root = tmp_path / folder
        root.mkdir(exist_ok=True)
        for name, text in files.items():
            (root / name).write_text(text, encoding="utf-8")
        return root

    return write


@pytest.fixture
def tiny_path(write_catalogue: Callable[..., Path]) -> Path:
    return write_catalogue({"tiny.yml": TINY_CATALOGUE})


@pytest.fixture(scope="session")
def tiny_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    folder = tmp_path_factory.mktemp("tiny")
    (folder / "tiny.yml").write_text(TINY_CATALOGUE, encoding="utf-8")
    return KnowledgeBase.load(folder, DEFAULT_DISTRICTS)


@pytest.fixture(scope="session")
def shipped_kb() -> KnowledgeBase:
    if not any(SHIPPED_CATALOGUE.glob("*.yml")):
        pytest.skip("the shipped catalogue is not there yet")
    return KnowledgeBase.load(SHIPPED_CATALOGUE, DEFAULT_DISTRICTS)
