"""WeChat Official Account signatures and safe-mode (AES) message crypto.

Safe mode as Tencent specifies it: key = base64(EncodingAESKey + "="), AES-256-CBC with
IV = key[:16], plaintext = 16 random bytes + 4-byte big-endian length + message + appid,
PKCS#7-padded to 32-byte blocks (not AES's 16), base64 on the wire.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK_SIZE = 32


class WechatCryptoError(Exception):
    """A message could not be decrypted (bad base64, padding or length)."""


class AppIdMismatch(WechatCryptoError):
    """The decrypted message was addressed to another Official Account."""


def sign(*parts: str) -> str:
    """sha1 hex of the lexicographically sorted, concatenated parts."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def check_signature(signature: str | None, *parts: str) -> bool:
    if not signature:
        return False
    return hmac.compare_digest(signature.lower().encode("ascii", "replace"), sign(*parts).encode())


def new_nonce() -> str:
    return str(secrets.randbelow(10**10)).zfill(10)


def _pkcs7_pad(data: bytes) -> bytes:
    amount = BLOCK_SIZE - len(data) % BLOCK_SIZE
    return data + bytes([amount]) * amount


def _pkcs7_unpad(data: bytes) -> bytes:
    if not data:
        raise WechatCryptoError("empty plaintext")
    amount = data[-1]
    if not 1 <= amount <= BLOCK_SIZE or data[-amount:] != bytes([amount]) * amount:
        raise WechatCryptoError("bad padding")
    return data[:-amount]


class WechatCrypto:
    """Encrypts and decrypts the ``Encrypt`` field for one Official Account."""

    def __init__(self, token: str, encoding_aes_key: str, app_id: str) -> None:
        if len(encoding_aes_key) != 43:
            raise ValueError("EncodingAESKey must be 43 characters")
        try:
            self._key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error as exc:
            raise ValueError("EncodingAESKey is not valid base64") from exc
        self._token = token
        self._app_id = app_id

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def encrypt(self, message: str, random_prefix: bytes | None = None) -> str:
        body = message.encode("utf-8")
        prefix = random_prefix if random_prefix is not None else os.urandom(16)
        plain = prefix + struct.pack(">I", len(body)) + body + self._app_id.encode("utf-8")
        encryptor = self._cipher().encryptor()
        sealed = encryptor.update(_pkcs7_pad(plain)) + encryptor.finalize()
        return base64.b64encode(sealed).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        """The inner XML; raises ``AppIdMismatch`` for another account's message."""
        try:
            sealed = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise WechatCryptoError("Encrypt is not valid base64") from None
        if not sealed or len(sealed) % 16:
            raise WechatCryptoError("Encrypt has a bad length")
        decryptor = self._cipher().decryptor()
        plain = _pkcs7_unpad(decryptor.update(sealed) + decryptor.finalize())
        if len(plain) < 20:
            raise WechatCryptoError("plaintext too short")
        (length,) = struct.unpack(">I", plain[16:20])
        if 20 + length > len(plain):
            raise WechatCryptoError("message length out of range")
        app_id = plain[20 + length :]
        if not hmac.compare_digest(app_id, self._app_id.encode("utf-8")):
            raise AppIdMismatch("message is for another appid")
        try:
            return plain[20 : 20 + length].decode("utf-8")
        except UnicodeDecodeError:
            raise WechatCryptoError("message is not UTF-8") from None

    def check_msg_signature(
        self, msg_signature: str | None, timestamp: str, nonce: str, encrypted: str
    ) -> bool:
        return check_signature(msg_signature, self._token, timestamp, nonce, encrypted)

    def msg_signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        return sign(self._token, timestamp, nonce, encrypted)
