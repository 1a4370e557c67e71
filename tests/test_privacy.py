"""Retention (``maeul privacy purge`` and the dispatcher's daily purge), and /forget's
rules one by one, on SQLite and PostgreSQL (the end-to-end story: test_privacy_e2e.py)."""

from __future__ import annotations

import json
import secrets
from datetime import date, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from bot import assembly as A
from bot.assembly.crypto import keyring_for
from bot.cli import app
from bot.core import privacy, privacy_rows
from bot.core.users import touch_user
from bot.features import register_privacy
from bot.kb import records as kb
from models import (
    AuditLog,
    ProposalDraft,
    PtbConversation,
    Registration,
    Reminder,
    Subscription,
    UnansweredQuestion,
    User,
    Voter,
    VotingCode,
)
from models.assembly import CodeStatus
from tests.cli_helpers import runner, set_cli_env
from tests.test_assembly_support import DURING


class TG:
    def __init__(self, id: int, first_name: str = "민지") -> None:
        self.id = id
        self.first_name = first_name
        self.username = "minji"
        self.language_code = "ko"


def registry() -> privacy.Registry:
    return register_privacy(privacy.Registry())


async def seed_old_and_new(session, now):
    old, new = now - timedelta(days=400), now - timedelta(days=1)
    user = await touch_user(session, TG(4001), now)
    for at in (now - timedelta(days=1200), new):
        session.add(
            AuditLog(at=at, actor="cli:x", action="role.add", target_type="user",
                     target_id="4001", details={})
        )  # fmt: skip
    for i, (status, due) in enumerate(
        [("sent", old), ("failed", old), ("pending", old), ("sent", new)]
    ):
        session.add(
            Reminder(kind="message", key=f"k{i}", chat_id=4001, user_id=user.id, due_at=due,
                     status=status, payload={"text": "hi"}, created_at=due)
        )  # fmt: skip
    session.add(
        UnansweredQuestion(asked_on=old.date(), text="old?", normalized="old", language="ko",
                           followed="grant:neighbour-making")  # a follow-up: deleted all the same
    )  # fmt: skip
    session.add(
        UnansweredQuestion(asked_on=new.date(), text="new?", normalized="new", language="ko")
    )
    session.add(PtbConversation(name="propose", key="[4001, 4001]", state={"s": 1}, updated_at=old))
    session.add(PtbConversation(name="check", key="[4001, 4001]", state={"s": 1}, updated_at=new))
    session.add(ProposalDraft(user_id=user.id, title="draft", created_at=old, updated_at=old))
    await session.flush()
    return user


async def count(session, model, *where) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_purge_deletes_only_what_is_older_than_its_retention(runtime):
    now = runtime.clock.now()
    async with runtime.sessionmaker() as s, s.begin():
        await seed_old_and_new(s, now)
    async with runtime.sessionmaker() as s, s.begin():
        counts = await privacy.purge(s, runtime.settings, now, registry())
    assert counts == {
        "audit_log": 1,
        "role_invites": 0,
        "ptb_conversations": 1,
        "proposal_drafts": 1,
        "qa_unanswered": 1,
        "reminders": 2,
    }
    async with runtime.sessionmaker() as s:
        assert await count(s, AuditLog) == 1
        assert sorted(r.status for r in (await s.execute(select(Reminder))).scalars()) == [
            "pending", "sent",
        ]  # fmt: skip
        assert [q.text for q in (await s.execute(select(UnansweredQuestion))).scalars()] == ["new?"]
        assert [c.name for c in (await s.execute(select(PtbConversation))).scalars()] == ["check"]
        assert await count(s, ProposalDraft) == 0


async def test_zero_keeps_for_ever(runtime):
    now = runtime.clock.now()
    settings = runtime.settings.model_copy(
        update={
            "retention_audit_days": 0,
            "retention_message_log_days": 0,
            "retention_unanswered_days": 0,
            "retention_conversation_days": 0,
        }
    )
    async with runtime.sessionmaker() as s, s.begin():
        await seed_old_and_new(s, now)
    async with runtime.sessionmaker() as s, s.begin():
        counts = await privacy.purge(s, settings, now, registry())
    assert not any(counts.values())


@pytest.mark.parametrize(
    "step",
    [
        lambda s: privacy.delete_rows(s, ProposalDraft),
        lambda s: privacy_rows.update_rows(s, ProposalDraft, title="x"),
    ],
    ids=["delete_rows", "update_rows"],
)
async def test_deleting_or_rewriting_rows_needs_a_condition(runtime, step):
    """``delete_rows`` or ``update_rows`` without a condition is refused before it runs: a
    forgotten argument in a provider's forget or purge must not empty or rewrite a table."""
    async with runtime.sessionmaker() as s, s.begin():
        await seed_old_and_new(s, runtime.clock.now())
    async with runtime.sessionmaker() as s:
        before = await count(s, ProposalDraft)
        titled = await count(s, ProposalDraft, ProposalDraft.title == "x")
        with pytest.raises(ValueError, match="without a condition"):
            await step(s)
        assert before > 0 and await count(s, ProposalDraft) == before
        assert await count(s, ProposalDraft, ProposalDraft.title == "x") == titled


async def test_the_dispatcher_purges_once_a_day(runtime):
    daily = privacy.DailyPurge(registry())
    now = runtime.clock.now()
    async with runtime.sessionmaker() as s, s.begin():
        await seed_old_and_new(s, now)
    async with runtime.sessionmaker() as s, s.begin():
        first = await daily(s, runtime, now)
    assert first["purged reminders"] == 2
    async with runtime.sessionmaker() as s, s.begin():
        s.add(UnansweredQuestion(asked_on=date(2020, 1, 1), text="x", normalized="x"))
    async with runtime.sessionmaker() as s, s.begin():
        assert await daily(s, runtime, now + timedelta(hours=1)) == {}  # same day: not again
    async with runtime.sessionmaker() as s, s.begin():
        assert await daily(s, runtime, now + timedelta(days=1)) == {"purged qa_unanswered": 1}


