"""An update delivered again (a webhook's redelivery) is handled once, with UPDATE_DEDUP.

Telegram sends an update again when it heard no 200 — an instance killed after its commit,
before its answer left — and behind a load balancer to the other instance. Here two
instances share one database (tests/test_multi_instance.py's balancer) and get the same
update one after the other, and both at the same moment: one answer. Without the setting
(the console and the tests restart update ids at 1) the same id is handled again.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from telegram import Update

from bot.core import privacy
from bot.emulator import User
from models.persistence import HandledUpdate
from tests.test_multi_instance import TOKEN, Balancer, two_instances


def _answers(lb: Balancer, chat_id: int, since: int) -> list[str]:
    return [
        e.text or "" for e in lb.emu.events(TOKEN, chat_id=chat_id, since=since, kinds={"message"})
    ]


async def _handled(lb: Balancer) -> int:
    async with lb.runtimes[1].sessionmaker() as s:
        return int((await s.execute(select(func.count()).select_from(HandledUpdate))).scalar_one())


def _queue_help(lb: Balancer, user: User) -> dict:
    lb.emu.send_text(TOKEN, user, "/help")
    taken = list(lb.emu._bot(TOKEN).updates)
    lb.emu._bot(TOKEN).updates.clear()
    (raw,) = taken
    return raw


@pytest.mark.parametrize("dedup", [True, False])
async def test_an_update_delivered_again_to_another_instance_is_answered_once(
    db_url, engine, settings, clock, dedup
):
    settings = settings.model_copy(update={"update_dedup": dedup})
    async with two_instances(db_url, engine, settings, clock) as lb:
        ann = User(id=5901, first_name="Ann", language_code="en")
        since = lb.emu.last_seq(TOKEN)
        raw = _queue_help(lb, ann)
        for app in lb.apps:  # handled by the first, delivered again to the second
            await app.process_update(Update.de_json(raw, app.bot))
        answers = _answers(lb, ann.id, since)
        assert len(answers) == (1 if dedup else 2), answers
        assert await _handled(lb) == (1 if dedup else 0)

        # the next update of the same user is new: answered
        since = lb.emu.last_seq(TOKEN)
        raw = _queue_help(lb, ann)
        await lb.apps[1].process_update(Update.de_json(raw, lb.apps[1].bot))
        assert len(_answers(lb, ann.id, since)) == 1


async def test_an_update_reaching_both_instances_at_once_is_answered_once(
    db_url, engine, settings, clock
):
    settings = settings.model_copy(update={"update_dedup": True})
    async with two_instances(db_url, engine, settings, clock) as lb:
        for user_id in (5911, 5912, 5913):
            bo = User(id=user_id, first_name="Bo", language_code="ko")
            since = lb.emu.last_seq(TOKEN)
            lb.emu.send_text(TOKEN, bo, "/help")
            await lb.deliver_to_both()
            assert len(_answers(lb, bo.id, since)) == 1
        assert await _handled(lb) == 3


async def test_handled_update_ids_are_purged_after_a_day(engine, settings, clock, sessionmaker):
    now = clock.utcnow()
    async with sessionmaker() as s, s.begin():
        s.add_all(
            [
                HandledUpdate(update_id=1, handled_at=now - timedelta(hours=25)),
                HandledUpdate(update_id=2, handled_at=now - timedelta(hours=23)),
            ]
        )
    async with sessionmaker() as s, s.begin():
        counts = await privacy.purge(s, settings, now)
    assert counts["handled_updates"] == 1
    async with sessionmaker() as s:
        assert (await s.execute(select(HandledUpdate.update_id))).scalars().all() == [2]
