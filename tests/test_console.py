"""The console's rendering: numbered buttons, pressing by number, saved attachments."""

from __future__ import annotations

import io
import json

from bot.console import CONSOLE_TOKEN, Console
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
            {"chat_id": user.id, "caption": "표"},
            {"document": Upload(b"id,title\n1,x\n", "proposals.csv", "text/csv")},
        )
        console.show_new()
        text = out.getvalue()
        assert "< 고르세요\n    [1] 가   [2] 나\n    [3] site ↗ https://example.org\n" in text
        saved = next((tmp_path / "files").glob("*-proposals.csv"))
        assert saved.read_bytes() == b"id,title\n1,x\n"
        assert f"[document] saved to {saved.resolve()}" in text

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
