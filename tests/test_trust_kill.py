"""A real bot process killed with SIGKILL between a cast's commit and its reply (issue 9 §1).

The emulator holds the bot's first reply to the Cast press (``stall_next``): by then the
update's transaction has committed — replies are sent only after it — so the bot is
killed while the voter has been told nothing. Afterwards the ballot is counted and,
after a restart, the voter sees that they have voted.
"""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from bot.emulator import BotApiEmulator, User
from tests.e2e import texts
from tests.process_helpers import killed_while_replying, process_env, stop_process
from tests.test_process import TOKEN, SlowChat, start_bot

DURING = "2027-06-01T12:00:00+09:00"  # the Hanbit 1-dong online vote is open
SECRET = "k" * 40


VOTE_OPEN = {"BALLOT_SECRET": SECRET, "MAEUL_NOW": DURING}


def _issue_code(tmp_path: Path, emu: BotApiEmulator) -> str:
    out = tmp_path / "codes.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "assembly",
            "codes",
            "hanbit1-2027",
            "--count",
            "1",
            "--out",
            str(out),
            "--bot-username",
            "maeul_bot",
        ],
        cwd=tmp_path,
        env=process_env(tmp_path, TOKEN, emu, **VOTE_OPEN),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8") as fh:
        row = next(csv.DictReader(fh))
    return next(v for k, v in row.items() if "code" in k.lower())


def _press_without_waiting(chat: SlowChat, label: str) -> None:
    for message in reversed(chat.emu.messages(TOKEN, chat.chat_id)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard") or []:
            for button in row:
                if label in button.get("text", ""):
                    chat.emu.press(
                        TOKEN,
                        chat.user,
                        chat.chat_id,
                        message["message_id"],
                        button["callback_data"],
                    )
                    return
    raise AssertionError(f"no button {label!r}")


def _ballots(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "maeul.db") as db:
        return int(db.execute("SELECT count(*) FROM ballots").fetchone()[0])


async def test_sigkill_between_the_cast_commit_and_the_reply(tmp_path):
    async with BotApiEmulator() as emu:
        emu.register_bot(TOKEN, username="maeul_bot")
        chat = SlowChat(emu, User(id=4545, first_name="Minji", language_code="en"), token=TOKEN)
        proc = await start_bot(tmp_path, emu, **VOTE_OPEN)
        try:
            assert await chat.send("/start"), "the bot did not start"
            code = _issue_code(tmp_path, emu)
            events = await chat.send(f"/start vote_{code}")
            assert "item 1 of 7" in texts(events)[-1]
            for _ in range(7):
                events = await chat.press("Yes")
            assert "Please check your vote" in texts(events)[-1]

            since = await killed_while_replying(
                proc, emu, TOKEN, "answerCallbackQuery",
                lambda: _press_without_waiting(chat, "Cast my vote"),
            )  # fmt: skip
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert proc.returncode == -signal.SIGKILL
        told = [e for e in emu.events(TOKEN) if e.seq > since and e.chat_id == chat.chat_id]
        assert not any("counted" in (e.text or "") for e in told)  # nothing reached the voter
        assert _ballots(tmp_path) == 1  # but the ballot is in the box

        emu.clear_failures(TOKEN)
        proc = await start_bot(tmp_path, emu, **VOTE_OPEN)
        try:
            await chat.send("/vote")
            events = await chat.press("2027 Hanbit 1-dong")
            assert any("You have voted" in t for t in texts(events)), texts(events)
        finally:
            await stop_process(proc)
        assert _ballots(tmp_path) == 1


if os.name != "posix":  # pragma: no cover
    test_sigkill_between_the_cast_commit_and_the_reply = None  # type: ignore[assignment]
