"""SMS through Twilio: inbound questions answered with TwiML, opt-out keywords, receipts.

Routes: ``POST /channels/sms/twilio`` (Twilio's incoming-message webhook) and
``POST /channels/sms/twilio/status`` (the ``StatusCallback`` of messages the push hub sent).

Every request must carry a valid ``X-Twilio-Signature``, checked with twilio's own
``RequestValidator`` against ``server.public_url`` + the request path and query (the URL
Twilio was given, so it works behind a reverse proxy); missing or forged -> 403, nothing runs.

Opt-out keywords (Twilio's stop words plus 退订/TD/T) are handled here, before the hub, and
recorded for the push hub to honour. Note: with Twilio's Advanced Opt-Out on, Twilio itself
answers its English stop words and may drop our confirmation; 退订/TD/T are ours alone.

Receipts for an unknown ``MessageSid`` (sent by another system on the account, or arriving
before the worker stored ``provider_ref``) are answered 200 and logged: an error would only
make Twilio report webhook failures, and the final status of a message arrives again later.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web
from multidict import MultiDict
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.messages import InboundMessage
from bot.privacy import mask
from bot.web import BadRequest, json_error
from channels.base import Channel, ChannelContext
from channels.sms_text import Keyword, canonical_keyword, classify_keyword, render_segments

if TYPE_CHECKING:
    from bot.config import Config

log = logging.getLogger("citizen_hub.sms")

INBOUND_PATH = "/channels/sms/twilio"
STATUS_PATH = "/channels/sms/twilio/status"
SIGNATURE_HEADER = "X-Twilio-Signature"
ERROR_UNSUBSCRIBED = "21610"
_PENDING = "pending"

OPT_OUT_TEXT = "您已退订本平台短信通知，回复“订阅”或 START 可重新订阅。"
OPT_IN_TEXT = "您已重新订阅本平台短信通知，回复“退订”或 TD 可随时退订。"
EMPTY_TEXT = "您好，请直接发送您要咨询的问题，例如“港澳通行证要带什么材料”。回复“帮助”查看说明。"
MEDIA_TEXT = "抱歉，短信暂不支持图片等多媒体内容，请用文字描述您的问题。"
OVERFLOW_NOTE = "……内容较长，详情请致电12345。"

# Twilio MessageStatus -> notification status (see bot.records; ranks only move forward).
RECEIPT_STATUS = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "sending",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}


def help_text(city: str) -> str:
    return (
        f"本号码是{city}政务服务平台的短信咨询和通知号码，可直接发送办事问题，"
        "如“港澳通行证要带什么材料”。回复“退订”或 TD 停止接收短信通知，回复“订阅”恢复。"
        "人工服务请拨打12345政务服务便民热线。"
    )


def twiml(segments: list[str]) -> str:
    response = MessagingResponse()
    for segment in segments:
        response.message(segment)
    return str(response)


def _xml(body: str) -> web.Response:
    return web.Response(text=body, content_type="application/xml", charset="utf-8")


class TwilioSmsChannel(Channel):
    name = "sms"

    def __init__(self, ctx: ChannelContext) -> None:
        super().__init__(ctx)
        self._sms = ctx.config.channels.sms
        self._validator = RequestValidator(self._sms.auth_token or "")
        self._public_url = ctx.config.server.public_url.rstrip("/")

    @classmethod
    def is_enabled(cls, config: Config) -> bool:
        return config.channels.sms.enabled and config.channels.sms.provider == "twilio"

    def routes(self) -> list[web.AbstractRouteDef]:
        return [web.post(INBOUND_PATH, self.inbound), web.post(STATUS_PATH, self.status)]

    async def _signed_form(self, request: web.Request) -> MultiDict[str] | None:
        """The form fields when the Twilio signature is valid, else None."""
        signature = request.headers.get(SIGNATURE_HEADER)
        posted = await request.post()
        form = MultiDict((k, v) for k, v in posted.items() if isinstance(v, str))
        url = self._public_url + request.raw_path
        if signature and self._validator.validate(url, form, signature):
            return form
        log.warning(
            "rejected Twilio webhook path=%s reason=%s remote=%s",
            request.path,
            "forged signature" if signature else "missing signature",
            request.remote,
        )
        return None

    async def inbound(self, request: web.Request) -> web.Response:
        form = await self._signed_form(request)
        if form is None:
            return json_error(403, "invalid or missing X-Twilio-Signature")
        sender = form.get("From", "").strip()
        if not sender:
            raise BadRequest("field 'From' is required")
        sid = form.get("MessageSid") or form.get("SmsSid") or None
        if sid is not None:
            earlier = await self._claim(sid)
            if earlier is not None:
                log.info("duplicate Twilio message sid=%s from=%s", sid, mask(sender))
                return _xml(earlier)
        try:
            body = twiml(await self._answer(sender, form, sid))
        except BaseException:
            if sid is not None:
                await self.ctx.kv.delete(self._dedupe_key(sid))  # let Twilio's retry run
            raise
        if sid is not None:
            await self.ctx.kv.set(self._dedupe_key(sid), body, self._sms.dedupe_ttl_s)
        return _xml(body)

    def _dedupe_key(self, sid: str) -> str:
        return f"sms:twilio:inbound:{sid}"

    async def _claim(self, sid: str) -> str | None:
        """None when this request is the first with ``sid``; else the TwiML to repeat."""
        key = self._dedupe_key(sid)
        if await self.ctx.kv.add(key, _PENDING, self._sms.dedupe_ttl_s):
            return None
        earlier = await self.ctx.kv.get(key)
        return earlier if earlier and earlier != _PENDING else twiml([])

    async def _answer(self, sender: str, form: MultiDict[str], sid: str | None) -> list[str]:
        text = form.get("Body", "").strip()
        keyword = classify_keyword(text)
        if keyword is Keyword.STOP:
            reason = f"keyword:{canonical_keyword(text)}"
            await self.ctx.records.record_opt_out(self.name, sender, reason)
            log.info("sms opt-out from=%s %s", mask(sender), reason)
            return [OPT_OUT_TEXT]
        if keyword is Keyword.START:
            await self.ctx.records.clear_opt_out(self.name, sender)
            log.info("sms opt-in from=%s", mask(sender))
            return [OPT_IN_TEXT]
        if keyword is Keyword.HELP:
            return [help_text(self.ctx.config.knowledge.city)]
        if not text:
            return [MEDIA_TEXT if form.get("NumMedia", "0") not in ("", "0") else EMPTY_TEXT]
        message = InboundMessage(
            channel=self.name,
            sender=sender,
            text=text[: self.ctx.config.server.max_message_chars],
            metadata={"provider": "twilio", "to": form.get("To", "")},
            message_id=sid,
        )
        replies = await self.ctx.handle(message)
        return render_segments(
            replies, self._sms.max_segment_chars, self._sms.max_segments, OVERFLOW_NOTE
        )

    async def status(self, request: web.Request) -> web.Response:
        form = await self._signed_form(request)
        if form is None:
            return json_error(403, "invalid or missing X-Twilio-Signature")
        sid = form.get("MessageSid") or form.get("SmsSid")
        raw_status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
        if not sid or not raw_status:
            raise BadRequest("fields 'MessageSid' and 'MessageStatus' are required")
        error_code = form.get("ErrorCode") or None
        recipient = form.get("To", "").strip()
        if error_code == ERROR_UNSUBSCRIBED and recipient:
            await self.ctx.records.record_opt_out(self.name, recipient, f"twilio:{error_code}")
            log.info("sms opt-out from receipt to=%s sid=%s", mask(recipient), sid)
        status = RECEIPT_STATUS.get(raw_status)
        if status is None:
            log.info("ignored Twilio receipt sid=%s status=%s", sid, raw_status)
            return web.Response(status=200)
        error = f"twilio:{error_code}" if error_code else None
        if raw_status == "canceled" and error is None:
            error = "twilio:canceled"
        if not await self.ctx.records.update_delivery_status(sid, status, error):
            log.info("Twilio receipt for unknown message sid=%s status=%s", sid, raw_status)
        return web.Response(status=200)
