"""Builds requests the way the WeChat platform does, with its own implementation of the spec
(cryptography's PKCS7 at a 256-bit block, not the channel's code), and opens encrypted replies."""

from __future__ import annotations

import base64
import hashlib
import os
import struct
import time
from dataclasses import dataclass
from itertools import count
from xml.etree import ElementTree

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# Tencent's published safe-mode sample (decrypts to a text message "abcdteT").
SAMPLE_TOKEN = "spamtest"
SAMPLE_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SAMPLE_APP_ID = "wx2c2769f8efd9abc2"
SAMPLE_TIMESTAMP, SAMPLE_NONCE = "1409735669", "1320562132"
SAMPLE_MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
SAMPLE_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGH"
    "QHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tE"
    "DYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZ"
    "bGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q"
    "5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)


_ids = count(7_000_000_000_000_000_000)


def sha1_sorted(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def next_msg_id() -> str:
    return str(next(_ids))


def text_xml(openid: str, content: str, msg_id: str | None = None, account: str = "gh_test") -> str:
    return (
        f"<xml><ToUserName><![CDATA[{account}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id or next_msg_id()}</MsgId></xml>"
    )


def event_xml(openid: str, event: str, key: str = "", created: int | None = None) -> str:
    return (
        f"<xml><ToUserName><![CDATA[gh_test]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{created or int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>"
        f"<EventKey><![CDATA[{key}]]></EventKey></xml>"
    )


def xml_fields(xml: str | bytes) -> dict[str, str]:
    return {c.tag: c.text or "" for c in ElementTree.fromstring(xml)}


@dataclass
class WechatSender:
    token: str
    app_id: str = ""
    encoding_aes_key: str | None = None

    @property
    def _key(self) -> bytes:
        assert self.encoding_aes_key is not None
        return base64.b64decode(self.encoding_aes_key + "=")

    def plain(self, xml: str, timestamp: str | None = None) -> tuple[dict[str, str], bytes]:
        ts, nonce = timestamp or str(int(time.time())), str(int.from_bytes(os.urandom(4), "big"))
        query = {"signature": sha1_sorted(self.token, ts, nonce), "timestamp": ts, "nonce": nonce}
        return {**query, "openid": "x"}, xml.encode()

    def encrypt(self, message: str, app_id: str | None = None) -> str:
        body = message.encode()
        plain = os.urandom(16) + struct.pack("!I", len(body)) + body
        plain += (app_id or self.app_id).encode()
        padder = padding.PKCS7(256).padder()
        padded = padder.update(plain) + padder.finalize()
        enc = Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16])).encryptor()
        return base64.b64encode(enc.update(padded) + enc.finalize()).decode()

    def safe(
        self, xml: str, compat: bool = False, app_id: str | None = None
    ) -> tuple[dict[str, str], bytes]:
        """Safe mode (``compat``: plaintext fields alongside ``Encrypt``)."""
        query, _ = self.plain(xml)
        encrypted = self.encrypt(xml, app_id)
        query["encrypt_type"] = "aes"
        query["msg_signature"] = sha1_sorted(
            self.token, query["timestamp"], query["nonce"], encrypted
        )
        inner = xml.removeprefix("<xml>").removesuffix("</xml>") if compat else ""
        outer = f"<xml><ToUserName><![CDATA[gh_test]]></ToUserName>{inner}"
        return query, f"{outer}<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode()

    def open_reply(self, body: str) -> dict[str, str]:
        """Check the envelope's MsgSignature, decrypt, check the appid; the reply's fields."""
        env = xml_fields(body)
        expected = sha1_sorted(self.token, env["TimeStamp"], env["Nonce"], env["Encrypt"])
        assert env["MsgSignature"] == expected, "reply MsgSignature does not verify"
        dec = Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16])).decryptor()
        padded = dec.update(base64.b64decode(env["Encrypt"])) + dec.finalize()
        unpadder = padding.PKCS7(256).unpadder()
        plain = unpadder.update(padded) + unpadder.finalize()
        (length,) = struct.unpack("!I", plain[16:20])
        assert plain[20 + length :].decode() == self.app_id
        return xml_fields(plain[20 : 20 + length])
