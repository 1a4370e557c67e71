"""/mydata and /forget end to end: the real bot polling the emulator, SQLite and PostgreSQL,
Korean and English.

A resident proposes, supports a neighbour's proposal, registers for an event (and a
neighbour waits for the seat), subscribes, and votes with a code. /mydata sends a document
to read and a JSON file — opened here; /forget, after its confirmation, leaves nothing of
theirs in any table, except the poll book's "has voted" on a tombstone account: the tally
is unchanged and they cannot vote again.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, or_, select

from bot import assembly as A
from bot.assembly.crypto import keyring_for
from bot.core import privacy
from models import (
    AuditLog,
    Proposal,
    ProposalHistory,
    ProposalSupport,
    PtbChatData,
    PtbConversation,
    PtbUserData,
    Registration,
    Reminder,
    Subscription,
    User,
    Voter,
)
from models.base import Base
from tests.e2e import TOKEN, button_data, running_bot, sent_documents, texts
from tests.staff_helpers import add_class
from tests.test_assembly_support import DURING
from tests.test_proposals_e2e import press_cb, seed_proposal

HANBIT = "hanbit1-2027"
CLASS_AT = DURING + timedelta(days=19, hours=7)  # 20 June 2027, 19:00
RESIDENT, NEIGHBOUR, WAITING = 7701, 7702, 7703

WORDS = {
    "ko": {
        "mydata": "제가 저장한 내용",
        "title": "마을이 저장한 내 정보",
        "proposal": "제안 #",
        "ask": "저장된 내 정보를 모두 지울까요?",
        "kept": "투표했다는 사실",
        "yes": "네, 지워 주세요",
        "done": "모두 지웠어요",
        "expired": "확인 시간이 지났어요",
        "replaced": "이전 투표는 더 이상 인정되지 않고",
    },
    "en": {
        "mydata": "Here is everything I store about you",
        "title": "Everything Maeul stores about you",
        "proposal": "Proposal #",
        "ask": "Delete everything I store about you?",
        "kept": "has voted",
        "yes": "Yes, delete my data",
        "done": "everything I stored about you is deleted",
        "expired": "This confirmation has expired",
        "replaced": "Your earlier vote no longer counts",
    },
}


@pytest.fixture
async def bot(runtime):
    async with running_bot(runtime, ballot_secret=True) as under_test:
        await add_class(
            runtime, "privacy-class", ("개인정보 교실", "Privacy class"), CLASS_AT,
            capacity=1, survey=True,
        )  # fmt: skip
        yield under_test
        assert under_test.emu.api_errors(TOKEN) == []
        assert not under_test.errors


def documents(bot, events) -> dict[str, bytes]:
    return {d["file_name"]: bot.emu.file_bytes(TOKEN, d["file_id"]) for d in sent_documents(events)}


async def personal_rows(bot, telegram_id: int, user_ids: set[int]) -> dict[str, int]:
    """Rows in every table whose person-columns name this person (by users.id or
    Telegram id), found from the metadata — not from the providers under test."""
    from tests.test_privacy_coverage import _personal

    found: dict[str, int] = {}
    async with bot.runtime.sessionmaker() as s:
        for table in Base.metadata.sorted_tables:
            conditions = []
            for column in table.columns:
                if not _personal(column) and column.name != "key":
                    continue
                if column.name == "key" and table.name == "ptb_conversations":
                    conditions.append(column.like(f"%{telegram_id}%"))
                elif any(fk.column.table.name == "users" for fk in column.foreign_keys):
                    conditions.append(column.in_(user_ids))
                elif column.name != "key":
                    conditions.append(column == telegram_id)
            if table.name == "users":
                conditions.append(table.c.id.in_(user_ids))
            if table.name == "audit_log":
                conditions.append(table.c.target_id == str(telegram_id))
            if not conditions:
                continue
            n = await s.scalar(select(func.count()).select_from(table).where(or_(*conditions)))
            if n:
                found[table.name] = int(n)
    return found


@pytest.mark.e2e
@pytest.mark.parametrize("lang", ["ko", "en"])
async def test_mydata_then_forget_leaves_nothing_but_the_vote(bot, lang):
    words = WORDS[lang]
    resident = bot.chat(RESIDENT, "민지" if lang == "ko" else "Minji", lang)
    neighbour = bot.chat(NEIGHBOUR, "수진", "ko")
    waiting = bot.chat(WAITING, "Ben", "en")
    for chat in (resident, neighbour, waiting):
        await chat.send("/start")

    # proposes, and supports a neighbour's proposal
    theirs = await seed_proposal(
        bot,
        NEIGHBOUR,
        title="경로당 앞 횡단보도",
        description="경로당 앞 길이 위험해서 신호등과 횡단보도가 꼭 필요합니다.",
    )
    await resident.send("/propose")
    await press_cb(resident, "prop:d:")
    await press_cb(resident, "prop:t:")
    await resident.send("골목길 화단 가꾸기 My garden idea")
    await resident.send("빈 화분을 모아 골목에 꽃을 심어요. Flowers for the alley.")
    await press_cb(resident, "prop:skip:")
    await press_cb(resident, "prop:ok:")
    await resident.press_data(
        resident.last_message_with_buttons()["message_id"], f"props:s1:{theirs}"
    )
    async with bot.runtime.sessionmaker() as s:
        me = (await s.execute(select(User).where(User.telegram_id == RESIDENT))).scalar_one()
        mine = (await s.execute(select(Proposal).where(Proposal.author_id == me.id))).scalar_one()
        assert (await s.get(Proposal, theirs)).support_count == 1
    # subscribes
    await resident.send("/subscribe")
    await press_cb(resident, "subs:k:trainings")
    await press_cb(resident, "subs:done")

    # votes with a code, registers for the one seat of a class (a neighbour waits)
    bot.runtime.clock.set(DURING)
    keyring = keyring_for(bot.runtime.settings)
    async with bot.runtime.sessionmaker() as s:
        vote = await A.get_vote(s, HANBIT, bot.runtime.clock.now())
        [code] = await A.issue_codes(s, keyring, vote, 1, actor="t", now=bot.runtime.clock.now())
        await s.commit()
    await resident.send(f"/start vote_{code}")
    for _ in range(7):
        await resident.press("👍")
    events = await press_cb(resident, "vote:c:")
    assert "/verify" in texts(events)[-1]
    for chat in (resident, waiting):
        await chat.press_data(
            chat.last_message_with_buttons()["message_id"], "events:occ:privacy-class@20270620"
        )
        await press_cb(chat, "reg:in:")
    async with bot.runtime.sessionmaker() as s:
        tally_before = await A.turnout(s, vote)
        assert tally_before.online_voters == 1
        regs = {r.status for r in (await s.execute(select(Registration))).scalars()}
        assert regs == {"registered", "waitlisted"}

    # /mydata: a document in their language, and JSON
    events = await resident.send("/mydata")
    assert words["mydata"] in texts(events)[0]
    files = documents(bot, events)
    assert len(files) == 2, list(files)
    [readable] = [data for name, data in files.items() if name.endswith(".txt")]
    [machine] = [data for name, data in files.items() if name.endswith(".json")]
    text = readable.decode("utf-8")
    if os.environ.get("MAEUL_TEST_DUMP"):  # to read what a resident gets
        Path(os.environ["MAEUL_TEST_DUMP"], f"mydata-{lang}.txt").write_bytes(readable)  # noqa: ASYNC240
        Path(os.environ["MAEUL_TEST_DUMP"], f"mydata-{lang}.json").write_bytes(machine)  # noqa: ASYNC240
    assert words["title"] in text
    assert f"{words['proposal']}{mine.id}" in text and "골목길 화단 가꾸기" in text
    assert "경로당 앞 횡단보도" in text  # the supported one
    assert "개인정보 교실" in text or "Privacy class" in text
    assert "Hanbit" in text or "한빛" in text
    data = json.loads(machine)
    assert data["data"]["account"]["users"][0]["telegram_id"] == RESIDENT
    assert [p["id"] for p in data["data"]["proposals"]["proposals"]] == [mine.id]
    assert [s["proposal_id"] for s in data["data"]["proposals"]["proposal_supports"]] == [theirs]
    assert data["data"]["events"]["event_registrations"][0]["status"] == "registered"
    assert data["data"]["events"]["subscriptions"][0]["value"] == "trainings"
    [voter] = data["data"]["assembly"]["assembly_voters"]
    assert voter["voted_online"] is True and voter["assembly"] == HANBIT
    # never the ballot: no tracker, no choices, no tag
    assert "sealed" not in machine.decode() and "current_tag" not in machine.decode()
    assert "ballots" not in json.dumps(data["data"])

    # /forget: asks first, explains what stays; "no" keeps everything
    events = await resident.send("/forget")
    assert words["ask"] in texts(events)[-1] and words["kept"] in texts(events)[-1]
    await press_cb(resident, "forget:no")
    async with bot.runtime.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(User).where(User.id == me.id))
    # a forged "yes" (wrong stamp) and a stale one are refused
    events = await resident.press_data(
        resident.last_message_with_buttons()["message_id"], "forget:yes:1:00000000"
    )
    assert words["expired"] in texts(events)[-1]

    events = await resident.send("/forget")
    since = bot.emu.last_seq(TOKEN)
    events = await resident.press(words["yes"])
    assert words["done"] in texts(events)[-1]
    await bot.app.dispatcher.run_pass()
    told = bot.emu.events(TOKEN, chat_id=WAITING, since=since, kinds={"message"})
    assert any("registered" in (e.text or "") for e in told)  # the freed seat went on

    left = await personal_rows(bot, RESIDENT, {me.id})
    assert left == {"users": 1, "assembly_voters": 1}, left
    async with bot.runtime.sessionmaker() as s:
        tomb = await s.get(User, me.id)
        assert (tomb.first_name, tomb.username, tomb.language, tomb.home_dong_id) == (
            None,
            None,
            None,
            None,
        )
        assert tomb.active is False and tomb.last_seen_at is None
        assert tomb.account_key and tomb.account_key != me.account_key  # old buttons: dead
        [row] = (await s.execute(select(Voter).where(Voter.user_id == me.id))).scalars()
        assert row.voted and row.review_nonce is None
        # proposals stay, anonymised; the support is gone with its count
        kept = await s.get(Proposal, mine.id)
        nobody = await s.scalar(
            select(User.id).where(User.telegram_id == privacy.FORGOTTEN_TELEGRAM_ID)
        )
        assert kept is not None and kept.author_id == nobody
        assert (await s.get(Proposal, theirs)).support_count == 0
        assert not (await s.execute(select(ProposalSupport))).first()
        assert not (
            await s.execute(
                select(ProposalHistory).where(ProposalHistory.actor == f"tg:{RESIDENT}")
            )
        ).first()
        # the tally and the audit are unchanged
        vote = await A.get_vote(s, HANBIT, bot.runtime.clock.now())
        assert await A.turnout(s, vote) == tally_before
        report = await A.audit(s, keyring, vote)
        assert report.ok and report.counted == 1
        for model, column in (
            (PtbUserData, PtbUserData.user_id),
            (PtbChatData, PtbChatData.chat_id),
        ):
            assert not (await s.execute(select(model).where(column == RESIDENT))).first()
        assert not (
            await s.execute(select(Subscription).where(Subscription.chat_id == RESIDENT))
        ).first()
        assert not (await s.execute(select(Reminder).where(Reminder.chat_id == RESIDENT))).first()
        assert not (
            await s.execute(
                select(PtbConversation).where(PtbConversation.key.like(f"%{RESIDENT}%"))
            )
        ).first()
        assert not (
            await s.execute(select(AuditLog).where(AuditLog.actor_telegram_id == RESIDENT))
        ).first()

    # a new user now — and still one vote
    events = await resident.send("/start")
    assert events
    async with bot.runtime.sessionmaker() as s:
        back = (await s.execute(select(User).where(User.telegram_id == RESIDENT))).scalar_one()
        assert back.id == me.id and back.language is None and back.home_dong_id is None
    events = await resident.send("/vote")
    events = await press_cb(resident, f"vote:o:{vote.id}")
    events = await press_cb(resident, f"vote:i:{vote.id}:")  # "Start voting", if offered
    for _ in range(7):
        await resident.press("👍")
    events = await press_cb(resident, "vote:c:")
    assert words["replaced"] in texts(events)[-1]  # a re-vote replaces: still one ballot
    async with bot.runtime.sessionmaker() as s:
        vote = await A.get_vote(s, HANBIT, bot.runtime.clock.now())
        after = await A.turnout(s, vote)
        report = await A.audit(s, keyring, vote)
    assert after.online_voters == 1 and report.ok and report.counted == 1


MYDATA_WORDS = {
    "ko": {
        "training": "알림 시간 — 🎓 교육: 3시간 전",
        "grant": "알림 시간 — 📋 공모사업 마감: 알림 받지 않기",
        "cancelled": "보내기 전에 취소되었거나 필요 없어진 알림 1건",
        "language": "언어: 한국어 (텔레그램 언어 설정을 따름)",
    },
    "en": {
        "training": "Reminder times — 🎓 Training: 3 hours before",
        "grant": "Reminder times — 📋 Grant deadlines: No reminders",
        "cancelled": "1 message was not sent: cancelled or no longer needed before it was due",
        "language": "Language: English (as set in Telegram)",
    },
}


@pytest.mark.e2e
@pytest.mark.parametrize("lang", ["ko", "en"])
async def test_mydata_words_reminders_as_the_reminders_screen_does(bot, lang):
    """The readable document names each reminder topic and its times as /reminders shows
    them, does not call cancelled reminders sent, and says which language the bot uses
    (here Telegram's: none was chosen with /language). The JSON keeps every row."""
    words = MYDATA_WORDS[lang]
    resident = bot.chat(RESIDENT, "민지" if lang == "ko" else "Minji", lang)
    await resident.send("/start")
    await resident.send("/reminders")
    await press_cb(resident, "rset:t:training")
    await press_cb(resident, "rset:p:training:3h")
    await press_cb(resident, "rset:t:grant")
    await press_cb(resident, "rset:p:grant:off")
    bot.runtime.clock.set(DURING)
    await resident.send("/events")
    await resident.press_data(
        resident.last_message_with_buttons()["message_id"], "events:occ:privacy-class@20270620"
    )
    await press_cb(resident, "reg:in:")
    await press_cb(resident, "reg:out:")
    await press_cb(resident, "reg:outy:")
    async with bot.runtime.sessionmaker() as s:
        statuses = sorted(
            r.status
            for r in (
                await s.execute(select(Reminder).where(Reminder.chat_id == RESIDENT))
            ).scalars()
        )
    assert statuses == ["cancelled"], statuses  # the class's reminder, 3 hours before

    files = documents(bot, await resident.send("/mydata"))
    [readable] = [data for name, data in files.items() if name.endswith(".txt")]
    [machine] = [data for name, data in files.items() if name.endswith(".json")]
    text = readable.decode("utf-8")
    for key in ("training", "grant", "cancelled", "language"):
        assert words[key] in text, (key, text)
    assert "training" not in text.replace("Training", "") and "minutes before" not in text
    assert "180(분 전)" not in text
    assert "보냈거나" not in text and "sent to you" not in text
    data = json.loads(machine)["data"]["reminders"]
    assert sorted(r["status"] for r in data["reminders"]) == statuses
    assert {(s["topic"], tuple(s["offsets"])) for s in data["reminder_settings"]} == {
        ("training", (180,)),
        ("grant", ()),
    }


@pytest.mark.e2e
async def test_mydata_does_not_say_a_language_telegram_did_not_set(bot):
    """A Telegram app in Vietnamese gets English (no Vietnamese catalogue): the document
    says so, not "as set in Telegram"."""
    resident = bot.chat(RESIDENT, "Lan", "vi")
    await resident.send("/start")
    files = documents(bot, await resident.send("/mydata"))
    [readable] = [data for name, data in files.items() if name.endswith(".txt")]
    text = readable.decode("utf-8")
    assert "Language: English (Telegram's language, vi, is not offered)" in text, text
    assert "as set in Telegram" not in text


@pytest.mark.e2e
async def test_mydata_without_a_telegram_language_says_the_bots_default(bot):
    """No language from Telegram at all: the bot's default (Korean here), said so."""
    resident = bot.chat(RESIDENT, "Lan", None)
    await resident.send("/start")
    files = documents(bot, await resident.send("/mydata"))
    [readable] = [data for name, data in files.items() if name.endswith(".txt")]
    text = readable.decode("utf-8")
    assert "언어: 한국어 (챗봇 기본 언어)" in text and "텔레그램 언어 설정" not in text, text


async def test_a_forget_yes_of_a_deleted_account_does_nothing_to_the_account_made_anew(bot):
    """/forget asked twice; the first question's "yes" deletes the account. The person
    writes again: a new account (on SQLite with the deleted one's id, in the same hour).
    The second question's "yes", pressed now, belonged to the deleted account: it must
    not delete the new one (its stamp named the id and the creation hour only)."""
    chat = bot.chat(7711, "Ann", "en")
    await chat.send("/start")
    await chat.send("/forget")
    first = chat.last_message_with_buttons()
    await chat.send("/forget")
    second = chat.last_message_with_buttons()
    yes_first = button_data(first, "Yes, delete my data")
    yes_second = button_data(second, "Yes, delete my data")
    events = await chat.press_data(first["message_id"], yes_first)
    assert "everything I stored about you is deleted" in texts(events)[-1]
    async with bot.runtime.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(User)) == 0
    await chat.send("/mydong")  # a new account, which chooses a dong
    await chat.press("Hanbit 1-dong")
    await chat.press("Yes")
    async with bot.runtime.sessionmaker() as s:
        (again,) = (await s.execute(select(User))).scalars()
        assert again.home_dong_id == "hanbit1"
    events = await chat.press_data(second["message_id"], yes_second)
    assert "This confirmation has expired" in " ".join(texts(events))
    async with bot.runtime.sessionmaker() as s:
        (still,) = (await s.execute(select(User))).scalars()
        assert (still.id, still.home_dong_id) == (again.id, "hanbit1")
