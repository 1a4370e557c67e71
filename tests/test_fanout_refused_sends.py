"""A send Telegram refused with a server error is not counted against the rate budget
(issue 12): its permit is cancelled, its slots are free at once; a timeout, a broken
connection or a 504 may have delivered the message, so they count like any answer.

No assertion here is on how long anything took; the fan-out's rate is bench/'s subject.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from telegram.error import NetworkError, TimedOut

from bot.core.ratebudget import Limits, LocalBudget
from bot.reminders.dispatch import NotSent, Transient
from bot.reminders.rows import OutMessage
from bot.telegram.dispatcher import TelegramSender
from tests.test_reminders_limiter import VirtualClock


def _budget(clock: VirtualClock) -> LocalBudget:
    return LocalBudget(
        Limits(total=3, bulk=3, window=1.0, chat_count=1, chat_window=1.0),
        monotonic=clock.monotonic,
        sleep=clock.sleep,
    )


async def _fill_and_free_one(how: str) -> tuple[float, float]:
    """Three permits (the whole window) are taken; one is given back with ``how``. Returns
    how long its chat must wait before its next send, and when (on the virtual clock) a
    send to another chat could start."""
    clock = VirtualClock()
    budget = _budget(clock)
    found: dict[str, float] = {}

    async def scenario() -> None:
        permits = [await budget.take(chat_id) for chat_id in (1, 2, 3)]
        await clock.sleep(0.05)  # Telegram's answer
        first = permits[0]
        assert first is not None
        await (budget.cancel(first) if how == "cancel" else budget.release(first))
        found["chat wait"] = max(0.0, budget.ready_at(1) - clock.now)
        fourth = await budget.acquire(4, bulk=True)
        found["other chat"] = clock.now
        for permit in [*permits[1:], fourth]:
            assert permit is not None
            await budget.release(permit)

    task = asyncio.ensure_future(scenario())
    await clock.drive([task])
    return found["chat wait"], found["other chat"]


async def test_a_cancelled_permit_frees_its_slots_at_once():
    chat_wait, other = await _fill_and_free_one("cancel")
    assert other == pytest.approx(0.05)  # no wait for the window: the refusal did not count
    assert chat_wait == 0.0  # nor for the chat's one a second


async def test_a_released_permit_counts_for_the_whole_window():
    chat_wait, other = await _fill_and_free_one("release")
    assert other == pytest.approx(1.05)  # the window runs from the answer
    assert chat_wait == pytest.approx(1.0)


async def test_a_cancelled_permit_stays_cancelled():
    clock = VirtualClock()
    budget = _budget(clock)
    permit = await budget.take(1)
    assert permit is not None
    await budget.cancel(permit)
    await budget.release(permit)  # a second give-back changes nothing
    assert budget.ready_at(1) <= clock.now


class _Bot:
    def __init__(self, error: BaseException) -> None:
        self.error = error

    async def send_message(self, *args: object, **kwargs: object) -> None:
        raise self.error


def _from(cause: BaseException, error: BaseException) -> BaseException:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "refused"),
    [
        (NetworkError("Bad Gateway"), True),  # Telegram's 502 (PTB: its description)
        (NetworkError("Service Unavailable (503)"), True),
        (NetworkError("Internal Server Error (500)"), True),
        (NetworkError("Gateway Timeout (504)"), False),  # may have been carried out
        (TimedOut("Timed out"), False),
        (TimedOut("Connect or pool timeout: no connection. Request was *not* sent."), True),
        (TimedOut("Pool timeout: all connections are occupied. Request was *not* sent"), True),
        (_from(httpx.ReadError("reset"), NetworkError("httpx.ReadError: reset")), False),
    ],
)
async def test_the_sender_says_which_failures_telegram_refused(error, refused):
    sender = TelegramSender(_Bot(error))  # type: ignore[arg-type]
    with pytest.raises(Transient) as caught:
        await sender.send(1, OutMessage("hello"))
    assert isinstance(caught.value, NotSent) is refused
