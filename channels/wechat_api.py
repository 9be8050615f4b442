"""WeChat Official Account server API client: access_token, customer-service and template sends.

Every call goes through ``_call``, which maps HTTP failures and WeChat ``errcode`` values to the
typed exceptions below in one place. The access_token lives in the shared key-value store so all
replicas use (and refresh) the same token; a set-if-absent key keeps refreshes to one at a time.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Mapping
from typing import Any

import aiohttp

from bot.coordination import KeyValueStore
from bot.privacy import mask

log = logging.getLogger("citizen_hub.wechat_api")

DEFAULT_API_BASE = "https://api.weixin.qq.com"


class WechatApiError(Exception):
    """An API call failed; ``retryable`` says whether trying again later may succeed.

    ``errcode`` is WeChat's; local failures use -2 (bad token answer), -3 (timeout),
    -4 (network), -5 (HTTP status), -6 (answer not JSON).
    """

    retryable = False

    def __init__(self, errcode: int, errmsg: str, path: str = "") -> None:
        super().__init__(f"{path or 'wechat api'}: errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.path = path


class WechatNetworkError(WechatApiError):
    """Connection failure, timeout or HTTP 5xx: nothing is known to have been sent."""

    retryable = True


class WechatServerBusy(WechatApiError):
    retryable = True


class WechatRateLimited(WechatApiError):
    retryable = True


class WechatInvalidCredential(WechatApiError):
    """AppID/AppSecret wrong, IP not whitelisted, or access_token rejected after a refresh."""


class WechatOutsideWindow(WechatApiError):
    """Customer-service messages are only allowed within 48 h of the user's last message."""


class WechatUserUnsubscribed(WechatApiError):
    pass


class WechatUserBlocked(WechatApiError):
    pass


class WechatInvalidRecipient(WechatApiError):
    pass


class WechatInvalidTemplate(WechatApiError):
    pass


TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
_ERRORS: dict[int, type[WechatApiError]] = {
    -1: WechatServerBusy,
    40001: WechatInvalidCredential,
    40002: WechatInvalidCredential,
    40013: WechatInvalidCredential,
    40014: WechatInvalidCredential,
    40125: WechatInvalidCredential,
    40164: WechatInvalidCredential,
    41001: WechatInvalidCredential,
    42001: WechatInvalidCredential,
    40003: WechatInvalidRecipient,
    40036: WechatInvalidTemplate,
    40037: WechatInvalidTemplate,
    43004: WechatUserUnsubscribed,
    43019: WechatUserBlocked,
    43101: WechatUserUnsubscribed,
    45009: WechatRateLimited,
    45011: WechatRateLimited,
    45047: WechatRateLimited,
    45015: WechatOutsideWindow,
}


def error_for(errcode: int, errmsg: str, path: str = "") -> WechatApiError:
    return _ERRORS.get(errcode, WechatApiError)(errcode, errmsg, path)


