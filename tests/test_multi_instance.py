"""Two instances of the bot on one database, one user's updates alternating between them.

Behind one webhook any instance may get any update of any user (issue 12). Here two
:class:`~bot.app.MaeulApplication` instances — each with its own engine and connection pool,
as two processes would have — share one database (a PostgreSQL schema, or one SQLite file),
and a balancer hands each update of the emulator to the next instance in turn: every step
of a conversation lands on the instance that did not see the step before. The
conversation must go on where it was (its state is read from the database for the update),
and a proposal or a ballot must never count twice, also when one press reaches both
instances at the same moment (a webhook delivered again).

The process-level test (two real ``maeul run --webhook`` processes and a dispatcher) is
tests/test_multi_instance_process.py.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from telegram import Update

from bot import assembly as A
from bot.app import MaeulApplication, build_application
from bot.assembly.crypto import keyring_for
from bot.core.db import make_sessionmaker
from bot.core.runtime import Runtime
from bot.emulator import BotApiEmulator, Event, User
from bot.kb import records as kb
from models import Ballot, Proposal
from models.persistence import PtbChatData, PtbConversation, PtbUserData
from tests.conftest import SEOUL, engine_for
from tests.staff_helpers import propose_a_gallery
from tests.test_assembly_support import DURING

TOKEN = "123456:TEST"
VISIBLE = {"message", "edit", "callback_answer"}


@dataclass
class Balancer:
    """Two instances behind one load balancer: each update goes to the next one."""

    emu: BotApiEmulator
    apps: list[MaeulApplication]
    runtimes: list[Runtime]
    turn: int = 0
    served: list[int] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    doubled: bool = False

    def _take(self) -> list[dict[str, Any]]:
        queue = self.emu._bot(TOKEN).updates
        taken = list(queue)
        queue.clear()
        return taken

    async def deliver(self, to: int | None = None) -> None:
        """Hand the waiting updates to the instances in turn (or all to instance ``to``);
        each is handled completely (committed, replies sent) before the next."""
        for raw in self._take():
            index = self.turn % 2 if to is None else to
            self.turn += 1
            self.served.append(index)
            app = self.apps[index]
            await app.process_update(Update.de_json(raw, app.bot))

    async def deliver_to_both(self) -> None:
        """Each waiting update reaches both instances at the same moment (as when the
        balancer tries the other instance while the first one is still at work)."""
        self.doubled = True
        for raw in self._take():
            await asyncio.gather(
                *(app.process_update(Update.de_json(raw, app.bot)) for app in self.apps)
            )

    async def deliver_side_by_side(self) -> None:
        """The waiting updates, one per instance, all at once (two quick messages)."""
        raws = self._take()
        await asyncio.gather(
            *(
                self.apps[i % 2].process_update(Update.de_json(raw, self.apps[i % 2].bot))
                for i, raw in enumerate(raws)
            )
        )


@dataclass
class Person:
    lb: Balancer
    user: User

    @property
    def chat_id(self) -> int:
        return self.user.id

    def _events(self, since: int) -> list[Event]:
        return self.lb.emu.events(TOKEN, chat_id=self.chat_id, since=since, kinds=VISIBLE)

    async def send(self, text: str, to: int | None = None) -> list[Event]:
        since = self.lb.emu.last_seq(TOKEN)
        self.lb.emu.send_text(TOKEN, self.user, text)
        await self.lb.deliver(to)
        return self._events(since)

    def button(self, label: str) -> tuple[int, str]:
        """The newest button whose label contains ``label``: (message id, data)."""
        for message in reversed(self.lb.emu.messages(TOKEN, self.chat_id)):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            for row in rows:
                for b in row:
                    if label in b.get("text", "") and "callback_data" in b:
                        return message["message_id"], b["callback_data"]
        raise AssertionError(f"no button with {label!r}")

    def queue_press(self, label: str, *, data: str | None = None) -> None:
        message_id, found = self.button(label)
        self.lb.emu.press(TOKEN, self.user, self.chat_id, message_id, data or found)

    async def press(self, label: str, to: int | None = None) -> list[Event]:
        since = self.lb.emu.last_seq(TOKEN)
        self.queue_press(label)
        await self.lb.deliver(to)
        return self._events(since)


def texts(events: list[Event]) -> list[str]:
    return [e.text or "" for e in events]


def last_text(events: list[Event]) -> str:
    shown = [e for e in events if e.kind in ("message", "edit")]
    assert shown, [e.kind for e in events]
    return shown[-1].text or ""


@asynccontextmanager
async def two_instances(
    db_url: str, engine: Any, settings: Any, clock: Any
) -> AsyncIterator[Balancer]:
    settings = settings.model_copy(update={"ballot_secret": SecretStr(secrets.token_urlsafe(32))})
    async with BotApiEmulator() as emu:
        emu.register_bot(TOKEN, username="maeul_test_bot")
        settings = settings.model_copy(
            update={
                "telegram_base_url": emu.base_url,
                "telegram_base_file_url": emu.base_file_url,
                "bot_token": TOKEN,
            }
        )
        second_engine = engine_for(db_url)  # its own pool, as another process has
        runtimes = [
            Runtime(settings=settings, clock=clock, engine=e, sessionmaker=make_sessionmaker(e))
            for e in (engine, second_engine)
        ]
        parsed, problems = kb.validate(kb.load_file(kb.demo_kb_path()))
        assert parsed is not None, problems
        async with runtimes[0].sessionmaker() as session, session.begin():
            await kb.import_kb(session, parsed, clock.utcnow())
        apps = [build_application(rt) for rt in runtimes]
        lb = Balancer(emu, apps, runtimes)

        async def record(update: object, context: Any) -> None:
            lb.errors.append(context.error)

        for app in apps:
            app.add_error_handler(record)
            await app.initialize()
        try:
            yield lb
        finally:
            for app in apps:
                await app.shutdown()
            await second_engine.dispose()
        assert lb.errors == []
        refused = [
            (e.method, e.description)
            for e in emu.api_errors(TOKEN)
            if e.method != "getUpdates"
            # a press delivered to both instances is answered twice, and its buttons taken
            # off twice: Telegram refuses the second of each, and the bot takes that quietly
            and not (
                lb.doubled
                and ("query ID is invalid" in e.description or "not modified" in e.description)
            )
        ]
        assert refused == []


@pytest.fixture
async def lb(db_url, engine, settings, clock) -> AsyncIterator[Balancer]:
    async with two_instances(db_url, engine, settings, clock) as balancer:
        yield balancer


def person(lb: Balancer, user_id: int, name: str = "Ann", lang: str = "en") -> Person:
    return Person(lb, User(id=user_id, first_name=name, language_code=lang))


async def count(lb: Balancer, what: Any) -> int:
    async with lb.runtimes[1].sessionmaker() as s:
        return int((await s.execute(select(func.count()).select_from(what))).scalar_one())


# --- /propose -------------------------------------------------------------------------------


async def test_propose_goes_on_whichever_instance_gets_the_next_step(lb):
    ann = person(lb, 5301)
    preview = last_text(await propose_a_gallery(ann))
    assert "A small gallery in the community centre" in preview and "Garam-dong" in preview
    assert lb.served == [0, 1, 0, 1, 0, 1, 0]  # every step on the other instance

    # the confirmation reaches both instances at once: one proposal, one "submitted"
    message_id, data = next(
        (m["message_id"], d)
        for m in reversed(lb.emu.messages(TOKEN, ann.chat_id))
        for row in (m.get("reply_markup") or {}).get("inline_keyboard") or []
        for d in (b.get("callback_data", "") for b in row)
        if d.startswith("prop:ok:")
    )
    since = lb.emu.last_seq(TOKEN)
    lb.emu.press(TOKEN, ann.user, ann.chat_id, message_id, data)
    await lb.deliver_to_both()
    assert await count(lb, Proposal) == 1
    answers = lb.emu.events(TOKEN, chat_id=ann.chat_id, since=since, kinds=VISIBLE)
    async with lb.runtimes[0].sessionmaker() as s:
        mine = (await s.execute(select(Proposal))).scalar_one()
    # one "submitted"; the press the other instance took after it is told so (it names the
    # proposal it finds submitted, not "no longer valid": handlers/proposals/preview.py)
    said = [t for t in texts(answers) if f"#{mine.id}" in t]
    assert sum("already submitted" not in t for t in said) == 1, texts(answers)
    assert all("Your newest proposal is" in t for t in said if "already submitted" in t)

    # and again later (a stale copy of the button), on the other instance: still one
    lb.emu.press(TOKEN, ann.user, ann.chat_id, message_id, data, forge=True)
    await lb.deliver()
    assert await count(lb, Proposal) == 1
    async with lb.runtimes[0].sessionmaker() as s:
        left = (await s.execute(select(func.count()).select_from(PtbConversation))).scalar_one()
    assert left == 0  # the conversation ended, in the database


# --- /check ---------------------------------------------------------------------------------


async def test_the_check_wizard_alternating_and_two_answers_side_by_side(lb):
    lb.runtimes[0].clock.set(datetime(2027, 2, 13, 10, 0, tzinfo=SEOUL))
    tom = person(lb, 5302, "Tom")
    events = await tom.send("/check")
    assert "1/5" in last_text(events) and "How old are you?" in last_text(events)
    events = await tom.send("I am 25")
    assert "2/5" in last_text(events)
    events = await tom.press("4")
    assert "3/5" in last_text(events)
    events = await tom.send("8")
    assert "is that months or years?" in last_text(events)
    events = await tom.send("2 years")
    assert "4/5" in last_text(events)
    await tom.press("Neighbour-Making Grant")
    events = await tom.press("Done ▶")
    assert "5/5" in last_text(events)
    events = await tom.press("Garam-dong")
    result = last_text(events)
    assert "Your answers: age 25, 4 people, group existing: 2 years, dong: Garam-dong" in result
    assert "received before: Neighbour-Making Grant." in result
    assert set(lb.served) == {0, 1}

    # two answers typed quickly, each reaching another instance while the other is at work:
    # they are taken one after the other (not both as the answer to the same question)
    events = await tom.press("Check again")
    assert "1/5" in last_text(events)
    since = lb.emu.last_seq(TOKEN)
    lb.emu.send_text(TOKEN, tom.user, "30")
    lb.emu.send_text(TOKEN, tom.user, "6")
    await lb.deliver_side_by_side()
    shown = texts(lb.emu.events(TOKEN, chat_id=tom.chat_id, since=since, kinds={"message"}))
    assert sum("2/5" in t for t in shown) == 1, shown
    assert sum("3/5" in t for t in shown) == 1, shown


# --- a vote ---------------------------------------------------------------------------------


async def test_a_ballot_cast_through_both_instances_counts_once(lb):
    rt = lb.runtimes[0]
    rt.clock.set(DURING)
    keyring = keyring_for(rt.settings)
    assert keyring is not None
    async with rt.sessionmaker() as s:
        vote = await A.get_vote(s, "hanbit1-2027", rt.clock.now())
        [code] = await A.issue_codes(s, keyring, vote, 1, actor="t", now=rt.clock.now())
        await s.commit()
    voter = person(lb, 5303, "Minji")
    events = await voter.send(f"/start vote_{code}")
    assert "item 1 of 7" in last_text(events)
    for label in ["Yes", "No", "Abstain", "Yes", "Yes", "No", "Yes"]:
        events = await voter.press(label)
    assert "Please check your vote" in last_text(events)
    since = lb.emu.last_seq(TOKEN)
    message_id, cast = voter.button("Cast my vote")
    voter.queue_press("Cast my vote")
    await lb.deliver_to_both()  # the same press on both instances at once
    shown = texts(lb.emu.events(TOKEN, chat_id=voter.chat_id, since=since, kinds=VISIBLE))
    receipts = [t for t in shown if "Your tracker" in t]
    assert len(receipts) == 1, shown
    assert await count(lb, Ballot) == 1
    lb.emu.press(TOKEN, voter.user, voter.chat_id, message_id, cast, forge=True)
    await lb.deliver()  # pressed again later (a stale copy): still one
    assert await count(lb, Ballot) == 1
    async with rt.sessionmaker() as s:
        vote = await A.get_vote(s, "hanbit1-2027", rt.clock.now())
        report = await A.audit(s, keyring, vote)
    assert report.ok and report.counted == 1


# --- state kept in user_data and chat_data --------------------------------------------------


async def test_chat_and_user_data_are_read_from_the_database_each_update(lb):
    """What one instance saved in chat_data / user_data is what the other one sees next,
    also after the first instance held an older copy in its memory."""
    app_a, app_b = lb.apps
    ann = person(lb, 5304)
    await ann.send("/start", to=0)
    now = lb.runtimes[0].clock.utcnow()
    async with lb.runtimes[0].sessionmaker() as s, s.begin():
        s.add(PtbChatData(chat_id=5304, data={"mark": "from-b"}, updated_at=now))
        s.add(PtbUserData(user_id=5304, data={"note": 1}, updated_at=now))
    assert app_a.chat_data[5304] == {}  # instance A still holds what it read before
    await ann.send("/help", to=0)
    assert app_a.chat_data[5304] == {"mark": "from-b"}
    assert app_a.user_data[5304] == {"note": 1}
    async with lb.runtimes[0].sessionmaker() as s, s.begin():
        await s.delete(await s.get(PtbUserData, 5304))
    await ann.send("/help", to=0)
    assert app_a.user_data[5304] == {}
    assert app_b.user_data.get(5304) in (None, {})  # B never read it


async def test_a_follow_up_question_on_the_other_instance_keeps_its_topic(lb):
    from bot.qa.service import build_engine

    parsed, problems = kb.load_and_validate(kb.demo_kb_path())
    assert parsed is not None, problems
    build_engine(parsed)  # warm, as in tests/test_qa_followup.py
    lb.runtimes[0].clock.set(datetime(2027, 1, 25, 10, 0, tzinfo=SEOUL))
    minji = person(lb, 5306, "민지", "ko")
    events = await minji.send("이웃만들기 지원사업 마감 언제예요?", to=0)
    assert "2027년 2월 12일" in texts(events)[0]
    events = await minji.send("그럼 서류는요?", to=1)  # the topic was saved by instance A
    assert "이웃만들기 지원사업" in texts(events)[0] and "활동계획서" in texts(events)[0]


async def test_an_empty_user_data_is_no_row(lb):
    ann = person(lb, 5305)
    await ann.send("/start")
    await ann.send("/help")
    assert await count(lb, PtbUserData) == 0
    assert await count(lb, PtbChatData) == 0
