"""Korean particles chosen from the last syllable of the inserted name (issue 9 §4):
never "이웃만들기 지원사업은(는)", "한빛1동을(를)", "통합설명회은(는)"."""

import re
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from bot.core.i18n import LOCALES_DIR, Translator, final_sound, particle
from bot.core.text import shorten

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.parametrize(
    ("word", "spec", "expected"),
    [
        # 받침 (a final consonant) or not
        ("이웃만들기 지원사업", "은", "은"),
        ("통합설명회", "은", "는"),
        ("통합설명회", "는", "는"),  # either form may be written in the spec
        ("한빛1동", "을", "을"),
        ("새터동", "를", "을"),
        ("마을학교", "을", "를"),
        ("가람동", "이", "이"),
        ("마을학교", "이", "가"),
        ("주민자치회", "과", "와"),
        ("이웃만들기 지원사업", "와", "과"),
        # (으)로: ㄹ takes 로, like a vowel
        ("마을회관", "으로", "으로"),
        ("마을학교", "으로", "로"),
        ("서울", "으로", "로"),
        ("도서관 2층 다목적실", "로", "로"),
        ("한빛1동", "로서", "으로서"),
        # the copula
        ("한빛1동", "이에요", "이에요"),
        ("마을학교", "이에요", "예요"),
        ("마을학교", "예요", "예요"),
        ("한빛1동", "예요", "이에요"),
        ("한빛동", "이라는", "이라는"),
        ("솔빛마루", "이라는", "라는"),
        ("설명회", "이었어요", "였어요"),
        # digits, read in Korean: 1 일, 2 이, 3 삼, 10 십, 100 백, 10000 만, 10^12 조
        ("1", "은", "은"),
        ("2", "은", "는"),
        ("3", "으로", "으로"),
        ("1", "으로", "로"),  # 일: ㄹ
        ("7", "으로", "로"),  # 칠
        ("8", "이", "이"),  # 팔
        ("9", "을", "를"),  # 구
        ("6", "과", "과"),  # 육
        ("0", "은", "은"),  # 영
        ("10", "는", "은"),  # 십
        ("20", "는", "은"),  # 이십
        ("100", "를", "을"),  # 백
        ("1,000", "가", "이"),  # 천
        ("12000", "는", "은"),  # 만이천
        ("30000", "는", "은"),  # 삼만
        ("1000000000000", "는", "는"),  # 일조
        ("제안 12", "은", "는"),
        ("2027년 3차", "은", "는"),
        ("#15", "은", "는"),  # 오
        ("10%", "을", "를"),  # 십 퍼센트
        # Latin letters: acronyms read letter by letter, words by their ending
        ("PDF", "은", "는"),  # 에프
        ("QR", "을", "을"),  # 알
        ("QR", "으로", "로"),  # 알: ㄹ
        ("KBS", "이", "가"),
        ("MOM", "은", "은"),  # 엠
        ("K7P2QX", "은", "는"),  # 엑스
        ("Zoom", "으로", "으로"),  # 줌
        ("Google", "으로", "로"),  # 구글
        ("Online", "을", "을"),  # 온라인
        ("Kakao", "은", "는"),  # 카카오
        ("Meeting", "이", "이"),  # 미팅
        # parentheses, quotes and markup at the end do not count
        ("통합설명회(3월)", "은", "는"),
        ("“통합설명회”", "은", "는"),
        ("<b>마을회관</b>", "으로", "으로"),
    ],
)
def test_particle(word, spec, expected):
    assert particle(word, spec) == expected


LONG = "한빛1동 어린이놀이터에 여름철 그늘막을 설치해 주세요. 아이들이 더위에 힘들어해요."


@pytest.mark.parametrize(
    ("word", "spec", "expected"),
    [
        # text shortened with "…" is read up to its last letter
        (shorten(LONG, 40), "이라는", "라는"),  # …더위에…
        ("가람동…", "이라는", "이라는"),
        ("마을학교...", "은", "는"),
        ("“통합설명회…”", "은", "는"),
        ("「마을회관…」", "으로", "으로"),
        ("[서울…]", "으로", "로"),
        ("통합설명회(3월)…", "은", "는"),
        ("통합설명회(3월 행사…", "을", "를"),  # cut inside the parentheses: 행사
        ("한빛1동 — ", "이", "이"),
        ("10%…", "을", "를"),  # 퍼센트
        ("1,000…", "은", "은"),  # 천
        ("Zoom…", "으로", "으로"),
        ("봄꽃 축제 🌸…", "을", "를"),
        ("(3월)", "은", "은"),  # nothing but the parentheses: what they hold is read
    ],
)
def test_particle_reads_past_an_ellipsis_and_closing_marks(word, spec, expected):
    assert particle(word, spec) == expected