class WechatApiClient:
    """One Official Account's API. ``start()`` opens the HTTP session, ``close()`` ends it."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        kv: KeyValueStore,
        api_base: str = DEFAULT_API_BASE,
        timeout_s: float = 5.0,
        refresh_margin_s: float = 300.0,
    ) -> None:
        self._app_id = app_id
        self._secret = app_secret
        self._kv = kv
        self._base = api_base.rstrip("/") + "/"
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._margin = refresh_margin_s
        self._session: aiohttp.ClientSession | None = None
        self._token_key = f"wechat:access_token:{app_id}"
        self._lock_key = f"wechat:access_token_lock:{app_id}"

    async def start(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> WechatApiClient:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    # -- public API -------------------------------------------------------------------------

    async def send_text(self, openid: str, text: str) -> None:
        """Customer-service text message (allowed within 48 h of the user's last message)."""
        payload = {"touser": openid, "msgtype": "text", "text": {"content": text}}
        await self._authed_post("cgi-bin/message/custom/send", payload)
        log.info("wechat custom send to=%s chars=%d", mask(openid), len(text))

    async def send_template(
        self,
        openid: str,
        template_id: str,
        data: Mapping[str, str | Mapping[str, str]],
        url: str | None = None,
        client_msg_id: str | None = None,
    ) -> str:
        """Template message; returns WeChat's msgid (the TEMPLATESENDJOBFINISH event cites it).

        ``data`` values may be plain strings (wrapped as ``{"value": ...}``) or full dicts.
        ``client_msg_id`` makes WeChat drop a repeated send of the same notification.
        """
        payload: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {k: {"value": v} if isinstance(v, str) else dict(v) for k, v in data.items()},
        }
        if url:
            payload["url"] = url
        if client_msg_id:
            payload["client_msg_id"] = client_msg_id
        answer = await self._authed_post("cgi-bin/message/template/send", payload)
        msgid = str(answer.get("msgid", ""))
        log.info(
            "wechat template send to=%s template=%s msgid=%s", mask(openid), template_id, msgid
        )
        return msgid

    async def access_token(self) -> str:
        """The shared token, fetched when absent or about to expire."""
        token = await self._kv.get(self._token_key)
        if token:
            return token
        return await self._refresh_token()

    async def invalidate_token(self, token: str) -> None:
        """Drop ``token`` unless another replica has already replaced it."""
        if await self._kv.get(self._token_key) == token:
            await self._kv.delete(self._token_key)

    # -- internals --------------------------------------------------------------------------

    async def _authed_post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        token = await self.access_token()
        try:
            return await self._call("POST", path, {"access_token": token}, payload)
        except WechatInvalidCredential as exc:
            if exc.errcode not in TOKEN_ERRCODES:
                raise
            log.warning("wechat access_token rejected (errcode %d); refreshing once", exc.errcode)
            await self.invalidate_token(token)
            token = await self.access_token()
            return await self._call("POST", path, {"access_token": token}, payload)

    async def _refresh_token(self) -> str:
        # One caller (across replicas) fetches while the others wait for its token.
        wait_s = self._timeout.total or 5.0
        deadline = time.monotonic() + wait_s
        while not await self._kv.add(self._lock_key, "1", ttl_s=wait_s):
            await asyncio.sleep(0.05)
            token = await self._kv.get(self._token_key)
            if token:
                return token
            if time.monotonic() > deadline:
                return await self._fetch_token()  # the holder hangs or died: fetch anyway
        try:
            return await self._kv.get(self._token_key) or await self._fetch_token()
        finally:
            await self._kv.delete(self._lock_key)

    async def _fetch_token(self) -> str:
        params = {"grant_type": "client_credential", "appid": self._app_id, "secret": self._secret}
        answer = await self._call("GET", "cgi-bin/token", params)
        token = answer.get("access_token")
        expires_in = answer.get("expires_in", 7200)
        if not isinstance(token, str) or not token or not isinstance(expires_in, int | float):
            raise WechatApiError(-2, "token answer without access_token", "cgi-bin/token")
        lifetime = float(expires_in)
        ttl = lifetime - self._margin if lifetime > 2 * self._margin else lifetime / 2
        await self._kv.set(self._token_key, token, ttl_s=ttl)
        log.info("wechat access_token refreshed; cached for %.0fs", ttl)
        return token

    async def _call(
        self, method: str, path: str, params: dict[str, str], payload: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        if self._session is None:
            raise RuntimeError("WechatApiClient.start() was not called")
        body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"} if body else None
        # Never put the URL in errors or logs: its query holds the secret or the access_token.
        try:
            async with self._session.request(
                method, self._base + path, params=params, data=body, headers=headers
            ) as resp:
                status, raw = resp.status, await resp.read()
        except TimeoutError:
            raise WechatNetworkError(-3, "timed out", path) from None
        except aiohttp.ClientError as exc:
            raise WechatNetworkError(-4, f"network error ({type(exc).__name__})", path) from None
        return _decode(status, raw, path)


def _decode(status: int, raw: bytes, path: str) -> dict[str, Any]:
    if status >= 500:
        raise WechatNetworkError(-5, f"HTTP {status}", path)
    try:
        answer = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise WechatApiError(-6, f"HTTP {status}: answer is not JSON", path) from None
    if not isinstance(answer, dict):
        raise WechatApiError(-6, f"HTTP {status}: answer is not a JSON object", path)
    errcode = answer.get("errcode", 0)
    if errcode not in (0, None):
        code = errcode if isinstance(errcode, int) else -6
        raise error_for(code, str(answer.get("errmsg", "")), path)
    if status >= 400:
        raise WechatApiError(-5, f"HTTP {status}", path)
    return answer
