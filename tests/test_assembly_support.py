"""Shared fixtures and helpers of the assembly tests (imported by the test_assembly* modules)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from bot import assembly as A
from bot.assembly.crypto import Keyring
from bot.core.users import touch_user
from bot.kb import records as kb

SEOUL = ZoneInfo("Asia/Seoul")
OPENS = datetime(2027, 5, 28, 9, 0, tzinfo=SEOUL)
CLOSES = datetime(2027, 6, 14, 18, 0, tzinfo=SEOUL)
DURING = datetime(2027, 6, 1, 12, 0, tzinfo=SEOUL)
AFTER = CLOSES + timedelta(hours=1)


@pytest.fixture(name="keyring")
def keyring_fixture() -> Keyring:
    return Keyring(secrets.token_urlsafe(32))


async def seed_kb(session, now) -> None:
    parsed, problems = kb.validate(kb.load_file(kb.demo_kb_path()))
    assert parsed is not None, problems
    await kb.import_kb(session, parsed, now)
    await session.commit()


@pytest.fixture(name="seeded")
async def seeded_fixture(sessionmaker, clock):
    """The sessionmaker of a database with the demo district imported."""
    async with sessionmaker() as s:
        await seed_kb(s, clock.utcnow())
    return sessionmaker


async def make_user(session, telegram_id: int, now, language_code="ko"):
    tg = SimpleNamespace(
        id=telegram_id, first_name=f"u{telegram_id}", username=None, language_code=language_code
    )
    return await touch_user(session, tg, now)


async def vote_for(session, key, now):
    vote = await A.get_vote(session, key, now)
    assert vote is not None
    return vote


async def cast_as(session, keyring, vote, user, choices, now):
    nonce = await A.prepare_review(session, vote, user, choices, now)
    return await A.cast(session, keyring, vote, user, choices, nonce, now)


async def register(session, keyring, vote, user, now) -> str:
    [code] = await A.issue_codes(session, keyring, vote, 1, actor="test", now=now)
    await A.redeem_code(session, keyring, user, code, now)
    return code


async def registered_voter(session, keyring, vote, telegram_id: int, clock):
    """A new user ``telegram_id`` who has redeemed a fresh code of ``vote``, at ``clock``'s
    time."""
    user = await make_user(session, telegram_id, clock.utcnow())
    await register(session, keyring, vote, user, clock.now())
    return user


async def register_voters(seeded, clock, keyring, key, telegram_ids) -> None:
    """New users ``telegram_ids`` each redeem a fresh code of the vote ``key``, in that order,
    in one transaction."""
    async with seeded() as s:
        vote = await vote_for(s, key, clock.now())
        ids = list(telegram_ids)
        codes = await A.issue_codes(s, keyring, vote, len(ids), actor="t", now=clock.now())
        for telegram_id, code in zip(ids, codes, strict=True):
            user = await make_user(s, telegram_id, clock.utcnow())
            await A.redeem_code(s, keyring, user, code, clock.now())
        await s.commit()


async def cast_a_minute_later(seeded, clock, keyring, key, telegram_id: int, choices: str):
    """A minute on, the registered user ``telegram_id`` casts ``choices`` in the vote ``key``,
    in a transaction of its own; returns the receipt."""
    clock.advance(minutes=1)
    async with seeded() as s:
        vote = await vote_for(s, key, clock.now())
        user = await make_user(s, telegram_id, clock.utcnow())  # as every update does
        receipt = await cast_as(s, keyring, vote, user, choices, clock.now())
        await s.commit()
    return receipt
