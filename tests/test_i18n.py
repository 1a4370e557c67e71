"""Formatting and catalogs. The completeness test fails when a user-visible string in the
code lacks its Korean or English translation."""

import importlib.util
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.core.i18n import LOCALES_DIR, Translator, format_krw, resolve_language

ROOT = Path(__file__).resolve().parent.parent
SEOUL = ZoneInfo("Asia/Seoul")


def test_korean_notice_formats():
    t = Translator("ko", SEOUL)
    when = datetime(2027, 2, 12, 19, 0, tzinfo=SEOUL)
    assert t.format_datetime(when) == "2027년 2월 12일 (금) 오후 7:00"
    assert t.format_date(date(2027, 2, 12)) == "2027년 2월 12일 (금)"
    assert t.format_time(datetime(2027, 2, 12, 9, 5, tzinfo=SEOUL)) == "오전 9:05"
    assert t.format_number(11297) == "11,297"


def test_language_names_in_the_screens_language():
    """The languages questions are asked in, named in the reader's language (never "ko")."""
    ko, en = Translator("ko", SEOUL), Translator("en", SEOUL)
    assert ko.language_names(["en", "ko"]) == "한국어, 영어"  # Korean first
    assert ko.language_names(["ja", "vi", "zh"]) == "중국어, 베트남어, 일본어"
    assert en.language_names(("en", "ko", "zh")) == "Korean, English, Chinese"
    assert en.language_names(["vi", "ja"]) == "Vietnamese, Japanese"
    assert ko.language_names(["fr", "ko"]) == "한국어, fr"  # one it has no name for: as logged
    assert ko.language_names([]) == ""


def test_times_are_shown_in_the_configured_zone():
    t = Translator("ko", SEOUL)
    utc = datetime(2027, 2, 12, 10, 0, tzinfo=ZoneInfo("UTC"))
    assert t.format_datetime(utc) == "2027년 2월 12일 (금) 오후 7:00"


def test_english_formats():
    t = Translator("en", SEOUL)
    assert (
        t.format_datetime(datetime(2027, 2, 12, 19, 0, tzinfo=SEOUL)) == "Fri 12 Feb 2027, 7:00 PM"
    )
    assert t.format_krw(1_000_000) == "₩1,000,000"


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (1_000_000, "100만 원"),
        (2_500_000, "250만 원"),
        (90_000_000, "9,000만 원"),
        (432_000_000, "4억 3,200만 원"),
        (500_000_000, "5억 원"),
        (1_500, "1,500원"),
        (1_234_567, "1,234,567원"),
    ],
)
def test_krw_as_korean_notices_write_it(amount, text):
    assert format_krw(amount, "ko") == text


@pytest.mark.parametrize(
    ("saved", "telegram", "expected"),
    [
        ("en", "ko", "en"),  # the saved choice wins
        (None, "ko-KR", "ko"),
        (None, "en", "en"),
        (None, "vi", "en"),  # no Vietnamese catalog yet: English
        (None, None, "ko"),  # DEFAULT_LANGUAGE
    ],
)
def test_language_resolution(saved, telegram, expected):
    assert resolve_language(saved, telegram, "ko") == expected


def _fstring_tool():
    spec = importlib.util.spec_from_file_location(
        "fstring_messages", ROOT / "tools" / "fstring_messages.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _code_messages() -> set[tuple[str | None, str]]:
    """(context, msgid) of every message in the code; context is None for plain t._()."""
    tool = _fstring_tool()
    found = set()
    for folder in ("bot", "handlers"):
        for _file, _line, message, _comments, context in extract_from_dir(
            ROOT / folder, keywords=tool.KEYWORDS, method_map=[("**.py", "python")]
        ):
            found.add((context, message if isinstance(message, str) else message[0]))
    # msgids inside f-strings, which Babel cannot see on Python 3.11
    return found | tool.find(ROOT)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_message_is_translated(lang):
    po = LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    translated = {
        (m.context, m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(_code_messages() - translated, key=lambda m: (m[0] or "", m[1]))
    assert not missing, f"{lang}: {len(missing)} untranslated (context, msgid): {missing[:10]}"


def test_contexts_are_extracted():
    """The extraction the completeness test relies on sees t.p_() and Np_() with contexts."""
    messages = _code_messages()
    assert ("ballot", "Yes") in messages  # handlers/assembly/vote.py: Np_("ballot", "Yes")
    assert (None, "Cancel") in messages  # a plain button label, no context


def test_fstring_tool_sees_contexts():
    tool = _fstring_tool()
    line = """f"<b>{t.p_('ballot', 'Yes')}</b> {t._("No")} {t.np_("x", "{n} a", "{n} b", n)}" """
    found = {m.group(2) for m in tool.CALL.finditer(line)}
    assert found == {"No"}  # p_( is not _(
    pairs = {(m.group(2), m.group(4)) for m in tool.CONTEXT_CALL.finditer(line)}
    assert pairs == {("ballot", "Yes"), ("x", "{n} a")}


@pytest.mark.parametrize(
    ("context", "message", "korean"),
    [
        ("ballot", "Yes", "찬성"),
        ("ballot", "No", "반대"),
        ("ballot", "Abstain", "기권"),
        (None, "Cancel", "취소"),  # a plain label next to the ballot's words
        ("assembly", "For which dong?", "어느 동의 주민총회인가요?"),
        ("event", "For which dong?", "어느 동의 행사인가요?"),
    ],
)
def test_one_word_two_meanings_has_two_translations(context, message, korean):
    t = Translator("ko", SEOUL)
    assert (t.p_(context, message) if context else t._(message)) == korean
    en = Translator("en", SEOUL)
    assert (en.p_(context, message) if context else en._(message)) == message


def test_untranslated_context_message_falls_back_to_english():
    t = Translator("ko", SEOUL)
    assert t.p_("no such context", "Yes") == "Yes"
    assert t.np_("no such context", "{n} thing", "{n} things", 2) == "2 things"


def test_korean_catalog_is_really_korean():
    t = Translator("ko", SEOUL)
    assert t._("Main menu") != "Main menu"
    assert any("\uac00" <= ch <= "\ud7a3" for ch in t._("There is nothing to cancel."))


def test_placeholders_survive_translation():
    import re

    for lang in ("ko", "en"):
        with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        for m in catalog:
            if not m.id or not m.string:
                continue
            ids = m.id if isinstance(m.id, tuple) else (m.id,)
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            want = set(re.findall(r"\{(\w+)\}", ids[0]))
            for s in strings:
                # {title:은}: a Korean particle spec (bot/core/i18n.py) after the name
                assert set(re.findall(r"\{(\w+)(?::[^{}]*)?\}", s)) <= want | {"n"}, (lang, m.id)


def test_a_missing_catalog_is_logged_not_silent(tmp_path, caplog):
    from bot.core.i18n import _translations

    with caplog.at_level("WARNING", logger="bot.core.i18n"):
        translations = _translations("ko", tmp_path)
    assert translations.gettext("Main menu") == "Main menu"
    assert "No ko catalog" in caplog.text


def test_catalogs_load_from_the_po_alone(tmp_path):
    """What a wheel carries: the .po, no .mo (compiled in memory)."""
    import shutil

    from bot.core.i18n import _translations

    target = tmp_path / "ko" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(LOCALES_DIR / "ko" / "LC_MESSAGES" / "messages.po", target)
    assert _translations("ko", tmp_path).gettext("Main menu") == "처음 메뉴"
