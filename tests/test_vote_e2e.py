"""Assembly votes end to end: the real bot polling the emulator, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot import assembly as A
from bot.assembly.crypto import Keyring, format_code, keyring_for
from handlers.assembly.vote import finalize_closed_votes, send_nonvoter_reminders
from models import Ballot
from tests.e2e import TOKEN, buttons, running_bot, texts
from tests.test_assembly_support import AFTER, CLOSES, DURING, OPENS

HANBIT = "hanbit1-2027"
SAETEO = "saeteo-2027"


BOT_OPTIONS = {"ballot_secret": True}


def keyring(bot) -> Keyring:
    found = keyring_for(bot.runtime.settings)
    assert found is not None
    return found


async def issue(bot, assembly_id: str, count: int = 1) -> list[str]:
    async with bot.runtime.sessionmaker() as s:
        vote = await A.get_vote(s, assembly_id, bot.runtime.clock.now())
        codes = await A.issue_codes(
            s, keyring(bot), vote, count, actor="t", now=bot.runtime.clock.now()
        )
        await s.commit()
    return codes


async def ref_of(bot, assembly_id: str) -> int:
    async with bot.runtime.sessionmaker() as s:
        vote = await A.get_vote(s, assembly_id, bot.runtime.clock.now())
        await s.commit()
        return vote.id


def alert(events) -> str:
    answers = [e for e in events if e.kind == "callback_answer"]
    assert answers, [e.kind for e in events]
    assert answers[-1].params.get("show_alert"), answers[-1].params
    return answers[-1].text or ""


async def vote_through(chat, answers: str, start: bool = False) -> list:
    """Answer each item (the last answer shows the review); first press Start voting on
    the card when ``start``."""
    if start:
        events = await chat.press("Start voting")
    for answer in answers:
        events = await chat.press({"y": "Yes", "n": "No", "a": "Abstain"}[answer])
    return events


def tracker_in(events) -> str:
    return texts(events)[-1].split("/verify ")[1].split()[0]


def en(bot, user_id: int, name: str = "Minji"):
    return bot.chat(user_id, name, "en")


async def test_code_from_the_qr_link_to_a_counted_and_verified_ballot(bot):
    bot.runtime.clock.set(DURING)
    [code] = await issue(bot, HANBIT)
    chat = en(bot, 5101)
    events = await chat.send(f"/start vote_{code}")
    first = events[-1].text  # scanned during the vote: straight to the first item
    assert first.startswith("✅ Code accepted. You are registered for this vote.")
    assert "2027 Hanbit 1-dong general assembly — online vote — item 1 of 7" in first
    assert "Side dishes for seniors living alone" in first and "Budget: ₩6,000,000" in first
    assert buttons(events[-1]) == ["👍 Yes", "👎 No", "➖ Abstain", "✖ Cancel"]

    events = await chat.press("Cancel")
    assert events[-1].text == "Cancelled. Nothing was cast."
    events = await chat.send("/vote")
    events = await chat.press("2027 Hanbit 1-dong")
    assert "1. Side dishes for seniors living alone (₩6,000,000)" in events[-1].text
    assert "You are registered to vote." in events[-1].text
    events = await chat.press("Start voting")
    assert "item 1 of 7" in events[-1].text
    events = await chat.press("Yes")
    assert events[-1].kind == "edit" and "Alley flower beds" in events[-1].text
    events = await chat.press("Previous")  # back to item 1: the answer is kept
    assert "✓ Yes" in buttons(events[-1])
    for label in ["Yes", "No", "Abstain", "Yes", "Yes", "No", "Yes"]:
        events = await chat.press(label)
    review = events[-1].text
    assert "Please check your vote" in review
    assert "1. Side dishes for seniors living alone — Yes" in review
    assert "2. Alley flower beds — No" in review
    events = await chat.press("Cast my vote")
    assert "Your vote is counted." in texts(events)[-1]
    tracker = tracker_in(events)
    assert len(tracker) == 11 and tracker[5] == "-"
    assert "Alley" not in texts(events)[-1]  # the receipt does not repeat the choices
    events = await chat.press("All votes")
    assert "2027 Hanbit 1-dong general assembly — online vote — open until" in events[-1].text

    events = await chat.send(f"/verify {tracker.lower()}")
    assert f"The ballot with tracker {tracker} " in events[0].text  # as printed on the receipt
    assert "is counted as cast" in events[0].text
    events = await chat.send("/verify ZZZZZ-ZZZZZ")
    assert "No ballot has the tracker ZZZZZ-ZZZZZ" in events[0].text
    events = await chat.send("/verify")
    assert "Send /verify followed by the tracker" in events[0].text

    async with bot.runtime.sessionmaker() as s:
        vote = await A.get_vote(s, HANBIT, bot.runtime.clock.now())
        report = await A.audit(s, keyring(bot), vote)
        assert report.ok and report.counted == 1
        assert report.tally["items"]["alley-garden"] == {"yes": 0, "no": 1, "abstain": 0}
    assert not bot.errors


async def test_typing_a_code_with_a_typo_then_correctly(bot):
    [code] = await issue(bot, SAETEO)
    chat = bot.chat(5102, "Tom", "en")
    events = await chat.send("/vote")
    assert "2027 Saeteo-dong general assembly" in events[0].text
    events = await chat.press("Enter a voting code")
    assert "type the voting code" in events[-1].text
    events = await chat.send("ABCD-EFGH-JKM")  # too short
    assert "That is not a voting code" in events[0].text
    events = await chat.send("ABCD-EFGH-JKMN")  # well formed, unknown
    assert "I don't know this voting code" in events[0].text
    events = await chat.send(format_code(code).lower())
    card = events[-1].text
    assert "Code accepted" in card and "Voting opens at" in card  # before the window
    events = await chat.send(f"/vote {code}")
    assert "already registered with this code" in events[-1].text

    other = bot.chat(5103, "Lan", "en")
    events = await other.send(f"/vote {code}")
    assert events[-1].text == "This voting code has already been used."
    bot.runtime.clock.set(CLOSES + timedelta(days=1))
    async with bot.runtime.sessionmaker() as s:  # a code of a vote that has closed
        vote = await A.get_vote(s, HANBIT, CLOSES - timedelta(days=1))
        [expired] = await A.issue_codes(
            s, keyring(bot), vote, 1, actor="t", now=CLOSES - timedelta(days=1)
        )
        await s.commit()
    events = await other.send(f"/start vote_{expired}")
    assert "which has closed" in events[-1].text
    assert not bot.errors


async def test_choose_up_to_with_forged_presses(bot):
    bot.runtime.clock.set(DURING)
    codes = await issue(bot, SAETEO, 1)
    saeteo = await ref_of(bot, SAETEO)
    hanbit = await ref_of(bot, HANBIT)
    chat = en(bot, 5104, "Sujin")
    events = await chat.send(f"/vote {codes[0]}")
    assert "Choose up to 3 items (0 chosen)" in events[-1].text
    for label in ["1. Shared kitchen", "2. Dog-walkers", "3. Children"]:
        events = await chat.press(label)
    assert sum(b.startswith("☑") for b in buttons(events[-1])) == 3
    events = await chat.press("4. Alley market")  # a fourth choice
    assert alert(events) == "You can choose at most 3 items."

    # forged data: too many choices, another assembly, another item count, bad nonce
    for data in [
        f"vote:p:{saeteo}:11110",
        f"vote:r:{saeteo}:11111",
        f"vote:p:{hanbit}:10000",
        f"vote:p:{saeteo}:1100",
        f"vote:i:{saeteo}:0:y----",
        f"vote:c:{saeteo}:deadbeef:11100",
        "vote:o:99999",
    ]:
        events = await chat.press("", forge_data=data)
        assert alert(events), data
    events = await chat.press("Review")
    assert "☑ 1. Shared kitchen" in events[-1].text
    assert "Alley market" not in events[-1].text
    events = await chat.press("Cast my vote")
    assert "/verify" in texts(events)[-1]
    events = await chat.press("", forge_data="vote:zz:1")  # no handler: the fallback
    assert "This button is no longer valid" in alert(events)
    async with bot.runtime.sessionmaker() as s:
        assert (await s.execute(select(func.count()).select_from(Ballot))).scalar_one() == 1
    assert not bot.errors


async def test_double_tap_on_cast_counts_once(bot):
    bot.runtime.clock.set(DURING)
    [code] = await issue(bot, HANBIT)
    chat = en(bot, 5105)
    await chat.send(f"/vote {code}")
    await vote_through(chat, "yyyyyyy")
    review = chat.last_message_with_buttons()
    cast_data = next(
        b["callback_data"]
        for row in review["reply_markup"]["inline_keyboard"]
        for b in row
        if b["callback_data"].startswith("vote:c:")
    )
    since = bot.emu.last_seq(TOKEN)
    for _ in range(3):  # three taps before the first answer arrives
        bot.emu.press(TOKEN, chat.user, chat.chat_id, review["message_id"], cast_data)
    events = await bot.emu.wait_for_events(TOKEN, chat_id=chat.chat_id, since=since, quiet=0.5)
    answers = [e for e in events if e.kind == "callback_answer"]
    assert len(answers) == 3
    assert sum(1 for a in answers if a.params.get("show_alert")) == 2
    async with bot.runtime.sessionmaker() as s:
        assert (await s.execute(select(func.count()).select_from(Ballot))).scalar_one() == 1
    assert not bot.errors


async def test_revote_and_the_window_to_the_second(bot):
    clock = bot.runtime.clock
    clock.set(OPENS - timedelta(seconds=1))
    [code] = await issue(bot, HANBIT)
    chat = en(bot, 5106)
    events = await chat.send(f"/vote {code}")
    assert "Voting opens at Fri 28 May 2027, 9:00 AM." in events[-1].text
    assert "🗳 Start voting" not in buttons(events[-1])  # not open yet, to the second
    clock.set(OPENS)
    events = await chat.press("", forge_data=f"vote:o:{await ref_of(bot, HANBIT)}")
    assert "🗳 Start voting" in buttons(events[-1])
    await vote_through(chat, "yyyyyyy", start=True)
    events = await chat.press("Cast my vote")
    first = tracker_in(events)

    await chat.send("/vote")
    events = await chat.press("2027 Hanbit 1-dong")
    assert "only your last vote counts" in events[-1].text
    events = await chat.press("Vote again")
    for _ in range(7):
        events = await chat.press("No")
    clock.set(CLOSES - timedelta(seconds=1))
    events = await chat.press("Cast my vote")
    second = tracker_in(events)
    assert "Your earlier vote no longer counts; this one does." in texts(events)[-1]
    events = await chat.send(f"/verify {first}")
    assert "was replaced by a later vote" in events[0].text

    # a review shown before the close cannot cast after it
    await chat.send("/vote")
    await chat.press("2027 Hanbit 1-dong")
    await chat.press("Vote again")
    for _ in range(7):
        await chat.press("Abstain")
    clock.set(CLOSES)
    events = await chat.press("Cast my vote")
    assert alert(events) == "Voting closed at Mon 14 Jun 2027, 6:00 PM."
    clock.set(AFTER)
    async with bot.runtime.sessionmaker() as s:
        vote = await A.get_vote(s, HANBIT, clock.now())
        report = await A.audit(s, keyring(bot), vote)
        assert report.ok and (report.counted, report.superseded) == (1, 1)
        assert report.tally["items"]["alley-garden"] == {"yes": 0, "no": 1, "abstain": 0}
    assert second != first
    assert not bot.errors


async def test_results_after_the_close_with_a_chart(bot):
    clock = bot.runtime.clock
    clock.set(DURING)
    codes = await issue(bot, HANBIT, 3)
    for n, (code, answers) in enumerate(zip(codes, ["yyyyyyy", "ynnnnnn", "aaaaaaa"], strict=True)):
        chat = en(bot, 5200 + n)
        await chat.send(f"/vote {code}")
        await vote_through(chat, answers)
        await chat.press("Cast my vote")
    chat = en(bot, 5200)
    await chat.send("/vote")
    events = await chat.press("2027 Hanbit 1-dong")
    assert "3 people have voted so far." in events[-1].text  # turnout is live
    events = await chat.press("", forge_data=f"vote:res:{await ref_of(bot, HANBIT)}")
    assert alert(events).startswith("Results are shown after the vote closes")  # hidden
    clock.set(AFTER)
    await chat.send("/vote")
    events = await chat.press("2027 Hanbit 1-dong")
    events = await chat.press("Results")
    messages = [e for e in events if e.kind == "message"]
    assert "Turnout: 3 voters (3 online, 0 on site)" in messages[0].text
    assert (
        "1. Side dishes for seniors living alone: yes 2 (66.7%), no 0 (0%), "
        "abstain 1 (33.3%) → approved" in messages[0].text
    )
    assert "2. Alley flower beds: yes 1 (33.3%), no 1 (33.3%)" in messages[0].text
    since = messages[0].seq

    def photo_sent():
        found = bot.emu.events(TOKEN, chat_id=chat.chat_id, since=since, kinds={"message"})
        return [e for e in found if "photo" in (e.message or {})]

    [chart] = await bot.emu.wait_for(photo_sent, timeout=30)  # drawing takes a moment
    assert chart.text == "Results: 2027 Hanbit 1-dong general assembly — online vote"
    photo = chart.message["photo"][-1]
    png = bot.emu.file_bytes(TOKEN, photo["file_id"])
    assert png.startswith(b"\x89PNG")
    assert not bot.errors


async def test_nonvoters_get_one_reminder_a_day_before_the_close(bot):
    clock = bot.runtime.clock
    clock.set(DURING)
    codes = await issue(bot, HANBIT, 2)
    waiting, voted = en(bot, 5301, "Ann"), en(bot, 5302)
    await waiting.send(f"/vote {codes[0]}")
    await voted.send(f"/vote {codes[1]}")
    await vote_through(voted, "yyyyyyy")
    await voted.press("Cast my vote")
    assert await send_nonvoter_reminders(bot.app) == 0  # too early
    clock.set(CLOSES - timedelta(hours=23))
    since = bot.emu.last_seq(TOKEN)
    assert await send_nonvoter_reminders(bot.app) == 1
    events = await bot.emu.wait_for_events(TOKEN, chat_id=waiting.chat_id, since=since)
    assert "have not voted yet" in events[0].text and "/vote" in events[0].text
    assert await send_nonvoter_reminders(bot.app) == 0  # once only
    assert not bot.emu.events(TOKEN, chat_id=voted.chat_id, since=since)
    assert not bot.errors


async def test_without_a_ballot_secret_voting_is_refused(runtime):
    async with running_bot(runtime) as bot:  # no BALLOT_SECRET and not the console
        chat = en(bot, 5401)
        events = await chat.send("/vote ABCD-EFGH-JKMN")
        assert events[0].text == (
            "Online voting is not set up on this server yet. Please contact the centre."
        )
        assert not bot.errors


async def test_a_code_typed_without_a_command_is_redeemed(bot):
    [code] = await issue(bot, HANBIT)
    chat = en(bot, 5501)
    events = await chat.send(format_code(code).lower().replace("-", " "))
    assert events[-1].text.startswith("✅ Code accepted.")
    events = await chat.send("strengthened")  # a 12-letter word is not taken for a code
    assert "Code" not in events[-1].text
    assert not bot.errors


def test_the_console_makes_and_keeps_a_development_secret(tmp_path, monkeypatch, caplog):
    from bot.core.config import CONSOLE_TOKEN, Settings

    monkeypatch.chdir(tmp_path)
    production = Settings(_env_file=None, bot_token="123456:TEST")
    assert keyring_for(production) is None  # a bot serving Telegram refuses instead
    console = Settings(_env_file=None, bot_token=CONSOLE_TOKEN)
    first = keyring_for(console)
    assert first is not None
    assert "generated a development ballot secret" in caplog.text
    secret_file = tmp_path / "console-files" / "ballot-secret"
    assert secret_file.stat().st_mode & 0o777 == 0o600
    again = keyring_for(console)
    assert again is not None and again.code_hash("X") == first.code_hash("X")
    configured = Settings(_env_file=None, bot_token="123456:TEST", ballot_secret="s" * 40)
    assert keyring_for(configured).code_hash("X") == Keyring("s" * 40).code_hash("X")


async def test_votes_are_tallied_and_unlinked_soon_after_the_close(bot):
    assert bot.app.job_queue.get_jobs_by_name("assembly-finalize")
    bot.runtime.clock.set(DURING)
    [code] = await issue(bot, HANBIT)
    chat = en(bot, 5601)
    await chat.send(f"/vote {code}")
    await vote_through(chat, "ynaynay")
    await chat.press("Cast my vote")
    assert await finalize_closed_votes(bot.app) == []  # still open
    async with bot.runtime.sessionmaker() as s:
        assert (await s.execute(select(Ballot.current_tag))).scalar_one() is not None
    bot.runtime.clock.set(CLOSES)
    assert await finalize_closed_votes(bot.app) == [HANBIT]
    assert await finalize_closed_votes(bot.app) == []
    async with bot.runtime.sessionmaker() as s:
        assert (await s.execute(select(Ballot.current_tag))).scalar_one() is None
        vote = await A.get_vote(s, HANBIT, bot.runtime.clock.now())
        assert vote.online_tally["items"]["side-dish-sharing"] == {"yes": 1, "no": 0, "abstain": 0}
