"""``python -m bot.emulator [--host H] [--port P] [--latency S]``: run the emulator standalone."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from bot.emulator.server import BotApiEmulator


async def _serve(args: argparse.Namespace) -> None:
    emu = BotApiEmulator(
        args.host,
        args.port,
        args.files_dir,
        strict_html=not args.lenient_html,
        latency=args.latency,
    )
    for spec in args.register:
        token, _, username = spec.partition("=")
        emu.register_bot(token, username=username or "maeul_bot")
    await emu.start()
    print(f"Telegram Bot API emulator listening on {emu.url}", flush=True)
    print(f"  base_url      = {emu.base_url}", flush=True)
    print(f"  base_file_url = {emu.base_file_url}", flush=True)
    print(f"  user API      = {emu.user_api_url}/<TOKEN>/<operation>", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await emu.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.emulator", description="Local Telegram Bot API emulator"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--files-dir", default=None, help="where uploads are stored")
    parser.add_argument(
        "--register",
        action="append",
        default=[],
        metavar="TOKEN[=USERNAME]",
        help="pre-register a bot (any well-formed token works anyway)",
    )
    parser.add_argument(
        "--lenient-html",
        action="store_true",
        help="accept a bare '&' in HTML parse mode like real Telegram",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="answer every Bot API call but getUpdates this much later, like Telegram's "
        "round trip (e.g. 0.05)",
    )
    args = parser.parse_args(argv)
    if args.latency < 0:
        parser.error("--latency must be >= 0")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