async def test_the_running_bot_registers_the_daily_purge():
    from bot.features import register
    from bot.reminders.registry import Registry

    into = register(Registry())
    assert isinstance(into.planners["privacy-purge"], privacy.DailyPurge)


async def test_forgetting_someone_who_never_voted_leaves_no_account(runtime):
    now = runtime.clock.now()
    async with runtime.sessionmaker() as s, s.begin():
        await seed_old_and_new(s, now)
    async with runtime.sessionmaker() as s, s.begin():
        subject = await privacy.subject_for(s, 4001, runtime.translator("en"))
        done = await privacy.forget_user(s, subject, now, registry())
    assert done.deleted["users"] == 1 and not done.keep_account
    assert done.deleted["reminders"] == 4 and done.deleted["ptb_conversations"] == 2
    assert done.kept["audit_log"] == 2  # role changes: kept for the law's 3 years
    async with runtime.sessionmaker() as s:
        assert await count(s, User) == 0
        assert await count(s, Reminder) == 0


async def test_an_unused_code_works_again_and_a_used_one_stays_used(runtime):
    runtime.settings = runtime.settings.model_copy(
        update={"ballot_secret": SecretStr(secrets.token_urlsafe(32))}
    )
    keyring = keyring_for(runtime.settings)
    parsed, _ = kb.validate(kb.load_file(kb.demo_kb_path()))
    runtime.clock.set(DURING)
    now = runtime.clock.now()
    async with runtime.sessionmaker() as s, s.begin():
        await kb.import_kb(s, parsed, now)
    async with runtime.sessionmaker() as s, s.begin():
        vote = await A.get_vote(s, "hanbit1-2027", now)
        [code] = await A.issue_codes(s, keyring, vote, 1, actor="t", now=now)
        user = await touch_user(s, TG(4002), now)
        await A.redeem_code(s, keyring, user, code, now)
    async with runtime.sessionmaker() as s, s.begin():
        subject = await privacy.subject_for(s, 4002, runtime.translator("ko"))
        done = await privacy.forget_user(s, subject, now, registry())
    assert done.deleted["assembly_voters"] == 1 and done.deleted["users"] == 1
    async with runtime.sessionmaker() as s, s.begin():
        assert await count(s, Voter) == 0
        assert (await s.execute(select(VotingCode.status))).scalar_one() == CodeStatus.ISSUED
        someone = await touch_user(s, TG(4003), now)
        redeemed = await A.redeem_code(s, keyring, someone, code, now)  # the paper code works
        assert not redeemed.already


async def test_forgetting_staff_anonymises_what_they_did_for_others(runtime):
    """A staff member forgotten: the group chat's subscription they made and the attendance
    they took stay, no longer naming their Telegram id (counted once per table)."""
    parsed, _ = kb.validate(kb.load_file(kb.demo_kb_path()))
    now = runtime.clock.now()
    async with runtime.sessionmaker() as s, s.begin():
        await kb.import_kb(s, parsed, now)
        resident = await touch_user(s, TG(4010), now)
        await touch_user(s, TG(4011), now)
        s.add(
            Registration(event_id=parsed.events[0].id, occurrence_start=now, occurrence_index=0,
                         starts_at=now, ends_at=now, user_id=resident.id, status="registered",
                         queued_at=now, created_at=now, updated_at=now, attended=True,
                         attended_at=now, attendance_by="staff:4011")
        )  # fmt: skip
        s.add(
            Subscription(chat_id=-100123, chat_type="group", topic="dong", value="hanbit1",
                         created_at=now, created_by=4011)
        )  # fmt: skip
    async with runtime.sessionmaker() as s, s.begin():
        subject = await privacy.subject_for(s, 4011, runtime.translator("en"))
        done = await privacy.forget_user(s, subject, now, registry())
    assert done.anonymised["subscriptions"] == 1
    async with runtime.sessionmaker() as s:
        [group] = (await s.execute(select(Subscription))).scalars()
        assert group.chat_id == -100123 and group.created_by is None
        [registration] = (await s.execute(select(Registration))).scalars()
        assert registration.attended and registration.attendance_by == "staff"


def test_cli_purge_export_and_forget(tmp_path, monkeypatch):
    set_cli_env(monkeypatch, tmp_path)
    added = runner.invoke(app, ["admin", "role", "add", "4005", "activist"])
    assert added.exit_code == 0, added.output

    exported = runner.invoke(app, ["privacy", "export", "4005"])
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.stdout)
    assert data["data"]["account"]["user_roles"][0]["role"] == "activist"

    dry = runner.invoke(app, ["privacy", "forget", "4005"])
    assert dry.exit_code == 0, dry.output
    assert "user_roles\t1 would delete" in dry.stdout and "nothing was changed" in dry.stdout
    done = runner.invoke(app, ["privacy", "forget", "4005", "--yes"])
    assert "users\t1 deleted" in done.stdout and "audit_log\t1 kept" in done.stdout
    again = runner.invoke(app, ["privacy", "export", "4005"])
    assert json.loads(again.stdout)["data"]["account"].get("users") in (None, [])

    purged = runner.invoke(app, ["privacy", "purge"])
    assert purged.exit_code == 0, purged.output
    assert "reminders\t0 deleted" in purged.stdout
