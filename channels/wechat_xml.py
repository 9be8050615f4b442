"""WeChat message XML: safe parsing (defusedxml) and passive-reply rendering."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_TEXT_BYTES = 2000  # WeChat truncates text content above 2048 bytes


class WechatXmlError(Exception):
    """The body is not a flat WeChat ``<xml>`` document (or uses DTDs/entities)."""


def parse_xml(raw: bytes | str) -> dict[str, str]:
    """Child elements of ``<xml>`` as a dict; DTDs, entities and external refs are refused."""
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise WechatXmlError(f"forbidden XML construct: {type(exc).__name__}") from None
    except (ParseError, ValueError) as exc:
        raise WechatXmlError(f"malformed XML: {exc}") from None
    if root.tag != "xml":
        raise WechatXmlError(f"unexpected root element <{root.tag}>")
    return {child.tag: (child.text or "").strip() for child in root}


@dataclass(frozen=True)
class WechatMessage:
    """One inbound message or event, as WeChat names its fields."""

    fields: Mapping[str, str]

    def get(self, name: str) -> str:
        return self.fields.get(name, "")

    @property
    def openid(self) -> str:
        return self.get("FromUserName")

    @property
    def account(self) -> str:
        return self.get("ToUserName")

    @property
    def msg_type(self) -> str:
        return self.get("MsgType").lower()

    @property
    def event(self) -> str:
        # Event names are documented in mixed case (subscribe, CLICK, TEMPLATESENDJOBFINISH).
        return self.get("Event").lower()

    @property
    def dedupe_id(self) -> str:
        """MsgId for messages; FromUserName + CreateTime for events (WeChat's own rule)."""
        msg_id = self.get("MsgId") or self.get("MsgID")
        if msg_id and self.msg_type != "event":
            return f"msg:{msg_id}"
        return f"evt:{self.openid}:{self.get('CreateTime')}:{self.event}"


def cdata(text: str) -> str:
    # "]]>" cannot appear inside CDATA; split it across two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply_xml(to_user: str, from_user: str, content: str, now: int | None = None) -> str:
    created = int(time.time()) if now is None else now
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{created}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )


def envelope_xml(encrypted: str, signature: str, timestamp: str, nonce: str) -> str:
    return (
        f"<xml><Encrypt>{cdata(encrypted)}</Encrypt>"
        f"<MsgSignature>{cdata(signature)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp>"
        f"<Nonce>{cdata(nonce)}</Nonce></xml>"
    )


def _fit(text: str, limit: int) -> int:
    """Length of the longest prefix whose UTF-8 fits ``limit`` bytes."""
    return max(1, len(text.encode("utf-8")[:limit].decode("utf-8", "ignore")))


def _split_long(text: str, limit: int) -> list[str]:
    """Cut one over-long text at line ends where possible, never inside a character."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line.encode("utf-8")) > limit:
            cut = _fit(line, limit)
            pieces.extend([current, line[:cut]])
            current, line = "", line[cut:]
        if len((current + line).encode("utf-8")) > limit:
            pieces.append(current)
            current = ""
        current += line
    pieces.append(current)
    return [p.strip() for p in pieces if p.strip()]


def pack_texts(texts: list[str], limit: int = MAX_TEXT_BYTES) -> list[str]:
    """Join reply bubbles with blank lines into as few messages as fit WeChat's limit."""
    out: list[str] = []
    for text in (t.strip() for t in texts):
        for piece in _split_long(text, limit) if text else []:
            joined = f"{out[-1]}\n\n{piece}" if out else piece
            if out and len(joined.encode("utf-8")) <= limit:
                out[-1] = joined
            else:
                out.append(piece)
    return out
