"""The staff side of assembly votes, end to end (SQLite and PostgreSQL)."""

from __future__ import annotations

from bot import assembly as A
from bot.assembly.crypto import keyring_for
from bot.core import users
from tests.e2e import buttons, texts
from tests.staff_helpers import add_accepted_proposal, alert, make_staff
from tests.test_assembly_support import DURING

HANBIT = "hanbit1-2027"


BOT_OPTIONS = {"ballot_secret": True}


async def ref_of(bot, assembly_id: str) -> int:
    async with bot.runtime.sessionmaker() as s:
        vote = await A.get_vote(s, assembly_id, bot.runtime.clock.now())
        await s.commit()
        return vote.id


async def test_staff_prepare_open_watch_close_and_see_results(bot):
    await make_staff(bot, 6101, "hanbit1")
    await make_staff(bot, 6102, "saeteo")
    staff = bot.chat(6101, "Staff", "en")
    stranger = bot.chat(6102, "Other staff", "en")
    resident = bot.chat(6103, "Resident", "en")
    events = await resident.send("/assembly")
    assert "This is for the staff of a dong" in events[0].text

    await add_accepted_proposal(bot, resident)

    events = await staff.send("/assembly")
    assert "2027 Hanbit 1-dong general assembly" in events[0].text
    assert "Saeteo" not in events[0].text  # only the staff's own dong
    events = await staff.press("2027 Hanbit 1-dong")
    panel = events[-1].text
    assert "Method: yes / no / abstain on each item" in panel
    assert "Who votes: voting codes from the dong office" in panel
    assert "Quorum: 3%" in panel and "7 items on the ballot:" in panel
    assert "Results are sealed until the close." in panel

    events = await staff.press("Accepted proposals")
    assert any("경로당 텃밭" in b for b in buttons(events[-1]))
    events = await staff.press("경로당 텃밭")
    assert "8 items on the ballot:" in events[-1].text and "8. 경로당 텃밭" in events[-1].text

    events = await staff.press("Add an item")
    assert "Type the item's title" in events[-1].text
    events = await staff.send("골목 벽화 | 2,000,000\n놀이터 | lots")
    assert "the budget must be a whole number" in texts(events)[0]
    assert "Added 1 item." in texts(events)[-1]
    events = await staff.send("/cancel")
    assert "9. 골목 벽화" in events[-1].text

    events = await staff.press("Re-voting: switch")
    assert "Re-voting: no" in events[-1].text
    events = await staff.press("Eligible residents")
    events = await staff.send("about a thousand")
    assert "Please type a whole number" in events[0].text
    events = await staff.send("1,200")
    assert "Eligible residents: 1,200" in events[-1].text

    ref = await ref_of(bot, HANBIT)
    await stranger.send("/assembly")
    events = await stranger.press("", forge_data=f"asm:open!:{ref}")
    assert alert(events) == "Only the staff of this dong can do that."

    events = await staff.press("Open voting now")
    assert "The ballot can no longer change" in events[-1].text
    events = await staff.press("Yes")
    assert "open until" in events[-1].text
    assert "Add an item" not in " ".join(buttons(events[-1]))
    bot.runtime.clock.advance(minutes=10)
    async with bot.runtime.sessionmaker() as s:  # three residents vote
        vote = await A.get_vote(s, HANBIT, bot.runtime.clock.now())
        ring = keyring_for(bot.runtime.settings)
        for n in range(3):
            user = await users.touch_user(s, bot.chat(6200 + n).user, bot.runtime.clock.utcnow())
            [code] = await A.issue_codes(s, ring, vote, 1, actor="t", now=bot.runtime.clock.now())
            await A.redeem_code(s, ring, user, code, bot.runtime.clock.now())
            nonce = await A.prepare_review(s, vote, user, "y" * 9, bot.runtime.clock.now())
            await A.cast(s, ring, vote, user, "y" * 9, nonce, bot.runtime.clock.now())
        await s.commit()
    events = await staff.press("Refresh")
    assert "Turnout so far: 3 (3 online, 0 on site); 3 registered, 3 codes issued" in (
        events[-1].text
    )
    assert "0.2% of the eligible residents" in events[-1].text
    events = await staff.press("", forge_data=f"asm:res:{ref}")
    assert alert(events).startswith("Results are shown after the vote closes")

    events = await staff.press("Close voting now")
    events = await staff.press("Yes")
    assert "closed" in events[-1].text
    events = await staff.press("Results")
    messages = [e for e in events if e.kind == "message"]
    assert "Quorum 3%: not reached, so the results are advisory." in messages[0].text
    assert "9. 골목 벽화: yes 3 (100%)" in messages[0].text
    assert not bot.errors


