"""The console's rendering: numbered buttons, pressing by number, saved attachments."""

from __future__ import annotations

import io
import json
from pathlib import Path

from bot.console import Console
from bot.core.config import CONSOLE_TOKEN
from bot.emulator import BotApiEmulator, Upload, User


async def test_buttons_are_numbered_and_pressed_and_files_saved(tmp_path):
    async with BotApiEmulator() as emu:
        emu.register_bot(CONSOLE_TOKEN)
        user = User(id=10001, first_name="주민")
        out = io.StringIO()
        console = Console(emu, user, out, tmp_path / "files", echo=True, answer_timeout=0.2)
        emu.send_text(CONSOLE_TOKEN, user, "/start")  # the chat exists once the user wrote
        keyboard = {
            "inline_keyboard": [
                [{"text": "가", "callback_data": "a"}, {"text": "나", "callback_data": "b"}],
                [{"text": "site", "url": "https://example.org"}],
            ]
        }
        await emu.call_api(
            CONSOLE_TOKEN,
            "sendMessage",
            {"chat_id": user.id, "text": "고르세요", "reply_markup": json.dumps(keyboard)},
        )
        await emu.call_api(
            CONSOLE_TOKEN,
            "sendDocument",
            {"chat_id": user.id, "caption": "표\n둘째 줄"},
            {"document": Upload(b"id,title\n1,x\n", "proposals.csv", "text/csv")},
        )
        console.show_new()
        text = out.getvalue()
        assert "< 고르세요\n    [1] 가   [2] 나\n    [3] site ↗ https://example.org\n" in text
        saved = next((tmp_path / "files").glob("*-proposals.csv"))
        assert saved.read_bytes() == b"id,title\n1,x\n"
        assert f"[document] saved to {saved.resolve()}\n  표\n  둘째 줄\n" in text  # indented

        await console.handle("2")  # presses "나"
        press = [e for e in emu.events(CONSOLE_TOKEN) if e.kind == "callback_answer"]
        assert press == []  # no bot here to answer; but the update was queued:
        assert emu.pending_updates(CONSOLE_TOKEN)[-1]["callback_query"]["data"] == "b"
        await console.handle("3")
        assert "(site opens https://example.org)" in out.getvalue()
        await console.handle("9")
        assert "(no button 9; buttons are 1–3)" in out.getvalue()
        await console.handle("\\2")  # escaped: sent as text
        assert emu.pending_updates(CONSOLE_TOKEN)[-1]["message"]["text"] == "2"


async def test_files_of_an_earlier_run_are_not_overwritten(tmp_path):
    """Message ids start again at each run: the QR of one run (3-photo.jpg) was replaced
    by the chart of the next, saved under the same name (here: a file, 2-stats.csv)."""
    files = tmp_path / "files"
    saved = []
    for content in (b"QR of the first run", b"chart of the second run", b"third"):
        async with BotApiEmulator() as emu:  # a new run: message ids from 1 again
            emu.register_bot(CONSOLE_TOKEN)
            user = User(id=10001, first_name="주민")
            out = io.StringIO()
            console = Console(emu, user, out, files, echo=True, answer_timeout=0.2)
            emu.send_text(CONSOLE_TOKEN, user, "/start")
            await emu.call_api(
                CONSOLE_TOKEN,
                "sendDocument",
                {"chat_id": user.id},
                {"document": Upload(content, "stats.csv", "text/csv")},
            )
            console.show_new()
            line = next(x for x in out.getvalue().splitlines() if "[document] saved to " in x)
            saved.append(Path(line.split("[document] saved to ", 1)[1]))
    assert len(set(saved)) == 3 and all(p.parent == files.resolve() for p in saved)
    assert [p.read_bytes() for p in saved] == [
        b"QR of the first run",
        b"chart of the second run",
        b"third",
    ]
    assert all(p.name.endswith(".csv") and "stats" in p.name for p in saved)


# --- long lines, undecodable input, numbers the bot asked for, the user's id --------------


def test_split_message_keeps_every_piece_within_telegrams_limit():
    from bot.console import split_message

    text = "가" * 5000
    pieces = split_message(text)
    assert [len(p) for p in pieces] == [4096, 904] and "".join(pieces) == text
    words = ("낱말 " * 3000).strip()
    pieces = split_message(words)
    assert "".join(pieces) == words and all(p.endswith(" ") for p in pieces[:-1])
    emoji = "😀" * 3000  # two UTF-16 code units each, as Telegram counts
    pieces = split_message(emoji)
    assert [len(p) for p in pieces] == [2048, 952]
    assert split_message("짧은 글") == ["짧은 글"]


