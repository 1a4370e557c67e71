"""A list answer's lines are numbered ("1. 이웃만들기 지원사업 — …", "2. …"): the numbers a
resident sees are the ones the bot takes next ("2번은 언제까지예요?" is the record on line
2, handlers/qa/ask.py keeps the lines with ``listed``), and a number past the lines shown
(a short list, or one cut at ``MAX_LISTED`` with "…and N more") points at nothing: it is
said so, not answered about a record that was never on the list."""

from __future__ import annotations

import re

import pytest

from bot.core.i18n import Translator
from bot.qa import listed, render
from bot.qa.render import MAX_LISTED
from tests.qa_helpers import NOW, SEOUL

pytestmark = pytest.mark.usefixtures("warm_vectors")  # answers independent of timing

ALL_GRANTS = "공모사업 뭐 있어요?"  # every grant of the demo KB: more than MAX_LISTED
THREE_GRANTS = "2000만원 이상 지원사업 뭐 있어요?"  # 2,000만, 4,500만, 9,000만 원
_LINE = re.compile(r"(\d+)\. (.+?) — ")


def numbered(text: str) -> list[tuple[int, str]]:
    """A list answer's lines: (the number shown, the grant's name or the event's time and
    title), in the order shown."""
    return [(int(m.group(1)), m.group(2)) for line in text.splitlines() if (m := _LINE.match(line))]


def ko() -> Translator:
    return Translator("ko", SEOUL)


def test_a_list_of_grants_is_numbered_in_the_order_kept(demo):
    answer = demo.ask(ALL_GRANTS, NOW)
    kept = listed(demo, answer)
    assert len(answer.matches) > MAX_LISTED and len(kept) == MAX_LISTED
    text = render(demo, answer, ko(), NOW)
    lines = numbered(text)
    assert lines == [(n, demo.grants[i].name.ko) for n, i in enumerate(kept, start=1)], text
    assert "•" not in text
    more = len(answer.matches) - MAX_LISTED
    assert text.splitlines()[-1] == ko()._("…and {n} more.", n=more)  # after line 8


def test_a_list_of_events_is_numbered_a_line_each_time_one_is_held(demo):
    answer = demo.ask("다음 달 행사 뭐 있어요?", NOW)
    kept = listed(demo, answer)
    assert len(kept) >= 2
    lines = numbered(render(demo, answer, ko(), NOW))
    assert [n for n, _ in lines] == list(range(1, len(kept) + 1))
    for (_, said), id_ in zip(lines, kept, strict=True):
        assert said.endswith(" " + demo.events[id_].title.ko), (said, id_)


def test_in_english_too(demo):
    answer = demo.ask("What grants are there?", NOW)
    text = render(demo, answer, Translator("en", SEOUL), NOW)
    kept = listed(demo, answer)
    assert kept and [n for n, _ in numbered(text)] == list(range(1, len(kept) + 1)), text


async def test_in_the_bot_line_two_is_what_2번_means(bot):
    chat = bot.chat()
    [shown] = [e for e in await chat.send(ALL_GRANTS) if e.kind == "message"]
    lines = numbered(shown.text)
    assert [n for n, _ in lines] == list(range(1, MAX_LISTED + 1)), shown.text
    assert shown.text.splitlines()[-1].startswith("…"), shown.text  # "…그 밖에 N개 더 있어요."
    second = lines[1][1]
    [told] = [e for e in await chat.send("2번은 언제까지예요?") if e.kind == "message"]
    assert told.text.startswith(second) and "마감" in told.text, told.text


