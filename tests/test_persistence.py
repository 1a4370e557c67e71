from datetime import UTC, datetime

import pytest

from bot.core.scope import UpdateScope, enter_scope, leave_scope
from bot.telegram.persistence import SQLPersistence
from models.persistence import PtbUserData


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


def test_lock_keys_are_the_chat_and_the_user_in_order():
    from telegram import Chat, Message, Update, User

    from bot.telegram.persistence import LOCK_SPACE, lock_keys

    def update(chat_id: int, user_id: int) -> Update:
        message = Message(
            message_id=1,
            date=datetime(2026, 1, 1, tzinfo=UTC),
            chat=Chat(id=chat_id, type="private" if chat_id > 0 else "supergroup"),
            from_user=User(id=user_id, first_name="A", is_bot=False),
            text="hi",
        )
        return Update(update_id=1, message=message)

    assert lock_keys(update(7, 7)) == [LOCK_SPACE ^ 7]  # a private chat: one key
    keys = lock_keys(update(-1001234567890, 7))
    assert keys == sorted(keys) and len(keys) == 2
    assert all(-(2**63) <= k < 2**63 for k in keys)  # PostgreSQL bigint


async def test_a_rolled_back_update_leaves_nothing_to_write(sessionmaker, clock):
    """What a failed update changed in memory is neither written by the next update nor at
    shutdown (discard_update), and a later update reads what the database holds."""
    from telegram import Chat, Message, Update, User
    from telegram.ext import ApplicationBuilder

    p = SQLPersistence(sessionmaker, clock, preload=False)
    app = ApplicationBuilder().token("1:A").persistence(p).updater(None).build()  # offline
    message = Message(
        message_id=1,
        date=clock.utcnow(),
        chat=Chat(id=8, type="private"),
        from_user=User(id=8, first_name="A", is_bot=False),
        text="hi",
    )
    update = Update(update_id=1, message=message)
    await p.update_user_data(8, {"kept": 1})  # in the database (outside an update)
    async with sessionmaker() as session:
        token = enter_scope(UpdateScope(session=session))
        try:
            await p.load_for_update(session, update, app)
            assert app.user_data[8] == {"kept": 1}
            app.user_data[8]["half"] = "done"  # the handler got this far, then failed
            app._user_ids_to_be_updated_in_persistence.add(8)
            await session.rollback()
            p.rolled_back()
            p.discard_update(app)
        finally:
            leave_scope(token)
    assert app.user_data[8] == {"kept": 1}
    await app.update_persistence()  # the timer, or shutdown: nothing to write
    await p.flush()
    async with sessionmaker() as session:
        row = await session.get(PtbUserData, 8)
        assert row is not None and row.data == {"kept": 1}
