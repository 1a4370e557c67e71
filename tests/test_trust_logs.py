"""Issue 9 §3: no log line, at any level, holds a ballot's choices, a voting code, a tracker,
the bot token or the ballot secret; and the error log never puts a voter's id beside a vote.

A whole election runs through the emulator with the app's logging set up at DEBUG (and the
chatty libraries' loggers forced to DEBUG too, so that the protection does not rest on their
levels): codes redeemed by deep link, by ``/vote CODE`` and by typing, drafts, a forged
press, a press that fails inside the handler (the error handler logs it), casts, ``/verify``,
the close and tally, the audit. Then every captured record, formatted with its traceback,
is searched.
"""

from __future__ import annotations

import logging
import re

import pytest

from bot import assembly as A
from bot.assembly.crypto import format_code, keyring_for
from bot.runner import configure_logging
from handlers.assembly.vote import finalize_closed_votes
from tests.e2e import TOKEN, running_bot, texts
from tests.test_assembly_support import AFTER, DURING

HANBIT = "hanbit1-2027"
CHATTY = ("telegram", "httpx", "httpcore", "aiohttp", "apscheduler", "sqlalchemy", "asyncio")
BALLOTS = {6601: "ynayyny", 6602: "nnaynya", 6603: "aynnyay"}
LABELS = {"y": "Yes", "n": "No", "a": "Abstain"}


@pytest.fixture
def logging_at_debug(caplog):
    """The app's own logging setup at DEBUG; everything restored afterwards."""
    factory = logging.getLogRecordFactory()
    names = ("", *CHATTY)
    levels = {name: logging.getLogger(name).level for name in names}
    filters = {id(h): list(h.filters) for h in logging.getLogger().handlers}
    yield lambda *known: configure_logging("DEBUG", *known)
    logging.setLogRecordFactory(factory)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    for handler in logging.getLogger().handlers:
        handler.filters[:] = filters.get(id(handler), handler.filters)


@pytest.fixture
async def bot(runtime):  # a press fails inside its handler on purpose: no clean_bot
    async with running_bot(runtime, ballot_secret=True) as under_test:
        yield under_test


async def vote_items(chat, choices: str):
    for answer in choices:
        events = await chat.press(LABELS[answer])
    return events


async def start_if_asked(chat, events) -> None:
    if "Start voting" in str(events[-1].reply_markup):
        await chat.press("Start voting")


def tracker_in(events) -> str:
    return texts(events)[-1].split("/verify ")[1].split()[0]


def everything_logged(caplog) -> str:
    lines = [caplog.text]
    for record in caplog.records:
        lines.append(record.getMessage())
        if record.exc_text:
            lines.append(record.exc_text)
    return "\n".join(lines)


async def test_a_whole_election_at_debug_leaks_nothing(bot, caplog, logging_at_debug, monkeypatch):
    secret = bot.runtime.settings.ballot_secret.get_secret_value()
    logging_at_debug(TOKEN, secret)
    caplog.set_level(logging.DEBUG)
    for name in CHATTY:
        caplog.set_level(logging.DEBUG, logger=name)

    bot.runtime.clock.set(DURING)
    keyring = keyring_for(bot.runtime.settings)
    async with bot.runtime.sessionmaker() as s:
        vote = await A.get_vote(s, HANBIT, bot.runtime.clock.now())
        codes = await A.issue_codes(s, keyring, vote, 3, actor="t", now=bot.runtime.clock.now())
        ref = vote.id
        await s.commit()
    trackers: list[str] = []
    chats = {uid: bot.chat(uid, f"Voter{uid}", "en") for uid in BALLOTS}

    # 1: the QR deep link, straight to the first item
    one = chats[6601]
    events = await one.send(f"/start vote_{codes[0]}")
    assert "Code accepted" in events[-1].text
    events = await vote_items(one, BALLOTS[6601])
    assert "Please check your vote" in events[-1].text
    events = await one.press("Cast my vote")
    trackers.append(tracker_in(events))

    # 2: types the code after "Enter a voting code"; a forged Cast press is refused
    two = chats[6602]
    await two.send("/vote")
    events = await two.press("Enter a voting code")
    events = await two.send(format_code(codes[1]).lower())
    assert "Code accepted" in texts(events)[0]
    await start_if_asked(two, events)
    await vote_items(two, BALLOTS[6602])
    events = await two.press("", forge_data=f"vote:c:{ref}:deadbeef:{BALLOTS[6602]}")
    assert any(e.kind == "callback_answer" for e in events)
    events = await two.press("Cast my vote")
    trackers.append(tracker_in(events))

    # 3: /vote CODE; the first Cast press fails inside the handler (the error handler logs it)
    three = chats[6603]
    events = await three.send(f"/vote {codes[2]}")
    await start_if_asked(three, events)
    await vote_items(three, BALLOTS[6603])
    real_cast = A.cast

    async def broken(*args, **kwargs):
        raise RuntimeError("injected fault")

    monkeypatch.setattr(A, "cast", broken)
    events = await three.press("Cast my vote")
    assert "something went wrong" in " ".join(texts(events))
    monkeypatch.setattr(A, "cast", real_cast)
    events = await three.press("Cast my vote")
    trackers.append(tracker_in(events))

    for chat, tracker in zip(chats.values(), trackers, strict=True):
        events = await chat.send(f"/verify {tracker}")
        assert "is counted as cast" in events[0].text

    bot.runtime.clock.set(AFTER)
    assert HANBIT in await finalize_closed_votes(bot.app)
    events = await one.send(f"/verify {trackers[0]}")
    assert "counted" in events[0].text
    async with bot.runtime.sessionmaker() as s:
        vote = await A.get_vote(s, HANBIT, bot.runtime.clock.now())
        report = await A.audit(s, keyring, vote)
        assert report.ok and report.counted == 3

    # the error handler did log the failure (so this test sees the error path)...
    failures = [r for r in caplog.records if r.name == "maeul.errors"]
    assert failures and "injected fault" in failures[0].getMessage()
    # ...without the voter beside it, and with the button described by its prefix only
    for record in failures:
        message = record.getMessage()
        assert "6603" not in message, message
        assert BALLOTS[6603] not in message and "deadbeef" not in message

    logged = everything_logged(caplog)
    assert "Processing update" in logged or "getUpdates" in logged  # DEBUG was on
    forbidden = {"the bot token": TOKEN, "the ballot secret": secret}
    for n, code in enumerate(codes):
        for shown in {code, format_code(code), format_code(code).lower(), code.lower()}:
            forbidden[f"code {n}"] = shown
            assert shown not in logged, f"voting code {n} ({shown}) is in the log"
    for n, tracker in enumerate(trackers):
        for shown in {tracker, tracker.lower(), tracker.replace("-", "")}:
            assert shown not in logged, f"tracker {n} ({shown}) is in the log"
    for uid, choices in BALLOTS.items():
        assert choices not in logged, f"the choices of {uid} are in the log"
    for name, value in forbidden.items():
        assert value not in logged, f"{name} is in the log"
    drafts = re.findall(r"vote:[irpc]:\d+:[^\s'\"]*", logged)
    assert not drafts, drafts[:5]


