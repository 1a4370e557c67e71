"""The bot as users start it: a separate process polling a Bot API server over HTTP."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.emulator import BotApiEmulator, User
from tests.e2e import ChatDriver, buttons, texts
from tests.process_helpers import process_env, start_process, stop_process

TOKEN = "123:ABC"
ROOT = Path(__file__).resolve().parent.parent


async def start_bot(
    tmp_path: Path, emu: BotApiEmulator, **extra: str
) -> asyncio.subprocess.Process:
    """``maeul run`` polling ``emu`` (``extra``: more settings)."""
    return await start_process(tmp_path, process_env(tmp_path, TOKEN, emu, **extra), "run")


class SlowChat(ChatDriver):
    """A chat whose bot is a separate process that may still be starting."""

    async def _reaction(self, since, timeout=5.0):
        return await super()._reaction(since, timeout=40.0)


async def test_maeul_run_polls_a_bot_api_server_and_answers_start(tmp_path):
    async with BotApiEmulator() as emu:
        emu.register_bot(TOKEN, username="maeul_bot")
        proc = await start_bot(tmp_path, emu)
        try:
            chat = SlowChat(emu, User(id=4242, first_name="지훈", language_code="ko"), token=TOKEN)
            events = await chat.send("/start")
            assert events, "the bot did not answer /start"
            assert "안녕하세요, 지훈님!" in events[0].text
            assert {"🏘 우리 동", "🌐 언어 (Language)", "❓ 도움말"} <= set(buttons(events[0]))
        finally:
            err = await stop_process(proc)
        assert proc.returncode == 0, err.decode()
        # (the long poll abandoned at shutdown ends with 409 Conflict, as on Telegram)
        assert [e for e in emu.api_errors(TOKEN) if e.method != "getUpdates"] == []


async def test_sigkill_mid_conversation_then_restart_continues(tmp_path):
    async with BotApiEmulator() as emu:
        emu.register_bot(TOKEN, username="maeul_bot")
        chat = SlowChat(emu, User(id=4343, first_name="은지", language_code="ko"), token=TOKEN)
        proc = await start_bot(tmp_path, emu)
        try:
            events = await chat.send("/mydong")
            assert "어느 동에" in events[0].text
            events = await chat.press("솔빛동")
            assert "솔빛동을 우리 동으로 설정할까요?" in texts(events)
        finally:
            proc.kill()  # SIGKILL: no shutdown, no final persistence flush
            await proc.wait()
        assert proc.returncode == -signal.SIGKILL

        proc = await start_bot(tmp_path, emu)
        try:
            events = await chat.press("네, 저장")
            assert "저장했어요. 우리 동은 솔빛동이에요." in texts(events)
            events = await chat.send("/mydong")
            assert events[0].text.startswith("지금 우리 동은 솔빛동이에요.")
        finally:
            await stop_process(proc)


def test_console_scripted_start_and_language(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        input="/start\n/language\n2\n/start\n",
        cwd=tmp_path,
        env=process_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "> /start\n< 안녕하세요, 주민님!" in out
    assert "] 🏘 우리 동" in out
    assert "[2] English" in out
    assert "Language set to English." in out
    assert "< Hello, 주민!" in out
    assert "Traceback" not in proc.stderr


def test_cli_help():
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0
    assert "Usage" in proc.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["db", "--help"],
        ["kb", "import", "--help"],
        ["admin", "role", "add", "--help"],
        ["console", "--help"],
    ],
)
def test_subcommand_help(args):
    """The subcommands' help, in this process (the entry point's start-up is the test
    above's: a process each cost seconds of CPU for the same imports)."""
    from typer.testing import CliRunner

    from bot.cli import app

    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Usage" in result.stdout