async def test_a_line_over_4096_characters_is_sent_in_pieces_not_a_crash(tmp_path):
    async with BotApiEmulator() as emu:
        emu.register_bot(CONSOLE_TOKEN)
        user = User(id=10001, first_name="주민")
        out = io.StringIO()
        console = Console(emu, user, out, tmp_path, echo=True, answer_timeout=0.1)
        await console.handle("가" * 5000 + "\n")
        texts = [u["message"]["text"] for u in emu.pending_updates(CONSOLE_TOKEN)]
        assert [len(t) for t in texts] == [4096, 904]
        assert "sent as 2 messages" in out.getvalue()


async def test_undecodable_input_is_replaced_not_a_crash(tmp_path):
    from bot.console import _read_blocking

    cut = "안녕".encode()[:-1]  # a paste cut inside the last character
    piped = io.TextIOWrapper(io.BytesIO(cut + b"\n/start\n"), encoding="utf-8")
    assert _read_blocking(piped, None) == "안\ufffd\n"
    assert _read_blocking(piped, None) == "/start\n"
    assert _read_blocking(piped, None) == ""
    async with BotApiEmulator() as emu:
        emu.register_bot(CONSOLE_TOKEN)
        user = User(id=10001, first_name="주민")
        console = Console(emu, user, io.StringIO(), tmp_path, echo=True, answer_timeout=0.1)
        # a terminal decoding with surrogateescape hands over lone surrogates
        await console.handle(cut.decode("utf-8", "surrogateescape") + "\n")
        await console.handle("a\ud800b\n")
        texts = [u["message"]["text"] for u in emu.pending_updates(CONSOLE_TOKEN)]
        assert texts == ["안\ufffd", "a\ufffdb"]


async def _keyboard(emu, user, text="고르세요"):
    keyboard = {"inline_keyboard": [[{"text": "가", "callback_data": "a"}]]}
    await emu.call_api(
        CONSOLE_TOKEN,
        "sendMessage",
        {"chat_id": user.id, "text": text, "reply_markup": json.dumps(keyboard)},
    )


async def test_a_number_is_text_when_the_last_answer_has_no_buttons_or_the_bot_asked(tmp_path):
    async with BotApiEmulator() as emu:
        emu.register_bot(CONSOLE_TOKEN)
        user = User(id=10001, first_name="주민")
        out = io.StringIO()
        asked = {"now": False}
        console = Console(
            emu, user, out, tmp_path, echo=True, answer_timeout=0.1,
            wants_text=lambda text: asked["now"],
        )  # fmt: skip
        emu.send_text(CONSOLE_TOKEN, user, "/start")
        await _keyboard(emu, user)
        await emu.call_api(CONSOLE_TOKEN, "sendMessage", {"chat_id": user.id, "text": "몇 명?"})
        console.show_new()
        await console.handle("1")  # the last answer has no buttons: the number is an answer
        assert emu.pending_updates(CONSOLE_TOKEN)[-1]["message"]["text"] == "1"

        await _keyboard(emu, user)
        console.show_new()
        asked["now"] = True  # the bot's current step takes typed text
        await console.handle("1")
        assert emu.pending_updates(CONSOLE_TOKEN)[-1]["message"]["text"] == "1"
        assert "(sent as text: the bot asked you to type; #1 presses a button)" in out.getvalue()
        await console.handle("#1")  # always a press
        assert emu.pending_updates(CONSOLE_TOKEN)[-1]["callback_query"]["data"] == "a"
        asked["now"] = False
        await console.handle("1")
        assert emu.pending_updates(CONSOLE_TOKEN)[-1]["callback_query"]["data"] == "a"


def _console_settings(tmp_path, **extra):
    from bot.core.config import Settings

    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'console.db'}",
        telegram_rate_limit=False,
        **extra,
    )


async def test_piped_console_prints_the_users_id_and_answers_a_question_with_a_number(
    tmp_path, monkeypatch
):
    from bot.console import CONSOLE_USER_ID, run_console

    monkeypatch.chdir(tmp_path)  # the console keeps its development secret there

    stdin = io.StringIO("/check\n30\n2\n")
    stdout = io.StringIO()
    code = await run_console(
        _console_settings(tmp_path), files_dir=tmp_path / "files", stdin=stdin, stdout=stdout
    )
    assert code == 0
    out = stdout.getvalue()
    assert f"(you are Telegram user {CONSOLE_USER_ID}, a resident;" in out
    assert f"maeul admin role add {CONSOLE_USER_ID}" in out
    # the members step shows buttons 1-6 and takes a typed number: "2" is that number
    after = out.split("> 2\n", 1)[1]
    assert "(sent as text" in after
    assert "3/5" in after  # the wizard went on to its next question


