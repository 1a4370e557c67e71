"""Bot API faults around a list answer and a line of it pointed at by number ("2번은
언제까지예요?"), end to end (both databases): the chat keeps a list's lines as what it was
told (handlers/qa/ask.py), so a number typed next is that line only when the list reached
the resident — after a 429 or a dropped connection once (the retry lands), yes; after every
attempt failed, no. Faults and fixtures as in tests/test_qa_faults_e2e.py."""

from __future__ import annotations

import re

import pytest

from tests.test_qa_faults_e2e import (  # the retries made quick, connections dropped
    FAULTS,
    bot,  # noqa: F401 (the fixture)
    fired,
    quick_retries_and_drops,  # noqa: F401 (autouse)
    sent,
    stored,
)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("warm_vectors")]

LIST_QUESTION = "공모사업 뭐 있어요?"
SECOND = "2번은 언제까지예요?"


def line_titles(text: str) -> list[str]:
    """The records a list answer shows, one a numbered line ("2. 이웃만들기 지원사업 — 모임당
    …"), in their order."""
    return [
        line.split(". ", 1)[1].split(" — ")[0].strip()
        for line in text.splitlines()
        if re.match(r"\d+\. ", line)
    ]


@pytest.mark.parametrize("fault", ["429", "dropped"])
async def test_a_list_that_arrives_after_a_fault_is_pointed_at_by_number(bot, fault):  # noqa: F811
    chat = bot.chat()
    FAULTS[fault](bot.emu, "sendMessage", 1)
    events = await chat.send(LIST_QUESTION)
    assert fired(bot) == 1
    [reply] = sent(events)  # once, after the retry
    titles = line_titles(reply.text or "")
    assert len(titles) >= 2, reply.text
    assert (await stored(bot, chat)).topic is not None  # its lines, to point at
    [answer] = sent(await chat.send(SECOND))
    assert titles[1] in (answer.text or ""), (titles, answer.text)


async def test_a_list_that_never_arrives_is_not_pointed_at_by_number(bot):  # noqa: F811
    chat = bot.chat()
    FAULTS["502"](bot.emu, "sendMessage", 3)
    events = await chat.send(LIST_QUESTION)
    assert fired(bot) == 3 and sent(events) == []
    assert (await stored(bot, chat)).topic is None  # nothing was told
    [after_lost] = sent(await chat.send(SECOND))
    # the list asked again arrives; its second line was not what "2번" meant before
    [listed] = sent(await chat.send(LIST_QUESTION))
    second = line_titles(listed.text or "")[1]
    assert second not in (after_lost.text or ""), after_lost.text
