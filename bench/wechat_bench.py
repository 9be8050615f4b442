"""WeChat passive-reply latency through the full app on loopback; prints JSON.

N signed safe-mode (AES) text messages are POSTed one after another to ``/channels/wechat`` of
``create_app`` served on 127.0.0.1 (random port); each reply is decrypted and checked. The
latency is the client-side round trip (signature check, decrypt, NLU, catalogue answer,
encrypt). Usage: ``python bench/wechat_bench.py [--n 300] [--warmup 20]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import create_app
from bot.config import Config, config_from_mapping
from channels.wechat_crypto import WechatCrypto, new_nonce, sign
from channels.wechat_xml import parse_xml

ROOT = Path(__file__).resolve().parent.parent
MAX_N = 10_000
TOKEN, APP_ID, SECRET = "bench-token", "wxbench0000000000", "bench-secret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OPENID = "oBENCHxxxxxxxxxxxxxxxxxxxxxx"
QUESTIONS = (
    "港澳通行证要带什么材料",
    "护照办理要多少钱",
    "港澳通行证再次签注在哪里办",
    "出入境证件多久能拿到",
    "身份证丢了怎么办",
    "今天天气怎么样",
)


def bench_config(tmp: Path) -> Config:
    data: dict[str, Any] = {
        "storage": {"database_url": f"sqlite+aiosqlite:///{tmp}/bench.db"},
        "knowledge": {"catalogue": str(ROOT / "knowledge" / "catalogue")},
        "nlu": {"model_dir": str(tmp / "models")},
        "logging": {"level": "WARNING"},
        "channels": {
            "wechat": {
                "enabled": True,
                "token": TOKEN,
                "app_id": APP_ID,
                "app_secret": SECRET,
                "encoding_aes_key": AES_KEY,
                "api_base": "http://127.0.0.1:9",  # passive replies only: never called
            }
        },
    }
    return config_from_mapping(data, "bench", env={}, base_dir=ROOT)


def signed_request(crypto: WechatCrypto, text: str, msg_id: int) -> tuple[dict[str, str], bytes]:
    inner = (
        f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName>"
        f"<FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )
    timestamp, nonce = str(int(time.time())), new_nonce()
    encrypted = crypto.encrypt(inner)
    query = {
        "signature": sign(TOKEN, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": OPENID,
        "encrypt_type": "aes",
        "msg_signature": crypto.msg_signature(timestamp, nonce, encrypted),
    }
    body = f"<xml><ToUserName>gh_bench</ToUserName><Encrypt>{encrypted}</Encrypt></xml>"
    return query, body.encode()


def percentile(sorted_ms: list[float], q: float) -> float:
    index = min(len(sorted_ms) - 1, max(0, round(q * (len(sorted_ms) - 1))))
    return round(sorted_ms[index], 2)


async def run(n: int, warmup: int) -> dict[str, Any]:
    crypto = WechatCrypto(TOKEN, AES_KEY, APP_ID)
    with tempfile.TemporaryDirectory() as tmp:
        runner = web.AppRunner(create_app(bench_config(Path(tmp))), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/channels/wechat"
        latencies: list[float] = []
        counts = {"passive": 0, "success_only": 0, "errors": 0}
        try:
            async with aiohttp.ClientSession() as session:
                for i in range(warmup + n):
                    query, body = signed_request(crypto, QUESTIONS[i % len(QUESTIONS)], 10_000 + i)
                    started = time.perf_counter()
                    async with session.post(url, params=query, data=body) as resp:
                        status, text = resp.status, await resp.text()
                    elapsed_ms = (time.perf_counter() - started) * 1000
                    if i < warmup:
                        continue
                    latencies.append(elapsed_ms)
                    counts[classify(crypto, status, text)] += 1
        finally:
            await runner.cleanup()
    ordered = sorted(latencies)
    return {
        "bench": "wechat_passive_reply_latency",
        "mode": "aes",
        "n": n,
        "warmup": warmup,
        "p50_ms": percentile(ordered, 0.50),
        "p90_ms": percentile(ordered, 0.90),
        "p99_ms": percentile(ordered, 0.99),
        "mean_ms": round(statistics.fmean(ordered), 2),
        "max_ms": round(ordered[-1], 2),
        **counts,
    }


def classify(crypto: WechatCrypto, status: int, text: str) -> str:
    if status != 200:
        return "errors"
    if text == "success":
        return "success_only"
    envelope = parse_xml(text)
    reply = parse_xml(crypto.decrypt(envelope["Encrypt"]))
    return "passive" if reply.get("Content") else "errors"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help=f"measured requests (max {MAX_N})")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests first")
    args = parser.parse_args(argv)
    n = max(1, min(args.n, MAX_N))
    result = asyncio.run(run(n, max(0, min(args.warmup, 1000))))
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