async def test_in_the_bot_a_number_past_the_lines_shown_is_no_record(bot):
    from tests.kbdemo import demo_kb

    names = [grant.name.ko for grant in demo_kb().grants]
    chat = bot.chat()
    # a list cut at MAX_LISTED: "9번" is not the ninth grant, which was never shown
    [shown] = [e for e in await chat.send(ALL_GRANTS) if e.kind == "message"]
    on_list = {name for _, name in numbered(shown.text)}
    unseen = [name for name in names if name not in on_list]
    assert unseen
    [told] = [e for e in await chat.send("9번은 언제까지예요?") if e.kind == "message"]
    assert not any(name in told.text for name in unseen), told.text
    # a list of three: "4번" is no grant (nor anything else) but "there are three"
    [shown] = [e for e in await chat.send(THREE_GRANTS) if e.kind == "message"]
    lines = numbered(shown.text)
    assert [n for n, _ in lines] == [1, 2, 3], shown.text
    on_list = {name for _, name in lines}
    [told] = [e for e in await chat.send("4번은 언제까지예요?") if e.kind == "message"]
    assert not any(name in told.text for name in names if name not in on_list), told.text
    assert "3번까지" in told.text, told.text
    # and the list is still there to point at
    [told] = [e for e in await chat.send("3번은 언제까지예요?") if e.kind == "message"]
    assert told.text.startswith(lines[2][1]) and "마감" in told.text, told.text


@pytest.mark.parametrize(
    ("text", "past"),
    [
        ("4번은 언제까지예요?", True),
        ("4번", True),
        ("4", True),
        ("다섯 번째요", True),
        ("the ninth one", True),
        ("#9", True),
        ("3번은 언제까지예요?", False),  # on the list: the engine's
        ("세 번째 거 서류는요?", False),
        ("12번지 어디예요?", False),  # an address, no line
        ("2000만원 이상 지원사업 뭐 있어요?", False),
        ("4명이면 돼요?", False),
        ("네", False),  # yes
        ("first time applying, what do I need?", False),
    ],
)
def test_which_numbers_are_past_a_list_of_three(text, past):
    from handlers.qa.ask import _number_past

    assert _number_past(text, ("a", "b", "c")) is past
    assert _number_past(text, ()) is False  # no list: a number is whatever it says


async def test_in_the_bot_a_number_with_nothing_shown_says_so_and_keeps_the_topic(bot):
    # (session 28) "2번" right after an answer about one grant: no list to pick from, said;
    # the grant is still the topic of "언제까지요?"
    chat = bot.chat()
    await chat.send("이웃만들기 지원사업 알려줘")
    [told] = [e for e in await chat.send("2번") if e.kind == "message"]
    assert "번호로 고를 목록이 없어요" in told.text, told.text
    [told] = [e for e in await chat.send("언제까지요?") if e.kind == "message"]
    assert told.text.startswith("이웃만들기 지원사업") and "마감" in told.text, told.text


async def test_in_the_bot_a_list_of_one_is_line_one_only(bot):
    # (session 28) a list answer with one line ("1. 청년 마을 아이디어 지원사업 — …") is the
    # chat's topic, and "2번" after it points at no line: said so, not taken for line 1
    chat = bot.chat()
    [shown] = [e for e in await chat.send("청년 지원사업 뭐 있어요?") if e.kind == "message"]
    lines = numbered(shown.text)
    assert [n for n, _ in lines] == [1], shown.text
    [told] = [e for e in await chat.send("2번은 언제까지예요?") if e.kind == "message"]
    assert "1번까지" in told.text and "마감" not in told.text, told.text
    [told] = [e for e in await chat.send("1번은 언제까지예요?") if e.kind == "message"]
    assert told.text.startswith(lines[0][1]) and "마감" in told.text, told.text


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("4번은 언제까지예요?", 4),
        ("12번", 12),
        ("다섯 번째요", 5),
        ("the ninth one", 9),
        ("9", 9),
        ("2번 출구 어디예요", None),
        ("5월에 해요?", None),
        ("서류는요?", None),
    ],
)
def test_the_number_typed_at_the_start_of_a_message(text, number):
    from bot.qa.numbers import number_typed

    assert number_typed(text) == number
