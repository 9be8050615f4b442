"""The ``citizen-hub`` command line."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import sys
from collections.abc import Callable, Sequence

from aiohttp import web

from bot.app import Core, build_core, create_app
from bot.config import Config, ConfigError, load_config
from bot.messages import InboundMessage, Reply

Command = Callable[[argparse.Namespace], int]


def _config(args: argparse.Namespace) -> Config:
    return load_config(getattr(args, "config", None))


def _setup_logging(config: Config) -> None:
    # The format uses none of these record fields; skipping them halves a log call's cost
    # (the hub logs a line per message). See "Optimization" in the logging HOWTO.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging.basicConfig(
        level=config.logging.level,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )


def cmd_serve(args: argparse.Namespace) -> int:
    config = _config(args)
    _setup_logging(config)
    host = args.host or config.server.host
    port = args.port or config.server.port
    access_log = logging.getLogger("aiohttp.access") if config.server.access_log else None
    app = create_app(config)
    # The catalogue index, NLU model and dictionaries live as long as the process: keep them
    # out of the cyclic GC, whose full collections would otherwise walk them (~50 ms pauses).
    gc.collect()
    gc.freeze()
    web.run_app(app, host=host, port=port, print=None, access_log=access_log)
    return 0


async def _one_turn(core: Core, sender: str, texts: Sequence[str]) -> list[list[Reply]]:
    await core.start()
    try:
        answers = []
        for text in texts:
            message = InboundMessage(channel="cli", sender=sender, text=text)
            answers.append(await core.hub.handle(message))
        return answers
    finally:
        await core.close()


def _print_replies(replies: list[Reply]) -> None:
    for reply in replies:
        print(reply.as_plain_text())
        print()


def cmd_ask(args: argparse.Namespace) -> int:
    config = _config(args)
    # build_core may train the NLU model: CPU work done before the event loop starts.
    (replies,) = asyncio.run(_one_turn(build_core(config), args.sender, [args.text]))
    if args.json:
        out = [
            {
                "recipient_id": args.sender,
                "text": r.text,
                "buttons": [{"title": b.title, "payload": b.payload} for b in r.buttons],
                "links": [{"title": link.title, "url": link.url} for link in r.links],
            }
            for r in replies
        ]
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        _print_replies(replies)
    return 0


async def _chat_loop(core: Core, sender: str) -> None:
    await core.start()
    print("市民服务助手（输入“退出”或按 Ctrl-D 结束）")
    try:
        while True:
            try:
                text = (await asyncio.to_thread(input, "您> ")).strip()
            except EOFError:
                break
            if text in {"退出", "exit", "quit"}:
                break
            if text:
                _print_replies(await core.hub.handle(InboundMessage("cli", sender, text)))
    finally:
        await core.close()


def cmd_chat(args: argparse.Namespace) -> int:
    asyncio.run(_chat_loop(build_core(_config(args)), args.sender))
    return 0


def build_parser() -> argparse.ArgumentParser:
    from bot.dialogue import cli as dialogue_cli
    from intents import cli as intents_cli
    from knowledge import cli as knowledge_cli

    parser = argparse.ArgumentParser(prog="citizen-hub", description="Citizen service hub")
    parser.add_argument("--config", help="config file (default $CITIZEN_HUB_CONFIG or config.yml)")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the hub (HTTP server)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(func=cmd_serve)

    chat = sub.add_parser("chat", help="talk to the bot in the terminal")
    chat.add_argument("--sender", default="cli-user")
    chat.set_defaults(func=cmd_chat)

    ask = sub.add_parser("ask", help="ask one question")
    ask.add_argument("text")
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--sender", default="cli-user")
    ask.set_defaults(func=cmd_ask)

    knowledge_cli.register(sub)
    intents_cli.register(sub)
    dialogue_cli.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    # Global options may also follow the sub-command (citizen-hub ask X --config c.yml).
    parser_for_sub = argparse.ArgumentParser(add_help=False)
    parser_for_sub.add_argument("--config")
    known, rest = parser_for_sub.parse_known_args(argv)
    args = parser.parse_args(rest)
    if known.config:
        args.config = known.config
    try:
        code: int = args.func(args)
    except ConfigError as exc:
        print(f"config error:\n{exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
