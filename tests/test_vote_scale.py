"""10,000 distinct voters cast through the emulator; the tally is exact (SQLite, PostgreSQL).

Each voter scans their code's link (``/start vote_<code>``), answers the ballot's item and
presses Cast: three updates each, driven from the emulator's user side, all voters at once
per step. ``MAEUL_SCALE_VOTERS`` lowers the number for a quick local run.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot import assembly as A
from bot.assembly.crypto import keyring_for
from bot.emulator import User
from bot.emulator.core import QUERY_TOO_OLD
from models import Ballot
from tests.e2e import TOKEN, running_bot
from tests.test_assembly_support import DURING

VOTERS = int(os.environ.get("MAEUL_SCALE_VOTERS", "10000"))
STEP_TIMEOUT = 900.0
LABELS = {"y": "Yes", "n": "No", "a": "Abstain"}


def answer_of(n: int) -> str:
    return "yna"[n % 7 % 3]  # uneven on purpose: 4/7 yes-ish, the rest split


async def _step(emu, users, act, events_each: int) -> float:
    """Do ``act(user)`` for every voter, then wait until the bot has answered them all."""
    started = time.perf_counter()
    target = emu.last_seq(TOKEN) + events_each * len(users)
    for user in users:
        act(user)
    await emu.wait_for(lambda: emu.last_seq(TOKEN) >= target, timeout=STEP_TIMEOUT)
    return time.perf_counter() - started


def _press(emu, user, label: str) -> None:
    message = emu.messages(TOKEN, user.id)[-1]
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    data = next(b["callback_data"] for row in rows for b in row if label in b["text"])
    emu.press(TOKEN, user, user.id, message["message_id"], data)


@pytest.mark.scale
@pytest.mark.slow
@pytest.mark.e2e
async def test_ten_thousand_voters_give_an_exact_tally(runtime):
    runtime.clock.set(DURING)
    async with running_bot(runtime, ballot_secret=True) as bot:
        ring = keyring_for(runtime.settings)
        now = runtime.clock.now()
        async with runtime.sessionmaker() as s:
            vote = await A.create_vote(
                s,
                assembly_id="scale-test",
                dong_id="garam",
                title={"ko": "규모 시험"},
                opens_at=now - timedelta(hours=1),
                closes_at=now + timedelta(days=7),
                method="approve_reject",
                max_choices=None,
                items=[A.NewItem({"ko": "공원 정비", "en": "Park works"})],
                actor="t",
                now=now,
            )
            codes = await A.issue_codes(s, ring, vote, VOTERS, actor="t", now=now)
            await s.commit()
        emu = bot.emu
        users = [
            User(id=300_000 + n, first_name=f"v{n}", language_code="en") for n in range(VOTERS)
        ]
        code_of = {u.id: c for u, c in zip(users, codes, strict=True)}
        timings = {
            "scan": await _step(
                emu, users, lambda u: emu.send_text(TOKEN, u, f"/start vote_{code_of[u.id]}"), 1
            ),
            "answer": await _step(emu, users, lambda u: _press(emu, u, LABELS[answer_of(u.id)]), 2),
            "cast": await _step(emu, users, lambda u: _press(emu, u, "Cast my vote"), 2),
        }
        print(f"{VOTERS} voters: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
        assert not bot.errors
        # the one error allowed: a press answered after Telegram's time for it (a burst of
        # 10,000 presses on two busy cores), as Telegram itself would refuse it — the spinner
        # stopped on its own and the receipt is still sent (bot/app.py takes it as done)
        others = [
            e
            for e in emu.api_errors(TOKEN)
            if not (e.method == "answerCallbackQuery" and QUERY_TOO_OLD in e.description)
        ]
        assert others == [], others[:3]
        receipts = [m["text"] for u in users[:50] for m in emu.messages(TOKEN, u.id)[-1:]]
        assert all("Your vote is counted." in text for text in receipts)

        expected = {"yes": 0, "no": 0, "abstain": 0}
        for user in users:
            expected[{"y": "yes", "n": "no", "a": "abstain"}[answer_of(user.id)]] += 1
        async with runtime.sessionmaker() as s:
            vote = await A.get_vote(s, "scale-test", runtime.clock.now())
            report = await A.audit(s, ring, vote)  # waits for casts still committing
            await s.commit()
            assert report.ok, report.problems
            assert report.ballots == report.counted == VOTERS
            assert report.tally["items"]["item-1"] == expected
            count = (await s.execute(select(func.count()).select_from(Ballot))).scalar_one()
            assert count == VOTERS
        runtime.clock.set(now + timedelta(days=8))
        async with runtime.sessionmaker() as s:
            vote = await A.get_vote(s, "scale-test", runtime.clock.now())
            outcome = await A.results(s, ring, vote, runtime.clock.now())
            await s.commit()
        assert outcome.items[0].total == expected
        assert outcome.turnout.online_voters == VOTERS