async def test_the_console_names_the_roles_its_user_has(runtime):
    """The opening line says what the console's user may do: a resident until given a
    role, then each role with its dong (it named the default first name, 주민, so an admin
    read as a resident)."""
    from bot.console import CONSOLE_USER_ID, _who
    from bot.core.users import grant_role

    assert "a resident" in await _who(runtime, CONSOLE_USER_ID)
    now = runtime.clock.utcnow()
    async with runtime.sessionmaker() as session, session.begin():
        await grant_role(session, CONSOLE_USER_ID, "admin", dong_id=None, actor="t", now=now)
        await grant_role(session, CONSOLE_USER_ID, "staff", dong_id="garam", actor="t", now=now)
    who = await _who(runtime, CONSOLE_USER_ID)
    assert f"Telegram user {CONSOLE_USER_ID}: admin, staff of garam;" in who
    assert "a resident" not in who


async def test_what_the_bot_sends_on_its_own_after_the_last_line_is_printed(tmp_path, monkeypatch):
    """An announcement goes out through the reminder dispatcher a moment after the
    staff's "send" press: when that press was the last line, the console used to stop
    before it was sent (it went out, unseen, at the next run). It now waits briefly for
    the console chat's due messages (and only when there are some)."""
    from bot.console import CONSOLE_USER_ID, run_console
    from bot.core.runtime import Runtime
    from bot.core.users import get_user, grant_role
    from bot.events import subscriptions
    from bot.runner import prepare

    monkeypatch.chdir(tmp_path)
    settings = _console_settings(tmp_path)
    runtime = Runtime.create(settings)
    await prepare(runtime)
    async with runtime.sessionmaker() as session, session.begin():
        now = runtime.clock.utcnow()
        await grant_role(session, CONSOLE_USER_ID, "admin", dong_id=None, actor="t", now=now)
        user = await get_user(session, CONSOLE_USER_ID)
        await subscriptions.toggle(session, chat_id=CONSOLE_USER_ID, chat_type="private",
                                   topic="kind", value="trainings", now=now, user=user)  # fmt: skip
    await runtime.close()

    # announce to the subscribers of trainings (🎓 교육, button 11): the press is the last line
    stdin = io.StringIO("/announce\n#11\n내일 교육실이 3층으로 바뀌어요.\n#1\n")
    stdout = io.StringIO()
    code = await run_console(settings, files_dir=tmp_path / "files", stdin=stdin, stdout=stdout)
    assert code == 0
    out = stdout.getvalue()
    assert "🎓 교육을 구독한 대화방 1곳에 보내요" in out
    after = out.rsplit("> #1\n", 1)[1]
    assert "📢 공지 · 🎓 교육" in after and "내일 교육실이 3층으로 바뀌어요." in after

    # with nothing left due, the end of input does not wait (nor start the dispatcher)
    from types import SimpleNamespace

    from bot.console import Console, _print_due

    class NotToBeStarted:
        async def ensure_started(self):
            raise AssertionError("nothing is due: no wait")

    runtime = Runtime.create(settings)
    try:
        async with BotApiEmulator() as emu:
            emu.register_bot(CONSOLE_TOKEN)
            console = Console(emu, User(id=CONSOLE_USER_ID, first_name="주민"), io.StringIO(),
                              tmp_path / "files", echo=True)  # fmt: skip
            app = SimpleNamespace(dispatcher_handle=NotToBeStarted())
            await _print_due(runtime, app, console)
    finally:
        await runtime.close()


async def test_a_number_presses_a_button_at_a_step_that_takes_only_buttons(tmp_path, monkeypatch):
    """/mydong's confirmation answers typed text with "press the buttons"
    (steps.press_buttons_then): that reminder does not make the step one that takes text, so
    "1" presses button 1 (it was sent as text, and the console user was told to use the
    buttons)."""
    from bot.console import run_console

    monkeypatch.chdir(tmp_path)
    stdout = io.StringIO()
    code = await run_console(
        _console_settings(tmp_path),
        files_dir=tmp_path / "files",
        stdin=io.StringIO("/mydong\n#1\n1\n"),
        stdout=stdout,
    )
    assert code == 0
    after = stdout.getvalue().split("> 1\n", 1)[1]
    assert "(sent as text" not in after
    assert "위의 버튼으로 답해 주세요" not in after


async def test_the_check_wizards_group_size_step_can_be_cancelled_in_the_console(
    tmp_path, monkeypatch
):
    """Its buttons are numbered 1–6 (a bare number is the size, typed) and 7 is Cancel,
    pressed with #7 (the console speaks Korean)."""
    from bot.console import run_console

    monkeypatch.chdir(tmp_path)
    stdin = io.StringIO("/check\n30\n#7\n")
    stdout = io.StringIO()
    code = await run_console(
        _console_settings(tmp_path), files_dir=tmp_path / "files", stdin=stdin, stdout=stdout
    )
    assert code == 0
    after = stdout.getvalue().split("> #7\n", 1)[1]
    assert "✔ 취소" in after and "멈췄어요. 다시 하려면 /check" in after
