"""Shared NLU fixtures: valid/invalid numbers built with python-stdnum, small data, engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from stdnum.cn import ric, uscc

from intents.engine import NluEngine
from intents.loader import TrainingData, load_training_data, parse_training_text

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "intents" / "data" / "nlu.yml"
SHIPPED_TEST = ROOT / "intents" / "data" / "nlu_test.yml"


def valid_id(body: str = "44030519900307123") -> str:
    # stdnum's cn.ric.calc_check_digit ignores the last character of what it is given.
    return body + ric.calc_check_digit(body + "0")


def invalid_id(body: str = "44030519900307123") -> str:
    good = ric.calc_check_digit(body + "0")
    return body + ("0" if good != "0" else "1")


def valid_uscc(body: str = "91440300MA5F00000") -> str:
    return body + uscc.calc_check_digit(body)


SMALL_YAML = """version: "3.1"
nlu:
- intent: ask_fee
  examples: |
    - [护照](service)多少钱
    - 办[身份证](service)收费吗
    - 要交多少钱
    - 费用是多少
    - 收不收钱
    - 办这个要花钱吗
- intent: ask_materials
  examples: |
    - [护照](service)要带什么材料
    - 办[身份证](service)需要准备什么
    - 要带啥
    - 需要哪些资料
    - 材料清单有吗
    - 要什么证件
- intent: query_case_status
  examples: |
    - 查一下[SZ20240101000001](case_no)的进度
    - 我的件办到哪了
    - 审批进度怎么样
    - 帮我查进度 [13812345678](phone)
    - 办好了没有
    - 受理结果出来了吗
- intent: greet
  examples: |
    - 你好
    - 您好
    - 在吗
    - hello
    - 有人吗
    - 早上好
- regex: case_no
  examples: |
    - [A-Z]{2}\\d{14}
- lookup: service
  examples: |
    - 港澳通行证
- synonym: 身份证
  examples: |
    - 身分证
"""


@pytest.fixture(scope="session")
def small_data() -> TrainingData:
    return parse_training_text(SMALL_YAML, "small.yml")


@pytest.fixture(scope="session")
def small_engine(small_data: TrainingData) -> NluEngine:
    return NluEngine.train(small_data)


@pytest.fixture(scope="session")
def shipped_data() -> TrainingData:
    return load_training_data(SHIPPED)


@pytest.fixture(scope="session")
def shipped_engine(shipped_data: TrainingData) -> NluEngine:
    return NluEngine.train(shipped_data)
