"""Filter criteria in questions: an age, an amount, a theme, an event kind, a status.

"저 25살인데 받을 수 있는 지원금", "천만 원 넘게 주는 사업", "청년 대상 사업 있어요?",
"이번 달 교육 뭐 있어요?" — each names something to filter the records by rather than
one record. The values come back with where they were found, so that the rest of the
question can be matched without them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_KO_DIGITS = {"일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7, "팔": 8, "구": 9}
_KO_SMALL_UNITS = {"십": 10, "백": 100, "천": 1000}
# (万/萬/億/亿: "100万ウォン以下", "最多200万韩元")
_BIG_UNITS = {"만": 10_000, "억": 100_000_000, "万": 10_000, "萬": 10_000, "億": 100_000_000,
              "亿": 100_000_000}  # fmt: skip


def _small_number(text: str) -> int | None:
    """'2,500', '1천', '오백', '삼천오백', '3.5' (below 10,000) as an int; None if not a number."""
    text = text.replace(",", "").replace(" ", "")
    if not text:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return int(float(text))
    total, current = 0, 0
    number = re.match(r"^(\d+)", text)
    if number:
        current = int(number.group(1))
        text = text[number.end() :]
    for char in text:
        if char in _KO_DIGITS:
            current = _KO_DIGITS[char]
        elif char in _KO_SMALL_UNITS:
            total += (current or 1) * _KO_SMALL_UNITS[char]
            current = 0
        else:
            return None
    return total + current


_KO_AMOUNT_RE = re.compile(
    r"(?P<num>(?:\d[\d,]*(?:\.\d+)?)?\s?[일이삼사오육칠팔구십백천]*)\s?(?P<unit>억|만|億|亿|万|萬)\s?(?:원|won|ウォン|韩元|韓元)?"
    r"|(?P<plain>\d{1,3}(?:,\d{3})+|\d{4,})\s?(?:원|won|krw)"
)
_EN_AMOUNT_RE = re.compile(
    r"(?:krw|₩|won)\s?(?P<a>\d[\d,]*(?:\.\d+)?)\s?(?P<ua>million|m|k|thousand)?\b"
    r"|(?P<b>\d[\d,]*(?:\.\d+)?)\s?(?P<ub>million|m|k|thousand|triệu|nghìn|ngàn)\s?(?:won|krw)?\b"
)  # ("2 triệu won": Vietnamese millions and thousands)
_HANGUL_RE = re.compile(r"[\uac00-\ud7a3]")
_WON_RE = re.compile(r"\s?(원|won)")
_ABOUT_RE = re.compile(r"정도|쯤|가량|내외|안팎|남짓|\babout\b|\baround\b|\bapprox|左右|khoảng")
_ABOUT_BEFORE_RE = re.compile(r"(약|대략|\babout|\baround|\bapproximately|大约|khoảng)\s?$")
_MORE = re.compile(
    r"이상|넘|초과|over|more than|at least|above|bigger than|larger than|以上|超过|trên|"
    r"있어야|필요|\bneed\b|"  # "150만원은 있어야 되는데": at least that much
    r"보다\s?(많|크|더|높)|"  # "300만원보다 많이 받을 수 있는"
    r"\bor (more|higher|above|over)\b|\band (up|above|over)\b"  # "3 million won or more"
)
_LESS = re.compile(
    r"이하|미만|까지|밑|보다\s?(적|작|낮)|under|less than|at most|below|up to|以下|dưới|"
    r"\bor (less|lower|under|below)\b|\band (under|below|less)\b"
)
# The comparison said beside an amount ("300만원 이상인", "3 million won or more", "at least
# 2 million"): filter words, no topic of the question's (taken out of it with the amount)
_COMPARED_AFTER_RE = re.compile(
    r"\s?(이상|이하|미만|초과|넘는|넘게|넘|까지|보다|"
    r"or (more|less|higher|lower|above|below|over|under)|and (up|above|over|under|below))"
    r"(인|의|은|는|인\s?거|짜리)?(?=\s|$)"
)
# "…까지 주는", "…까지 나오는", "…까지 지원되는": the ceiling a programme gives
_CEILING_RE = re.compile(r"\s?까지\s?(주는|나오는|지원(하|되)는|받을\s?수\s?있는)")
_COMPARED_BEFORE_RE = re.compile(
    r"(more than|less than|at least|at most|up to|over|above|under|below|최소|최대)\s?$"
)


@dataclass(frozen=True)
class AmountFilter:
    value: int
    op: str  # ">=", ">", "<=", "<", "~" (about: within a factor of two), "=" (exactly)
    span: tuple[int, int]
    # no comparison said ("150만원 주는 사업": ">=") or a ceiling ("150만원까지 주는 사업":
    # "<="): "=" where some give it
    bare: bool = False

    def exactly(self) -> AmountFilter:
        return AmountFilter(self.value, "=", self.span)

    def accepts(self, amount: int) -> bool:
        return {
            ">=": amount >= self.value,
            ">": amount > self.value,
            "<=": amount <= self.value,
            "<": amount < self.value,
            "~": self.value / 2 <= amount <= self.value * 2,
            "=": amount == self.value,
        }[self.op]

    def distance(self, amount: int) -> float:
        """How far ``amount`` is from the amount asked (ratio, 0 = the same)."""
        low, high = sorted((max(amount, 1), max(self.value, 1)))
        return high / low - 1


# An amount the group has left, spent or received ("20만원 남았어요", "150만원 받았는데") is
# part of its story, not the amount of the grants it asks for.
_HELD_RE = re.compile(
    r"\s?(이|가|은|는|을|를|정도|쯤)?\s?(남았|남아|남은|남겨|썼|사용했|받았|\bleft\b|\bleft over\b|"
    r"\bremaining\b|\bspent\b|剩|残っ|còn lại|còn dư)"
)


def find_amount(text: str) -> AmountFilter | None:
    """The first won amount in the (normalised) question and how it compares."""
    found = _find_amount(text)
    if found is not None and _HELD_RE.match(text, found.span[1]):
        return None
    return found


# An age said in full years ("만 11살", "만7세"): 만 before it is no sum
_FULL_AGE_RE = re.compile(r"\s?\d{1,3}\s?(살|세)")


def _find_amount(text: str) -> AmountFilter | None:
    for match in _KO_AMOUNT_RE.finditer(text):
        if match.group("plain"):
            value = int(match.group("plain").replace(",", ""))
        else:
            raw = match.group("num").strip()
            if not raw:
                if match.group("unit") in ("만", "万", "萬"):
                    continue  # '만' alone is mostly 'only' (이것만) — not an amount
                at = match.start("unit")
                if at > 0 and _HANGUL_RE.match(text[at - 1]):
                    continue  # inside a word: 기억, 추억 (memory) — not 1억
                raw = "1"
            if match.group("unit") == "만" and _FULL_AGE_RE.match(text, match.end("unit")):
                continue  # 만 before an age is "full" ("초5 만11살인데"), not ten thousand
            num = match.group("num")
            start = match.start("num") + len(num) - len(num.lstrip())
            if not raw[0].isdigit():
                if start > 0 and _HANGUL_RE.match(text[start - 1]):
                    continue  # inside a word: 친구만, 검사만, 모임이만 — not 구만, 사만, 이만
                if len(raw) == 1 and not _WON_RE.match(text, match.end("unit")):
                    continue  # 이만 하면, 오만 가지 — a lone numeral needs 원
            number = _small_number(raw)
            if number is None:
                continue
            value = number * _BIG_UNITS[match.group("unit")]
        if value < 10_000:
            continue
        return _with_comparator(text, value, match.span())
    for match in _EN_AMOUNT_RE.finditer(text):
        digits = (match.group("a") or match.group("b") or "").replace(",", "")
        unit = match.group("ua") or match.group("ub") or ""
        try:
            figure = float(digits)
        except ValueError:
            continue
        scale = {"million": 1e6, "m": 1e6, "triệu": 1e6, "k": 1e3, "thousand": 1e3}.get(
            unit, 1e3 if unit in ("nghìn", "ngàn") else 1.0
        )
        value = int(figure * scale)
        if value >= 10_000:
            return _with_comparator(text, value, match.span())
    return None


def _with_comparator(text: str, value: int, span: tuple[int, int]) -> AmountFilter:
    after = text[span[1] : span[1] + 8]
    before = text[max(0, span[0] - 12) : span[0]]
    op = ">="
    if _ABOUT_RE.match(after.lstrip()) or _ABOUT_BEFORE_RE.search(before):
        return AmountFilter(value, "~", span)
    if _CEILING_RE.match(after):
        # "삼백만원까지 주는 공모": a programme's ceiling said, as in "150만원 주는 사업": the
        # ones that give it where some do, else those giving up to it
        return AmountFilter(value, "<=", span, bare=True)
    if _LESS.search(after) or _LESS.search(before):
        op = "<" if re.search(r"미만|보다|less than|under|below", after + before) else "<="
    elif _MORE.search(after) or _MORE.search(before):
        op = ">" if re.search(r"넘|초과|보다|more than|over|above", after + before) else ">="
    else:
        return AmountFilter(value, op, span, bare=True)
    return AmountFilter(value, op, span)


_AGE_RE = re.compile(
    # (not 세대, households or a generation: "우리 단지 80세대밖에 안되는데", "2030세대")
    r"(?:만\s?)?(?<!\d)(?P<a>\d{1,2})\s?(?:살|세(?!대)|years?\s?old|yo\b|tuổi|tuoi\b|岁|歳|才)"
    r"|\b(?:i am|i m|im|age|aged|turning|turn|i ll be)\s(?P<b>\d{1,2})\b"
    # "my daughter is 12", "she's 15" (not "we are 5": a group's size)
    r"|\b(?:(?:my|our)\s(?:daughter|son|child|kid|grandson|granddaughter|mother|mom|mum|father|"
    r"dad|wife|husband|grandmother|grandfather|grandma|grandpa)|she|he)\s(?:is|s)\s"
    r"(?P<f>\d{1,2})\b(?!\s?(?:people|members|of|%|won|am|pm))"
    r"|(?P<c>[1-9]0)\s?(?:대|代)"  # 50대, 50代: the decade
    # "in our late 50s", "people in their 60s", "50多岁": the decade too
    r"|\bin\s(?:our|my|their|his|her)\s(?:early\s|mid\s|late\s)?(?P<d>[1-9]0)s\b"
    r"|(?P<e>[1-9]0)\s?多\s?岁"
    r"|(?P<ko>스물|스무|서른|마흔|쉰|예순)\s?(?P<ones>한|하나|두|둘|세|셋|네|넷|다섯|여섯|일곱|여덟|아홉)?\s?"
    r"(?:살|인데|이에요|예요|이고|이라|이니|임\b)"  # 스물다섯인데: "I'm twenty-five"
)
_KO_AGE_WORDS = {"스물": 20, "스무": 20, "서른": 30, "마흔": 40, "쉰": 50, "예순": 60}
# fmt: off
_KO_ONES = {"한": 1, "하나": 1, "두": 2, "둘": 2, "세": 3, "셋": 3, "네": 4, "넷": 4, "다섯": 5,
            "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9}
# fmt: on


@dataclass(frozen=True)
class AgeFilter:
    low: int
    high: int
    span: tuple[int, int]

    def allows(self, min_age: int | None, max_age: int | None) -> bool:
        """True when someone of this age (or some age in this range) fits the rules."""
        return (min_age is None or self.high >= min_age) and (
            max_age is None or self.low <= max_age
        )


# Younger than this is a child's age ("Con tôi 4 tuổi", "7살 아이 키우는 엄마들"): nobody
# who applies for a grant, so no age to filter grants by.
MIN_APPLICANT_AGE = 10


def find_age(text: str) -> AgeFilter | None:
    found = _find_age(text)
    if found is None or found.high < MIN_APPLICANT_AGE:
        return None
    return found


def _find_age(text: str) -> AgeFilter | None:
    match = _AGE_RE.search(text)
    if match is None:
        return None
    decade = match.group("c") or match.group("d") or match.group("e")
    if decade:
        return AgeFilter(int(decade), int(decade) + 9, match.span())
    if match.group("ko"):
        age = _KO_AGE_WORDS[match.group("ko")] + _KO_ONES.get(match.group("ones") or "", 0)
        return AgeFilter(age, age, match.span())
    age = int(match.group("a") or match.group("b") or match.group("f"))
    return AgeFilter(age, age, match.span())


_SUPERLATIVE_RE = re.compile(
    r"(제일|가장|젤|최고로?)\s?(많이|큰|많은|높은|크게|비싼)|최대\s?금액이?\s?(제일|가장)|"
    r"\b(biggest|largest|most money|highest amount|the most)\b|"
    r"(最多|最大)(?!.*(多少|いくら))|nhiều nhất|lớn nhất"
)  # (not "最多能拿多少钱": at most how much, the amount of the one asked about)

# The gatherings "다음" may name ("다음 교육", "다음번 설명회"): read as the events to come
# (_STATUS_PATTERNS) and as the soonest of that kind (_NEXT_ONE_RE)
_KIND_NOUNS = "교육|회의|설명회|포럼|토론회|공유회|워크숍|강좌|상담|축제|총회"

# fmt: off
_STATUS_PATTERNS = [
    ("closing", r"마감\s?(임박|직전|앞둔|앞)|곧\s?마감|마감\s?(이\s?)?(가까|얼마\s?안|곧)|"
                r"closing soon|deadline soon|about to close|sắp hết hạn"),
    ("open", r"(지금|현재|요즘|당장|이번에)\s?(바로\s?|당장\s?)?(신청|접수|모집|지원)"
             r"(\s?(중인|중|받는\s?중))?|"
             r"(신청|접수|모집)\s?(중|받는\s?중|중인)|"
             r"\bopen (now|right now|at the moment)\b|\bcurrently open\b|\bopen for applications\b|"
             r"\bcan i apply (now|to now|for now)\b|\bapply (for )?(right )?now\b|"
             r"\bavailable (right )?now\b|\b(taking|accepting) applications\b|\bstill open\b|"
             r"아직\s?(신청|접수)\s?(가능|할\s?수|되는|돼)|아직\s?안\s?(끝난|마감된|닫힌)|"
             r"现在|目前|正在(接受|受理)|đang mở|đang nhận|bây giờ|受付中|募集中|"
             # "what can I apply for now" in Japanese ("今申し込める", "今応募できる")
             r"今\s?(申し?込|応募|申請)"),
    ("upcoming", r"(곧|앞으로|다가오는|예정된?)\s?(새로\s?|새로이\s?)?"
                 r"(시작|열리|접수|모집|공모|사업|있을)|"
                 r"아직\s?(접수|신청|모집)?\s?시작\s?(안\s?(한|된|하는)|전)|"
                 r"아직\s?(접수|모집)\s?(안\s?(한|된|하는)|전인)\s?(공모|사업|거|것|곳)|"
                 r"(접수|신청|모집)\s?(시작\s?)?전인|"
                 r"\bupcoming\b|\bcoming up\b|\bopening soon\b|\bnot (yet )?open(ed)?\b|"
                 r"\bhaven.?t opened\b|还没开始|sắp tới|chưa mở|"
                 # "まだ受付が始まっていない": the whole of it, not a topic left
                 r"まだ\s?(受付|募集|申請|申し込み)?\s?(が|は)?\s?(始まっていない|始まってない|"
                 r"始まっていません|開始していない|開始されていない)|まだ(始|受付)|"
                 # "when is the next event?", "다음 행사 언제예요?": the events to come
                 r"\bnext(?= (events?|trainings?|meetings?|classes|class|sessions?|forums?|"
                 r"workshops?|festivals?|consultations?|info sessions?)\b)|"
                 rf"다음\s?(번\s?)?(?=(행사|일정|{_KIND_NOUNS})(?!\s?단계))"),
    ("closed", r"(이미|벌써)\s?(마감|끝)|마감된|(?<!안)(?<!안\s)끝난|지난\s?공모|\bclosed\b|"
               # expired, in Vietnamese (marks typed or not), Chinese and Japanese
               r"(đã|da)\s(h[eêế]t h[aạ]n|đóng)|已经截止|已截止|"
               r"締め切られた|締め切りが過ぎた|終了した|"
               r"\balready over\b"),
]
# fmt: on
_STATUS = [(name, re.compile(pattern)) for name, pattern in _STATUS_PATTERNS]

# fmt: off
_EVENT_KIND_PATTERNS = [
    ("training", r"교육(?!실)|교실|강의(?!실)|수업|강좌|연수|학교|아카데미|\btraining|"
                 r"\bclass(es)?\b|\bcourses?\b|\bworkshops?\b|\blessons?\b|\bschool\b|\borientation\b|\binduction\b|오리엔테이션|"
                 r"培训|课程|讲座|研修|講座|đào tạo|lớp|khóa học"),
    ("meeting", r"회의(?!실)|\bmeetings?\b(?! rooms?\b)|会议(?!室)|cuộc họp|\bhọp\b"),
    ("assembly", r"(주민)?총회|\bassembl|大会|đại hội"),
    ("forum", r"설명회|포럼|공유회|토론회|\bforum|\binformation session|\binfo session|说明会|"
              r"hội thảo|buổi giới thiệu"),
    ("consultation", r"상담|\bconsult|咨询|tư vấn|相談"),
    ("festival", r"축제|파티|한마당|\bfestival|\bparty\b|节日|庆典|"
                 r"(?<=[\u4e00-\u9fff])节(?![约目省])|lễ hội|ngày hội|\btiệc|"
                 r"祭り|まつり|フェスティバル"),
]
# fmt: on
_EVENT_KINDS = [(name, re.compile(pattern)) for name, pattern in _EVENT_KIND_PATTERNS]


def event_kinds_in(text: str) -> set[str]:
    """The event kinds a (normalised) text names: 교육 (training), 상담 (consultation) …"""
    return {name for name, pattern in _EVENT_KINDS if pattern.search(text)}


EVENT_WORDS_RE = re.compile(
    r"행사|일정|이벤트|스케줄|뭐\s?있|\bevents?\b|\bschedule\b|\bwhat\s?s on\b|"
    r"\b(anything|something|what is) on\b|"
    r"\bhappening\b|活动|安排|sự kiện|lịch|イベント|行事|催し|スケジュール|何[かが]\s?あり|"
    # the next gathering ("다음 모임 언제예요?"): a group's next meeting is an event; a
    # group (모임) by itself is who applies for a grant
    r"(?<![가-힣])(다음|담|이번)\s?모임(?=\s|$|[은는이가도]|언제)|\bnext (meeting|gathering)s?\b"
)
GRANT_WORDS_RE = re.compile(
    r"지원\s?사업|지원금|보조금|공모|사업|지원\s?받|펀딩|\bgrants?\b|\bfunding\b|\bfunds?\b|"
    r"\bsubsid|补助|资助|补贴|项目|公募|助成金?|補助金?|支援事業|支援金|tài trợ|hỗ trợ|trợ cấp"
)
# Every time an event is held asked ("회계교육 언제언제 있어요?", "올해 몇 번 해요?"): the
# year's (or the period's) sessions, those already held too
_TIMES_RE = re.compile(
    r"언제\s?언제|몇\s?(번|회|차례)\s?(해|하|열|있)|\bhow many times\b|几次|mấy lần|何回"
)
# The next one of a kind asked ("다음 토론회 언제예요?", "when's the next workshop?"): the
# soonest of them, not the list ("다음 행사 뭐예요?", "the next event" ask for what is on)
_NEXT_ONE_RE = re.compile(
    rf"다음\s?(번\s?)?({_KIND_NOUNS})(?!\s?들)|"
    r"\bthe next (training|meeting|class|session|forum|workshop|festival|consultation|"
    r"info session)\b(?!s)|"
    # the earliest of those asked for ("교육 있어요? 제일 빠른거", "the earliest one")
    r"(제일|가장)\s?(빠른|먼저\s?(하는|있는|열리는))|\b(the )?(earliest|soonest)\b"
)
LIST_WORDS_RE = re.compile(
    r"(?<!수\s)(?<!수)있(어|나|나요|을까|는지|습니까|는\s?거|는\s?게|던가|니|냐)|뭐\s?(가\s?)?있|무슨(?!\s?요일)|어떤|어느|목록|"
    r"리스트|전부|다\s?알려|언제\s?언제|몇\s?(번|회)\s?(해|하|열|있)|\bhow many times\b|"
    r"뭐\s?(가\s?)?남았|남은\s?(게|거|것|공모|사업)|"
    # only those of a kind ("자부담 있는 사업만 알려주세요"): a list, narrowed (not "이 사업만
    # 신청해도 돼요?": one of them, named)
    r"(?<!이\s)(?<!그\s)(사업|공모|공모사업|지원사업|행사|교육|프로그램)들?\s?만\s?(알려|보여|골라|추려|정리)|"
    r"종류|\bany\b|\bwhich\b|\blist\b|"
    # "What grants …", "What training courses do you run?", "what kinds of workshops"
    r"\bwhat ((kinds?|sorts?|types?) of )?([a-z]+ )?(grants|events|trainings|classes|courses|"
    r"programs|programmes|workshops|meetings|festivals)\b|"
    r"\bare there\b|有什么|有没有|哪些|ありますか|何がありますか|どれ|"
    # (not "ngày nào", "khi nào": which day, when — a time asked, not a list)
    r"(?<!ngày )(?<!khi )(?<!lúc )(?<!hôm )(?<!giờ )(?<!tháng )(?<!tuần )(?<!năm )nào|"
    r"có .* không|一覧|列表|清单|danh sách"
)


# "행사나 회의", "회의랑 행사", "events or meetings": a kind beside the general word, joined
# by "or"/"and", widens the question to every event instead of narrowing it to the kind
_EVENT_NOUN_RE = re.compile(r"행사|일정|이벤트|\bevents?\b|活动|sự kiện|イベント|行事")
_JOINED_RE = re.compile(
    r"\s*(이나|나|이랑|랑|하고|및|과|와|,|/|\bor\b|\band\b|或|和|、|hoặc|và)\s*"
)


def _any_event_or_kind(text: str, kind_spans: list[tuple[int, int]]) -> bool:
    for noun in _EVENT_NOUN_RE.finditer(text):
        for start, end in kind_spans:
            gap = text[noun.end() : start] if noun.end() <= start else text[end : noun.start()]
            if _JOINED_RE.fullmatch(gap):
                return True
    return False


# A group's size said ("우리는 5명인데", "셋이서", "we are five", "four of us"): the group
# that would apply for a grant
_GROUP_RE = re.compile(
    r"(\d{1,2}|한|두|세|네|다섯|여섯|일곱|여덟|아홉|열)\s?(명|사람)\s?(이서|인데|이에요|이고|이라|이요)|"
    r"(둘|셋|넷|다섯|여섯|일곱|여덟|아홉|열)\s?이서|"
    # households: "부모 다섯 집이서", "세 가구인데"
    r"(\d{1,2}|두|세|네|다섯|여섯|일곱|여덟|아홉|열)\s?(집|가구|가정)\s?(이서|인데|이에요|이고|이라)|"
    r"\bwe are (\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)\b|"
    r"\b(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten) of us\b"
)

_IS_THERE_RE = re.compile(
    r"\S{0,3}\s?(이|가|은|는|도|들|들이|이나|나)?\s?(있|뭐\s?있|열리|해요|하나요)"
)
# An event kind said as the asker's own ("interpret at our group meeting", "my class")
_OWN_BEFORE_RE = re.compile(r"\b(our|my)( [a-z]+){0,2} $")
# …said before the kind ("is there an orientation", "有培训吗") or after it (研修はありますか)
_THERE_BEFORE_RE = re.compile(
    r"(\b(is|are) there (an?|any|some) "
    r"((?!(grants?|funds?|funding|support|money|help|subsid\w*|for)\b)[a-z]+ ){0,2}|有)$"
)
_THERE_AFTER_RE = re.compile(r"(は|が)?\s?あります(か|でしょうか)")
_THERE_RE = re.compile(
    r"(뭐\s?(가\s?)?)?있|무슨|어떤|어느|有没有|有什么|\bany\b|\bare there\b|\bwhich\b|ありますか"
)  # (무슨/어떤: "무슨 조건 있어요?" asks what a thing is like, not for a list)
_GROUP_NUMBERS = {
    "한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9,
    "열": 10, "둘": 2, "셋": 3, "넷": 4, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip


def _group_size(match: re.Match[str]) -> int:
    # every alternative of _GROUP_RE has a number, in digits or in words
    word = next(g for g in match.groups() if g and (g.isdigit() or g in _GROUP_NUMBERS))
    return int(word) if word.isdigit() else _GROUP_NUMBERS[word]


# A grant's own member rule asked of ("5명 이상은 돼야 하는 사업", "최소 5명 넘어야 되는",
# "grants that need at least 5 members"): the grants requiring that many, not a group's size
_MEMBERS_REQUIRED_RE = re.compile(
    r"(?:최소\s?)?(\d{1,2})\s?(?:명|인)\s?(?:이상|넘|초과)?\s?(?:은|는|이|이나|은\s?꼭)?\s?"
    r"(?:돼야|되어야|있어야|필요|넘어야|모여야|모아야|이어야|여야)|"
    r"최소\s?(\d{1,2})\s?(?:명|인)|"
    r"\b(?:need|needs|require|requires|required|requiring|with)\s(?:at least\s)?"
    r"(\d{1,2})\s(?:or more\s)?(?:members|people|persons)\b|"
    r"\bat least (\d{1,2}) (?:members|people)\b"
)
# A rule a grant has, asked as a list: with a share the group pays or without ("자부담 있는
# 사업만", "자부담 없는 공모", "grants without self-funding"), with an age limit or for any age
# ("나이 제한 있는 사업", "나이 상관없는 사업"); the group's say of itself ("우리는 자부담 낼
# 돈이 없어요") is not such a list unless it asks for one (grant or list words)
_SELF_FUNDING_RE = re.compile(
    r"(?:자부담|자기\s?부담(?:금)?|자비)\s?(?:이|은|도|금)?\s?(?P<ko>있는|있어야|필요한|내야\s?하는|없는|없이|"
    r"없어도|안\s?내도|안\s?들어가는|필요\s?없는)|"
    # the share said in words ("사업비 일부를 우리가 부담해야 하는 사업")
    r"(?:사업비|비용|예산)\s?(?:의\s?)?(?:일부|얼마|일정\s?부분)\s?(?:를|을|는|도)?\s?"
    r"(?:우리가|저희가|모임이|모임에서|단체가|주민이)?\s?(?:부담해야|내야|보태야)\s?(?:하는|되는|돼는)|"
    r"\b(?P<en>with|without|requiring|that require|no)\s(?:a\s)?(?:self[- ]funding|co[- ]funding|"
    r"matching funds?|own contribution)\b|"
    # the share said in words in English ("make us pay part of the cost ourselves", "put in
    # some of our own money")
    # (a share or the cost said: "pay ourselves a fee" is wages)
    r"\b(?:pay|cover|put in|chip in|contribute|add)\s(?:(?:(?:some|part|a part|a share|a portion)\s"
    r"(?:of\s)?(?:(?:the|it|its)\s)?(?:costs?\s|budget\s)?)|(?:the\s)?(?:costs?|budget)\s)"
    r"(?:ourselves|yourselves|themselves)\b|"
    r"\b(?:pay|put in|chip in|contribute|add|spend|use)\s(?:(?:some|part|a bit)\s(?:of\s)?)?"
    r"(?:our|your|their) own (?:money|funds|cash)\b"
)
_AGE_RULE_RE = re.compile(
    r"(?:나이|연령)\s?(?:제한|조건|기준)?\s?(?:이|은|도)?\s?(?P<ko>있는|따지는|상관\s?없는|제한\s?없는|"
    r"없는|안\s?따지는)|"
    r"\b(?P<en>with|without|no|have|has|having)\s(?:an?\s)?"
    r"age (?:limit|restriction|requirement)s?\b|"
    r"\bfor (?:any|all) ages\b|\bage[- ](?:limited|restricted)\b|"
    # ("有年龄限制的项目", "不限年龄", "年齢制限のある", "không giới hạn tuổi")
    r"(?:有|没有|无|不限)?年龄(?:限制|要求)|不限年龄|年齢制限(?:なし|のない|がない)?|"
    r"(?:không\s)?(?:có\s)?giới hạn (?:độ\s)?tuổi"
)
_RULE_ABSENT = (
    "없", "안", "without", "no", "for any", "for all", "상관", "没有", "无", "不限", "なし",
    "のない", "がない", "không",
)  # fmt: skip


def _rule_asked(pattern: re.Pattern[str], text: str) -> tuple[bool, tuple[int, int]] | None:
    """Whether the rule is asked present (True) or absent (False), and where."""
    found = pattern.search(text)
    if found is None:
        return None
    said = found.group(0)
    return not any(w in said for w in _RULE_ABSENT), found.span()


_CAPACITY_RE = re.compile(r"정원|선착순|최대|\bcapacity\b|\bseats?\b|\bplaces\b")


@dataclass
class Criteria:
    age: AgeFilter | None = None
    amount: AmountFilter | None = None
    superlative: bool = False
    status: str | None = None
    event_kinds: tuple[str, ...] = ()
    any_kind: bool = False  # a kind said beside "행사" ("행사나 회의"): every kind is asked
    event_words: bool = False
    grant_words: bool = False
    list_words: bool = False
    list_asked: bool = False  # a list word other than "있어요/뭐 있어요"
    kind_is_there: bool = False  # "교육 있어요?": the kind word is what there is
    group_size: int | None = None  # a group's size said ("우리는 5명인데"): it may apply
    members_required: int | None = None  # a grant's member rule asked of ("5명 이상 돼야 하는")
    self_funding: bool | None = None  # grants with a share to pay (True) or none (False)
    age_rule: bool | None = None  # grants with an age limit (True) or open to any age
    group_words: tuple[str, ...] = ()  # the words that said it ("3명인데", "we are three")
    times_asked: bool = False  # "언제언제", "올해 몇 번": every time, those past too
    next_one: bool = False  # "다음 토론회 언제예요?": the soonest of the kind
    spans: list[tuple[int, int]] = field(default_factory=list)
    word_spans: list[tuple[int, int]] = field(default_factory=list)  # kind, list, grant words

    @property
    def group(self) -> bool:
        return self.group_size is not None

    @property
    def grant_rule(self) -> bool:
        """A rule the grants have is asked of, as a list: a member count, a share the group
        pays, an age limit ("5명 이상은 돼야 하는 사업", "자부담 없는", "나이 제한 있는")."""
        return (
            self.members_required is not None
            or self.self_funding is not None
            or self.age_rule is not None
        )

    @property
    def kinds_asked(self) -> tuple[str, ...]:
        """The kinds of event to list: none when a kind is said beside "행사" ("행사나 회의")."""
        return () if self.any_kind else self.event_kinds

    @property
    def grant_filter(self) -> bool:
        return bool(self.age or self.amount or self.superlative or self.status)


def find_criteria(text: str) -> Criteria:
    """Everything filter-like in the normalised question."""
    found = Criteria()
    age = _find_age(text)
    if age is not None:  # a child's age is taken out of the topic too, but filters nothing
        found.spans.append(age.span)
        found.age = age if age.high >= MIN_APPLICANT_AGE else None
    found.amount = find_amount(text)
    if found.amount:
        found.spans.append(found.amount.span)
        start, end = found.amount.span
        after = _COMPARED_AFTER_RE.match(text, end)
        if after:
            found.spans.append(after.span())
        before = _COMPARED_BEFORE_RE.search(text[:start])
        if before:
            found.spans.append(before.span())
    superlative = _SUPERLATIVE_RE.search(text)
    if superlative:
        found.superlative = True
        found.spans.append(superlative.span())
    for name, pattern in _STATUS:
        match = pattern.search(text)
        if match:
            found.status = name
            found.spans.append(match.span())
            break
    kinds: list[str] = []
    kind_spans: list[tuple[int, int]] = []
    for name, pattern in _EVENT_KINDS:
        for match in pattern.finditer(text):
            if _OWN_BEFORE_RE.search(text, 0, match.start()):
                continue  # the asker's own ("our group meeting"), not an event of the KB's
            if name not in kinds:
                kinds.append(name)
            kind_spans.append(match.span())
            found.word_spans.append(_whole_word(text, match.span()))
    found.event_kinds = tuple(kinds)
    # "교육이 있나요?", "총회 있어요?": whether such an event happens (not "총회 투표권 있나요");
    # "is there an orientation …", "有培训吗", "研修はありますか"
    found.kind_is_there = any(
        _IS_THERE_RE.match(text, end)
        or _THERE_BEFORE_RE.search(text, 0, start)
        or _THERE_AFTER_RE.match(text, end)
        for start, end in kind_spans
    )
    group = _GROUP_RE.search(text)
    for attr, pattern in (("self_funding", _SELF_FUNDING_RE), ("age_rule", _AGE_RULE_RE)):
        asked = _rule_asked(pattern, text)
        if asked is not None:
            setattr(found, attr, asked[0])
            found.word_spans.append(asked[1])
    capacity = _CAPACITY_RE.search(text) is not None
    required = _MEMBERS_REQUIRED_RE.search(text)
    if required is not None and group is None and not capacity:
        found.members_required = int(next(g for g in required.groups() if g))
        found.word_spans.append(required.span())
    if group is not None and not capacity:
        found.group_size = _group_size(group)
        found.group_words = tuple(group.group(0).split())
    # "행사나 회의", "events or trainings": every event, not only meetings
    found.any_kind = bool(kinds) and _any_event_or_kind(text, kind_spans)
    found.times_asked = bool(_TIMES_RE.search(text))
    for match in _NEXT_ONE_RE.finditer(text):
        found.next_one = True
        if match.group(0).startswith(("제일", "가장")):  # (no topic: "제일 빠른 교육")
            found.spans.append(_whole_word(text, match.span()))
    for attr, pattern in (
        ("event_words", EVENT_WORDS_RE),
        ("grant_words", GRANT_WORDS_RE),
        ("list_words", LIST_WORDS_RE),
    ):
        for match in pattern.finditer(text):
            setattr(found, attr, True)
            found.word_spans.append(_whole_word(text, match.span()))
            if attr == "list_words" and not _THERE_RE.match(match.group(0)):
                found.list_asked = True  # 전부, 언제언제, 목록, which …: more than "is there"
    return found


# What may follow a Korean match inside its word and is only a verb's ending ("뭐뭐 있" +
# "었어요"): taken with the match, not left as a topic ("었어")
_KO_TAIL_RE = re.compile(
    r"(었|았|였)?(어요?|나요?|습니까|니|냐|죠|지요|을까요?|는지|던가요?|다)(?=\s|$)"
)


def _whole_word(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """A span that ends inside a Latin-script word, to that word's end: the pattern
    ``\\btraining`` found in "trainings" takes the word, not leaving "s" as a topic; one
    that ends inside a Korean word before a verb's ending, with the ending."""
    start, end = span
    if end > start and text[end - 1].isascii() and text[end - 1].isalpha():
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
    elif end > start and (tail := _KO_TAIL_RE.match(text, end)) is not None:
        end = tail.end()
    return start, end
