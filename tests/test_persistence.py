import pytest

from bot.core.scope import UpdateScope, enter_scope, leave_scope
from bot.telegram.persistence import SQLPersistence


async def test_round_trip_outside_an_update(sessionmaker, clock):
    p = SQLPersistence(sessionmaker, clock)
    await p.update_user_data(7, {"draft": {"step": 2, "title": "골목 화단"}})
    await p.update_chat_data(-100, {"muted": True})
    await p.update_conversation("mydong", (7, 7), "confirm")
    await p.update_conversation("other", (1,), 3)

    fresh = SQLPersistence(sessionmaker, clock)  # as after a restart
    assert await fresh.get_user_data() == {7: {"draft": {"step": 2, "title": "골목 화단"}}}
    assert await fresh.get_chat_data() == {-100: {"muted": True}}
    assert await fresh.get_conversations("mydong") == {(7, 7): "confirm"}
    assert await fresh.get_conversations("other") == {(1,): 3}
    assert await fresh.get_bot_data() == {}
    assert await fresh.get_callback_data() is None


async def test_end_of_conversation_and_drops_delete_rows(sessionmaker, clock):
    p = SQLPersistence(sessionmaker, clock)
    await p.update_conversation("mydong", (7, 7), "choose")
    await p.update_conversation("mydong", (7, 7), None)
    await p.update_user_data(7, {"a": 1})
    await p.drop_user_data(7)
    fresh = SQLPersistence(sessionmaker, clock)
    assert await fresh.get_conversations("mydong") == {}
    assert await fresh.get_user_data() == {}


async def test_inside_an_update_writes_share_the_update_transaction(sessionmaker, clock):
    p = SQLPersistence(sessionmaker, clock)
    async with sessionmaker() as session:
        token = enter_scope(UpdateScope(session=session))
        try:
            await p.update_conversation("mydong", (5, 5), "confirm")
            assert p.has_pending  # buffered, not yet written
            await p.write_pending(session)
            await session.rollback()  # the update failed: nothing of it may remain
        finally:
            leave_scope(token)
    assert await SQLPersistence(sessionmaker, clock).get_conversations("mydong") == {}

    async with sessionmaker() as session:
        token = enter_scope(UpdateScope(session=session))
        try:
            await p.update_conversation("mydong", (5, 5), "confirm")
            await p.write_pending(session)
            await session.commit()
        finally:
            leave_scope(token)
    assert await SQLPersistence(sessionmaker, clock).get_conversations("mydong") == {
        (5, 5): "confirm"
    }


async def test_only_json_is_stored(sessionmaker, clock):
    p = SQLPersistence(sessionmaker, clock)
    with pytest.raises(TypeError, match="JSON"):
        await p.update_user_data(1, {"when": object()})


async def test_flush_writes_what_is_pending(sessionmaker, clock):
    p = SQLPersistence(sessionmaker, clock)
    async with sessionmaker() as session:
        token = enter_scope(UpdateScope(session=session))
        try:
            await p.update_user_data(3, {"x": 1})
        finally:
            leave_scope(token)
    await p.flush()  # what PTB calls on shutdown
    assert await SQLPersistence(sessionmaker, clock).get_user_data() == {3: {"x": 1}}
