from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bot.core import users
from models import AuditLog, Role


def tg(uid=42, first_name="민지", language_code="ko"):
    return SimpleNamespace(
        id=uid, first_name=first_name, username=None, language_code=language_code
    )


async def test_touch_creates_then_refreshes(session, clock):
    u = await users.touch_user(session, tg(), clock.utcnow())
    assert (u.telegram_id, u.first_name, u.telegram_language, u.language) == (
        42,
        "민지",
        "ko",
        None,
    )
    clock.advance(minutes=5)
    u2 = await users.touch_user(session, tg(first_name="Minji", language_code="en"), clock.utcnow())
    assert u2.id == u.id
    assert (u2.first_name, u2.telegram_language) == ("Minji", "en")
    assert u2.last_seen_at == users.seen_at(clock.utcnow())  # to the hour
    await session.commit()


async def test_touch_writes_nothing_when_nothing_changed(session, clock, engine):
    from sqlalchemy import event

    await users.touch_user(session, tg(), clock.utcnow())
    await session.commit()
    writes: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            writes.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        clock.advance(minutes=1)
        if users.seen_at(clock.utcnow()) != users.seen_at(clock.utcnow() - timedelta(minutes=1)):
            clock.advance(minutes=1)  # (the test instant sits at a full hour)
        again = await users.touch_user(session, tg(), clock.utcnow())
        assert writes == []
        clock.advance(hours=1)
        await users.touch_user(session, tg(), clock.utcnow())
        assert len(writes) == 1  # a new hour: last seen moves on
        assert (await users.get_user(session, 42)).last_seen_at == users.seen_at(clock.utcnow())
        assert again.telegram_id == 42
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def test_roles_are_granted_revoked_and_audited(session, clock):
    now = clock.utcnow()
    assert await users.grant_role(
        session, 77, "staff", dong_id="saeteo", actor="cli:test", now=now, known_dongs={"saeteo"}
    )
    assert not await users.grant_role(
        session, 77, "staff", dong_id="saeteo", actor="cli:test", now=now, known_dongs={"saeteo"}
    )
    assert await users.grant_role(session, 77, "activist", dong_id=None, actor="cli:test", now=now)
    user = await users.get_user(session, 77)
    assert user is not None
    assert users.is_staff_of(user, "saeteo", frozenset())
    assert not users.is_staff_of(user, "garam", frozenset())
    assert not users.is_admin(user, frozenset())
    assert users.is_admin(user, frozenset({77}))  # ADMIN_IDS
    assert user.has_role(Role.ACTIVIST)
    rows = await users.list_roles(session)
    assert [(r.telegram_id, r.role, r.dong_id) for r in rows] == [
        (77, "activist", ""),
        (77, "staff", "saeteo"),
    ]
    assert await users.revoke_role(
        session, 77, "staff", dong_id="saeteo", actor="cli:test", now=now
    )
    assert not await users.revoke_role(
        session, 77, "staff", dong_id="saeteo", actor="cli:test", now=now
    )
    log = (await session.execute(select(AuditLog).order_by(AuditLog.id))).scalars().all()
    assert [(e.action, e.target_id, e.details["role"]) for e in log] == [
        ("role.add", "77", "staff"),
        ("role.add", "77", "activist"),
        ("role.remove", "77", "staff"),
    ]
    assert all(e.actor == "cli:test" for e in log)
    await session.commit()


@pytest.mark.parametrize(
    ("role", "dong", "message"),
    [
        ("mayor", None, "unknown role"),
        ("resident", None, "every user is a resident"),
        ("staff", None, "needs a dong"),
        ("staff", "atlantis", "unknown dong"),
        ("admin", "saeteo", "district-wide"),
    ],
)
async def test_bad_role_changes_are_refused(session, clock, role, dong, message):
    with pytest.raises(users.RoleError, match=message):
        await users.grant_role(
            session, 1, role, dong_id=dong, actor="cli", now=clock.utcnow(), known_dongs={"saeteo"}
        )