async def test_staff_create_an_assembly_in_the_bot(bot):
    await make_staff(bot, 6301, "garam")
    staff = bot.chat(6301, "Staff", "en")
    await staff.send("/assembly")
    events = await staff.press("New assembly")
    assert "What is the assembly's title" in events[-1].text
    await staff.send("2027 가람동 주민총회")
    events = await staff.press("Choose up to 2")
    assert "When is voting open?" in events[-1].text
    events = await staff.send("next week")
    assert "Which day? Please name the day." in events[0].text
    events = await staff.send("2027-05-28 09:00 ~ 2027-05-20 18:00")  # closes before it opens
    assert "The vote must close after it opens." in events[0].text
    events = await staff.send("2027-05-28 09:00 ~ 2027-06-14 18:00")
    await staff.press("No quorum")
    await staff.press("Set it later")
    events = await staff.press("Create")
    panel = events[-1].text
    assert "2027 가람동 주민총회" in panel and "choose up to 2 items" in panel
    assert "0 items on the ballot:" in panel
    events = await staff.press("Open voting now")
    events = await staff.press("Yes")
    assert alert(events) == "The ballot has no items yet."
    async with bot.runtime.sessionmaker() as s:
        [vote] = [v for v in await A.list_votes(s, DURING) if v.dong_id == "garam"]
        assert vote.opens_at.isoformat() == "2027-05-28T00:00:00+00:00"
        assert vote.created_by == "tg:6301"
    assert not bot.errors


async def test_staff_confirm_dialogs_name_the_vote_once_in_korean(bot):
    """The vote's own title already says 투표 ("… 온라인 투표"): the dialogs to open and to
    close it name it, with the particle its last syllable takes (투표를), and do not add a
    second 투표 ("… 온라인 투표” 투표를")."""
    await make_staff(bot, 6401, "hanbit1")
    staff = bot.chat(6401, "담당자", "ko")
    await staff.send("/assembly")
    await staff.press("2027 한빛1동")

    events = await staff.press("지금 투표 시작")
    question = events[-1].text.split("\n")[0]
    assert question == (
        "지금 “2027 한빛1동 주민총회 온라인 투표”를 시작할까요? "
        "시작한 뒤에는 투표 안건을 바꿀 수 없어요."
    )
    events = await staff.press("네, 투표를 시작해요")
    assert "진행 중" in events[-1].text

    events = await staff.press("지금 투표 마감")
    assert events[-1].text == (
        "지금 “2027 한빛1동 주민총회 온라인 투표”를 마감할까요? "
        "마감한 뒤에는 아무도 투표할 수 없어요."
    )
    assert "투표” 투표" not in " ".join(texts(events))
    events = await staff.press("네, 투표를 마감해요")
    assert "투표를 마감했어요." in texts(events)
    assert not bot.errors


async def test_staff_confirm_dialog_takes_the_particle_of_a_title_ending_in_a_consonant(bot):
    """A title of the staff's own, ending in a consonant (…안건): 을, not 를."""
    await make_staff(bot, 6402, "garam")
    staff = bot.chat(6402, "담당자", "ko")
    await staff.send("/assembly")
    await staff.press("새 주민총회")
    await staff.send("2027 가람동 마을 안건")
    await staff.press("최대 2개")
    await staff.send("2027-05-28 09:00 ~ 2027-06-14 18:00")
    await staff.press("정족수 없음")
    await staff.press("나중에")
    events = await staff.press("만들기")
    assert "2027 가람동 마을 안건" in events[-1].text
    events = await staff.press("지금 투표 시작")
    assert events[-1].text.startswith(
        "지금 “2027 가람동 마을 안건”을 시작할까요? 시작한 뒤에는 투표 안건을 바꿀 수 없어요."
    )
    assert not bot.errors


async def test_staff_confirm_dialogs_in_english(bot):
    await make_staff(bot, 6403, "hanbit1")
    staff = bot.chat(6403, "Staff", "en")
    await staff.send("/assembly")
    await staff.press("2027 Hanbit 1-dong")
    events = await staff.press("Open voting now")
    assert events[-1].text.split("\n")[0] == (
        "Open voting on “2027 Hanbit 1-dong general assembly — online vote” now? "
        "The ballot can no longer change afterwards."
    )
    await staff.press("Yes")
    events = await staff.press("Close voting now")
    assert events[-1].text == (
        "Close voting on “2027 Hanbit 1-dong general assembly — online vote” now? "
        "Nobody can vote afterwards."
    )
    assert not bot.errors
