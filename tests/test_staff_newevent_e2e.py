"""/newevent in Korean, end to end: dates typed the way staff say them (relative to the
bot's clock, in the configured zone), questions back for past, day-less, time-less and
morning-or-evening times, and every field editable from the preview before publishing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.core.clock import Clock
from bot.core.i18n import Translator
from bot.kb.edits import EditError, parse_when
from handlers.events.newevent import parse_end
from models import Event
from tests.conftest import SEOUL, TEST_NOW
from tests.e2e import buttons, running_bot, texts
from tests.staff_helpers import latest

KO = Translator("ko", SEOUL)
STAFF = 900  # ADMIN_IDS of the test settings


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("3월 5일 오후 7시", datetime(2027, 3, 5, 19, 0)),
        ("다음 주 화요일 19:00", datetime(2026, 11, 24, 19, 0)),  # TEST_NOW is a Sunday
        ("내일 오후 3시", datetime(2026, 11, 23, 15, 0)),
        ("모레 저녁 7시 반", datetime(2026, 11, 24, 19, 30)),
        ("2027년 2월 12일 오후 7:30", datetime(2027, 2, 12, 19, 30)),
        ("2027-03-05 19:00", datetime(2027, 3, 5, 19, 0)),
        ("2027.3.5 07:00", datetime(2027, 3, 5, 7, 0)),
        ("next Tuesday 7pm", datetime(2026, 11, 24, 19, 0)),
        ("March 5 7:30 p.m.", datetime(2027, 3, 5, 19, 30)),
        ("3월 5일 정오", datetime(2027, 3, 5, 12, 0)),
        # month/day as phones type it (the year: this one, or the next once the day passed)
        ("12/20 14:00", datetime(2026, 12, 20, 14, 0)),
        ("12.20 오후 2시", datetime(2026, 12, 20, 14, 0)),
        ("3/5 19:00", datetime(2027, 3, 5, 19, 0)),
        ("11/22. 오후 7시", datetime(2026, 11, 22, 19, 0)),
        # from now (TEST_NOW is 10:00), to the minute
        ("1시간 뒤", datetime(2026, 11, 22, 11, 0)),
        ("30분 후", datetime(2026, 11, 22, 10, 30)),
        ("2시간 30분 후", datetime(2026, 11, 22, 12, 30)),
        ("in 2 hours", datetime(2026, 11, 22, 12, 0)),
        ("in 45 minutes", datetime(2026, 11, 22, 10, 45)),
    ],
)
def test_parse_when_reads_what_staff_type(typed, expected):
    assert parse_when(typed, TEST_NOW, SEOUL) == expected.replace(tzinfo=SEOUL)


@pytest.mark.parametrize(
    "typed,question",
    [
        ("3월 5일 7시", "morning or in the evening"),
        ("다음 주 화요일 7:30", "morning or in the evening"),
        ("3월 5일", "Please add the time"),
        ("2027-03-05", "Please add the time"),
        ("오후 7시", "Which day?"),
        ("다음 달 오후 7시", "Which day?"),
        ("언젠가", "I could not read that date."),
        ("3월 5일 25시", "There is no such time."),
    ],
)
def test_parse_when_asks_back(typed, question):
    with pytest.raises(EditError) as caught:
        parse_when(typed, TEST_NOW, SEOUL)
    assert question in caught.value.message


def test_an_end_time_of_day_is_the_first_after_the_start():
    start = datetime(2027, 3, 5, 19, 0, tzinfo=SEOUL)
    assert parse_end("오후 9시", start) == start.replace(hour=21)
    assert parse_end("9시", start) == start.replace(hour=21)  # not 9 in the morning
    assert parse_end("2시간", start) == start + timedelta(hours=2)
    assert parse_end("1시간 30분", start) == start + timedelta(minutes=90)
    assert parse_end("21:00", start) == start.replace(hour=21)
    assert parse_end("오후 6시", start) is None


# Ends and lengths as staff type them besides the examples the question gives: Korean
# numbers before 시간, half an hour, "until", "about", "까지" (all failed before 2026-12-07)
@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("두시간", 120),
        ("두 시간", 120),
        ("한 시간", 60),
        ("한시간 반", 90),
        ("1시간 반", 90),
        ("세시간반", 210),
        ("1.5시간", 90),
        ("세 시간 동안", 180),
        ("약 2시간", 120),
        ("한 2시간", 120),
        ("2시간 반 정도", 150),
        ("반시간", 30),
        ("9시까지", 120),
        ("오후 9시까지", 120),
        ("2 hours", 120),
        ("two hours", 120),
        ("an hour and a half", 90),
        ("half an hour", 30),
        ("1.5 hours", 90),
        ("90 minutes", 90),
        ("1 hour 30 minutes", 90),
        ("2 hrs", 120),
        ("until 9pm", 120),
        ("to 21:00", 120),
    ],
)
def test_an_end_or_a_length_in_words(typed, minutes):
    start = datetime(2027, 3, 5, 19, 0, tzinfo=SEOUL)
    assert parse_end(typed, start) == start + timedelta(minutes=minutes)


@pytest.mark.parametrize("typed", ["열시간 넘게요?", "today", "25시간", "다섯"])
def test_what_is_no_end_stays_unread(typed):
    assert parse_end(typed, datetime(2027, 3, 5, 19, 0, tzinfo=SEOUL)) is None


async def test_newevent_in_korean_with_edits_from_the_preview(bot):
    staff = bot.chat(STAFF, "담당자", "ko")
    events = await staff.send("/newevent")
    assert "어떤 종류의 행사인가요?" in latest(events).text
    await staff.press("🎓 교육")
    await staff.press("새터동")
    events = await staff.send("퇴비 만들기 교육")
    prompt = latest(events).text
    assert prompt.startswith("언제 시작하나요?")
    assert "3월 5일 오후 7시" in prompt and "다음 주 화요일 19:00" in prompt  # with a time

    events = await staff.send("다음 주 화요일 7시")
    assert texts(events) == [
        "오전 7:00인가요, 오후 7:00인가요? ‘오후 7시’나 ‘19:00’처럼 다시 입력해 주세요."
    ]
    events = await staff.send("11월 20일 오후 7시")  # two days before TEST_NOW
    past = KO.format_datetime(datetime(2026, 11, 20, 19, 0, tzinfo=SEOUL))
    assert texts(events) == [f"이미 지난 시간이에요: {past}. 앞으로의 시간을 입력해 주세요."]
    events = await staff.send("3월 5일")
    assert texts(events)[0].startswith("시간도 함께 입력해 주세요.")
    events = await staff.send("다음 주 화요일 19:00")
    tuesday = datetime(2026, 11, 24, 19, 0, tzinfo=SEOUL)
    assert texts(events)[0].startswith(f"시작: {KO.format_datetime(tuesday)}\n언제 끝나나요?")
    await staff.send("오후 9시")
    await staff.send("새터 마을회관")
    events = await staff.send("12")
    preview = latest(events)
    assert "퇴비 만들기 교육" in preview.text and "12명" in preview.text
    labels = buttons(preview)
    for label in ("✏️ 제목", "✏️ 종류", "✏️ 동", "✏️ 시작", "✏️ 종료", "✏️ 장소", "✏️ 정원"):
        assert label in labels

    # every field can be changed, and the preview comes back after each
    events = await staff.press("✏️ 시작")
    assert latest(events).text.startswith("언제 시작하나요?")
    events = await staff.send("3월 5일 오후 7시")
    preview = latest(events)
    assert "미리 보기" in preview.text
    assert "🕒 2027년 3월 5일 (금) 오후 7:00 ~ 9:00" in preview.text  # the 2 hours kept
    typed = (  # the field's button, what is typed, what the preview then shows
        ("✏️ 제목", "퇴비 교육", "퇴비 교육"),
        ("✏️ 종료", "2시간 30분", "🕒 2027년 3월 5일 (금) 오후 7:00 ~ 9:30"),
        ("✏️ 장소", "새터 작은도서관", "새터 작은도서관"),
        ("✏️ 정원", "20", "20명"),
    )
    for field, value, shown in typed:
        await staff.press(field)
        events = await staff.send(value)
        assert shown in latest(events).text
    for field, choice in (("✏️ 종류", "🤝 모임"), ("✏️ 동", "한빛1동")):  # chosen by a button
        await staff.press(field)
        events = await staff.press(choice)
        assert choice in latest(events).text

    events = await staff.press("✅ 게시하기")
    # nobody subscribes to the demo's meetings: not "0곳에 알릴게요"
    told = "게시했어요. 이런 행사를 구독한 대화방이 아직 없어서 따로 알리지는 않아요."
    assert told in texts(events)
    events = await staff.press("📅 행사 정보")
    card = latest(events).text
    assert card.count("퇴비 교육") == 1, card  # no description typed: the title once, not twice
    async with bot.runtime.sessionmaker() as s:
        (row,) = (await s.execute(select(Event).where(Event.origin == "staff"))).scalars()
    assert (row.kind, row.dong_id, row.title["ko"], row.place["ko"]) == (
        "meeting",
        "hanbit1",
        "퇴비 교육",
        "새터 작은도서관",
    )
    assert row.starts_at.astimezone(SEOUL) == datetime(2027, 3, 5, 19, 0, tzinfo=SEOUL)
    assert row.ends_at.astimezone(SEOUL) == datetime(2027, 3, 5, 21, 30, tzinfo=SEOUL)
    assert row.registration_capacity == 20


async def test_relative_dates_follow_the_real_clock(runtime):
    runtime.clock = Clock(SEOUL)  # the system clock, not MAEUL_NOW or a manual one
    async with running_bot(runtime) as bot:
        staff = bot.chat(STAFF, "담당자", "ko")
        await staff.send("/newevent")
        await staff.press("🤝 모임")
        await staff.press("구 전체")
        await staff.send("동네 모임")
        before = datetime.now(SEOUL).date()
        events = await staff.send("내일 오후 3시")
        after = datetime.now(SEOUL).date()
        said = texts(events)[0]
        expected = {
            f"시작: {KO.format_datetime(datetime.combine(day + timedelta(days=1), datetime.min.time().replace(hour=15), SEOUL))}"
            for day in (before, after)
        }
        assert said.split("\n")[0] in expected
        assert not bot.errors


def test_now_is_a_start_to_the_nearest_minute():
    assert parse_when("지금", TEST_NOW + timedelta(seconds=29), SEOUL) == TEST_NOW
    assert parse_when(" 지금 ", TEST_NOW + timedelta(seconds=31), SEOUL) == TEST_NOW + timedelta(
        minutes=1
    )
    assert parse_when("now", TEST_NOW, SEOUL) == TEST_NOW


async def test_typed_text_at_a_button_step_asks_for_the_buttons(bot):
    """The kind and dong steps are answered with buttons: typed text there asks for them
    (never the Q&A's answer while the draft stays open); an end before the start is told
    so, not "I could not read that"."""
    press = "위의 버튼으로 답해 주세요. 그만하려면 /cancel 을 입력하세요."
    bot.runtime.clock.set(TEST_NOW + timedelta(seconds=20))
    staff = bot.chat(STAFF, "담당자", "ko")
    await staff.send("/newevent")
    events = await staff.send("모임")
    assert texts(events) == [press]
    await staff.press("🤝 모임")
    events = await staff.send("새터동")
    assert texts(events) == [press]
    await staff.press("새터동")
    await staff.send("동네 텃밭 겨울 모임")
    events = await staff.send("지금")
    assert texts(events)[0].startswith(f"시작: {KO.format_datetime(TEST_NOW)}\n언제 끝나나요?")
    events = await staff.send("오전 9시")
    assert texts(events) == [
        "끝나는 시간이 시작 시간(오전 10:00)보다 늦어야 해요. 더 늦은 끝나는 시간(21:00)이나 "
        "진행 시간(2시간)을 입력해 주세요."
    ]
    events = await staff.send("언젠가")
    assert texts(events) == [
        "알아보지 못했어요. 시작 시간보다 늦은 끝나는 시간(21:00)이나 진행 시간(2시간)을 "
        "입력해 주세요."
    ]
    events = await staff.send("2시간")
    assert "어디에서" in latest(events).text or "장소" in latest(events).text, texts(events)


async def test_staff_of_one_dong_are_not_asked_for_the_dong(bot):
    """A dong's staff can only give an event their own dong: the dong step (one button and
    Cancel) is skipped, and the preview names the dong (it has no ✏️ 동 for them either)."""
    from tests.staff_helpers import make_staff

    await make_staff(bot, 6801, "saeteo")
    staff = bot.chat(6801, "담당자", "ko")
    await staff.send("/newevent")
    events = await staff.press("🤝 모임")
    assert latest(events).text == "행사 제목은 무엇인가요?"
    await staff.send("동네 텃밭 겨울 모임")
    await staff.send("다음 주 화요일 19:00")
    await staff.send("오후 9시")
    await staff.send("새터 마을회관")
    events = await staff.send("12")
    assert "🤝 모임 · 새터동" in latest(events).text
    assert "✏️ 동" not in buttons(latest(events))
    events = await staff.press("✅ 게시하기")
    async with bot.runtime.sessionmaker() as s:
        (row,) = (await s.execute(select(Event).where(Event.origin == "staff"))).scalars()
    assert row.dong_id == "saeteo"
    assert not bot.errors
