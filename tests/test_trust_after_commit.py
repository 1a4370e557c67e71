"""What Maeul tells someone has happened, has happened (issue 9 §1).

Every Bot API call an update makes is sent only after its transaction commits
(:class:`bot.app.MaeulBot`). Here faults are injected at each call of a cast, of a
proposal's submission and of a registration — a 502 at the answer, the edit, the send;
a failed commit — and afterwards what the person was told is checked against what is
stored: either it is saved and they can see it, or it is not and they were told so.
Never "counted" without a ballot. (The process kill between commit and reply is in
tests/test_trust_kill.py.)
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.error import TimedOut

from bot import app as bot_app
from bot.core.scope import current_scope
from models import Ballot, Proposal, Registration
from tests.e2e import TOKEN, running_bot, texts
from tests.staff_helpers import draft_proposal
from tests.test_assembly_support import DURING
from tests.test_proposals_e2e import press_cb
from tests.test_vote_e2e import HANBIT, issue, vote_through

NOTHING_SAVED = "nothing was saved"
COUNTED = "Your vote is counted."


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    """The bot's pauses before sending a failed reply again, a tenth as long: the same
    attempts in the same order, in less waiting."""
    monkeypatch.setattr(bot_app, "_SENT_AGAIN_AFTER", (0.05, 0.15))


@pytest.fixture
async def bot(runtime):  # 502s and failed commits on purpose: no clean_bot
    async with running_bot(runtime, ballot_secret=True) as under_test:
        yield under_test


@pytest.fixture
def failing_commit(monkeypatch):
    """Arm it, and the next commit of an update's transaction fails (as a lost database
    connection would)."""
    armed = {"n": 0}
    real_commit = AsyncSession.commit

    async def commit(self: AsyncSession) -> None:
        scope = current_scope()
        if armed["n"] and scope is not None and scope.session is self:
            armed["n"] -= 1
            raise OperationalError("COMMIT", {}, Exception("connection lost"))
        await real_commit(self)

    monkeypatch.setattr(AsyncSession, "commit", commit)

    def arm(times: int = 1) -> None:
        armed["n"] = times

    return arm


async def press_and_wait(chat, label: str):
    """Press, and collect everything the bot sent after it: ``press`` returns once the bot
    has processed the update, which includes sending its replies after the commit with
    every retry (``MaeulApplication.process_update``); a bot that still sent something
    (a short quiet spell) or nothing at all (2 s) ends the wait."""
    since = chat.emu.last_seq(TOKEN)
    await chat.press(label)
    return await chat.emu.wait_for_events(
        TOKEN, chat_id=chat.chat_id, since=since, timeout=2, quiet=3.0
    )


async def ballots(bot) -> int:
    async with bot.runtime.sessionmaker() as s:
        return int((await s.execute(select(func.count()).select_from(Ballot))).scalar_one())


def shown(events) -> str:
    """Everything the voter could read: messages, edits and button toasts."""
    return "\n".join(texts(events) + [e.text or "" for e in events if e.kind == "callback_answer"])


async def ready_to_cast(bot, user_id: int):
    bot.runtime.clock.set(DURING)
    [code] = await issue(bot, HANBIT)
    chat = bot.chat(user_id, "Minji", "en")
    await chat.send(f"/start vote_{code}")
    events = await vote_through(chat, "yyyyyyy")
    assert "Please check your vote" in events[-1].text
    return chat


async def voter_sees_counted_ballot(chat) -> None:
    """After a cast whose reply may have been lost: /vote tells the voter it counted."""
    await chat.send("/vote")
    card = await chat.press("2027 Hanbit 1-dong")
    assert "You have voted" in shown(card), shown(card)


@pytest.mark.parametrize(
    ("method", "times"),
    [
        ("answerCallbackQuery", 3),  # the toast is lost for good
        ("editMessageText", 3),  # the receipt cannot replace the review: sent anew
        ("editMessageText", 1),  # one 502, then the retry lands
        ("*", 2),  # every call fails twice, the third attempt lands
    ],
)
async def test_cast_with_a_failing_bot_api_call_is_counted_and_visible(bot, method, times):
    chat = await ready_to_cast(bot, 6101)
    bot.emu.fail_next(TOKEN, method, times, error_code=502)
    events = await press_and_wait(chat, "Cast my vote")
    assert await ballots(bot) == 1
    bot.emu.clear_failures(TOKEN)
    if method == "answerCallbackQuery":
        assert COUNTED in shown(events)  # the receipt (the edit) still arrived
    else:
        receipts = [t for t in texts(events) if COUNTED in t and "/verify " in t]
        assert receipts, shown(events)
        tracker = receipts[-1].split("/verify ")[1].split()[0]
        verified = await chat.send(f"/verify {tracker}")
        assert "is counted as cast" in verified[0].text
    await voter_sees_counted_ballot(chat)


async def test_a_receipt_sent_instead_of_its_edit_is_retried_like_any_reply(bot):
    """The receipt cannot replace the review (three 502s), and the new message standing in
    for it meets a 502 too: it is sent again, and the voter gets their receipt once."""
    chat = await ready_to_cast(bot, 6103)
    bot.emu.fail_next(TOKEN, "editMessageText", 3, error_code=502)
    bot.emu.fail_next(TOKEN, "sendMessage", 1, error_code=502)
    events = await press_and_wait(chat, "Cast my vote")
    assert len(bot.emu.api_errors(TOKEN)) == 4  # every fault was met
    assert await ballots(bot) == 1
    receipts = [e for e in events if e.kind == "message" and COUNTED in (e.text or "")]
    assert len(receipts) == 1, shown(events)
    assert [e for e in events if e.kind == "edit"] == []
    tracker = (receipts[0].text or "").split("/verify ")[1].split()[0]
    verified = await chat.send(f"/verify {tracker}")
    assert "is counted as cast" in verified[0].text


async def test_cast_whose_every_reply_is_lost_still_counts_and_the_voter_can_see_it(bot):
    chat = await ready_to_cast(bot, 6102)
    bot.emu.fail_next(TOKEN, "*", 20, error_code=502)
    events = await press_and_wait(chat, "Cast my vote")
    bot.emu.clear_failures(TOKEN)
    assert COUNTED not in shown(events)  # nothing reached the voter …
    assert await ballots(bot) == 1  # … but the ballot is counted
    await voter_sees_counted_ballot(chat)  # and they can see so


async def test_cast_whose_commit_fails_is_not_counted_and_the_voter_is_told(bot, failing_commit):
    chat = await ready_to_cast(bot, 6103)
    failing_commit()
    events = await chat.press("Cast my vote")
    assert await ballots(bot) == 0
    assert COUNTED not in shown(events)
    assert NOTHING_SAVED in shown(events)
    # and trying again works
    events = await chat.press("Cast my vote")
    assert COUNTED in shown(events)
    assert await ballots(bot) == 1


async def test_cast_whose_commit_fails_in_korean_says_so_in_korean(bot, failing_commit):
    bot.runtime.clock.set(DURING)
    [code] = await issue(bot, HANBIT)
    chat = bot.chat(6104, "민지", "ko")
    await chat.send(f"/start vote_{code}")
    for _ in range(7):
        events = await chat.press("찬성")
    failing_commit()
    events = await chat.press("이대로 투표")
    assert await ballots(bot) == 0
    said = shown(events)
    assert "저장되지 않았" in said, said


# --- registering ---------------------------------------------------------------------


async def registrations(bot) -> int:
    async with bot.runtime.sessionmaker() as s:
        return int(
            (
                await s.execute(
                    select(func.count())
                    .select_from(Registration)
                    .where(Registration.status == "registered")
                )
            ).scalar_one()
        )


async def open_training_card(bot, user_id: int):
    chat = bot.chat(user_id, "Tom", "en")
    await chat.send("/start")
    message_id = chat.last_message_with_buttons()["message_id"]
    await chat.press_data(message_id, "events:occ:secretary-training@20270209")
    return chat


@pytest.mark.parametrize("method", ["answerCallbackQuery", "editMessageText", "*"])
async def test_registration_with_failing_replies_is_kept_and_visible(bot, method):
    chat = await open_training_card(bot, 8201)
    bot.emu.fail_next(TOKEN, method, 20 if method == "*" else 3, error_code=502)
    await chat.press("✅ Register")
    bot.emu.clear_failures(TOKEN)
    assert await registrations(bot) == 1
    events = await chat.press_data(
        chat.last_message_with_buttons()["message_id"], "events:occ:secretary-training@20270209"
    )
    assert "You are registered" in shown(events)


async def test_registration_whose_commit_fails_is_not_kept_and_the_person_is_told(
    bot, failing_commit
):
    chat = await open_training_card(bot, 8202)
    failing_commit()
    events = await chat.press("✅ Register")
    assert await registrations(bot) == 0
    said = shown(events)
    assert "You are registered" not in said
    assert NOTHING_SAVED in said


# --- proposing -----------------------------------------------------------------------


async def ready_to_submit(bot, user_id: int):
    chat = bot.chat(user_id, "Minji", "en")
    await chat.send("/start")
    await draft_proposal(
        chat, "Garam-dong", "Culture and arts", "A small gallery in the community centre",
        "Local painters could show their work in the lobby every month.",
    )  # fmt: skip
    events = await chat.press("Skip")  # no photo: the preview
    assert any(b.startswith("prop:ok:") for b in _data(chat)), shown(events)
    return chat


def _data(chat) -> list[str]:
    message = chat.last_message_with_buttons()
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [b.get("callback_data") or "" for row in rows for b in row]


async def submit(chat):
    return await press_cb(chat, "prop:ok:")


async def proposals(bot) -> int:
    async with bot.runtime.sessionmaker() as s:
        return int((await s.execute(select(func.count()).select_from(Proposal))).scalar_one())


@pytest.mark.parametrize("method", ["answerCallbackQuery", "editMessageText", "sendMessage", "*"])
async def test_submitted_proposal_with_failing_replies_is_kept_and_visible(bot, method):
    chat = await ready_to_submit(bot, 5301)
    bot.emu.fail_next(TOKEN, method, 20 if method == "*" else 3, error_code=502)
    await submit(chat)
    bot.emu.clear_failures(TOKEN)
    assert await proposals(bot) == 1
    await chat.send("/proposals")
    events = await chat.press("📝 Mine")
    assert "A small gallery in the community centre" in shown(events)


async def test_proposal_whose_commit_fails_is_not_kept_and_the_proposer_is_told(
    bot, failing_commit
):
    chat = await ready_to_submit(bot, 5302)
    failing_commit()
    events = await submit(chat)
    assert await proposals(bot) == 0
    said = shown(events)
    assert NOTHING_SAVED in said
    assert "#" not in said.replace(NOTHING_SAVED, "")  # no proposal number was announced


async def _cast_meeting(bot, monkeypatch, user_id: int, timeout: TimedOut):
    """Cast when the receipt cannot replace the review (three 502s) and the new message
    standing in for it times out on its first try; returns the events and the calls."""
    chat = await ready_to_cast(bot, user_id)
    real = bot.app.bot._post_within_budget
    calls: list[str] = []

    async def post(endpoint, data, **kwargs):
        calls.append(endpoint)
        if endpoint == "sendMessage" and calls.count(endpoint) == 1:
            raise timeout
        return await real(endpoint, data, **kwargs)

    monkeypatch.setattr(bot.app.bot, "_post_within_budget", post)
    bot.emu.fail_next(TOKEN, "editMessageText", 3, error_code=502)
    events = await press_and_wait(chat, "Cast my vote")
    assert await ballots(bot) == 1
    return events, calls


async def test_a_receipt_that_found_no_free_connection_is_sent_again(bot, monkeypatch):
    """Thousands of voters at once can leave a reply waiting for a connection from the
    pool until it times out: it never left, so it is sent again (it was dropped: the
    voter saw nothing)."""
    busy = TimedOut("Connect or pool timeout: no connection. Request was *not* sent.")
    events, calls = await _cast_meeting(bot, monkeypatch, 6104, busy)
    receipts = [e for e in events if e.kind == "message" and COUNTED in (e.text or "")]
    assert len(receipts) == 1, shown(events)
    assert calls.count("sendMessage") == 2


async def test_a_receipt_timed_out_after_it_left_is_not_sent_twice(bot, monkeypatch):
    """A timeout after the request left may have been carried out: not repeated."""
    _, calls = await _cast_meeting(bot, monkeypatch, 6105, TimedOut("Timed out"))
    assert calls.count("sendMessage") == 1