@pytest.mark.parametrize(
    ("word", "spec", "expected"),
    [
        ("", "은", "은(는)"),
        ("   ", "을", "을(를)"),
        ("", "이", "이(가)"),
        ("", "와", "과(와)"),
        ("", "으로", "(으)로"),
        ("", "이라는", "(이)라는"),
        ("★", "은", "은(는)"),  # a symbol
        ("🌸🎉", "을", "을(를)"),  # only emoji: nothing to read
        ("chat", "은", "은(는)"),  # 챗 or 채트: it depends on the word
        ("漢字", "은", "은(는)"),
        ("…", "이라는", "(이)라는"),  # no letter at all
        ("“…”", "은", "은(는)"),
        ("★…", "을", "을(를)"),
        ("chat…", "은", "은(는)"),
    ],
)
def test_particle_falls_back_to_both_forms_only_when_it_cannot_tell(word, spec, expected):
    assert particle(word, spec) == expected


@pytest.mark.parametrize(
    ("word", "spec", "expected"),
    [
        ("봄꽃 축제 🌸", "을", "를"),  # the emoji is not read: 축제
        ("마을 장터 🎉🎉", "을", "를"),
        ("마을 밥상 🍚", "을", "을"),
        ("가을 음악회 ★", "은", "는"),
        ("주민총회 투표 🗳️", "이", "가"),  # with its variation selector
        ("김장 나눔~", "을", "을"),
        ("우리 가족 👨‍👩‍👧", "과", "과"),  # a family emoji: joined by zero-width joiners
        ("“텃밭 교실 🌱”", "으로", "로"),
    ],
)
def test_emoji_after_a_name_are_not_read(word, spec, expected):
    assert particle(word, spec) == expected


def test_final_sound():
    assert final_sound("동") == (True, False)
    assert final_sound("길") == (True, True)
    assert final_sound("회") == (False, False)
    assert final_sound("") is None


def test_unknown_particle_is_an_error():
    with pytest.raises(ValueError, match="unknown Korean particle"):
        particle("동", "에서")


def test_translator_chooses_the_particle():
    t = Translator("ko", SEOUL)
    assert (
        t._("Set {dong} as your home dong?", dong="한빛1동") == "한빛1동을 우리 동으로 설정할까요?"
    )
    assert (
        t._("Set {dong} as your home dong?", dong="솔빛마루")
        == "솔빛마루를 우리 동으로 설정할까요?"
    )
    assert t._(
        "{name} gives up to {amount} per group.", name="이웃만들기 지원사업", amount="100만 원"
    ) == ("이웃만들기 지원사업은 모임당 최대 100만 원까지 지원해요.")
    assert (
        t._("{title} needs registration.", title="통합설명회")
        == "통합설명회는 사전 신청이 필요해요."
    )
    assert t._("What comes with {name}: {support}", name="주민자치회", support="교육") == (
        "주민자치회와 함께 받는 지원: 교육"
    )
    # the particle follows the closing quote
    assert t._("You are not staff of a dong called “{text}”.", text="마을학교") == (
        "“마을학교”라는 동의 담당자가 아니에요."
    )
    assert t._(
        "I do not know the code “{code}”. Please check it and send /checkin CODE again.",
        code="K7P2QM",
    ).startswith("“K7P2QM”은 모르는 코드예요.")
    # typed text shortened with "…" (the dong step): the last letter before it decides
    assert t._(
        "I could not find a dong called “{text}”. Please choose one of the buttons.",
        text=shorten(LONG, 40),
    ).startswith(
        "“한빛1동 어린이놀이터에 여름철 그늘막을 설치해 주세요. 아이들이 더위에…”라는 동을"
    )
    assert t._("Your home dong is {dong}.", dong="한빛1동") == "지금 우리 동은 한빛1동이에요."
    assert t._("Your home dong is {dong}.", dong="솔빛마루") == "지금 우리 동은 솔빛마루예요."
    assert t.n_(
        "To {n} chat subscribed to {target}:",
        "To {n} chats subscribed to {target}:",
        3,
        target="교육",
    ) == ("교육을 구독한 대화방 3곳에 보내요:")


def test_english_format_specs_are_untouched():
    en = Translator("en", SEOUL)
    assert (
        en._("Set {dong} as your home dong?", dong="Hanbit 1-dong")
        == "Set Hanbit 1-dong as your home dong?"
    )
    from bot.core.i18n import _FORMATTER

    assert _FORMATTER.format("{n:,} {x:>4}|{y!r}", n=12345, x="ab", y="z") == "12,345   ab|'z'"


PAIRED = re.compile(
    r"\((?:는|를|가|과|와|으|이|을|은)\)|\(으\)로|은\(는\)|을\(를\)|이\(가\)|과\(와\)"
)


def _korean_strings() -> list[str]:
    """Every translation in the Korean catalog, each plural form on its own."""
    with (LOCALES_DIR / "ko" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="ko")
    return [s for m in catalog for s in (m.string if isinstance(m.string, tuple) else (m.string,))]


def test_no_korean_message_writes_both_particles():
    offenders = [s for s in _korean_strings() if s and PAIRED.search(s)]
    assert not offenders, offenders


def test_every_korean_particle_spec_is_known():
    """A typo in a spec ({title:은는}) would raise when the message is shown."""
    specs = set()
    for s in _korean_strings():
        specs |= set(re.findall(r"\{\w+:[^}\uac00-\ud7a3]*([\uac00-\ud7a3][^}]*)\}", s or ""))
    assert specs  # the catalog uses them
    for spec in specs:
        particle("동", spec)
        particle("회", spec)
