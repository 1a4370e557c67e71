"""Text normalisation for matching: spacing, jamo, language, tokens.

Residents drop or add spaces (이웃 만들기 / 이웃만들기), mistype a consonant (이욷만들기)
and mix scripts. Matching therefore works on a *compact* form (NFKC, lower case, no
punctuation, no spaces) and, for fuzzy comparison of names, on its jamo decomposition
(one mistyped consonant costs one jamo out of three per syllable, not a whole syllable).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_LEADS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_TAILS = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")

_PUNCT_RE = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")
_HANGUL_RE = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_HAN_RE = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_KANA_RE = re.compile(r"[\u3040-\u30ff]")
_LATIN_RE = re.compile(r"[a-z]", re.IGNORECASE)
# Letters only Vietnamese uses among the Latin scripts residents write in.
_VIETNAMESE_RE = re.compile(
    r"[ăâđêôơưàảãạáằẳẵặắầẩẫậấèẻẽẹéềểễệếìỉĩịíòỏõọóồổỗộốờởỡợớùủũụúừửữựứỳỷỹỵý]",
    re.IGNORECASE,
)
_VIETNAMESE_WORDS = re.compile(
    r"\b(khi nao|o dau|bao nhieu|toi|xin|cua|duoc|khong|cho|nguoi|thang|tuan|lam sao|the nao|"
    r"dang ky|co the|chung toi|ho tro|chuong trinh|bao gio|tham gia|nhom|tieng|lop hoc|"
    r"mien phi|tu van|phien dich|trung tam|gia dinh|hang xom|"
    # events and votes: "le hoi … ngay nao", "bo phieu dai hoi … ket thuc luc nao"
    r"ngay nao|luc nao|le hoi|cong dong|bo phieu|dai hoi|ket thuc|bat dau|cu dan|nuoc ngoai)\b"
)
_WORD_RE = re.compile(r"[a-z0-9]+|[\uac00-\ud7a3]+|[\u4e00-\u9fff]|[^\s\W]+", re.UNICODE)

# British and American spellings residents use interchangeably.
_SPELLINGS = {
    "neighbour": "neighbor",
    "centre": "center",
    "programme": "program",
    "organisation": "organization",
    "organise": "organize",
}
# Phone typing at a word's end: 요 typed 여, 고 typed 구 ("알려주세여", "되나여", "찾아가려구요").
_TYPED_ENDINGS_RE = re.compile(r"(세|나|해|돼|되)여(?=\s|$)|려구(?=요|\s|$)")
_SPELLING_RE = re.compile(r"(" + "|".join(_SPELLINGS) + r")")
# Phone typing and 경상도 speech written as spoken, read as the standard forms the cues and
# the KB use: a dropped or swapped 받침 (잇어요 있어요, 업나요 없나요, 됬 됐, 멫 몇), chat
# spellings (어케 어떻게, 머 뭐, 꺼정 까지, 센타 센터) and dialect endings and words (하능교
# 하나요, 됩니꺼 됩니까, 있노 있나요, 할라믄 하려면, 우째 어떻게, 어데 어디). Each is
# anchored at a word's start or end so that ordinary words stay (잇는 "connecting", 머리).
# "혼자 사는 어르신", "혼자 사시는 분들": living alone, said of who lives so
_ALONE_LIVING = "사는|사시는|지내는|지내시는|계시는"
LIVING_ALONE_RE = re.compile(rf"(?<![가-힣])혼자\s?({_ALONE_LIVING})(?![가-힣])")
_SPOKEN: tuple[tuple[str, str], ...] = (
    (r"(?<![가-힣])잇(?=어요|어야|어도|나요|나|노|니|을까|습니|십니|음(?![가-힣]))", "있"),
    (r"(?<![가-힣])업(?=어요|어도|나요|나|노|니|을까|습니|십니|는데)", "없"),
    (r"됬", "됐"),
    (r"(?<![가-힣])멫", "몇"),
    (r"(?<![가-힣])(어케|어캐|어떠케|우째|우찌|어찌)(?![가-힣]*나\b)", "어떻게"),
    (r"(?<![가-힣])머(?=(\s|$|가|를|예요|에요|야|지|꼬|고|임|있|하|해))", "뭐"),
    (r"(?<=[가-힣])(꺼정|까정)", "까지"),
    (r"(?<![가-힣])센타", "센터"),
    (r"(?<![가-힣])혼잔(?=데|가|지)", "혼자인"),  # 혼잔데 (혼자인데: "I'm on my own")
    # living alone is a household (독거), not applying on one's own ("혼자 사시는 어르신들")
    (rf"(?<![가-힣])혼자\s?(?=({_ALONE_LIVING}|살고|사시고|사세요)(?![가-힣]))", "독거 "),
    # chat shorthand: 신청ㄱㄴ? (가능?), its letters as NFKC leaves them (U+1100 U+1102)
    ("\u1100\u1102(?![\u1100-\u1112])", "가능"),
    (r"(?<![가-힣])어데(?=\s|$|서|에|로|가|있|예)", "어디"),
    (r"(?<=[가-힣])능교(?=\s|$)", "나요"),
    (r"(?<=[가-힣])니꺼(?=\s|$)", "니까"),
    (r"있십니", "있습니"),
    (r"할라믄|할라카믄|할라카모|할라모|할려면|할려믄", "하려면"),
    (r"(하|있|없|되|돼|받|내|나오|고르|가|오|주|보|모이|열리)노(?=\s|$)", r"\1나요"),
    # 충청도: 요 said 유 at a sentence's end (나와유, 되나유, 있어유, 금액은유) and 는데 said
    # 는디 (했는디, 받았는디유); only after an ending's last letter, so that 공유, 이유, 여유,
    # 우유 stay
    (r"(?<=[나가어아해돼되와봐줘예에디래게까세셔워져은는도])유(?=\s|$)", "요"),
    (r"(?<=[가-힣])는디(?=\s|$|요)", "는데"),
    # laughing and crying typed in letters ("ㅎㅎ", "ㅋㅋㅋ", "ㅠㅠ", as NFKC leaves them): no word
    ("[\u110f\u1112\u1172\u116e]+(?=\\s|$)", " "),
    # phone shorthand: 돼요 typed 됨 ("신청 됨?", "카드로 긁어도 됨?"; not "선정됨": one word)
    (r"(?<![가-힣])됨(?=\s|$)|(?<=도)됨(?=\s|$)", "돼요"),
    # 그럼 said 그람, 그라믄, 그믄 ("그람 돈은 얼마나 나와유?"; not a weight: "100그람")
    (r"(?<![가-힣\d])(그람|그라믄|그라모|그믄)(?![가-힣])", "그럼"),
)
_SPOKEN_RE = [(re.compile(pattern), standard) for pattern, standard in _SPOKEN]


# "3월 22일~28일", "22日〜28日", "3월 22일 - 28일": a range sign between two days (lost with
# the punctuation); "March 22 - 28", "Mar 22–28": a dash after a month's day and before a
# day (never between bare numbers: "2027-03-22", "010-1234-5678" stay as they are)
_RANGE_SIGN = r"\s?[~∼〜～\-–—]\s?"
_DAY_RANGE_RE = re.compile(
    rf"(\d{{1,2}}\s?(?:일|日)){_RANGE_SIGN}(?=(?:\d{{1,2}}\s?(?:월|月)\s?)?\d{{1,2}}\s?(?:일|日))"
)
_EN_DAY_RANGE_RE = re.compile(
    r"\b((?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s?\d{1,2}"
    rf"(?:st|nd|rd|th)?){_RANGE_SIGN}(?=\d{{1,2}}(?:st|nd|rd|th)?\b(?!\s?[-–—/.:]\s?\d))"
)


# A day written with a slash ("4/24", "ngày 24/4"): the month's name put in (read by the
# date rules, the slash being lost with the punctuation). A number above 12 is the day;
# two of 12 or less are month/day, as Korean, Chinese and Japanese write them, but day/month
# in Vietnamese (its marked letters, or "ngay" in it). Not "24/7" nor 1/2 … 1/5 (a share:
# "1/3까지"), nor a year's date (2027/4/24: a third number beside them).
_SLASH_DAY_RE = re.compile(r"(?<![\d/.:\-])(\d{1,2})\s?/\s?(\d{1,2})(?![\d/.:\-])")
_VI_LETTERS_RE = re.compile(r"[ăâđêôơưạ-ỹ]|\bngay\b")
_MONTH_NAMES = (
    "january february march april may june july august september october november december"
).split()


def _slash_day(match: re.Match[str], day_first: bool) -> str:
    a, b = int(match.group(1)), int(match.group(2))
    if (a, b) == (24, 7) or (a == 1 and b <= 5):
        return match.group(0)  # (around the clock; a half, a third … of something)
    if a > 12 or (day_first and b <= 12):
        day, month = a, b
    else:
        month, day = a, b
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return match.group(0)
    return f" {_MONTH_NAMES[month - 1]} {day} "


# The same texts are normalised over and over (a search scores some 40 records' names
# against one question, each score normalising it anew; a KB's names and sentences are read
# for every question): pure functions of the text, so each result is remembered.
_REMEMBERED = 16384


@lru_cache(maxsize=_REMEMBERED)
def normalize(text: str) -> str:
    """NFKC, lower case, punctuation as spaces, one space between words."""
    text = unicodedata.normalize("NFKC", text).lower()
    if "/" in text:
        day_first = bool(_VI_LETTERS_RE.search(text))
        text = _SLASH_DAY_RE.sub(lambda m: _slash_day(m, day_first), text)
    text = _SPELLING_RE.sub(lambda m: _SPELLINGS[m.group(1)], text)
    text = _DAY_RANGE_RE.sub(r"\1 부터 ", text)  # "22일~28일": the sign said as a word
    text = _EN_DAY_RANGE_RE.sub(r"\1 to ", text)  # "march 22 - 28"
    text = _PUNCT_RE.sub(" ", text)
    text = _TYPED_ENDINGS_RE.sub(lambda m: f"{m.group(1)}요" if m.group(1) else "려고", text)
    if _HANGUL_RE.search(text):
        for pattern, standard in _SPOKEN_RE:
            text = pattern.sub(standard, text)
    return _SPACE_RE.sub(" ", text).strip()


def compact(text: str) -> str:
    """:func:`normalize` without spaces: spacing mistakes disappear."""
    return normalize(text).replace(" ", "")


@lru_cache(maxsize=_REMEMBERED)
def jamo(text: str) -> str:
    """Hangul syllables decomposed into compatibility jamo; everything else as is."""
    out: list[str] = []
    for char in text:
        code = ord(char)
        if _HANGUL_FIRST <= code <= _HANGUL_LAST:
            index = code - _HANGUL_FIRST
            lead, rest = divmod(index, 588)
            vowel, tail = divmod(rest, 28)
            out.append(_LEADS[lead] + _VOWELS[vowel] + _TAILS[tail])
        else:
            out.append(char)
    return "".join(out)


# A Korean name in brackets or quotes inside a question in another language ("… bỏ phiếu ở
# đại hội cư dân (주민총회) không?", 'Is "이웃만들기" open?'): the name, not the language
_QUOTED_HANGUL_RE = re.compile(
    r"[(（\[「『\"“'‘]\s?[^()（）\[\]「」『』\"“”'‘’]*?[\uac00-\ud7a3]"
    r"[^()（）\[\]「」『』\"“”'‘’]*?\s?[)）\]」』\"”'’]"
)


def detect_language(text: str) -> str | None:
    """``ko``, ``en``, ``zh``, ``vi``, ``ja`` or None (digits, emoji, nothing to go on)."""
    unquoted = _QUOTED_HANGUL_RE.sub(" ", text)
    if unquoted != text and _HANGUL_RE.search(unquoted) is None and unquoted.strip():
        return detect_language(unquoted)  # (the rest has words of its own to go on)
    hangul = len(_HANGUL_RE.findall(text))
    han = len(_HAN_RE.findall(text))
    if hangul and hangul >= han:
        return "ko"
    if _KANA_RE.search(text):
        return "ja"
    if han:
        return "zh"
    if _VIETNAMESE_RE.search(text):
        return "vi"
    latin = _LATIN_RE.findall(text)
    if latin:
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
        if _VIETNAMESE_WORDS.search(plain) and len(latin) > 3:
            return "vi"
        return "en"
    return None


def words(text: str) -> list[str]:
    """Words of the normalised text: Latin words, Hangul runs, single Han characters."""
    return _WORD_RE.findall(normalize(text))


def ngrams(text: str, sizes: Iterable[int] = (1, 2)) -> list[str]:
    """Character n-grams of ``text`` as given (callers pass compact Hangul runs)."""
    grams: list[str] = []
    for n in sizes:
        grams.extend(text[i : i + n] for i in range(len(text) - n + 1))
    return grams


def is_hangul(char: str) -> bool:
    return _HANGUL_FIRST <= ord(char) <= _HANGUL_LAST
