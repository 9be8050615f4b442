"""WeChat Official Account (微信公众号) channel: ``GET|POST /channels/wechat``.

Verifies signatures, decrypts safe-mode messages, parses XML safely, dedupes WeChat's retries
(in the shared key-value store, so across replicas) and honours the 5-second rule: a passive
reply when the hub answers within ``passive_timeout_s``, else ``success`` at once and the answer
later through the customer-service API.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web

from bot.messages import InboundMessage
from bot.privacy import mask
from bot.web import BadRequest
from channels.base import Channel, ChannelContext
from channels.wechat_api import WechatApiClient, WechatApiError
from channels.wechat_crypto import (
    AppIdMismatch,
    WechatCrypto,
    WechatCryptoError,
    check_signature,
    new_nonce,
)
from channels.wechat_xml import (
    WechatMessage,
    WechatXmlError,
    envelope_xml,
    pack_texts,
    parse_xml,
    text_reply_xml,
)

if TYPE_CHECKING:
    from bot.config import Config

log = logging.getLogger("citizen_hub.wechat")
T = TypeVar("T")

MAX_BODY_BYTES = 64 * 1024
PATH = "/channels/wechat"
SUCCESS = "success"  # WeChat's "received, no passive reply" answer
_PENDING, _LATE = "pending", "late"
_POLL_S = 0.05

UNSUPPORTED_TEXT = (
    "您好，目前只能识别文字和语音消息。请用文字描述您要咨询的事项，例如“港澳通行证要带什么材料”。"
)
VOICE_UNRECOGNISED_TEXT = "抱歉，没有听清您的语音，请再说一遍或直接发送文字。"
EMPTY_TEXT = "您好，请输入您要咨询的问题，例如“港澳通行证要带什么材料”。"
UNKNOWN_MENU_TEXT = "抱歉，该菜单功能暂未开通，请直接输入您要咨询的问题。"
HUB_FAILED_TEXT = "抱歉，系统繁忙，请稍后再试，或拨打12345政务服务便民热线。"


class WechatChannel(Channel):
    name = "wechat"
    shutdown_grace_s = 5.0

    def __init__(self, ctx: ChannelContext) -> None:
        super().__init__(ctx)
        self.cfg = ctx.config.channels.wechat
        self._token = self.cfg.token or ""
        self._crypto: WechatCrypto | None = None
        if self.cfg.encoding_aes_key:
            self._crypto = WechatCrypto(
                self._token, self.cfg.encoding_aes_key, self.cfg.app_id or ""
            )
        self.api = WechatApiClient(
            self.cfg.app_id or "",
            self.cfg.app_secret or "",
            ctx.kv,
            api_base=self.cfg.api_base,
            timeout_s=self.cfg.api_timeout_s,
        )
        self._tasks: set[asyncio.Task[Any]] = set()

    @classmethod
    def is_enabled(cls, config: Config) -> bool:
        return config.channels.wechat.enabled

    def routes(self) -> list[web.AbstractRouteDef]:
        return [web.get(PATH, self.verify), web.post(PATH, self.receive)]

    async def start(self) -> None:
        await self.api.start()

    async def stop(self) -> None:
        """Let background answers finish for a moment, then cancel what is left."""
        await self.wait_idle(self.shutdown_grace_s)
        pending = set(self._tasks)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await self.api.close()

    @property
    def background_tasks(self) -> int:
        return len(self._tasks)

    async def wait_idle(self, timeout_s: float) -> bool:
        """Wait for background answers to finish; True when none is left."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_s)
        return not self._tasks

    # -- HTTP -------------------------------------------------------------------------------

    async def verify(self, request: web.Request) -> web.Response:
        """Server verification when the URL is saved in the WeChat console: echo ``echostr``."""
        self._check_plain_signature(request)
        return web.Response(text=request.query.get("echostr", ""))

    async def receive(self, request: web.Request) -> web.Response:
        safe = request.query.get("encrypt_type", "").lower() == "aes" and self._crypto is not None
        if not safe:
            self._check_plain_signature(request)
        outer = _parse_or_400(await _read_body(request))
        if not safe and "Encrypt" in outer and "MsgType" not in outer:
            log.error("wechat: encrypted message but channels.wechat.encoding_aes_key is not set")
            raise BadRequest("encrypted message but safe mode is not configured")
        message = WechatMessage(self._open(request, outer) if safe else outer)
        if not message.openid or not message.msg_type:
            raise BadRequest("not a WeChat message (FromUserName/MsgType missing)")
        log.info(
            "wechat in type=%s event=%s from=%s mode=%s",
            message.msg_type,
            message.event or "-",
            mask(message.openid),
            "aes" if safe else "plain",
        )
        answer = await self._dispatch(message)
        if answer is None:
            return web.Response(text=SUCCESS)
        xml = text_reply_xml(message.openid, message.account, answer)
        return web.Response(text=self._seal(xml) if safe else xml, content_type="application/xml")

    def _check_plain_signature(self, request: web.Request) -> None:
        q = request.query
        if not check_signature(
            q.get("signature"), self._token, q.get("timestamp", ""), q.get("nonce", "")
        ):
            log.warning("wechat: bad signature from %s", request.remote)
            raise BadRequest("invalid signature", status=403)

    def _open(self, request: web.Request, outer: dict[str, str]) -> dict[str, str]:
        """Safe and compatible mode: check msg_signature over Encrypt, decrypt, check appid."""
        assert self._crypto is not None
        encrypted = outer.get("Encrypt")
        if not encrypted:
            raise BadRequest("encrypt_type=aes but the body has no <Encrypt>")
        q = request.query
        timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
        if not self._crypto.check_msg_signature(
            q.get("msg_signature"), timestamp, nonce, encrypted
        ):
            log.warning("wechat: bad msg_signature from %s", request.remote)
            raise BadRequest("invalid msg_signature", status=403)
        try:
            return _parse_or_400(self._crypto.decrypt(encrypted))
        except AppIdMismatch:
            log.warning("wechat: message for another appid from %s", request.remote)
            raise BadRequest("message is for another appid", status=403) from None
        except WechatCryptoError as exc:
            raise BadRequest(f"cannot decrypt message: {exc}") from None

    def _seal(self, xml: str) -> str:
        assert self._crypto is not None
        timestamp, nonce = str(int(time.time())), new_nonce()
        encrypted = self._crypto.encrypt(xml)
        signature = self._crypto.msg_signature(timestamp, nonce, encrypted)
        return envelope_xml(encrypted, signature, timestamp, nonce)

    # -- messages and events ----------------------------------------------------------------

    async def _dispatch(self, message: WechatMessage) -> str | None:
        """The passive reply text, or None for ``success``."""
        kind = message.msg_type
        if kind == "event":
            return await self._on_event(message)
        if kind == "text":
            text = message.get("Content")
            return await self._ask(message, text, {"msg_type": "text"}) if text else EMPTY_TEXT
        if kind == "voice":
            text = message.get("Recognition")
            if not text:
                return VOICE_UNRECOGNISED_TEXT
            return await self._ask(message, text, {"msg_type": "voice"})
        return UNSUPPORTED_TEXT

    async def _on_event(self, message: WechatMessage) -> str | None:
        event, openid = message.event, message.openid
        if event == "subscribe":
            await self.ctx.records.set_reachable(self.name, openid, True)
            metadata = {"event": "subscribe"}
            if message.get("EventKey").startswith("qrscene_"):
                metadata["scene"] = message.get("EventKey").removeprefix("qrscene_")
            return await self._ask(message, "", metadata)
        if event == "unsubscribe":
            await self.ctx.records.set_reachable(self.name, openid, False)
            log.info("wechat unsubscribe from=%s: marked unreachable", mask(openid))
            return None
        if event == "click":
            key = message.get("EventKey")
            question = self.cfg.menu.get(key)
            if question is None:
                log.info("wechat unknown menu key %r", key)
                return UNKNOWN_MENU_TEXT
            return await self._ask(message, question, {"event": "click", "event_key": key})
        if event == "templatesendjobfinish":
            await self._template_receipt(message)
        return None

    async def _template_receipt(self, message: WechatMessage) -> None:
        msg_id, status = message.get("MsgID") or message.get("MsgId"), message.get("Status")
        delivered = status == "success"
        error = None if delivered else status
        found = await self.ctx.records.update_delivery_status(
            msg_id, "delivered" if delivered else "failed", error
        )
        log.info("wechat template receipt msgid=%s status=%s known=%s", msg_id, status, found)

    # -- the 5-second rule ------------------------------------------------------------------

    async def _ask(self, message: WechatMessage, text: str, metadata: dict[str, str]) -> str | None:
        """Run the hub once per WeChat message (retries included) within the passive window."""
        kv, ttl = self.ctx.kv, self.cfg.dedupe_ttl_s
        key = f"wechat:dedupe:{message.dedupe_id}"
        if not await kv.add(key, _PENDING, ttl):
            return await self._answer_of_retry(key)
        inbound = InboundMessage(
            channel=self.name,
            sender=message.openid,
            text=text[: self.ctx.config.server.max_message_chars],
            metadata=metadata,
            message_id=message.get("MsgId") or message.dedupe_id,
        )
        task = self._spawn(self._run_hub(inbound))
        try:
            done, _ = await asyncio.wait({task}, timeout=self.cfg.passive_timeout_s)
        except asyncio.CancelledError:
            self._spawn(self._deliver_late(task, message.openid))
            raise
        if not done:
            await kv.set(key, _LATE, ttl)
            self._spawn(self._deliver_late(task, message.openid))
            log.info("wechat slow answer for %s: customer-service API", mask(message.openid))
            return None
        texts = task.result()
        await kv.set(key, json.dumps({"texts": texts}, ensure_ascii=False), ttl)
        if len(texts) > 1:
            self._spawn(self._send_all(message.openid, texts[1:]))
        return texts[0] if texts else None

    async def _answer_of_retry(self, key: str) -> str | None:
        """A retry: give the first delivery's stored answer, or ``success`` if it went async."""
        deadline = time.monotonic() + self.cfg.passive_timeout_s
        while True:
            value = await self.ctx.kv.get(key)
            if value is None or value == _LATE:
                return None
            if value != _PENDING:
                return _first_text(value)
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(_POLL_S)

    async def _run_hub(self, inbound: InboundMessage) -> list[str]:
        try:
            replies = await self.ctx.handle(inbound)
        except Exception:
            log.exception("wechat: hub failed for %s", mask(inbound.sender))
            return [HUB_FAILED_TEXT]
        return pack_texts([reply.as_plain_text() for reply in replies])

    async def _deliver_late(self, task: asyncio.Task[list[str]], openid: str) -> None:
        await self._send_all(openid, await task)

    async def _send_all(self, openid: str, texts: list[str]) -> None:
        for text in texts:
            try:
                await self.api.send_text(openid, text)
            except WechatApiError as exc:
                log.warning("wechat custom send to %s failed: %s", mask(openid), exc)
                return

    def _spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


async def _read_body(request: web.Request) -> bytes:
    too_large = BadRequest(f"request body too large (limit {MAX_BODY_BYTES} bytes)", status=413)
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise too_large
    body = bytearray()
    async for chunk in request.content.iter_chunked(16 * 1024):
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise too_large
    if not body.strip():
        raise BadRequest("request body is empty; expected WeChat XML")
    return bytes(body)


def _first_text(stored: str) -> str | None:
    try:
        texts = json.loads(stored).get("texts") or []
    except (ValueError, AttributeError):
        return None
    return str(texts[0]) if texts else None


def _parse_or_400(raw: bytes | str) -> dict[str, str]:
    try:
        return parse_xml(raw)
    except WechatXmlError as exc:
        log.warning("wechat: refused body: %s", exc)
        raise BadRequest(str(exc)) from None