# --- the pieces ------------------------------------------------------------------------


def test_tokens_and_secrets_are_redacted_in_messages_arguments_and_tracebacks(
    caplog, logging_at_debug
):
    real_shape = "7012345678:AAHk9_Zx-3fQ2mW8pLr0sT5vYb1nC4dE6gJ"
    logging_at_debug("s3cret-ballot-key-0123456789abcdef")
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("maeul.test")
    log.info("HTTP Request: POST %s", "https://api.telegram.org/bot123:ABC/getMe")
    log.info("file at https://api.telegram.org/file/bot123:ABC/photos/x.jpg")
    log.warning("token %s in the open", real_shape)
    log.debug("the secret is %s", "s3cret-ballot-key-0123456789abcdef")
    try:
        raise ConnectionError(f"cannot reach https://example.org/bot{real_shape}/getMe")
    except ConnectionError:
        log.exception("polling failed")
    logged = everything_logged(caplog)
    assert "123:ABC" not in logged and real_shape not in logged
    assert "s3cret-ballot-key" not in logged
    assert logged.count("[redacted]") >= 5
    assert "/bot[redacted]/getMe" in logged and "polling failed" in logged


def test_telegram_payloads_keep_their_template_not_their_content(caplog, logging_at_debug):
    logging_at_debug()
    caplog.set_level(logging.DEBUG)
    logging.getLogger("telegram.ext.ExtBot").debug(
        "Calling Bot API endpoint `%s` with parameters `%s`",
        "editMessageText",
        {"text": "Your tracker: ABCDE-FGHJK", "reply_markup": "vote:c:1:abcd1234:ynay"},
    )
    logging.getLogger("telegram.ext.Application").debug("Getting updates: %s", [7, 8])
    logged = everything_logged(caplog)
    assert "Calling Bot API endpoint `editMessageText` with parameters `<dict" in logged
    assert "ABCDE-FGHJK" not in logged and "ynay" not in logged
    assert "Getting updates: [7, 8]" in logged


@pytest.mark.parametrize(
    ("text", "data", "described", "voter"),
    [
        (None, "vote:c:3:abcd1234:ynay", "button vote:…", True),
        (None, "asm:close!:3", "button asm:…", False),
        ("/start vote_ABCDEFGHJKMN", None, "command /start", True),
        ("/verify ABCDE-FGHJK", None, "command /verify", True),
        ("/help@maeul_bot", None, "command /help", False),
        ("ABCD-EFGH-JKMN", None, "text message (14 characters)", False),
    ],
)
def test_the_error_log_describes_an_update_without_its_content(text, data, described, voter):
    from types import SimpleNamespace

    from handlers.core.errors import _describe

    query = SimpleNamespace(data=data) if data else None
    message = SimpleNamespace(text=text) if text else None
    update = SimpleNamespace(callback_query=query, effective_message=message)
    assert _describe(update) == (described, voter)
