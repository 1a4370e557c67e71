"""Agenda proposals end to end: the real bot polling the emulator, on SQLite and PostgreSQL.

Drivers press buttons by their callback data where the label is a translated string, so
the tests hold before and after the catalogs are translated; Korean users see KB names
(새터동) in their messages, English users Saeteo-dong.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core.users import set_home_dong
from bot.emulator import Chat
from bot.proposals import service as domain
from bot.proposals.service import Actor
from models import Proposal, ProposalDraft, ProposalHistory, User
from models.proposal import ProposalStatus as S
from models.proposal import Visibility
from tests.conftest import SEOUL
from tests.e2e import TOKEN, ChatDriver, buttons, running_bot, texts
from tests.staff_helpers import draft_proposal, make_staff, restart
from tests.test_e2e_foundation import tiny_png

STAFF_ID, GARAM_STAFF_ID, PROPOSER_ID, NEIGHBOUR_ID = 7001, 7002, 5001, 5002
DESCRIPTION = "놀이터 안전을 위해 방범용 CCTV가 필요합니다. 아이들이 밤에도 안전하게 놀 수 있도록."


@pytest.fixture
async def bot(runtime):
    async with running_bot(runtime) as under_test:
        under_test.expected_errors = set()  # type: ignore[attr-defined]
        yield under_test
        errors = [
            e
            for e in under_test.emu.api_errors(TOKEN)
            if e.method != "getUpdates" and e.description not in under_test.expected_errors
        ]
        assert errors == []
        assert not under_test.errors


# --- helpers ------------------------------------------------------------------------------


def callback_buttons(message: dict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [b.get("callback_data") or b.get("url") or "" for row in rows for b in row]


async def press_cb(chat: ChatDriver, prefix: str):
    """Press (for real, not forged) the newest button whose callback data starts so."""
    for message in reversed(chat.emu.messages(TOKEN, chat.chat_id)):
        for data in callback_buttons(message):
            if data.startswith(prefix):
                return await chat.press_data_real(message["message_id"], data)
    raise AssertionError(f"no button with data {prefix!r}…")


async def _press_real(self: ChatDriver, message_id: int, data: str):
    since = self.emu.last_seq(self.token)
    self.emu.press(self.token, self.user, self.chat_id, message_id, data)
    return await self._reaction(since)


ChatDriver.press_data_real = _press_real  # type: ignore[attr-defined]


async def forge(chat: ChatDriver, data: str):
    """A forged press on the newest message with buttons (or any message)."""
    messages = chat.emu.messages(TOKEN, chat.chat_id)
    return await chat.press_data(messages[-1]["message_id"], data)


def alert(events) -> str:
    answers = [e for e in events if e.kind == "callback_answer"]
    assert answers, f"no callback answer in {texts(events)}"
    return answers[-1].text or ""


async def inbox(bot, chat_id: int, since: int, timeout: float = 30.0):
    """What the dispatcher sent ``chat_id`` since ``since`` (it first wakes 2 s after the
    start; a loaded machine may take longer: the wait ends as soon as a message is in)."""
    return await bot.emu.wait_for_events(
        TOKEN, chat_id=chat_id, since=since, timeout=timeout, quiet=0.3, kinds={"message"}
    )


async def send_photo(chat: ChatDriver):
    since = chat.emu.last_seq(TOKEN)
    chat.emu.send_photo(TOKEN, chat.user, tiny_png())
    return await chat._reaction(since)


async def seed_proposal(
    bot,
    author_id: int,
    *,
    title: str,
    description: str,
    dong: str = "saeteo",
    theme: str = "safety",
    language: str | None = None,
) -> int:
    """A proposal submitted through the domain (its author has a chat with the bot)."""
    now = bot.runtime.clock.utcnow()
    async with bot.runtime.sessionmaker() as s, s.begin():
        user = (await s.execute(select(User).where(User.telegram_id == author_id))).scalar_one()
        if language:
            user.language = language
        draft = await domain.new_draft(s, user.id, now)
        await domain.update_draft(
            s, draft, now, dong_id=dong, category_id=theme, title=title, description=description
        )
        proposal = await domain.submit(s, draft, user, now=now, tz=SEOUL, per_day=100)
        return proposal.id


async def status_of(bot, proposal_id: int) -> tuple[str, str, int]:
    async with bot.runtime.sessionmaker() as s:
        p = await s.get(Proposal, proposal_id)
        rows = await s.execute(
            select(ProposalHistory).where(ProposalHistory.proposal_id == proposal_id)
        )
        return p.status, p.visibility, len(rows.scalars().all())


# --- the whole flow -----------------------------------------------------------------------


async def test_propose_similar_submit_review_answer_notify(bot):
    emu = bot.emu
    staff = bot.chat(STAFF_ID, "Jisoo", "en")
    proposer = bot.chat(PROPOSER_ID, "민지", "ko")
    neighbour = bot.chat(NEIGHBOUR_ID, "수진", "ko")
    for chat in (staff, proposer, neighbour):
        await chat.send("/start")
    await make_staff(bot, STAFF_ID, "saeteo")
    async with bot.runtime.sessionmaker() as s, s.begin():
        me = (await s.execute(select(User).where(User.telegram_id == PROPOSER_ID))).scalar_one()
        await set_home_dong(s, me, "saeteo")
    existing = await seed_proposal(
        bot,
        NEIGHBOUR_ID,
        title="놀이터에 CCTV를 설치해 주세요",
        description="밤마다 놀이터에 청소년들이 모여 불안합니다. CCTV를 달아 주세요.",
    )

    # the staff group: linked by a staff member with /staffchat
    group = Chat.group(-100777, "새터동 주민자치회 사무국", supergroup=True)
    emu.add_to_group(TOKEN, staff.user, group)
    since = emu.last_seq(TOKEN)
    emu.send_text(TOKEN, staff.user, "/staffchat@maeul_test_bot", chat=group)
    linked = await inbox(bot, group.id, since)
    assert "This group now receives the new proposals of Saeteo-dong" in linked[0].text

    events = await proposer.send("/propose")
    dong_buttons = [b["text"] for row in events[-1].reply_markup["inline_keyboard"] for b in row]
    assert dong_buttons[0] == "✓ 새터동"  # the home dong, preselected and first
    await proposer.press("✓ 새터동")
    events = await proposer.press("안전")  # the KB's categories
    title = "어린이 놀이터 <b>CCTV</b> & 안전 설치 요청"
    await proposer.send(title)
    events = await proposer.send(DESCRIPTION)
    events = await send_photo(proposer)
    preview = events[-1]
    assert title in preview.text  # shown literally: no markup injection
    assert f"#{existing} 놀이터에 CCTV를 설치해 주세요" in preview.text  # similar, shown first
    assert any(
        d.startswith("prop:i:") and d.endswith(f":{existing}")
        for d in callback_buttons(preview.message)
    )

    staff_seq, group_seq, proposer_seq = (emu.last_seq(TOKEN),) * 3
    events = await press_cb(proposer, "prop:ok:")
    async with bot.runtime.sessionmaker() as s:
        mine = (await s.execute(select(Proposal).order_by(Proposal.id.desc()))).scalars().first()
    assert mine.title == title and mine.photo_file_id and mine.status == S.SUBMITTED
    assert any(f"#{mine.id}" in t for t in texts(events))

    note = await inbox(bot, STAFF_ID, staff_seq)
    assert f"New proposal #{mine.id} in Saeteo-dong (Safety): “{title}”" in note[0].text
    assert f"rev:o:{mine.id}" in callback_buttons(note[0].message)
    group_note = await inbox(bot, group.id, group_seq)
    assert f"#{mine.id}" in group_note[0].text
    assert callback_buttons(group_note[0].message) == [
        f"https://t.me/maeul_test_bot?start=review_{mine.id}"
    ]  # the group only gets a link to review in private

    # the committee: the group's link opens the review card in the private chat
    events = await staff.send(f"/start review_{mine.id}")
    assert f"#{mine.id} · {title}" in events[0].text
    assert callback_buttons(events[0].message)[:2] == [
        f"rev:a:{mine.id}:st",
        f"rev:a:{mine.id}:hd",
    ]
    proposer_seq = emu.last_seq(TOKEN)
    events = await staff.press("Start review")
    assert (
        f"Done: #{mine.id} is now “Under review”. The proposer will be notified"
        in texts(events)[-1]
    )
    told = await inbox(bot, PROPOSER_ID, proposer_seq)
    assert f"#{mine.id}" in told[0].text and "새터동" in told[0].text

    events = await staff.press("Reject")
    assert "Type the reason" in events[-1].text
    proposer_seq = emu.last_seq(TOKEN)
    answer = "올해 예산이 부족해 <내년> 자치계획 때 다시 검토합니다 & 감사합니다."
    events = await staff.send(answer)
    assert f"Done: #{mine.id} is now “Rejected”." in events[-1].text
    told = await inbox(bot, PROPOSER_ID, proposer_seq)
    assert answer in told[0].text  # the official answer, escaped and intact
    assert "새터동" in told[0].text and "Saeteo-dong" not in told[0].text  # their language

    events = await press_cb(proposer, f"props:v:{mine.id}")
    card = events[-1].text
    assert answer in card and title in card
    assert card.count("•") == 3  # submitted, under review, rejected
    assert await status_of(bot, mine.id) == (S.REJECTED, Visibility.VISIBLE, 3)
    async with bot.runtime.sessionmaker() as s:
        rows = await s.execute(
            select(ProposalHistory.actor, ProposalHistory.reason)
            .where(ProposalHistory.proposal_id == mine.id)
            .order_by(ProposalHistory.id)
        )
        assert rows.all() == [
            (f"tg:{PROPOSER_ID}", None),
            (f"tg:{STAFF_ID}", None),
            (f"tg:{STAFF_ID}", answer),
        ]


async def test_support_instead_of_filing_the_same_idea(bot):
    resident = bot.chat(5003, "Tom", "en")
    neighbour = bot.chat(NEIGHBOUR_ID, "수진", "ko")
    await neighbour.send("/start")
    existing = await seed_proposal(
        bot,
        NEIGHBOUR_ID,
        title="Install more street lights in the alley",
        description="The alley behind the school is too dark at night.",
        theme="safety",
    )
    await draft_proposal(
        resident, "Saeteo-dong", "Safety", "More lights for the dark alley",
        "Please add street lights; walking home at night is scary.",
    )  # fmt: skip
    events = await resident.press("Skip")
    assert "Similar proposals already exist" in events[-1].text
    events = await resident.press(f"Support #{existing} instead")
    assert "You support proposal" in texts(events)[-1]
    async with bot.runtime.sessionmaker() as s:
        assert (await s.get(Proposal, existing)).support_count == 1
        assert (await s.execute(select(ProposalDraft))).first() is None
        assert len((await s.execute(select(Proposal))).all()) == 1


# --- restart in the middle of /propose ----------------------------------------------------


async def test_restart_in_the_middle_of_propose_continues(bot):
    chat = bot.chat(5004, "Ann", "en")
    events = await draft_proposal(
        chat, "Garam-dong", "Culture and arts", "A small gallery in the community centre"
    )
    assert "Describe your proposal" in events[-1].text

    await restart(bot)  # a new application on the same database: state and draft from there

    events = await chat.send(
        "The ground floor room is empty on weekends; local painters could show their work."
    )
    assert "send it now" in events[-1].text  # the photo step: the conversation went on
    events = await chat.press("Skip")
    assert "A small gallery in the community centre" in events[-1].text
    assert "Garam-dong" in events[-1].text
    await press_cb(chat, "prop:ok:")
    async with bot.runtime.sessionmaker() as s:
        p = (await s.execute(select(Proposal))).scalar_one()
    assert (p.dong_id, p.category_id, p.title) == (
        "garam",
        "culture",
        "A small gallery in the community centre",
    )


async def test_stop_keeps_the_draft_and_propose_offers_to_continue(bot):
    chat = bot.chat(5005, "Ann", "en")
    await draft_proposal(chat, "Garam-dong", "Care")
    events = await chat.send("/cancel")
    assert "Your draft is kept" in events[-1].text
    events = await chat.send("/propose")
    assert "You have an unfinished proposal" in events[-1].text
    events = await chat.press("Continue it")
    assert "Type a short title" in events[-1].text
    events = await chat.send("/propose")
    events = await chat.press("Start over")
    assert "Which dong" in events[-1].text


# --- bad input ----------------------------------------------------------------------------


async def test_bad_input_is_refused_and_the_text_given_back(bot):
    chat = bot.chat(5006, "Ann", "en")
    await chat.send("/propose")
    events = await chat.send("Atlantis")
    assert "I could not find a dong called “Atlantis”" in events[0].text
    events = await chat.send("saeteo")  # typed, not pressed
    assert "Dong: Saeteo-dong" in texts(events)
    events = await chat.send("safety please")
    assert "Please choose a theme with the buttons" in events[0].text
    await chat.press("Safety")
    events = await chat.send("CCTV")
    assert events[0].text == "The title is too short (4 characters). Please use at least 5."
    assert events[2].text == "CCTV"  # given back to copy
    assert "Type a short title" in events[-1].text  # and asked again
    long_title = "Lights " * 15
    events = await chat.send(long_title)
    assert "The title is too long (104 characters). Please keep it to 80." == events[0].text
    for wordless in ("😀😀😀😀😀😀", "12345 !!!", "★☆★☆★ 2026"):  # public if accepted
        events = await chat.send(wordless)
        assert events[0].text == (
            "The title needs words: at least 2 letters, not only emoji, digits or symbols."
        ), wordless
        assert events[2].text == wordless  # given back
        assert "Type a short title" in events[-1].text  # and asked again
    since = bot.emu.last_seq(TOKEN)
    sent = bot.emu.send_text(TOKEN, chat.user, "Street lights on Saeteo-ro 3-gil")
    await chat._reaction(since)
    since = bot.emu.last_seq(TOKEN)
    bot.emu.edit_text(TOKEN, chat.user, chat.chat_id, sent["message_id"], "An edited title")
    events = await chat._reaction(since)
    assert "I don't read edited messages" in events[0].text  # not taken as the description
    too_long = "가" * 2100
    events = await chat.send(too_long)
    assert (
        events[0].text == "The description is too long (2,100 characters). Please keep it to 2,000."
    )
    assert events[2].text == too_long  # nothing typed is lost
    events = await chat.send("Too short")
    assert "too short (9 characters)" in events[0].text
    for wordless in ("👍" * 20, "12345678901234567890123", "CCTV 2대!! 123-4567, 010-1234-5678"):
        events = await chat.send(wordless)
        assert events[0].text == (
            "Please describe your proposal in words: at least 10 letters, not only emoji, "
            "digits or symbols."
        ), wordless
        assert events[2].text == wordless
        assert "Describe your proposal" in events[-1].text
    events = await chat.send("The street is dark at night and people fall on the stairs there.")
    assert "send it now" in events[-1].text
    events = await chat.send("no photo")
    assert "Please send a photo, or press Skip" in events[0].text
    # asked again with its buttons: Skip is at hand, not only on a message above
    assert "send it now" in events[-1].text and "Skip" in buttons(events[-1])
    events = await chat.press("Skip")
    assert "Street lights on Saeteo-ro 3-gil" in events[-1].text


async def test_rate_limit_per_day(bot):
    bot.runtime.settings = bot.runtime.settings.model_copy(update={"proposals_per_day": 1})
    chat = bot.chat(5007, "Ann", "en")
    await chat.send("/start")
    await seed_proposal(bot, 5007, title="First proposal today", description=DESCRIPTION)
    events = await chat.send("/propose")
    assert events[-1].text == (  # (not "1 proposals")
        "You have reached today's limit of proposals (1 a day). Please come back tomorrow."
    )
    bot.runtime.clock.advance(days=1)
    events = await chat.send("/propose")
    assert "Which dong" in events[-1].text


def test_the_limit_met_at_submitting_reads_right_for_one_a_day():
    from bot.core.i18n import Translator
    from bot.proposals.service import TOO_MANY_TODAY, ProposalError
    from handlers.proposals.render import error_text

    said = error_text(Translator("en", SEOUL), ProposalError(TOO_MANY_TODAY, limit=1))
    assert said == (  # (not "1 proposals")
        "You have reached today's limit of proposals (1 a day). Please try again tomorrow; "
        "your draft is kept."
    )


async def test_edit_from_the_preview(bot):
    chat = bot.chat(5008, "Ann", "en")
    await draft_proposal(
        chat, "Nuri-dong", "Youth", "Youth study room",
        "A quiet room where young people can study after school.",
    )  # fmt: skip
    await send_photo(chat)
    events = await chat.press("Edit")
    events = await chat.press("Title")
    events = await chat.send("Youth study room at the library")
    assert "Youth study room at the library" in events[-1].text  # back to the preview
    old_preview = chat.last_message_with_buttons()
    await chat.press("Edit")
    events = await chat.press("Remove the photo")
    assert "With a photo" not in events[-1].text
    # the outdated preview's Submit is refused: its version is older
    submit = next(d for d in callback_buttons(old_preview) if d.startswith("prop:ok:"))
    events = await chat.press_data(old_preview["message_id"], submit)
    assert "This preview is outdated" in alert(events)
    await press_cb(chat, "prop:ok:")
    async with bot.runtime.sessionmaker() as s:
        p = (await s.execute(select(Proposal))).scalar_one()
    assert (p.title, p.photo_file_id) == ("Youth study room at the library", None)


# --- authorization ------------------------------------------------------------------------


async def test_every_staff_action_is_refused_to_residents_and_other_dongs_staff(bot):
    resident = bot.chat(5009, "Tom", "en")
    other_staff = bot.chat(GARAM_STAFF_ID, "Lee", "en")
    author = bot.chat(5014, "Sue", "en")
    for chat in (resident, other_staff, author):
        await chat.send("/start")
    await make_staff(bot, GARAM_STAFF_ID, "garam")
    pid = await seed_proposal(bot, 5014, title="놀이터 안전펜스", description=DESCRIPTION)
    other = await seed_proposal(bot, 5014, title="다른 제안입니다", description=DESCRIPTION)
    before = await status_of(bot, pid)

    events = await resident.send("/review")
    assert "This is for the staff of a dong" in events[0].text
    for chat in (resident, other_staff, author):
        for code in ("st", "ac", "rj", "mg", "se", "ns", "ip", "dn", "hd", "rs"):
            events = await forge(chat, f"rev:a:{pid}:{code}")
            assert alert(events) == "Only staff of this proposal's dong can do that.", code
        for data in (f"rev:o:{pid}", f"rev:t:{pid}:{other}"):
            events = await forge(chat, data)
            assert alert(events) in {
                "Only staff of this proposal's dong can do that.",
                "This button is no longer valid.",
            }
        events = await chat.send(f"/start review_{pid}")
        assert events[0].text == "Only staff of this proposal's dong can do that."
    events = await forge(other_staff, "rev:q:new:0")  # their own (empty) queue only
    assert all(f"#{pid}" not in t for t in texts(events))
    assert await status_of(bot, pid) == before

    # the author's withdraw cannot be forged by someone else
    events = await forge(resident, f"props:wy:{pid}")
    assert alert(events) == "Only the proposer can withdraw a proposal."
    # nor a support of a proposal that does not exist, nor an unknown dong's list
    for data in ("props:s1:999999", "props:s0:999999", "props:s:999999"):
        events = await forge(resident, data)
        assert alert(events) == "That proposal does not exist."
    events = await forge(resident, "props:l:dong:atlantis:0")
    assert "That dong does not exist" in alert(events)
    assert await status_of(bot, pid) == before


async def test_illegal_moves_and_another_users_draft_are_refused(bot):
    staff = bot.chat(STAFF_ID, "Jisoo", "en")
    first = bot.chat(5010, "Ann", "en")
    second = bot.chat(5011, "Ben", "en")
    await staff.send("/start")
    await make_staff(bot, STAFF_ID, "saeteo")
    await first.send("/propose")
    await second.send("/propose")
    async with bot.runtime.sessionmaker() as s:
        drafts = {d.user_id: d for d in (await s.execute(select(ProposalDraft))).scalars()}
        firsts = (await s.execute(select(User).where(User.telegram_id == 5010))).scalar_one()
    draft = drafts[firsts.id]
    events = await forge(second, f"prop:d:{draft.id}:saeteo")
    assert "This button belongs to a draft that is not yours" in alert(events)
    events = await forge(second, f"prop:ok:{draft.id}:0")
    async with bot.runtime.sessionmaker() as s:
        assert (await s.get(ProposalDraft, draft.id)).dong_id is None  # untouched
        assert (await s.execute(select(Proposal))).first() is None

    await first.send("/start")
    pid = await seed_proposal(bot, 5010, title="Bench by the bus stop", description=DESCRIPTION)
    events = await forge(staff, f"rev:a:{pid}:dn")  # done, straight from submitted
    assert alert(events) == "A proposal that is “Submitted” cannot become “Done”."
    events = await forge(staff, f"rev:a:{pid}:rs")
    assert alert(events) == "This proposal is not hidden."
    assert (await status_of(bot, pid))[0] == S.SUBMITTED


# --- supports, threshold, reports -----------------------------------------------------------


async def test_supports_threshold_and_reports_reach_staff(bot):
    emu = bot.emu
    staff = bot.chat(STAFF_ID, "Jisoo", "en")
    author = bot.chat(NEIGHBOUR_ID, "수진", "ko")
    fans = [bot.chat(6000 + i, f"Fan{i}", "en") for i in range(4)]
    for chat in (staff, author, *fans):
        await chat.send("/start")
    await make_staff(bot, STAFF_ID, "saeteo")
    async with bot.runtime.sessionmaker() as s, s.begin():
        await domain.configure_dong(
            s, "saeteo", actor=Actor(None, "test"), now=bot.runtime.clock.utcnow(), threshold=2
        )
    pid = await seed_proposal(bot, NEIGHBOUR_ID, title="동네 공유 냉장고", description=DESCRIPTION)

    events = await fans[0].send(f"/start proposal_{pid}")  # the shared link
    assert "Support (0)" in " ".join(
        b["text"] for r in events[-1].reply_markup["inline_keyboard"] for b in r
    )
    events = await fans[0].press("Support (0)")
    assert alert(events) == "Thank you for your support!"
    assert any(
        "You support this (1)" in b["text"]
        for r in events[-1].reply_markup["inline_keyboard"]
        for b in r
    )
    events = await fans[0].press("take back")
    assert alert(events) == "Support taken back."
    await fans[0].press("Support (0)")
    since = emu.last_seq(TOKEN)
    await fans[1].send(f"/start proposal_{pid}")
    await fans[1].press("Support (1)")
    note = await inbox(bot, STAFF_ID, since)
    assert f"Proposal #{pid} in Saeteo-dong reached 2 supports (the threshold is 2)" in note[0].text
    since = emu.last_seq(TOKEN)
    await fans[1].press("take back")
    await fans[1].press("Support (1)")  # crossing it again tells nobody again
    assert await inbox(bot, STAFF_ID, since, timeout=1.0) == []

    # three reports hide it pending review; staff and the author are told
    for fan in fans[1:4]:
        await fan.send(f"/start proposal_{pid}")
        await fan.press("Report")
        events = await fan.press("Yes, report")
    assert "Thank you. Staff will look at this proposal." in texts(events)
    assert (await status_of(bot, pid))[1] == Visibility.FLAGGED
    note = await inbox(bot, STAFF_ID, since)
    assert f"Proposal #{pid} in Saeteo-dong was hidden after 3 reports" in note[-1].text
    events = await fans[0].send(f"/start proposal_{pid}")  # hidden from residents now
    assert events[-1].text == "This proposal is hidden pending review."
    events = await staff.send("/review")
    events = await press_cb(staff, "rev:q:reported:")
    assert f"#{pid}" in events[-1].text
    await press_cb(staff, f"rev:o:{pid}")
    events = await press_cb(staff, f"rev:a:{pid}:rs")
    assert f"Done: #{pid} is visible again." in events[-1].text
    assert (await status_of(bot, pid))[1] == Visibility.VISIBLE


async def test_a_stale_support_button_does_what_its_label_says(bot):
    """Two cards of one proposal in the same chat: each button does what it says, whatever
    the other card did meanwhile; a button never toggles blindly."""
    author = bot.chat(NEIGHBOUR_ID, "수진", "ko")
    fan = bot.chat(6100, "Fan", "en")
    for chat in (author, fan):
        await chat.send("/start")
    pid = await seed_proposal(bot, NEIGHBOUR_ID, title="동네 공유 냉장고", description=DESCRIPTION)

    def support_button(message_id: int) -> str:
        message = bot.emu.message(TOKEN, fan.chat_id, message_id)
        data = [d for d in callback_buttons(message) if d.startswith("props:s")]
        assert len(data) == 1, data
        return data[0]

    async def press(message_id: int):
        return await fan.press_data_real(message_id, support_button(message_id))  # type: ignore[attr-defined]

    async def count() -> int:
        async with bot.runtime.sessionmaker() as s:
            return (await s.get(Proposal, pid)).support_count

    first = (await fan.send(f"/start proposal_{pid}"))[-1].message["message_id"]
    second = (await fan.send(f"/start proposal_{pid}"))[-1].message["message_id"]
    events = await press(second)
    assert alert(events) == "Thank you for your support!"
    assert await count() == 1
    # the first card's "Support (0)" is stale: it does not take the support back
    events = await press(first)
    assert alert(events) == "You already support this proposal."
    assert await count() == 1
    assert "You support this (1)" in " ".join(buttons(events[-1]))  # refreshed to the truth
    events = await press(first)  # now its "take back"
    assert alert(events) == "Support taken back."
    assert await count() == 0
    # the second card still says "take back": it does not support again
    events = await press(second)
    assert alert(events) == "You do not support this proposal."
    assert await count() == 0
    assert "Support (0)" in " ".join(buttons(events[-1]))
    assert all(len(d.encode()) <= 64 for d in callback_buttons(events[-1].message))

    # a button sent before the buttons carried their intent: shows the card, changes nothing
    # (here the card is up to date already: Telegram answers "not modified", and that is all)
    bot.expected_errors.add(
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    for supported in (False, True):
        if supported:
            await press(second)
        before = await count()
        events = await fan.press_data(second, f"props:s:{pid}")
        assert alert(events) == (
            "This button was out of date, so nothing was changed. "
            "Here is the proposal as it is now."
        )
        assert await count() == before
        label = "You support this" if supported else "Support (0)"
        assert label in " ".join(buttons(events[-1]))


# --- notifications that cannot be delivered -------------------------------------------------


async def test_a_blocked_proposer_or_staff_member_never_fails_the_action(bot):
    emu = bot.emu
    staff = bot.chat(STAFF_ID, "Jisoo", "en")
    blocked_staff = bot.chat(7003, "Kim", "en")
    author = bot.chat(NEIGHBOUR_ID, "수진", "ko")
    resident = bot.chat(5012, "Ann", "en")
    for chat in (staff, blocked_staff, author, resident):
        await chat.send("/start")
    await make_staff(bot, STAFF_ID, "saeteo")
    await make_staff(bot, 7003, "saeteo")
    emu.set_blocked(TOKEN, 7003)
    bot.expected_errors.add("Forbidden: bot was blocked by the user")

    await draft_proposal(
        resident, "Saeteo-dong", "Care", "Lunch boxes for elderly neighbours",
        "Volunteers could bring lunch boxes to elderly people living alone.",
    )  # fmt: skip
    await resident.press("Skip")
    since = emu.last_seq(TOKEN)
    events = await press_cb(resident, "prop:ok:")
    assert any("was submitted" in t for t in texts(events))  # one blocked staff member: no harm
    assert await inbox(bot, STAFF_ID, since)  # the other one was told

    pid = await seed_proposal(
        bot, NEIGHBOUR_ID, title="어르신 도시락 배달", description=DESCRIPTION
    )
    emu.set_blocked(TOKEN, NEIGHBOUR_ID)
    await staff.send(f"/start review_{pid}")
    events = await staff.press("Start review")
    # queued with the decision; whether it arrives is the dispatcher's to find out
    assert "The proposer will be notified" in events[-1].text
    assert (await status_of(bot, pid))[0] == S.UNDER_REVIEW
    await bot.app.dispatcher.run_pass()  # Telegram refuses: the proposer blocked the bot
    await press_cb(staff, f"rev:a:{pid}:ac")
    events = await press_cb(staff, f"rev:k:{pid}")  # no answer text
    assert "The proposer cannot be notified: they left or blocked the bot." in events[-1].text
    assert (await status_of(bot, pid))[0] == S.ACCEPTED


# --- the staff group ----------------------------------------------------------------------


async def test_staffchat_needs_staff_and_groups_stay_quiet(bot):
    emu = bot.emu
    resident = bot.chat(5013, "Ann", "en")
    stranger = bot.chat(8101, "Stranger", "en")  # only ever seen in the group
    admin = bot.chat(900, "Admin", "en")  # ADMIN_IDS: staff of every dong
    await resident.send("/start")
    await admin.send("/start")
    group = Chat.group(-100888, "Committee", supergroup=True)
    emu.add_to_group(TOKEN, resident.user, group)
    emu.add_to_group(TOKEN, stranger.user, group)
    emu.add_to_group(TOKEN, admin.user, group)
    for who in (resident, stranger):
        since = emu.last_seq(TOKEN)
        emu.send_text(TOKEN, who.user, "/staffchat", chat=group)
        events = await inbox(bot, group.id, since)
        assert events[0].text == "Only staff of a dong can link a group chat."
    since = emu.last_seq(TOKEN)
    emu.send_text(TOKEN, admin.user, "/staffchat@maeul_test_bot", chat=group)
    events = await inbox(bot, group.id, since)
    assert "Which dong?" in events[0].text  # an admin has every dong: name one
    since = emu.last_seq(TOKEN)
    emu.send_text(TOKEN, admin.user, "/staffchat 누리동", chat=group)
    emu.send_text(TOKEN, admin.user, "/propose", chat=group)  # other commands: quiet
    emu.send_text(TOKEN, resident.user, "hello everyone", chat=group)
    events = await inbox(bot, group.id, since, timeout=1.5)
    assert len(events) == 1 and "Nuri-dong" in events[0].text
    async with bot.runtime.sessionmaker() as s:
        assert await domain.staff_chats(s) == {group.id: "nuri"}
        assert (await s.execute(select(User).where(User.telegram_id == 8101))).first() is None
    since = emu.last_seq(TOKEN)
    emu.send_text(TOKEN, admin.user, "/staffchat off", chat=group)
    events = await inbox(bot, group.id, since)
    assert "no longer receives" in events[0].text


# --- browsing, withdrawing, merging -------------------------------------------------------


async def test_browse_from_the_main_menu(bot):
    chat = bot.chat(5015, "Ann", "en")
    neighbour = bot.chat(5016, "Ben", "en")
    await chat.send("/start")
    await neighbour.send("/start")
    ids = [
        await seed_proposal(
            bot,
            5016,
            title=f"Idea number {i} for Solbit",
            description=DESCRIPTION,
            dong="solbit",
            theme="youth" if i % 2 else "care",
        )
        for i in range(7)
    ]
    mine = await seed_proposal(
        bot, 5015, title="My own idea for Garam", description=DESCRIPTION, dong="garam"
    )
    async with bot.runtime.sessionmaker() as s, s.begin():
        fan = (await s.execute(select(User).where(User.telegram_id == 5015))).scalar_one()
        await domain.toggle_support(s, ids[3], fan.id, bot.runtime.clock.utcnow())

    events = await chat.press("Proposals")  # the main menu's button
    assert "Agenda proposals" in events[-1].text
    events = await chat.press("Mine")
    assert f"#{mine} My own idea for Garam" in events[-1].text
    await press_cb(chat, "props:m")
    events = await chat.press("By dong")
    events = await chat.press("Solbit-dong")
    assert "Proposals in Solbit-dong" in events[-1].text and "Page 1 of 2" in events[-1].text
    assert f"#{ids[6]}" in events[-1].text and f"#{ids[1]}" not in events[-1].text  # newest first
    events = await chat.press("▶")
    assert "Page 2 of 2" in events[-1].text and f"#{ids[0]}" in events[-1].text
    await press_cb(chat, "props:m")
    await chat.press("By theme")
    events = await chat.press("Youth")
    assert "Proposals about Youth" in events[-1].text
    assert f"#{ids[1]}" in events[-1].text and f"#{ids[2]}" not in events[-1].text
    await press_cb(chat, "props:m")
    events = await chat.press("Most supported")
    assert events[-1].text.splitlines()[2].startswith(f"🆕 #{ids[3]} ")  # 1 support: first
    events = await chat.press(f"#{ids[3]} ")
    assert "1 support" in events[-1].text


async def test_the_author_withdraws_before_review_ends(bot):
    staff = bot.chat(STAFF_ID, "Jisoo", "en")
    chat = bot.chat(5017, "Ann", "en")
    await staff.send("/start")
    await chat.send("/start")
    await make_staff(bot, STAFF_ID, "saeteo")
    pid = await seed_proposal(bot, 5017, title="Benches for the bus stop", description=DESCRIPTION)
    events = await chat.send(f"/start proposal_{pid}")
    assert "Support" not in " ".join(
        b["text"] for r in events[-1].reply_markup["inline_keyboard"] for b in r
    )  # not one's own
    await chat.press("Withdraw")
    events = await chat.press("No, keep it")
    assert "nothing was changed" in events[-1].text
    await chat.press("Withdraw")
    events = await chat.press("Yes, withdraw")
    assert f"Your proposal #{pid} was withdrawn." in events[-1].text
    assert (await status_of(bot, pid))[0] == S.WITHDRAWN
    events = await forge(staff, f"rev:a:{pid}:st")
    assert alert(events) == "A proposal that is “Withdrawn” cannot become “Under review”."


async def test_merge_by_button_and_by_number(bot):
    emu = bot.emu
    staff = bot.chat(STAFF_ID, "Jisoo", "en")
    first = bot.chat(5018, "Ann", "en")
    second = bot.chat(5019, "Ben", "en")
    fan = bot.chat(5020, "Cho", "en")
    for chat in (staff, first, second, fan):
        await chat.send("/start")
    await make_staff(bot, STAFF_ID, "saeteo")
    target = await seed_proposal(
        bot,
        5018,
        title="Street lights in the dark alley",
        description="The alley behind the school is too dark at night.",
    )
    source = await seed_proposal(
        bot,
        5019,
        title="More lights for the alley",
        description="Please add street lights; walking home is scary.",
    )
    third = await seed_proposal(
        bot,
        5019,
        title="Another lights idea for the alley",
        description="Lights along the alley, please; it is dark at night.",
    )

    async with bot.runtime.sessionmaker() as s, s.begin():
        cho = (await s.execute(select(User).where(User.telegram_id == 5020))).scalar_one()
        ann = (await s.execute(select(User).where(User.telegram_id == 5018))).scalar_one()
        now = bot.runtime.clock.utcnow()
        for pid in (source, third):
            await domain.toggle_support(s, pid, cho.id, now)
        await domain.toggle_support(s, source, ann.id, now)  # the target's own author
        for pid in (source, third):
            p = await s.get(Proposal, pid)
            await domain.change_status(s, p, S.UNDER_REVIEW, actor=Actor(None, "test"), now=now)

    await staff.send(f"/start review_{source}")
    events = await staff.press("Merge")
    assert f"rev:t:{source}:{target}" in callback_buttons(events[-1].message)
    events = await staff.press(f"#{target} ")
    assert "Type the official answer" in events[-1].text
    since = emu.last_seq(TOKEN)
    events = await staff.press("Skip")
    assert f"Done: #{source} is now “Merged”." in events[-1].text
    told = await inbox(bot, 5019, since)
    assert f"It was merged into proposal #{target}" in told[0].text

    await staff.send(f"/start review_{third}")
    await staff.press("Merge")
    events = await staff.send(f"#{third}")  # itself: refused, asked again
    assert events[0].text == "A proposal cannot be merged into itself."
    events = await staff.send(f"#{target}")
    events = await staff.send("Same idea as #1; we merged them.")
    assert f"Done: #{third} is now “Merged”." in events[-1].text
    async with bot.runtime.sessionmaker() as s:
        merged = await s.get(Proposal, target)
        assert merged.support_count == 1 == await domain.count_supports(s, target)  # Cho, once


async def test_hiding_needs_a_reason_and_the_photo_is_shown(bot):
    staff = bot.chat(STAFF_ID, "Jisoo", "en")
    chat = bot.chat(5021, "Ann", "en")
    await staff.send("/start")
    await make_staff(bot, STAFF_ID, "saeteo")
    await draft_proposal(
        chat, "Saeteo-dong", "Community space", "A shared tool library",
        "Neighbours could lend each other drills, ladders and garden tools.",
    )  # fmt: skip
    await send_photo(chat)
    since = bot.emu.last_seq(TOKEN)
    await press_cb(chat, "prop:ok:")
    async with bot.runtime.sessionmaker() as s:
        pid = (await s.execute(select(Proposal.id))).scalar_one()
    # the staff's notice of the new proposal (the dispatcher's) first, so that it does not
    # arrive in the middle of the staff's own steps below
    assert await inbox(bot, STAFF_ID, since, timeout=30)
    events = await staff.send(f"/start review_{pid}")
    events = await staff.press("Hide")
    assert "Type the reason" in events[-1].text
    assert "Skip" not in " ".join(
        b["text"] for r in events[-1].reply_markup["inline_keyboard"] for b in r
    )
    events = await forge(staff, f"rev:k:{pid}")  # a forged Skip
    assert alert(events) == "Hiding a proposal needs a reason. Please type it."
    assert (await status_of(bot, pid))[1] == Visibility.VISIBLE
    events = await staff.send("Contains a phone number; please post it without.")
    # (the staff notice of the new proposal may arrive meanwhile: it is the dispatcher's)
    assert any(f"Done: #{pid} is hidden." in t for t in texts(events))
    events = await press_cb(chat, f"props:v:{pid}")
    assert "Hidden by staff" in events[-1].text  # the author still sees their proposal
    events = await chat.press("Photo")
    assert any(e.message and e.message.get("photo") for e in events)


async def test_the_longest_card_still_fits_one_message(bot):
    chat = bot.chat(5022, "Ann", "en")
    await chat.send("/start")
    pid = await seed_proposal(
        bot, 5022, title="가" * 80, description=("주차 & <문제> 해결 " * 200)[:2000]
    )
    now = bot.runtime.clock.utcnow()
    async with bot.runtime.sessionmaker() as s, s.begin():
        p = await s.get(Proposal, pid)
        cli = Actor(None, "cli:test")
        await domain.change_status(s, p, S.UNDER_REVIEW, actor=cli, now=now, answer="& " * 500)
        await domain.change_status(s, p, S.ACCEPTED, actor=cli, now=now, answer="<답변> " * 200)
        for status in (S.SELECTED, S.IN_PROGRESS, S.DONE):
            await domain.change_status(s, p, status, actor=cli, now=now, answer="완료 보고 " * 166)
    events = await chat.send(f"/start proposal_{pid}")
    card = events[-1].text
    assert len(card) <= 4096 and "<답변>" in card and "…" in card  # shortened, not refused
