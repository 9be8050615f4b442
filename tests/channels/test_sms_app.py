"""Twilio SMS end to end through the whole app: signed webhooks in, TwiML out."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from twilio.request_validator import RequestValidator

from bot.app import CORE_KEY, create_app
from bot.config import Config

TOKEN = "e2e-auth-token"
PUBLIC_URL = "https://12345.sz.gov.cn"
INBOUND = "/channels/sms/twilio"
ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, make_config: Callable[..., Config]
) -> TestClient[Any, Any]:
    config = make_config(
        server={"public_url": PUBLIC_URL},
        channels={
            "sms": {
                "enabled": True,
                "account_sid": "AC" + "3" * 32,
                "auth_token": TOKEN,
                "from_number": "+15005550006",
            }
        },
    )
    return await aiohttp_client(create_app(config))


def form(body: str, sender: str = "+8613912345678") -> dict[str, str]:
    return {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "3" * 32,
        "From": sender,
        "To": "+15005550006",
        "Body": body,
        "NumMedia": "0",
    }


async def post(client: TestClient[Any, Any], data: dict[str, str], token: str = TOKEN) -> Any:
    signature = RequestValidator(token).compute_signature(PUBLIC_URL + INBOUND, data)
    return await client.post(INBOUND, data=data, headers={"X-Twilio-Signature": signature})


async def twiml_messages(resp: Any) -> list[str]:
    assert resp.status == 200, await resp.text()
    root = ET.fromstring(await resp.read())
    return [m.text or "" for m in root.findall("Message")]


async def test_question_gets_a_catalogue_answer_in_twiml(client: TestClient[Any, Any]) -> None:
    answer = await twiml_messages(await post(client, form("港澳通行证要带什么材料")))
    assert answer and all(len(part) <= 300 for part in answer)
    assert "港澳" in "".join(answer)
    assert (await post(client, form("港澳通行证要带什么材料"), token="forged")).status == 403


async def test_td_is_confirmed_and_recorded(client: TestClient[Any, Any]) -> None:
    sender = f"+8619900{uuid.uuid4().int % 10**6:06d}"
    [answer] = await twiml_messages(await post(client, form("TD", sender)))
    assert "退订" in answer
    records = client.app[CORE_KEY].records
    assert await records.is_opted_out("sms", sender)
