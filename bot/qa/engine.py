"""The question-answering engine: a question and the time → an :class:`Answer`.

Built once per knowledge-base snapshot (``QAEngine(kb)``), then ``ask`` answers in
about a millisecond. A question is read as *record × facet* ("이웃만들기" × deadline) or
as a *filter* ("청년 대상 사업", "이번 달 교육"); relative dates are resolved against
``now``. Calibration comes first: a record is named confidently only when its score is
high *and* clearly above the next one; otherwise the answer is unsure and offers the top
three, and when nothing fits it is ``none`` (the renderer then gives the centre's contact).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from itertools import accumulate, pairwise
from typing import Any

import numpy as np

from bot.core.config import SUPPORTED_LANGUAGES
from bot.kb.records import (
    AssemblySpec,
    DongSpec,
    EventSpec,
    FaqSpec,
    GrantSpec,
    KnowledgeBase,
    LocalizedText,
)
from bot.qa import events as ev
from bot.qa.criteria import (
    EVENT_WORDS_RE,
    GRANT_WORDS_RE,
    LIST_WORDS_RE,
    AgeFilter,
    AmountFilter,
    Criteria,
    event_kinds_in,
    find_criteria,
)
from bot.qa.dates import DateRange, date_spans, resolve_dates
from bot.qa.embedding import Embedder
from bot.qa.facets import (
    CHOICES_RE,
    DOOR_WORDS,
    EXISTS_WORDS,
    FEE_RE,
    IF_APPLYING_RE,
    WHO_COMES,
    FacetCues,
    detect_facets,
    for_kind,
    with_cue,
)
from bot.qa.gate import GateFeatures
from bot.qa.index import Index, Record, Scored, stem, weighted_terms
from bot.qa.lexicon import (
    BOTH_APPLY_RE,
    BOTH_RE,
    BOTH_WORDS,
    CENTRE_RE,
    CHITCHAT_RE,
    DEICTIC_WORDS,
    ENDINGS,
    FILLER_WORDS,
    GA_NOUNS,
    GENERIC_WORDS,
    NEWS_WORDS,
    OTHER_AUTHORITY_RE,
    OTHER_CENTRE_RE,
    OTHER_PLACE_RE,
    OTHER_PLACES,
    PARTICLES,
    PROPOSE_RE,
    PROPOSE_WORDS,
    QUESTION_WORDS,
    SERVICE_WORDS,
    SPEND_RE,
    SPEND_WORDS,
    STRONG_SERVICE_WORDS,
    THANKS_RE,
    VietnameseMarks,
    glossary_keys,
    glossary_terms,
    unmarked,
    without_glossary,
)
from bot.qa.numbers import ORDINAL_RE, ordinal
from bot.qa.outside import MARGIN as OUTSIDE_MARGIN
from bot.qa.outside import MARGIN_FOREIGN as OUTSIDE_MARGIN_FOREIGN
from bot.qa.outside import OUTSIDE_QUESTIONS
from bot.qa.sino import as_simplified, known_readings
from bot.qa.sino import readings as sino_readings
from bot.qa.text import LIVING_ALONE_RE, compact, detect_language, jamo, normalize, words
from bot.qa.vectors import SemanticIndex, VectorCache

MAX_QUESTION = 1000

# Calibration (see tests/qa/eval.yaml and bench/README-qa.md for how they were chosen).
CONFIDENT = 0.5  # top score at least this …
MARGIN = 0.2  # … and this far above the runner-up (relative to the top)
UNSURE = 0.3  # below this nothing fits: "none"
NAMED = 0.75  # a record's name score from which the question names it
NAME_FLOOR = 0.72  # a fuzzy name alignment below this says nothing
FAQ_CUES = 0.8  # a FAQ question this covered, cue words included, is preferred
# Semantic matching (bench/README-qa.md): bonus = weight × (cosine − median cosine), ≥ 0
SEMANTIC_WEIGHT = 10.0  # ranking: how much the model's bonus counts
SEMANTIC_WEIGHT_FOREIGN = 12.0  # zh/vi/ja: the lexical score knows few of their words
# "does anything fit at all" is judged with the bonus at this weight, in every language:
# at the ranking weight, chitchat ("오늘 날씨 어때요?") got a list of unrelated FAQ entries
SEMANTIC_WEIGHT_FITS = 6.0
# A question in zh/vi/ja shares no words with a KB not written in its language: below the
# "fits" line, the records the model ranks are still offered ("is it one of these?") when the
# top one scores this much at the ranking weight and the question is no nearer another
# office's (bot/qa/outside.py). Chosen on the dev sets (bench/README-qa.md): of the 25 such
# questions answered "none", the 5 in scope with the right record first scored 0.43–0.60.
FOREIGN_OFFER = 0.42
SHARED_WORDS = 0.1  # … unless the record's lexical score says it shares words with the question
SEMANTIC_EXTRA = 5  # records the model ranks highest compete even without a shared word
PASSAGE_CHARS = 80  # record text is encoded in pieces of about this many characters
# Filters and descriptions: a question with this many topic words of its own (or this many
# Chinese/Japanese characters) is answered by the ranking, its filter favouring its matches.
DESCRIPTIVE_WORDS = 3
DESCRIPTIVE_CHARS = 8
WIDEN_KNOWN_WORDS = 2  # a description is ranked by the KB's words when it has this many
# Chinese and Japanese words that say no topic ("现在可以申请的项目有哪些": what can be applied
# for now is a list, not a description of a project)
_CJK_FUNCTION_RE = re.compile(
    r"现在|目前|可以|能|申请|报名|的|有|吗|呢|什么|哪些|哪个|我们|我|请问|一下|是|了|吧|"
    r"今|ありますか|あります|ですか|ますか|です|ます|できます|申し込|応募|から|まで|の|は|が|を|に|で|も|か|"
    # comparisons and "which" around an amount ("100万ウォン以下の…はどれですか")
    r"以下|以上|どれ|どの|どんな|"
    # "please tell me" ("センターの住所を教えてください", "告诉我…")
    r"教えて(ください|下さい)?|知りたい|告诉我|想知道|多少|"
    # "I want to see" ("一覧を見たいです", "看看有哪些")
    r"見たい|見せて(ください|下さい)?|看看|看一下"
)
# Vietnamese syllables that say no topic ("Chương trình nào hỗ trợ tối đa 2 triệu won?":
# which programme gives at most …); the rest are counted as words
_VI_FUNCTION_RE = re.compile(
    r"\b(chương trình|dự án|nào|gì|hỗ trợ|tài trợ|tối đa|tối thiểu|khoảng|trên|dưới|có|"
    r"không|được|cho|tôi|chúng tôi|là|những|các|bao nhiêu|xin|ạ|vậy|hỏi|của|biết|muốn|"
    # now, taking applications ("… nào đang nhận đơn bây giờ?": which are open now)
    r"bây giờ|hiện nay|hiện tại|đang|nhận|nộp|đơn|hồ sơ|mở)\b"
)
_VI_LIST_RE = re.compile(r"\b(nào|danh sách|những|các)\b")
# Words that only say who asks beside a group's size ("우리 모임 3명인데", "we are three people")
_GROUP_NOUNS = frozenset({"모임", "우리", "저희", "회원", "group", "people", "members", "us"})
FILTER_FAVOUR = 1.15
AGE_FAVOUR = 1.4
STRONG = 1.0  # a record this far ahead beats a filter of another kind read from one word
# A question that names a record exactly and leads clearly is answered without the model
SKIP_SETTLED = True
SETTLED_NAME = 0.75
SETTLED_LEXICAL = 99.0  # or, named or not, this high …
SETTLED_MARGIN = 0.5  # … and this far ahead

_EVENT_KIND_WORDS = {
    "training": "교육 강좌 training class course",
    "meeting": "회의 모임 meeting",
    "assembly": "총회 주민총회 투표 assembly vote",
    "forum": "설명회 공유회 포럼 forum session",
    "consultation": "상담 consultation",
    "festival": "축제 행사 festival party",
}
_CENTRE_FACET_WORDS = {
    "place": "어디 위치 주소 where",
    "time": "몇시 운영시간 여나요 hours",
    "when": "언제 여나요 운영시간 open",
    "opens": "언제 여나요 운영시간 open",
}
# Days and times said of the centre ("토요일에도 센터 하나요", "Is the centre open on
# Saturdays?", "퇴근하고 가면 7시 넘는데 센터 문 열어요?"): its opening hours are asked, the
# day or time is no other topic
_HOURS_RE = re.compile(
    r"[월화수목금토일]?요일|주말|평일|공휴일|휴일|저녁|밤|아침|오전|오후|점심|퇴근|\d{1,2}\s?시|"
    r"\b(mon|tues|wednes|thurs|fri|satur|sun)days?\b|\bweek(end|day)s?\b|\bholidays?\b|"
    r"\bevenings?\b|\bmornings?\b|\bnights?\b|\blunch\b|\bafter work\b|\d{1,2}\s?(am|pm)\b|"
    # a clock time its colon lost ("6:30" read as "6 30"), one's own hours ("I finish at 6")
    r"\b\d{1,2} \d{2}\b|\bi (finish|get off|leave)( work)?\b|"
    r"thứ (hai|ba|tư|năm|sáu|bảy)|chủ nhật|cuối tuần|buổi (tối|sáng)|ngày lễ|"
    r"星期.|周[一二三四五六日末]|晚上|週末|[月火水木金土日]曜日?|夜|"
    # open until ("until 9", "how late", "开到几点", "đến mấy giờ")
    r"\buntil\b|\btill\b|\b(how )?late\b|开到|开门|关门|\bđến\b|\b(tối|sáng|chiều)\b|"
    # open that day too ("星期四晚上也开吗", "周六开不开", "土曜日も開いていますか")
    r"(也|还)开|开(吗|不开|着)|開いて|開きます|開館|"
    # its lunch break, and "then" of a time just said ("점심시간 … 그때 가면")
    r"中午|午休|休息|昼休み|nghỉ trưa|그\s?때|"
    # a clock time in Chinese or Japanese ("中午十二点去中心有人吗", "12時に行っても")
    r"[一二三四五六七八九十两\d]+\s?[点時]|上午|下午|早上|午前|午後"
)
# Words that speak to the centre itself: "what are your opening hours?", "여기 어디예요?".
_ADDRESSED_RE = re.compile(r"\byour?\b|^여기\b")
# Coming by ("점심시간에 가도 사람 있어요?", "Can I come by after work?"): with a day or a
# time and no place named, whether the centre is open then
_VISIT = (
    r"가도\s?(사람\s?)?(있|돼|되|괜찮)|방문해도\s?(돼|되|괜찮)|"
    # nobody there then? ("그때 가면 아무도 없나")
    r"(아무\s?도?|사람\s?(이\s?)?)\s?없(나|어|는|을|죠|지)|"
    r"\bcome (by|in|over)\b|\bdrop (by|in)\b|\bstop by\b|\bswing by\b"
)
# what is left of it in the topic once the little words are gone ("come", "finish")
_VISIT_RE = re.compile(
    r"\b(come|drop|stop|swing|visit(ing)?|finish|get|leave|off)\b|방문\S*|가도|" + _VISIT
)
# The door opened or shut, with no place named ("토요일에도 문 여나요?", "주말에 문 열어요?"):
# a resident asking the centre itself, as one asks a shop "are you open?"
_DOOR_RE = re.compile(r"문\s?(을\s?)?(열|닫)|문\s?여나요|mở cửa|开门|開いて|" + _VISIT)
# How to get to the centre ("센터 어디예요? 가까운 역이 어디예요?", "Which station is
# closest?", "Đi từ ga nào gần nhất?", "从哪个地铁站最近？"): its address answers, the
# station or bus is no other topic
_DIRECTIONS_RE = re.compile(
    r"(?<![가-힣])(지하철|전철|버스|마을버스|기차)?\s?(역|정류장|정거장)(이|은|는|에서|까지|에)?(?=\s|$)|"
    r"(지하철|전철|버스|마을버스)(을|를|로|으로|타고)?|가장|제일|가까운|가까워\S*|출구|걸어서|도보|"
    r"(?<![가-힣])(타요|타야\S*|타고|타면|몇\s?번|가려면|오려면)(?=\s|$)|"
    r"\b(station|stop|subway|metro|bus|train|closest|nearest|near|walk(ing)?|exit)\b|"
    r"\b(ga|bến xe|xe buýt|tàu điện|gần nhất|gần|đi từ|đi|từ)\b|"
    r"地铁站?|车站|公交|最近|哪个|从|站|下车|坐|乘|駅|最寄り?|近い|バス"
)
# A place's opening hours asked ("문 열어요", "영업시간", "open on Sundays")
_OPENING_HOURS_RE = re.compile(
    # (and the hours a place lends or may be used in: "…나눔터 장난감 대여 시간", "이용 시간")
    DOOR_WORDS + r"|영업\s?(시간|해|하)|(대여|이용)\s?(가능\s?)?시간|"
    r"\bopen(ing)? (hours|times|on (mon|tues|wednes|thurs|fri|satur|sun)days?)\b|"
    r"营业|mở cửa|営業"
)
# Doing said politely ("몇 시까지 하세요?", "토요일에도 여세요?"): no topic of its own
_HONORIFIC_DOING_RE = re.compile(r"(하|여|닫|열)(세|시)\S*")
# Words that ask nothing of their own, next to the centre
# ("센터 전화번호 좀요", "中心的电话号码是多少")
_CENTRE_FILLER_RE = re.compile(
    r"좀요?|부탁\S*|please|号码|多少|是多少|请问|"
    # courtesy around the question ("바쁘신데 죄송합니다만 … 여쭤봐도 되겠습니까")
    r"바쁘신데|죄송\S*|실례\S*|여쭤\S*|여쭙\S*|되겠\S*|주시겠\S*|주실\S*|안녕하세요|수고\S*|"
    r"\S*까지인지|"
    # coming to it, where the asker lives ("찾아가려는데 정확한 주소", "2층 사무실",
    # "소라도 사는데")
    r"찾아가\S*|정확\S*|사무실|사는데|office|"
    # going or dropping by ("센터 가려는데 몇 시에 열어요?", "들르려고 하는데")
    r"가려\S*|가보려\S*|가\s?보려\S*|들르려\S*|들리려\S*|방문하려\S*|"
    # the centre's doing, said politely
    + _HONORIFIC_DOING_RE.pattern
    + "|"
    # not knowing where it is ("I don't know where the office is", "사무실이 어딘지
    # 모르겠어요"): the asking, not another topic
    r"know|sure|not|sorry|어딘지|어디인지|모르겠\S*|몰라\S*|몰라요"
)

# The words of a FAQ entry's question that is about the centre's place or hours.
_CENTRE_TITLE_WORDS = {  # (not 어디/where: "센터 소식은 어디서 받나요?" is the newsletter)
    "place": ("위치", "주소", "찾아오", "오시는 길", "location", "address", "directions"),
    "time": ("몇시", "몇 시", "운영시간", "운영 시간", "여나요", "열어", "open"),
    "opens": ("여나요", "열어", "운영시간", "운영 시간", "open"),
}
# "…인데 (이것도) 돼요?", the question's last words: whether it will do, for us as we are
_WILL_IT_DO_RE = re.compile(r"(돼|되나|될까|되요|되죠|되겠|되는지|가능)[가-힣]{0,3}$")
# The facets a grant's own field may replace when the question's words are in that field
# ("견적서 몇 군데 받아야 돼요": no cue, the word is in its documents).
_FIELD_MAY_OVERRIDE = frozenset({"summary"})
# "지원되는 거 있나요?": a programme asked for — the words describing the group ("우리 빌라
# 골목", found in who may apply) are no field asked about
_EXISTS_RE = re.compile(EXISTS_WORDS)
# …in English ("We want to record old fishermen's stories. Any grant for that?": "record" is
# the story's, not the list of documents)
_ANY_GRANT_RE = re.compile(
    r"\bany (?:grants?|funding|support|programmes?|programs?)\b|\bis there (?:any )?"
    r"(?:funding|support|a grant|a programme|a program)\b|\bwhich grant\b"
)
# A consultation booked before applying ("사전상담 언제까지 예약해요", "현장 컨설팅 신청 예약")
_BOOKED_STEP_RE = re.compile(r"(상담|면담|컨설팅)\S{0,3}\s?(\S+\s){0,2}?예약")


def _unmarked_services(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """The Vietnamese services of several words without their marks, as whole words: for a
    question typed without its marks ("gia han the nguoi nuoc ngoai") or with only some put
    back (one word alone would meet another: "thuế" tax, "thuê" to rent; and "vien phi" is no
    fee inside "tình nguyện viên phiên dịch")."""
    plain = sorted({unmarked(w) for w in words if " " in w and not w.isascii()})
    if not plain:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in plain) + r")\b")


def _applying_is_the_condition(a: _Analysis, facet: str) -> bool:
    """Is "how to apply" asked only by "신청하려면" (then a field's own words may say what
    is asked: the photos are among the documents)?"""
    spans = [(start, end) for f, start, end in a.cue_matches if f == "how_to_apply"]
    return (
        facet == "how_to_apply"
        and bool(spans)
        and all(IF_APPLYING_RE.fullmatch(a.text[start:end]) for start, end in spans)
    )


# An online vote itself asked about, not voting in general (bot/qa/engine.py _vote_asked)
_VOTE_RE = re.compile(
    r"(온라인|모바일|인터넷|핸드폰|휴대폰)\s?투표|투표\s?(기간|결과)|안건|"
    r"\bvot(e|ing) results?\b|投票结果|投票結果|kết quả bỏ phiếu|"
    # when voting ends ("투표 언제 끝나요", "bỏ phiếu … kết thúc lúc nào")
    r"투표\s?(는\s?)?(언제\s?)?(마감|끝나|종료)|\bvoting (ends?|closes?)\b|投票(截止|结束)|"
    r"bỏ phiếu.{0,30}(kết thúc|hết hạn)|投票.{0,6}(締め?切|終わ)|"
    r"몇\s?(개|가지|건)\s?(까지|나|를|을)?\s?(고르|고를|골라|선택|찍|뽑)|"
    r"\bvot(e|ing) online\b|\bonline (vote|voting|ballot)\b|\bballot\b|"
    r"\bhow many (items|options|choices|proposals)\b|"
    r"(线上|在线|网上|网络)投票|投票(期间|时间)|议题|"
    r"bỏ phiếu (trực tuyến|online)|nội dung|"
    r"オンライン投票|ネット投票|投票期間|議題|案件"
)
# "뭐 있어요?": the one event word that asks of anything at all
_WHAT_IS_THERE_RE = re.compile(r"뭐\s?있")
# Voting said at all ("투표 돼요?", "can I vote")
_VOTING_RE = re.compile(r"투표|\bvot(e|es|ing)\b|投票|bỏ phiếu|bo phieu")
# a change said of a vote in a FAQ entry ("제출한 뒤에는 바꿀 수 없습니다")
_CHANGE_RE = re.compile(
    r"바꿀|바꾸|바꿔|변경|수정|재투표|다시\s?투표|\bchang(e|ed|ing)\b|\bre-?vot|"
    r"改|更改|修改|đổi|thay đổi|変更|やり直"
)
# The on-site vote at the assembly itself, not the online one.
_ON_SITE_RE = re.compile(
    r"현장|직접\s?(가|가서|와서|참석)|\bin person\b|\bon[- ]?site\b|\boffline\b|现场|現地|会場|"
    r"trực tiếp|tại chỗ"
)
# What a question about an online vote asks of it (its window, its items, its result).
_VOTE_FACETS = frozenset({"deadline", "opens", "when", "time", "summary", "result", "revote"})
# An assembly or a vote named at all: the assembly records are candidates only then.
_ASSEMBLY_ASKED_RE = re.compile(
    r"총회|투표|안건|\bvot(e|es|ing)\b|\bballot|\bassembl|投票|总会|總會|総会|议题|議題|"
    r"đại hội|bỏ phiếu|bầu"
)
# what an assembly's record says of itself, beside its title: residents ask for the vote
_ASSEMBLY_WORDS = (
    "주민총회 온라인 투표 투표 기간 안건 assembly online vote voting ballot agenda items"
)
_RECORD_KINDS = frozenset({"grant", "event", "assembly"})
_GRANT_EXPANSION = frozenset({"지원사업", "지원", "지원금", "공모사업", "grant", "funding"})
_FAQ = frozenset({"faq"})
_EVENT_FACETS = frozenset({"place", "time"})
# what only a programme has (:meth:`QAEngine._answer`: an event asked when or where)
_GRANT_FACETS = frozenset({"deadline", "amount", "documents", "eligibility", "how_to_apply",
                           "result", "opens"})  # fmt: skip
_PLACE_PARTICLES = (
    "", "에서", "에", "은", "는", "의", "도", "에선", "에서는", "에서도", "시", "구청", "시청",
)  # fmt: skip
_NAMESAKE_PARTICLES = ("", "의", "도", "에서도")  # (whose the programme named next is)


def _other_place(word: str, particles: tuple[str, ...]) -> str | None:
    """The city or district of :data:`OTHER_PLACES` that ``word`` is, with one of
    ``particles`` after it ("부산에서" → 부산), else None."""
    for particle in particles:
        if word.endswith(particle) and (place := word[: len(word) - len(particle)]) in OTHER_PLACES:
            return place
    return None


_NAME_SUFFIX_RE = re.compile(r"\s*(지원\s?사업|사업|grant|fund|support)$", re.IGNORECASE)
_PAREN_RE = re.compile(r"\s*[(（][^)）]*[)）]")
# words of grants' names too common to tell one grant by (:meth:`QAEngine._named_in_part`)
_GENERIC_NAME_WORDS = frozenset(
    "지원사업 지원 사업 공모사업 공모 지원금 프로젝트 프로그램 조성사업 마을 우리 우리동네 동네 "
    "주민 공동체 마을공동체 the a an of for and to our in grant grants fund support program "
    "programme project projects village community neighbourhood neighborhood".split()
)
# a word said right before a programme word, the head of a name a resident clipped: "이웃
# 사업", "이웃지원사업", "the neighbour grant" (:meth:`QAEngine._clipped_name`)
_CLIPPED_HEAD_RE = re.compile(
    r"(?<![가-힣])([가-힣]{2,}?)\s?(?:지원\s?)?사업|\b([a-z]+)(?=\s(?:grant|fund|programme|program)\b)"
)
_YEAR_RE = re.compile(r"^\s*(19|20)\d\d\s*년?\s*")
# "이웃만들기 했는데 다음은?": a grant done, the next one asked for.
_DEICTIC_RE = re.compile(
    r"^(거기|그거|그건|그게|그곳|그것|그럼|그러면|이거|저거)|^(은|는|이|가|을|를|도|요|엔|에는)+$"
)
_DONE_RE = re.compile(
    r"(했|끝냈|끝낸|끝난|끝나고|끝나면|끝내고|마쳤|마친|마치고|마치면|받았|받은|수행|참여했|"
    r"해봤|해 봤|시작한|시작했)|"
    r"\b(did|done|finished|completed|had|got|received)\b|做过|做了|参加过|参加了|申请过|完成|đã|"
    r"やりました|しました|参加しました|受けました|終えました|終わりました"
)
_NEXT_RE = re.compile(
    r"다음|후속|이어서|그\s?뒤|그\s?후|단계|더\s?큰|더\s?크게|키워|키우|"
    r"(올해|이제|이번에?|내년)\s?(는|엔|에는)?\s?(뭘|뭐|무슨|어떤|어느)|"
    r"\bnext\b|\bafter\b|\bthen\b|\bfollow|下一|接下来|"
    r"tiếp theo|sau đó|次"
)
# What was done with a record just named, in a clause the question goes on from ("…학교
# 수료했는데", "…활성화 받아서 운영했는데", "…교육 들었고")
_TOLD_AFTER_RE = re.compile(
    r"\s?(을|를|도|에서|에|로|으로)?\s?(\S+\s){0,2}?"
    r"(수료|이수|졸업|참여|참가|수강|다녀|들었|했|받았|받아|받은|마쳤|끝냈)\S*?"
    # (…받았으면, if done or not; …받은지 1년밖에 안됐는데, a span since)
    r"(는데|고|지만|서|으면|지\s(?:\S+\s){0,2}?\S*?는데)(?=\s\S)"
    # (not "…했었어요": that may be the question, its ? gone)
    # …or a sentence of its own, its full stop left out, and more after it ("첫걸음도
    # 받았어요 도약사업 신청 되나요"): what follows is asked only when it names a record of
    # its own (:meth:`QAEngine._asked_after`), and when the sentence has no question word
    # ("마을자치한마당 어디서 했었어요 사진 …" asks where it was)
    r"|\s?(을|를|도|에서|에|로|으로)?\s?((?!어디|언제|몇|누가|누구|뭐|무슨|어떻게|왜)\S+\s){0,2}?"
    r"(수료|이수|졸업|참여|참가|수강|다녀|들었|했|받았|마쳤|끝냈)\S*?요(?=\s\S)"
)
# Where one sentence of a question ends ("…가봤는데요, 거기서 …", "…있잖아요 거기 …",
# "…끝나요. 그리고 …"): the story told and the thing asked may be sentences apart
_SENTENCE_END_RE = re.compile(
    r"[.?!。？！]+\s*|(?<=[요죠])[,~]*\s+|ㅠ+|ㅜ+|ㅋ{2,}|\n+|(?<=[는은건인던든][데디])[,]?\s+"
)
# Living in another place and working or studying in this one
_LIVES_THERE_WORKS_HERE_RE = re.compile(
    r"(살고|사는데|살지만|살아요|살아서|거주하고|거주하는데|집은)\S*\s.{0,30}"
    r"(회사|직장|일터|가게|학교|일하|다니|근무)|"
    r"\blive (in|at) .{0,40}\b(but|and) (i )?(work|study)\b|"
    # living elsewhere now and moving here ("living in Seoul, thinking of moving to the
    # countryside", "서울 사는데 내년에 귀촌하려고요"): a newcomer to be, not another city's
    r"\b(moving|move|relocating|relocate) (here|to (the countryside|the village|your|this))\b|"
    r"\b(thinking|planning) (of|about|to) (moving|move|relocat)|"
    r"(귀촌|귀농|이사|전입)\s?(하려|할\s?(예정|계획|생각)|예정|계획)"
)
# Someone who lives elsewhere, and "is that all right?": who may take part, asked of the
# record just answered ("작가님이 대전 사시는데 상관없나요?", "일곱명인데 두명은 천안 살아요
# 괜찮을까") — not another city's matter (QAEngine._ask)
_LIVES_ELSEWHERE_MAY_RE = re.compile(
    r"(살아요|살아|사는데|사시는데|살고|사세요|사셔서|거주하는데|거주해요|거주하고)\S*\s?.{0,20}?"
    r"(괜찮|상관|되나|돼요|되요|될까|되죠|되남|가능|안\s?되)"
)
# Living somewhere, said ("살아요", "사시는데", "거주하고"), and a person said with 님 ("작가님이",
# "사장님도", "강사님은"): who may take part, with that asked (QAEngine._names_another)
_LIVES_RE = re.compile(r"사시\S*|살아\S*|살고|사는\S*|사세요|거주\S*|lives?|living")
_HONOURED_RE = re.compile(r"[가-힣]{1,4}님(이|은|도|께서|들|들이|들도|하고|이랑)?")
# The most one may receive ("제일 많이 받으면 얼마예요?", "가장 많이 받을 수 있는 게", "What's the
# most we could get?", "最多能拿多少", "tối đa được bao nhiêu"): of the grant just answered
_MOST_WE_GET_RE = re.compile(
    r"(?:제일|가장|최대로|최고로)\s?(?:많이\s?)?(?:받|나오|타)|"
    r"\bthe most (?:we|i|you|one|a group) (?:can|could|would|will|may) "
    r"(?:get|receive|be given|ask for|apply for)\b|"
    r"\bmost (?:we|i) (?:can|could) (?:get|receive)\b|"
    r"最多(?:能|可以)?(?:拿|领|申请|得到|给)|最大(?:で)?(?:いくら|どのくらい)|"
    r"tối đa (?:được )?(?:bao nhiêu|nhận)|toi da (?:duoc )?bao nhieu"
)
# Applying now, a yes-or-no ("지금 신청하면 안돼요?", "지금 내도 돼요?", "can we still apply
# now?", "现在还能申请吗", "bây giờ nộp được không"): of the grant just answered (QAEngine._ask)
_NOW_APPLY_RE = re.compile(
    r"지금\s?(?:바로\s?)?(?:신청|접수|내|제출|넣)\S{0,4}\s?(?:돼|되|안\s?돼|안\s?되|가능|늦)|"
    r"\b(?:can|could) (?:i|we) (?:still )?(?:apply|send|submit)\b.{0,20}\bnow\b|"
    r"\bis it too late\b|现在(?:还)?(?:可以|能)(?:申请|报名|提交)|今から(?:申し?込|応募)|"
    r"bây giờ (?:nộp|đăng ký) (?:còn )?được không|bay gio (?:nop|dang ky) (?:con )?duoc khong"
)
# A clause told before the question (:meth:`QAEngine._service_only_told`): a sentence's end,
# or a clause closed by …는데 or …해서 ("취업해서 내려가는데 통장은 …")
_TOLD_CLAUSE_RE = re.compile(
    _SENTENCE_END_RE.pattern + r"|(?<=[는은던][데디])\s*,?\s*|(?<=[해돼되와가나어아]서)\s*,?\s+"
)
# A weekday said alone ("수요일은", "on Wednesday"): a day of the centre's week, no date
_WEEKDAY_ONLY_RE = re.compile(
    r"([월화수목금토일]|평)요?일?(은|에|에는|도|에도)?|(on )?(mon|tue|wed|thu|fri|sat|sun)[a-z]*s?"
)
# Every one asked for: a list however well one record matches
_ALL_ASKED_RE = re.compile(
    r"전부|다\s?(알려|보여|말해)|모두\s?(알려|보여|말해)|싹\s?다|목록|리스트|"
    r"\ball (the |of the )?(grants|programmes|programs|funds)\b|\blist\b|全部|所有|tất cả|すべて"
)


# What is bought, said in English ("spend the grant on pizza", "buy snacks"): a thing the
# KB's words may lack though the model knows what it is (pizza: a meal)
_BOUGHT_RE = re.compile(
    r"\b(?:on|buy|buying|bought|order|ordering|purchase|purchasing)\s(?:some\s|a\s|the\s)?"
    r"([a-z]{3,})\b"
)


def _asked_by_mark(question: str, part: str) -> bool:
    """Does this sentence of the question end in a question mark?"""
    at = question.find(part)
    return at >= 0 and question[at + len(part) :].lstrip()[:1] in ("?", "？")


# …and a clause of what the asker means to do, which asks ("발급받으려는데", "하고 싶은데")
_INTENT_CLAUSE_RE = re.compile(
    r"(려|려고\s?하|고\s?싶|을까\s?하)[는은]?[데디]|\b(want|need|would like) to\b"
)
# A record named and set aside ("…프로젝트 말고요", "…교육은 다음에 듣기로 하고요", "…는 따로
# 알아볼 거고요"): the question is about something else
_SET_ASIDE_RE = re.compile(
    r"(?<=\S)\s?(말고|말구|빼고|말곤)(?=요|\s|,|$)|"
    r"\s(나중에|다음에|담에|따로)\s(\S+\s){0,2}?\S*(고요|게요|께요|구요|기로|거고)|"
    # …in Chinese, Japanese and Vietnamese ("…的项目，以后再申请。", "…はまた今度にして",
    # "…thì để sau"): a clause of its own, the record named just before
    # (not "以后再申请也可以吗?": whether it may be applied for later)
    r"((以后|之后|下次|改天|回头)再(申请|报名|说|问|看|办)|"
    r"(また|今度|後で|あとで)(にして|にします|申し込みます|応募します)|\bđể sau|\bde sau)(?=\s+\S)"
)
# The next step after what was done ("다음 단계", "더 키우려면", "next step")
_NEXT_STEP_RE = re.compile(
    r"다음\s?단계|후속|더\s?큰|더\s?크게|키워|키우|\bnext step\b|下一步|bước tiếp theo|"
    # "한 번 받은 다음엔 뭘 신청해요?": what after it
    r"다음\s?(엔|에는|에|으론|으로는)\s?(뭘|뭐|무슨|어떤|어느)"
)
# A wish said for now, after a grant done ("…했어요. 이제 공간을 우리 것으로 만들고 싶은데요",
# "올해는 골목 전체로 넓히려고요"): the next thing the group wants, a programme of its own
_NOW_WANTED_RE = re.compile(
    r"(이제|앞으로|올해는|내년에는|내년엔)\s(\S+\s){0,10}?\S*(싶|하려|려고|려는)"
)
# The most that may be received ("최대 얼마", "얼마까지 받아요", "tối đa bao nhiêu", "at most")
_AT_MOST_RE = re.compile(
    r"최대|최고|까지\s?(받|지원|나와|나오)|얼마\s?(나|정도|씩)?\s?(받|지원|나와|나오)|"
    r"\b(at most|maximum|max|up to)\b|tối đa|最多|最高|最大|上限"
)
# A grant said to have been received ("처음 지원받아서", "보조금 받았는데", "we got a grant")
_GRANT_RECEIVED_RE = re.compile(
    r"(지원금?|보조금|지원\s?사업)\s?(을|를|도)?\s?받(았|아서|아\s|고\s|은\s)|"
    # the first grant done ("첫 지원 끝내고", "처음 사업 마치고", "한 번 받은 다음엔")
    r"(첫|처음)\s?(지원|사업|공모)\s?(을|를|도)?\s?(끝내|끝냈|끝난|끝나|마치|마쳤|마친)|"
    r"(한|첫)\s?번\s?받(은|았|고)|"
    r"\b(got|received|had) (a |the |our )?(first )?(grant|funding)\b"
)
# After a date: the clause tells what happened then ("작년 5월에 … 했는데"), not what is asked
# ("이번 달에 마감되는 거 뭐 남았어요": 남았 is what is left now, no story).
# (a past verb that ends the question asks of that time: "지난달에 마감된 공모 뭐 있었어요?")
_PAST_STORY_RE = re.compile(
    # (the past contracted into the stem's syllable too: 못 갔는데, 와 봤고, 왔었는데, 됐지만)
    r"[^?]{0,24}?(했|(?<!남)았|었|였|끝냈|마쳤|받았|참여했|갔|왔|봤|줬|됐|샀|썼|냈|졌|쳤|셨|렸|녔)"
    r"(는데|고|지만|던|으나|다가|(어요|었어요|습니다)(?=\s\S))"
    # a group's founding ("작년 5월에 만든 모임인데"): when it began, not the time asked
    r"|[^?]{0,12}?(만든|만들어진|시작한|생긴|결성한|창립한)\s?(모임|동아리|단체|팀)"
    r"|[^?]{0,24}?\b(did|had|was|were|finished|completed|joined|received)\b"
)


@dataclass(frozen=True)
class GrantQuery:
    """What a filter question asked of the grants (for the renderer to say)."""

    age: AgeFilter | None = None
    amount: AmountFilter | None = None
    categories: tuple[str, ...] = ()
    status: str | None = None
    superlative: bool = False
    age_targeted: bool = False  # matches are the grants with an age rule that fits
    others: tuple[str, ...] = ()  # with age: grants without any age rule
    dated: str | None = None  # the date said is of this (DATED_FIELDS); None: the window
    members: int | None = None  # the group's size said: grants whose member rule it meets
    members_required: int | None = None  # grants whose member rule asks at least this many
    self_funding: bool | None = None  # grants with a share the group pays (True) or none
    age_rule: bool | None = None  # grants with an age limit (True) or for any age (False)


@dataclass(frozen=True)
class EventQuery:
    kinds: tuple[str, ...] = ()
    dongs: tuple[str, ...] = ()
    occurrences: tuple[tuple[str, datetime], ...] = ()  # (event id, start), by time
    relaxed: tuple[str, ...] = ()  # kinds asked for that have nothing: other kinds shown
    # nothing at all in the period asked, which is not over: the next events after it (of
    # the kinds asked when there are any), so that "이번 주 행사 뭐 있어요?" is no dead end
    later: tuple[tuple[str, datetime], ...] = ()


@dataclass(frozen=True)
class Answer:
    kind: str  # grant | faq | event | centre (the centre's own contact) | none
    id: str | None = None
    facet: str | None = None
    facets: tuple[str, ...] = ()
    matches: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()
    confident: bool = False
    lang: str = "ko"
    question_lang: str | None = None
    dates: DateRange | None = None
    occurrence: datetime | None = None
    grant_query: GrantQuery | None = None
    event_query: EventQuery | None = None
    age: AgeFilter | None = None  # one age the question states ("저 마흔둘인데 …")
    members: int | None = None  # the group's size the question states ("우리는 3명인데 …")
    score: float = 0.0
    reason: str = ""  # why: name | lexical | filter | unsure | wide | gate | none | chitchat |
    # elsewhere | service | centre | next …  (wide: choices ranked by the words the KB knows)
    opening: bool = False  # when applications open is asked first ("접수 언제 시작해요?"): a
    # grant's "deadline" (its application window) is then said from its opening

    @property
    def is_filter(self) -> bool:
        return self.grant_query is not None or self.event_query is not None

    def as_json(self, text: str) -> dict[str, Any]:
        """The ``maeul ask --json`` object: the agreed fields first, then extras.

        ``kind`` stays within the agreed grant|faq|event|none: a question answered with the
        centre's own contact is about no record, so it is ``none`` (facet ``contact``), with
        ``answer_kind`` saying ``centre``.
        """
        return {
            "kind": "none" if self.kind == "centre" else self.kind,
            "id": self.id,
            "facet": self.facet,
            "text": text,
            "alternatives": list(self.alternatives),
            "confident": self.confident,
            "matches": list(self.matches),
            "lang": self.lang,
            "question_lang": self.question_lang,
            "score": round(self.score, 3),
            "answer_kind": self.kind,
        }


def answer_language(question: str, fallback: str) -> str:
    """ko or en as the question is written; English for languages without a catalog."""
    detected = detect_language(question)
    if detected is None:
        return fallback if fallback in SUPPORTED_LANGUAGES else "en"
    return detected if detected in SUPPORTED_LANGUAGES else "en"


def _texts(*values: LocalizedText | None) -> list[str]:
    out: list[str] = []
    for value in values:
        if value is not None:
            out.extend(value.as_dict().values())
    return out


def _latin_plain(text: str) -> str:
    """Latin letters without their accents ("café" → "cafe", for comparing words only);
    everything else (Hangul, Han) as it is."""
    if text.isascii():
        return text
    return "".join(
        "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if ord(ch) < 0x250 or 0x1E00 <= ord(ch) <= 0x1EFF
        else ch
        for ch in text
    )


def _grant_names(grant: GrantSpec) -> list[str]:
    official = _texts(grant.name)
    names = [*official, *grant.aliases, *(_NAME_SUFFIX_RE.sub("", n) for n in official)]
    return [n for n in names if len(compact(n)) >= 2]


def _event_names(event: EventSpec | AssemblySpec) -> list[str]:
    """An event's (or an assembly's) titles, and each without its year, its parentheses and
    each part around a dash ("2027 한빛1동 주민총회 (현장 투표)" is also "한빛1동 주민총회")."""
    names = _texts(event.title)
    derived: list[str] = []
    for name in names:
        plain = _YEAR_RE.sub("", _PAREN_RE.sub("", name)).strip()
        derived.append(plain)
        derived.extend(p.strip() for p in re.split(r"\s[-—–]\s", plain) if len(p.strip()) >= 3)
    return [n for n in [*names, *derived] if n.strip()]


_HANGUL_RE = re.compile(r"[가-힣]+")


def _clips(short: str, name: str) -> bool:
    """Is ``short`` a clipping of ``name``: its first syllable, then the rest in order, the
    name at least twice as long (공성 ← 공동체성장, 시참예 ← 시민참여예산)."""
    if short[0] != name[0] or len(name) < 2 * len(short):
        return False
    at = 1
    for syllable in short[1:]:
        at = name.find(syllable, at) + 1
        if at == 0:
            return False
    return True


def _pieces(text: str, size: int = PASSAGE_CHARS) -> list[str]:
    """``text`` cut at sentence ends, then at spaces, into pieces of at most ``size``."""
    out: list[str] = []
    for sentence in re.split(r"(?<=[.!?。])\s+|\n", text):
        sentence = sentence.strip()
        while len(sentence) > size:
            cut = sentence.rfind(" ", 0, size)
            if cut < size // 2:
                cut = size
            out.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            out.append(sentence)
    return out


# The centre's own name, in quotes in the region's centre ("… 지원센터 '이음마루'")
_NICKNAME_RE = re.compile(r"['‘\"“「]([^'’\"”」]{3,20})['’\"”」]")
# The ward or city office named in a Chinese, Japanese or Vietnamese question ("区役所で印鑑
# 登録はできますか", "去区政府办…", "ủy ban phường"): where residents writing in those languages
# go for the office's own procedures (registrations, certificates, insurance), not a programme
_WARD_OFFICE_RE = re.compile(
    r"区役所|市役所|役所|役場|区政府|市政府|区厅|区办事处|街道办|ủy ban (nhân dân )?(phường|quận)|"
    r"\bubnd\b|uy ban (nhan dan )?(phuong|quan)"
)
# The weather asked after ("내일 비 와요?", "có mưa không", "will it rain on Saturday"), not
# what happens to an event if it rains ("비 오면 어디서 해요?"): no record says it
_WEATHER_RE = re.compile(
    r"날씨|(?<![가-힣])(비|눈)\s?(와요|와\?|오나요|올까요?|옵니까|오냐|오노|온대요?|내려요)|"
    r"\bweather\b|\bwill it (rain|snow)\b|天气|天気|下雨吗|会下雨|雨(が|は)降|thời tiết|"
    r"(có|trời) mưa (không|chưa)|mưa không\b"
)
# What happened asked after, as news ("어제 … 불난거 다친사람 있어요?", "사고 났다던데 무슨
# 일이에요"): a fire, an accident, someone hurt — not what to do if one happens ("사고 나면")
_INCIDENT_RE = re.compile(
    r"불\s?(이\s?)?났|불난\s?(거|게|것|데)|사고\s?(가\s?)?났|다친\s?사람|다쳤|무슨\s?일\s?(이|임|있|났)|"
    r"\bwas (anyone|anybody|someone) (hurt|injured)\b|有人受伤|có ai bị thương|けが人"
)
# The dong's administrative office ("주민센터", "행정복지센터"), where public services are
# asked for: not the centre a KB's region names.
_ADMIN_CENTRE_RE = re.compile(
    r"주민\s?센터|행정\s?복지\s?센터|동\s?사무소|구청|시청|community service cent|\bdong office"
)


# "X가 뭐예요?", "X란 무엇인가요", "what is X?": what a thing is, X alone asked about
# (on the compact text: normalize's lower case, no spaces, no punctuation)
_DEFINED_KO_RE = re.compile(
    r"(.{2,}?)(?:이란|란|이라는게|라는게|이라는건|라는건|이|가|은|는)?"
    r"(?:뭐예요|뭐에요|뭔가요|뭐야|뭐임|뭐죠|뭐지|뭘까요|뭡니까|무엇인가요|무엇입니까|무엇이에요|"
    r"무엇이죠|무엇|뭔지알려주세요|무엇인지알려주세요|무슨뜻이에요|무슨뜻인가요)"
)
_DEFINED_EN_RE = re.compile(r"what\s?(?:is|s|are|does)\s?(?:the|a|an)?\s?(.{2,}?)(?:mean)?")


def _defined(key: str) -> str | None:
    """The thing a definition question asks about, of its compact text ("주민총회란무엇인가요"
    → 주민총회), or None when the question asks anything else."""
    m = _DEFINED_KO_RE.fullmatch(key) or _DEFINED_EN_RE.fullmatch(key)
    return m.group(1) if m else None


# An apartment complex's management office ("관리사무소 전화번호"): the complex's own, whose
# number, place or hours no KB holds (a programme needing its consent is asked of with the
# programme's words: "관리사무소 동의서 필요해요?")
_MANAGEMENT_OFFICE_RE = re.compile(
    r"관리\s?사무소|관리\s?사무실|관리실|경비실|\b(management|building) office\b"
)


def _only_office(a: _Analysis) -> bool:
    """The question is about the dong office, the district office or a complex's management
    office and nothing else ("동사무소 몇 시까지 해요?", "관리사무소 전화번호"): their hours,
    place and number are theirs, not the KB's."""
    if not (_ADMIN_CENTRE_RE.search(a.text) or _MANAGEMENT_OFFICE_RE.search(a.text)):
        return False
    # (its 사무실 is its own: "주민센터 사무실")
    rest = _MANAGEMENT_OFFICE_RE.sub(" ", _ADMIN_CENTRE_RE.sub(" ", a.topic))
    return not any(len(w) > 1 and w not in ("사무실", "office") for w in rest.split())


# What a question asks that a record of one kind has no field for: how much, the papers or
# the result of an event; where or at what time a programme is held. A record of the other
# kind close behind, that has it, is the one asked about.
_NO_FIELD = {
    "event": frozenset({"amount", "documents", "result"}),
    "grant": frozenset({"place", "time", "registration"}),
}
FACET_FITS = 0.85  # …when it scores this much of the leader's score at least
NAMED_FACET_FITS = 0.6  # (… or this much, when the question names both)
# An event asked when or where, its title holding the question's words: leads a record
# scoring this much of its score at most (:meth:`QAEngine._event_for_when`) …
WHEN_FITS = 0.5
# A FAQ entry whose own question asks the question's first facet, within this share of the
# leading entry's score, leads it (QAEngine._faq_for_facet): facets a FAQ question asks plainly
FAQ_FACET_FITS = 0.7
# Asked to be told when a new call opens (:meth:`QAEngine._matter_asked`)
_NEW_CALL_NOTICE_RE = re.compile(
    r"(새|새로운|새로)\s?(공모|지원\s?사업|사업)\S{0,3}\s.{0,20}?(알려|알림|문자|연락|소식)|"
    r"(공모|지원\s?사업)\S{0,2}\s?(뜨면|나오면|열리면|올라오면|생기면).{0,20}?(알려|알림|문자|연락|소식)|"
    r"\b(message|text|notif\w*|alert\w*|e-?mail|let (me|us) know|tell (me|us)|hear)\b.{0,40}?"
    r"\bnew (grant|call|programme|program|funding)s?\b|"
    r"\bnew (grant|call|programme|program|funding)s?\b.{0,40}?"
    r"\b(message|text|notif\w*|alert\w*|e-?mail|let (me|us) know|tell (me|us))\b|"
    r"新(的)?(项目|公募|补助).{0,10}(通知|告诉|提醒)|新しい(公募|助成|事業).{0,12}(お知らせ|通知|教え)|"
    r"(thông báo|báo).{0,20}(chương trình|dự án) mới"
)
_FAQ_FACETS = frozenset({"result", "deadline", "documents", "place", "time", "when", "contact"})
TITLED = 0.5  # … its title holding this share of the question's words at least


def _to_the_lead(
    candidates: list[_Candidate], leads: Callable[[_Candidate, _Candidate], bool]
) -> None:
    """The first of the three records after the leader that ``leads(record, leader)`` accepts
    trades places, and scores, with the leader. Re-sorts in place."""
    top = candidates[0]
    for candidate in candidates[1:4]:
        if leads(candidate, top):
            candidate.score, top.score = top.score, candidate.score
            candidates.sort(key=lambda c: c.score, reverse=True)
            return


def _facet_kind_fits(a: _Analysis, candidates: list[_Candidate]) -> None:
    """A grant and an event sharing words ("介護家族の集まり", the carers' circle, beside the
    carers' respite grant): the question's first facet says which — where it is held, whether
    to sign up (an event's); how much, which papers (a programme's). The leader without that
    field and the nearest record of the other kind trade places. Re-sorts in place."""
    if len(candidates) < 2 or not a.facets:
        return
    top = candidates[0]
    if a.facets[0] not in _NO_FIELD.get(top.record.kind, ()):
        return
    other = "grant" if top.record.kind == "event" else "event"

    def leads(candidate: _Candidate, top: _Candidate) -> bool:
        # (both named alike — "같이밥상 모임 뽑혔는지": the grant 같이밥상 and its hosts'
        # training, 같이밥상 모임지기 교육 — the field decides, whatever else the title shares)
        # (unless the question also asks what only the leader has: "내일 돌봄 프로젝트 발표
        # 몇시부터에요?", the presentation's time)
        both_named = min(top.name, candidate.name) >= NAMED
        fits = (
            NAMED_FACET_FITS if both_named and not set(a.facets) & _NO_FIELD[other] else FACET_FITS
        )
        return candidate.record.kind == other and candidate.score >= fits * top.score

    _to_the_lead(candidates, leads)


def _named_leads(candidates: list[_Candidate]) -> None:
    """One record named by its whole name or an alias ranks above the records of its kind
    that only mention it: a next-step grant whose text says "이웃만들기를 마친 모임" three
    times is not what "이웃만들기 마감 언제예요" asks about (a question for the next step is
    answered by :meth:`QAEngine._following_grant`). FAQ entries and events keep their
    scores: "이웃만들기 영수증 정산" is still the entry on receipts. Re-sorts in place."""
    named = [c for c in candidates if c.name >= 1.0]
    if len(named) != 1:
        return
    lead = named[0]
    ceiling = lead.score * 0.85
    changed = False
    for c in candidates:
        if c is not lead and c.record.kind == lead.record.kind and c.score > ceiling:
            c.score = ceiling
            changed = True
    if changed:
        candidates.sort(key=lambda c: c.score, reverse=True)


# What a group wants to do ("놓고 싶어요", "만들려고", "해보려는데", "we want to"): a question
# that describes it is about a programme, whatever service word its story holds.
_DOING_RE = re.compile(
    r"(고|보고)\s?싶|하려|해\s?보려|만들려|만들고|꾸미|가꾸|\bwe (want|would like|plan) to\b|"
    r"\bwe.?d like to\b|想要?|muốn|たい"
)
# …or what it already does, told as the setting of the question ("매주 모이는데", "동네
# 사랑방으로 쓰고 있어요", "쓰레기 줍는 모임 하는데"): a group's activity, money asked for it
_GOING_ON_RE = re.compile(
    r"(하|모이|모여|쓰|운영하|다니)\s?(는데|고\s?있)|모임\s?(을\s?)?하는데|"
    r"\bwe (run|meet|have been|already)\b"
)
# …unless what is wanted is to be told or to learn ("새 공모 뜨면 알림 받고 싶어요")
_LEARNING_RE = re.compile(r"(?:받|알|듣|보|배우)고\s?싶|\bwant to (?:know|hear|be told)\b")
# Money asked for, in the languages residents write ("지원돼요?", "có hỗ trợ kinh phí không")
_FUNDING_RE = re.compile(
    r"지원|돈|자금|보조|\b(?:funding|money|support|grant)\b|资助|补助|支援|支持|hỗ trợ|"
    r"kinh phí|tiền|補助|助成"
)
_HOW_MUCH_RE = re.compile(r"얼마|\bhow much\b|多少|bao nhiêu|いくら")


def _bare_topic(a: _Analysis) -> str:
    """The question's topic without Vietnamese, Chinese and Japanese function words ("có
    những chương trình … nào": there are, programmes, which; "を見たいです"), which the
    topic keeps (words of their own, not Korean particles): what is asked besides the
    filter's words."""
    if a.question_lang == "vi":
        return _VI_FUNCTION_RE.sub(" ", a.topic).strip()
    if a.question_lang in ("zh", "ja"):  # ("一覧を見たいです": I want to see the list)
        return _CJK_FUNCTION_RE.sub(" ", a.topic).strip()
    return a.topic


def _field_alone(a: _Analysis) -> bool:
    """A programme's deadline, papers or way to apply asked first, of programmes in general
    and none named ("공모사업 마감 언제예요?", "신청 서류 뭐 필요해요?", "How do I apply for
    a grant?"): each programme has its own — the list, each with its window, to choose from
    (an answer about one programme, or a FAQ entry sharing the words, would be a guess)."""
    if a.facets[:1] not in (("deadline",), ("documents",), ("how_to_apply",)):
        return False
    said = a.residual.split()
    if said and len(said[-1]) <= 2 and _verbal(said[-1]):
        said.pop()  # (what is left of the verb ending it: "내요"; not a name mistyped,
        # 이욷만들기, nor a matter, 중간보고, 영수증처리, 안건)
    return (a.criteria.grant_words or bool(said)) and all(
        _APPLYING_WORD_RE.fullmatch(w) or w in _NEEDED_WORDS or w in FILLER_WORDS
        for w in said
        if not GRANT_WORDS_RE.fullmatch(w)
    )


# what a question about applying in general says besides its cue ("신청 마감", "apply")
_APPLYING_WORD_RE = re.compile(
    r"(?:신청|접수|공모|지원)(?:사업|금|서)?|appl(?:y|ying|ications?)|grants?|programm?e?s?"
)
_NEEDED_WORDS = frozenset("필요 need needed required submit".split())


def _how_much_alone(a: _Analysis) -> bool:
    """How much? asked first, of nothing named ("지원금 최대 얼마까지 받아요?"; not "자부담이
    뭐예요?", where the word of the cue is what is asked about)."""
    return a.facets[:1] == ("amount",) and not a.topic and bool(_HOW_MUCH_RE.search(a.text))


# The thing a short Korean question asks for is its last noun ("산단 통근버스 시간표 좀
# 알려주소": 통근버스; "다세대 주택 불법 건축물 신고하려면": 건축물). A topic word ending so is
# no noun but what is left of a verb, an adverb or a counted word ("바꿔도", "열고", "사서",
# "같이", "몇장") — Hangul has no part-of-speech tags without a morphological analyser, and
# its last syllable tells most of them apart (a few nouns so ending: _NOUNS_SO_ENDING);
# one with ㅆ under it (갔, 있, 했) is a verb's past or "있다".
_VERBAL_LAST = frozenset(
    "도어아여워와봐해돼줘러려면믄카까기게겠데요냐니죠야대래네다라며는은던된한할될갈볼줄걸건거것께"
    "랑엔에당씩쯤째때들고서지로내히리이가나되혀힌을음림함든겨예수꺼"
)
# …of the nouns so ending, the Sino-Korean ones a thing asked ends in ("단계평가", "건축허가")
_NOUNS_SO_ENDING = frozenset("평가 허가 추가 휴가 단가 증가 물가 금지 도로".split())
_NOT_A_THING_RE = re.compile(
    r"\d|몇|살$|다음|지난|이번|좀더|뭐|머머|^[ㄱ-ㅎㅏ-ㅣ]|여부|^(?:따로|그냥|벌써|아직|실제|정확|"
    r"직접|먼저|혹시|계속|최소|최대|매번|아무나|저한테|한꺼번|앞으|가을|봄|여름|겨울|연말|연초|서울|"
    r"비율|비중|퍼센트|진짜|정말|한달|매달|매년|하루|일년|올해|요즘|지금)"
)  # (adverbs, seasons, limits, a share and a place: said beside the thing, not the thing)
# …said as who asks or as a means ("우리 동호회도 신청할수 있어요?", "문자로 받아볼 수")
_SUBJECT_SUFFIX_RE = re.compile(
    r"(?:도|은|는|이|가|만|까지|에서|에게|한테|랑|이랑|하고|와|과|의|로|으로|에)(?:\s|$)"
)
# …but the subject of what is asked is the thing ("배추 수매가 올해 얼마래요", "숙소 점검은
# 언제 해요")
_ASKED_OF_RE = re.compile(
    r"(?:이|가|은|는)\s(?:(?:올해|이번|요즘|지금|내년|보통|대략)\s)?(?:얼마|언제|어디|몇|누가|누구)"
)
# Nouns that say what is done about the thing asked, not the thing ("불법 건축물 신고")
_ASKING_NOUNS = frozenset(
    "신고 신청 예약 등록 대여 접수 문의 가입 발급 설치 구매 구입 상담 방법 시간 시간표 장소 위치 "
    "일정 조건 자격 기간 기한 요금 비용 절차 서류 번호 전화번호 설립 변경 연장 시작 수리 고장 교체 "
    "보수 공사 갱신 처리 납부".split()
)
# …and verbs that ask how to get it ("받으려면", "어디서 사요", "공고 어디서 봐요"); any other
# verb ending a question says what a group does or may do ("장터 열고 싶어요", "노트북 사도
# 돼요?"): a programme's matter whatever the thing is
_ASKING_VERB_RE = re.compile(
    r"(?:받|보|사|하|구하|찾|넣|내|가)(?:으려면|려면|으면|면|을|는|나|요|야|려고|고)|"
    r"봐요|봐야|알려|알려줘|되나|돼요|살수|받을수"
)
# The public offices residents go to: where something is asked, not the thing asked
_OFFICE_WORD_RE = re.compile(
    r"(?:[가-힣]{0,4})(?:면사무소|읍사무소|동사무소|주민센터|행정복지센터|구청|군청|시청|민원실)"
)
# …or a verb's form before what it modifies ("다시 바꿀 수 있어요", "몇 개까지 고를 수")
_COUNTED_RE = re.compile(r"\s?(\d+|[한두세네]|다섯|여섯|일곱|여덟|아홉|열)\s?(명|분|가구|세대)")
_MODIFIES_RE = re.compile(r"\s?(?:수|거|것|때|줄|지|데)(?:\s|$|가|는|도|를|예|에|요)")
# The noun before a closing verb (QAEngine._unknown_before_verb): of :data:`_SUBJECT_SUFFIX_RE`'s
# suffixes, those saying who asks, with whom or by what means ("뜨개질모임도", "문자로"),
# not what is asked for ("농지대장에 올리려면", "어업경영체 등록은")
_WHO_SUFFIX_RE = re.compile(r"(?:도|만|까지|에서|에게|한테|랑|이랑|하고|와|과|로|으로)(?:\s|$)")
# …and what is asked of the thing or done with it, not where to get it: how many of it
# ("컨소시엄 몇 팀까지 돼요?"), whether a group may or wants to ("노트북 사도 돼요?")
_COUNT_ASKED_RE = re.compile(r"몇|\d")
# …and what marks a noun as the thing asked for: a particle, or the asking noun after it
# ("농지대장에", "어선검사는", "어업경영체 등록은"; not an adverb: "꼬박꼬박 받아볼 수")
_ASKED_FOR_RE = re.compile(
    r"(?:은|는|을|를|이|가|에|으로|로)?\s(?:"
    + "|".join(sorted(_ASKING_NOUNS, key=len, reverse=True))
    + r")|(?:은|는|을|를|이|가|에)(?:\s|$)"
)
_MAY_OR_WANT_RE = re.compile(r"도\s?(?:돼|되|괜찮|될)|싶")
# The asker's own application, papers or place on a list, to be looked up ("신청서 메일로
# 보냈는데 접수된거 맞나요 확인부탁드려요", "정산서류 통과됐는지 알려주세요", "명단에 제이름
# 있는지 봐주세요", "can you check my name is on the list?"): no record says, the centre can
_OWN_STATUS_RE = re.compile(
    # (whether it was: "접수된거 맞나요", "통과됐는지"; not "접수된 서류는 …", "제 이름으로 …")
    r"((접수|통과|처리|입금|지급|등록)\s?(됐|되었|된\s?(거|건|것))\S*|"
    r"(제|내|저희)\s?이름(이)?\s?(있|올라|들어|빠)|명단에\s?(제|내|저희))"
    r".{0,20}?(확인\s?(좀\s?)?(부탁|해\s?주|해\s?줘)|봐\s?주|알려\s?주)|"
    r"\bcan you (please )?(check|confirm|look up)\b.{0,40}\b(my|our)\b|\bis my name on\b"
)
# Generic words a compound ends in after a noun of its own: the noun is the topic
# ("연탄지원": 연탄; not "신청하는", "참여하는")
_GENERIC_NOUNS = ("지원", "신청", "접수", "모집", "참여", "참가")
# The thing asked, said right before what asks of it when the question ends in a verb
# ("부가세 신고는 언제까지 해야하나요", "기초연금은 올해 한달에 얼마씩 나와요", "산지전용 허가
# 어디서 받아요", "전학시키려면 어디 가요"): :meth:`QAEngine.unknown_head`
_ASKED_THING_RE = re.compile(
    r"(?<![\w])([가-힣]{2,})\s"
    r"(?:(?:올해|이번|요즘|지금|내년|보통|대략|한\s?달에|한달|매달|매년|일년에|하루)\s)*"
    r"(?:얼마|언제|어디|어떻게)|"  # (not 몇, 무슨: "컨소시엄 몇 팀까지" asks of what follows)
    # …or the purpose said before the papers asked for ("전학시킬라믄 무슨 서류 떼가야")
    r"(?<![\w])([가-힣]{2,}(?:시키려면|시킬라믄|하려면|할라믄|할려면))\s"
    r"(?:무슨|어떤|뭔|뭐)\s?(?:서류|준비물)"
)
_THING_SUFFIX_RE = re.compile(
    r"(?:시키려면|시킬라믄|시키면|하려면|할라믄|할려면|은|는|이|가|을|를|도)$"
)
_VERB_FORM_RE = re.compile(
    r"(?:면|믄|고|서|요|죠|니까|데|라고|려|게|니|냐|지|야|어|아|해|돼|줘|러|며)$"
)
# …who is asked about, not a thing ("울엄마는 언제 신청해요")
_PERSON_RE = re.compile(
    r"(엄마|아빠|할머니|할매|할배|할아버지|아이|애기|아기|손주|남편|아내|부모|어르신|노인|가족|친구|"
    r"동생|아들|딸|팀원|회원|저희|우리|제가|내가|학생|주민)$"
)
HEAD_QUESTION_WORDS = 9  # longer: a description of what a group does, not a request
HEAD_QUESTION_WORDS_EN = 12
# English words that only ask, said around the thing asked for ("renew my … licence")
_EN_ASKING = frozenset(
    """apply applying register registering sign book booking buy buying get getting renew
    renewing pay paying report reporting request submit obtain issue issued join enroll enrol
    cancel change extend find see check make take go send bring use open opens close closes
    price prices cost costs fee fees time times hours schedule number contact address form
    forms online there here now today tomorrow week month year held hold holds run runs
    give gives put work works
    actually really just also still already yet again ever even only right left next last
    this these those that them they their your yours mine myself ourselves yourself own
    anyone anybody anything anywhere everyone everybody everything someone something thing
    things stuff kind kinds sort way ways able okay will would shall may might must little
    bit lot lots some more most until till before after during within around over under
    into onto off out down back away forward""".split()
)
# What an English question asks to get, report or find, said right after that verb ("How do I
# get a permit to sell …", "Where do I report a broken streetlight in …", "Is there free Wi-Fi
# at …"): the noun phrase's last word is the thing asked for, wherever the question ends
_EN_OBJECT_RE = re.compile(
    r"\b(?:(?:get|obtain|report|extend|renew|book|reserve|rent|borrow|find|need)\s+"
    r"(?:a|an|the|my|our|your|his|her|their|some|any))"
    r"\s+((?:[a-z][a-z0-9'-]*\s+){0,2}?[a-z][a-z0-9'-]*)"
    r"(?=\s+(?:for|to|in|at|on|of|with|before|after|near|from|by|about|that|which|who|where|what|"
    r"how|when|why|so|and|or|"
    r"but|if|while|because|i|we|you|it|they|is|are|can|could|would|should|do|does)\b|"
    r"\s*[?.!,]|\s*$)"
)
_SERVICE_SET = frozenset(SERVICE_WORDS) | frozenset(STRONG_SERVICE_WORDS)
# A KB's sentences, and those that rule a thing out ("…는 이 사업으로 쓸 수 없습니다")
_KB_SENTENCE_RE = re.compile(r"(?<=[.。!?！？])\s*|\n+")
_RULED_OUT_RE = re.compile(
    r"수\s?없|않습니다|않아요|제외|불가|안\s?됩니다|\bcannot\b|\bcan't\b|\bnot (be )?(covered|"
    r"eligible|allowed|used|paid)\b|\bexcluded\b|"
    # …or sends it to another office ("비자·보험 같은 행정 업무는 출입국·외국인청이나 해당
    # 기관으로 안내합니다", "… are referred to the immigration office")
    r"(기관|청|사무소|구청|군청|시청|공단)(이나|으로|로)\s?안내|\breferred to\b"
)
# …and what an English question asks whether there is ("Is there a rent subsidy for …"): named
# by another office's word beside it, a phrase the KB never says, it is that office's
_EN_THERE_RE = re.compile(
    r"\b(?:is|are) there (?:a|an|any|some)\s+((?:[a-z][a-z0-9'-]*\s+){1,2}?[a-z][a-z0-9'-]*)"
    r"(?=\s+(?:for|to|in|at|on|of|with|near|from|by|about|that|which|who|where|i|we|you)\b|"
    r"\s*[?.!,]|\s*$)"
)
_PRICE_WORDS = frozenset({"무료", "유료", "공짜"})  # passed like the asking: "정장 무료 대여"
_HAN_WORD_RE = re.compile(r"[\u4e00-\u9fff]+")
# A centre named by what it is for ("상담복지센터", "자원봉사센터"); the words residents call
# ours by, whatever its name ("마을센터", "공동체지원센터", "주민자치센터")
_NAMED_CENTRE_RE = re.compile(r"([가-힣]{2,8})센터")
_OUR_CENTRE_WORDS = "마을 공동체 지원 자치 주민 동네 우리 이웃 활동"


def _verbal(word: str) -> bool:
    """Is the topic word what is left of a verb or an ending, not a noun (see above)?"""
    if word[-2:] in _NOUNS_SO_ENDING:
        return False
    last = word[-1]
    return last in _VERBAL_LAST or jamo(last).endswith("ㅆ")  # ㅆ under it: 갔, 있, 했


_PLURAL_LEFT_RE = re.compile(r"들(이|은|는|을|를|도|만|이요|이에요)?")
_MONEY_NOUN_RE = re.compile(r"^(돈|예산|money|funds?|funding|budget)$")


def _only_money_nouns(text: str, cues: FacetCues) -> bool:
    """Every amount cue of the text is a noun for money, none asks how much."""
    found = [text[start:end] for facet, start, end in cues.matches if facet == "amount"]
    return bool(found) and all(_MONEY_NOUN_RE.match(w.strip()) for w in found)


_SUPPORT_ASKED_RE = re.compile(r"지원|\bapply\b|\bapplication")


def _grant_asked(a: _Analysis) -> bool:
    """A grant word or support asked for ("마을축제 지원 언제 신청해요": the grant, not the
    festival)."""
    return a.criteria.grant_words or bool(_SUPPORT_ASKED_RE.search(a.text))


_MEETING_VERBS = frozenset("모여 모이 모이는 모일 만나 만나는 만날".split())
"""Verbs of meeting, which name no topic after an answer about an event."""
# Words left of a question that name no topic ("그럼 언제까지 내요?" asks what "언제까지
# 신청해요?" does; after an answer about a grant, it is about that grant): verbs of handing in
# (내요, 보내요, 제출하면, 넣어), the question word 누구 ("담당자 누구예요?"), a bound said of a
# number ("몇 명 이상이어야 돼요?") and "comes" ("선정되면 연락 와요?")
_ASKS_NOTHING_RE = re.compile(
    # (typed without spaces, a particle before and "돼" after stay on: "서류어디로보내요",
    # "몇명이상이어야돼요")
    r"(으로|로|에|한테)?("
    r"(보)?(내|냈|낼)(요|나요|면|야|도|는|죠|어요)?|보내\S*|제출\S*|넣\S*|누구\S*|"
    r"(이상|이하|미만|초과)(이어|이여|이면|이라|이어야|이면요)|(와|오)(요|나요|죠)|"
    r"끝(나|났)\S*|"  # ("몇 시에 끝나요?": the time asked, what ends is what was answered)
    r"필요\S*|(해|하)(요|나요)?"  # ("서류 뭐 필요해요", "몇시에해요")
    r")(돼|되)?|"
    # the same in English and Chinese ("how many people do we need?", "when does it end?",
    # "can foreigners apply too?", "截止日期是什么时候")
    r"too|also|first|anytime|need|needed|end|ends|send|hand|bring|"
    r"日期|需要|结束|開始|开始|集合|しなくて|なくて|いい|"
    r"一个组|每组|一组|每个组|"
    # and what is left of a Vietnamese or Japanese question around its cue ("Hạn chót là khi
    # nào?", "Cần giấy tờ gì?", "Mấy giờ bắt đầu?", "いくらもらえますか", "どこでやりますか")
    r"là|được|cần|gì|tiền|bắt|đầu|もらえ|らえ|やり"
)
# What may be left of a follow-up around its cue (a verb's stem, a particle, a filler:
# "집합", "vậy", "헌당가"): one word of at most three letters
_LEFT_AROUND_A_CUE = 3
# Words that name nothing, said around a follow-up's cue: a pronoun, a filler, a verb of
# asking, in the languages residents write ("When will we know if we got it?", "Cái này tối
# đa được bao nhiêu tiền vậy?", "thời gian mấy giờ vậy", "이건 어케 신청하는거예요"): not
# counted as a thing of the question's own (bot/qa/engine.py QAEngine._names_another)
_NAMES_NOTHING_RE = re.compile(
    r"(?:this|that|these|those|it|its|one|ones|exactly|just|really|still|also|too|only|"
    r"please|pls|thanks|thank|thx|you|hi|hello|ok|okay|so|then|and|or|but|if|will|would|"
    r"could|should|can|know|get|got|wanna|want|need|do|does|did|is|are|was|were|be|we|i|me|"
    r"my|our|us|they|there|here|what|when|where|which|who|how|max|maximum|min|minimum|"
    r"about|for|of|in|on|at|to|by|with|yet|again|any|much|many|exact|sure|s|re|ll|ve|"
    # (an event's own doing: "where is it held?", "when does it start?"; coming to it, joining
    # it: "how many people can join?", "when will the results come out?")
    r"held|happen|happens|happening|located|start|starts|begin|begins|end|ends|finish|"
    r"come|comes|coming|out|up|join|joining|attend|attending|participate|show|go|going|take|"
    # (filling it in: "Can I fill in the form in English?")
    r"fill|filling|write|writing|"
    r"part|"
    # Vietnamese syllables, with and without their marks
    r"cái|cai|này|nay|đó|do|kia|vậy|vay|ạ|a|ơi|oi|nhé|nhe|thế|the|nào|nao|gì|gi|có|co|"
    r"không|khong|ko|k|được|duoc|dc|là|la|của|cua|cho|với|voi|tôi|toi|em|mình|minh|chị|chi|"
    r"anh|bạn|ban|ai|hỏi|hoi|gọi|goi|số|so|thời|thoi|gian|tối|đa|khi|lúc|luc|bao|nhiêu|"
    r"nhieu|phải|phai|cần|can|thì|thi|mà|ma|và|va|hay|rồi|roi|chưa|chua|đâu|dau|ở|o|"
    r"làm|lam|sao|mấy|may|ơ|ấy|ay|"
    # (a day, a month, an hour: "Hạn chót tháng 2 là ngày mấy?", "mấy giờ")
    r"ngày|ngay|tháng|thang|tuần|tuan|giờ|gio|hôm|hom|"
    # (in, the same, one, a classifier: "trong cùng một con hẻm")
    r"trong|cùng|cung|một|mot|con|"
    # (only … , right?: "Chỉ cần gửi email thôi hả?")
    r"chỉ|thôi|thoi|hả|ha|nhỉ|nhi|à|"
    # (plural marks, handing in, signing up, taking part: "Tôi cần nộp những giấy tờ gì?")
    r"những|nhung|các|cac|nộp|nop|đăng|dang|ký|ky|tham|gia|đi|di|đến|den|"
    r"tập|tap|trung|xuất|xuat|phát|phat|biết|biet|công|cong|bố|"
    # Korean: a thing pointed at, fillers, the asker, "how" typed as said
    r"이거|이걸|이건|이것|요거|요건|그거|그걸|그건|그것|저거|이번|그럼|그러면|근데|혹시|좀|"
    r"제가|저|저희|우리|울|나|내가|저랑|나랑|저하고|나하고|저도|나도|꼭|그냥|정도|어케|어캐|그담엔|그담|그다음|이제|아직|머머|뭐뭐|좀요|"
    # (going there to do it, getting it: "심사때 가서 발표해야돼요?", "견적 몇 군데서 받아야 함")
    r"가서|와서|받아|받아서|"
    # (setting off and gathering, "or else", the least or most: "어디서 출발해요", "신청해야
    # 돼요 아님 그냥 가면 돼요", "팀 최소 몇 명?")
    r"출발|집합|아님|아니면|최소|최대|"
    # (a verb's tail left when its stem was a cue: "잘못 찍었는데 바꿀 수 있어요?"; the change
    # itself, a vote changed asked)
    r"[었았였했겠]는데|[었았였했]어요|[었았였했]거든요?|바꿀|바꿔|바꾸|바꾸고|"
    # (ordinary, as of a group or a resident: "일반 모임은 신청 못하는거에요?"; thanks said
    # first; what is left of a verb made a noun: "…는거", "…는지")
    r"일반|감사|감사합|감사해|고마워|고맙|는거|는건|는게|는지|"
    r"한번|진짜|죠?[ㅠㅜᅲᅮ]+|[ㅋㅎ]+|"
    # when, and how (작년, 바로, 다시 …)
    r"작년|올해|내년|지난해|재작년|상반기|하반기|요즘|지금|처음|예전|전에|바로|이미|벌써|다시|"
    r"지난번|저번|이번엔|이번에는|다음번|"
    r"또|같이|함께|따로|먼저|나중|나중에|계속|원래|일단|그래도|그런데|괜찮\S*|맞(?:죠|제|나|나요|지|지요|아|아요|음|는지|니|습니까)?|"
    # Chinese and Japanese
    r"这个|那个|这|那|我|我们|请问|吗|呢|これ|それ|あれ|この|その|必要|需要|"
    r"集合|出发|出發|集まる|出発|"
    # (how many copies or sheets: "要交几份材料？"; at most, at least: "How much can we get
    # at most?")
    r"几份|几张|几页|几个|何部|何枚|most|least|"
    # (announced, the next time: "结果什么时候公布？", "下次是什么时候？", "次回はいつ")
    r"公布|发布|出来|下次|下一次|次回|今度|して|しても|する|します|"
    # the programme itself, said as such, and "briefly" ("이 사업 간단히 뭐예요?", "これ何を
    # する事業ですか？簡単に", "what is this programme about, briefly?")
    r"사업|프로그램|program|programme|project|事業|事业|项目|プログラム|"
    r"간단히|간단하게|대충|요약|briefly|simply|in short|簡単に?|简单(?:说|介绍)?|ngắn gọn|"
    # after, then ("신청하고 나면", "after we apply", "申请以后")
    r"나면|하고나면|after|afterwards|later|以后|之后|然后|後で|あとで|その後|sau khi|sau đó)",
    re.IGNORECASE,
)
# "…too, will it do?" ("책 만드는것도 되나", "주민 모임도 신청함?", "안해본 모임은 못해요?")
_ALSO_OK_RE = re.compile(
    r"\S도\s?(?:안\s?)?(?:되나|돼|되요|되죠|될까|되남|되노|됨|가능|신청\s?(?:돼|되|가능|함|할\s?수)|"
    r"지원\s?(?:돼|되|가능)|"
    # "may someone like that join too?" ("이사온지 얼마 안된 사람도 낄 수 있어요?")
    r"(?:할|낄|갈|올|들어갈|참여할|참가할|신청할|받을)\s?수\s?(?:있|없))|"
    r"\S[은는]\s?(?:못\s?해|안\s?돼|안\s?되)"
)
# … and in Japanese, Vietnamese, Chinese and English ("学生だけのチームでも大丈夫ですか？",
# "người nước ngoài cũng được không?", "学生也可以申请吗？", "students too?")
_ALSO_OK_ELSEWHERE_RE = re.compile(
    r"でも(?:大丈夫|いい|良い|ok|申し込め|申請でき|参加でき|でき)|"
    r"\bc(?:ũ|u)ng (?:được|duoc|đc|dc|có thể|co the)\b|也(?:可以|能|行)|"
    r"\b(?:can|could|may) (?:\w+ ){0,4}(?:join|apply|take part|participate|come) (?:too|as well)\b|"
    r"\balso (?:ok|okay|allowed|eligible)\b",
    re.IGNORECASE,
)
_SHORT_ELSEWHERE = 40  # letters
# Food at an event ("점심 줘요?", "간식 나와요?", "is lunch provided?", "管饭吗？"): right after
# an answer about one, asked of it — its card says what the day holds
_FOOD_RE = re.compile(
    r"(?:밥|간식|식사|점심|저녁|도시락|다과|음료|커피)\s?(?:은|는|도|이|가)?\s?"
    r"(?:줘|주나|주나요|줍니까|주는|나와|나오나|나옵|나오는|있어|있나|제공)|"
    r"\b(?:food|snacks?|lunch|dinner|meals?|drinks?|refreshments)\b.{0,20}"
    r"\b(?:provided|served|included)\b|"
    r"\b(?:is there|are there|will there be|do you (?:provide|serve)|any) (?:any )?"
    r"(?:food|snacks?|lunch|dinner|meals?|drinks?|refreshments)\b|"
    r"管饭|提供(?:午饭|饭|餐|点心|茶点|饮料)|有(?:饭|午饭|点心|茶点)吃?吗|"
    r"(?:食事|お弁当|弁当|昼食|軽食|おやつ)(?:は|が)?(?:出|あり|付)|"
    r"\b(?:đồ ăn|do an|ăn trưa|an trua|bữa trưa|bua trua|đồ uống|do uong)\b",
    re.IGNORECASE,
)
_GROUP_TAIL_RE = re.compile(r"(?:모임|동아리|단체|팀|클럽|합창단|밴드)$")
# Missing an event, or not able to come ("빠지면 어떻게 돼요?", "못 가면 어케돼요", "what if
# I can't make it?", "如果去不了怎么办？"): right after an answer about one, asked of it — what
# its card says of attending
_MISSES_RE = re.compile(
    r"(?:빠지|빠져|결석|불참|못\s?(?:가|오|와|들|듣|나가|참석|참여)|안\s?(?:가|오))\S{0,2}?"
    r"(?:면|하면|으면|는\s?경우|을\s?경우|을\s?때)(?:요)?(?!\S)|"
    r"\bif (?:i|we) (?:can'?\s?t|cannot|can not|don'?\s?t|miss|am unable|are unable)\b|"
    r"\bmiss(?:es|ed)? (?:it|a|one|the|class|session|a session)\b|"
    r"\bcan'?\s?t (?:make it|come|attend)\b|"
    r"去不了|来不了|不能(?:参加|去|来)|缺席|没(?:法|办法)(?:参加|去)|"
    r"(?:参加|出席)でき(?:ない|ません)|行けない|欠席|"
    r"không (?:đến|tham gia|đi) được|khong den duoc|\bvắng\b",
    re.IGNORECASE,
)
# A group or a kind of person ("모임", "주민", "회원")
_GROUP_WORD_RE = re.compile(
    r"모임|단체|동아리|주민|사람|회원|팀|가족|가게|상인|학생|어르신|"
    r"チーム|グループ|学生|高校生|团队|小组|\bnhóm\b|\bngười\b|\bteam\b|\bgroup\b|\bstudents?\b",
    re.IGNORECASE,
)
# A household's or a space's running cost (rent, upkeep, power, heating): another office's
# service asked alone ("월세 지원 받고 싶어요"), but asked of a grant just told ("월세도
# 지원돼요?", "家賃にも使えますか？") what that grant pays for
_HOUSEHOLD_COST_RE = re.compile(
    r"월세|임대료|임차료|관리비|공과금|전기세|전기료|전기요금|가스비|가스요금|수도세|수도요금|"
    r"난방비|냉방비|\brent\b|\butilit(?:y|ies)\b|electricity|heating|房租|租金|水电|电费|"
    r"家賃|光熱費|電気代|tiền thuê|tien thue|thuê nhà|thue nha|tiền điện|tien dien|điện nước"
)
# … asked of the grant just told: the cost "too" or "with this", and whether it may be paid
# ("월세도 지원돼요?", "월세도 이걸로 낼 수 있어요?", "전기세도 여기서 쓸 수 있나요?", "家賃にも使え
# ますか？", "can we use it to pay the rent?", "房租也可以用这个付吗？", "tiền thuê nhà có được
# không?"); not the cost told of ("관리비 왜 이렇게 많이 나왔죠", "임대료 올려달래요 어떻게
# 해야돼요", "월세 지원 받을 수 있는 데 있나요")
_COST_TOO_RE = re.compile(  # (Korean: right after the cost's word)
    r"(?:도|에도|로도|까지)\s?(?:\S+\s){0,2}?"
    r"(?:지원\s?(?:돼|되|가능)|되[나요죠남노는]|돼|될까|됨|가능|낼\s?수|내도|쓸\s?수|써도|"
    r"사용\s?(?:해도|할\s?수|가능|돼|되)|포함)"
)
_COST_OF_THIS_RE = re.compile(
    r"\b(?:use|spend) (?:it|this|the (?:money|grant|funds?))\b|"
    r"\b(?:does|will|can|could) (?:it|this|the grant|the money) (?:cover|pay|be used)\b|"
    r"也(?:可以|能)|用这(?:个|笔)|这笔钱|にも使え|に使え(?:ます|る)|これで(?:払え|使え)|"
    r"(?:có )?được không|duoc khong|\bcũng\b",
    re.IGNORECASE,
)
# "Which team?", "어느 층이에요?", "số nào?": one part of a record asked with "which", not a list
_WHICH_PART_RE = re.compile(
    r"\bwhich (?:team|department|office|floor|room|number|phone|door|entrance|building|hall|"
    r"desk|person)\b|어느\s?(?:층|팀|부서|과|방|건물|문|입구|쪽|분)|"
    r"\b(?:số|tầng|phòng|cửa|ban|bộ phận|người|chỗ)(?: điện thoại)? nào|"
    r"哪(?:个|一)?(?:层|楼|部门|房间|号码|位|个人)|どの(?:部署|階|部屋|課|チーム|建物)",
    re.IGNORECASE,
)
# Words of one part itself, which name nothing more when that part is asked ("which team
# handles this?", "담당 어느 팀이에요?", "which floor is it on?")
_PART_WORDS = {
    "contact": re.compile(
        r"담당\S*|팀|부서|team|department|office|desk|handles?|charge|person|no|number|"
        r"负责人?|部门|担当|部署|bộ phận",
        re.IGNORECASE,
    ),
    # (the way there too: "지하철역에서 가까워요?", "is it near the station?", "离地铁站近吗")
    "place": re.compile(
        r"층|건물|floor|building|楼|层|階|建物|tầng|tòa nhà|"
        r"(지하철|전철)?역\S{0,2}|[가-힣]{1,4}(?<!지)역(에서|이랑|까지|에|서)?|지하철\S{0,2}|"
        r"전철\S{0,2}|버스\S{0,2}|정류장\S{0,2}|stations?|subway|metro|bus|"
        r"地铁站?|车站|駅|nhà ga|ga|trạm|bến",
        re.IGNORECASE,
    ),
    # (how many may come: "정원 몇 명이에요?", "定員は何人ですか", "名额多少")
    "registration": re.compile(
        r"정원|인원|capacity|seats?|spots?|places|定員|名额|名額|人数|人數"
        r"|chỗ|suất",
        re.IGNORECASE,
    ),
}
_PART_WORDS["people"] = _PART_WORDS["registration"]
# A sum said and checked, a yes-or-no question of it ("최대 300만원 맞죠?", "200만원까지 받을
# 수 있는 거 맞아요?", "Is 500k the max?", "最多三百万吗？", "tối đa 5 triệu phải không?")
_SUM_CHECKED_RE = re.compile(
    r"맞(죠|지|아요|나요|나|습니까|제|는지)|(이|가)?\s?최대(예요|에요|인가요|죠|야)|까지(죠|인가요|예요|에요)|"
    r"\bthe (max|maximum|most|limit|cap|ceiling|top)\b|\bis that (right|correct)\b|"
    r"最多.{0,8}吗|上限.{0,6}吗|对吗|是吗|までですか|ですよね|phải không|đúng không",
    re.IGNORECASE,
)
# A paper's issuing asked ("재직증명서 떼려면 어디 가요?", "办理"): another office's, so the
# paper is no part word of the documents then (QAEngine._names_another)
_ISSUED_RE = re.compile(
    r"떼|발급|\bissued?\b|\bget (it|one|a \w+) issued\b|办理|开具|発行|\bcấp (lại|giấy)"
)
# (a paper named, the documents asked: "수료증도 내야 해요?", "견적은 몇 군데 받아요?" — the
# record's list of documents says whether it is one; the review and its presentation, how one
# applies asked: "심사 때 발표하러 가야 하나요?", "需要上台汇报吗？")
_PART_WORDS["documents"] = re.compile(
    r"[가-힣]*(증|증명서|확인서|동의서|견적서?|추천서|계약서|명세서|서약서|사본|등본|초본)|"
    r"certificates?|receipts?|quotes?|estimates?|证明|证书|收据|报价单?|証明書|見積(書|もり)?|"
    r"\S{0,3}[证証]|"
    r"giấy chứng nhận|báo giá|hóa đơn",
    re.IGNORECASE,
)
# (the group's own share of the sum: "우리 돈도 보태야 된다던데 얼마나 내요", "자부담은요?")
_PART_WORDS["amount"] = re.compile(
    r"보태\S*|자부담\S*|부담\S*|자비\S*|contribut\w*|share|put|pay|ourselves|own|"
    r"自付|自负|自己负担|自己負担|"
    r"tự (?:trả|đóng|góp)|đóng góp",
    re.IGNORECASE,
)
_PART_WORDS["how_to_apply"] = re.compile(
    r"심사\S{0,2}|발표\S{0,3}|ppt|피피티|panel|review|上台|评审|審査|hội đồng",
    re.IGNORECASE,
)
# "Is there …?" ("양식 있어요?", "is there a form?", "có mẫu đơn không?", "有翻译吗"), not
# "뭐 있어요?" (what is there)
_IS_THERE_RE = re.compile(
    r"(?<!뭐)(?<!뭐\s)(?<!뭐가)(?<!뭐가\s)있(?:어|나|나요|을까|는지|습니까|니|냐)|\bany\b|"
    r"\bare there\b|\bis there\b|有没有|ありますか|\bcó\b(?!.*\bnào\b).*\bkhông\b"
)
# The way of handing something in or taking part (online, by e-mail, in person): a manner,
# not a thing of its own ("How do I apply? online?", "面试是线上还是线下？")
_MANNER_RE = re.compile(
    r"online|offline|in person|e-?mail|mail|post|internet|website|"
    r"온라인|오프라인|비대면|대면|이메일|메일|우편|인터넷|홈페이지|"
    r"(?:线上|线下|网上|现场|邮件|邮寄|电子邮件)(?:还|吗|呢|的|还是)?|"
    r"trực tuyến|truc tuyen|qua mạng|qua mang|オンライン|対面|郵送|メール",
    re.IGNORECASE,
)
# A particle ending a noun ("개인으로", "회장이", "모임도")
_PARTICLE_END_RE = re.compile(
    r"(?:으로는|으로|로는|에서|에게|한테|이랑|하고|이면|은|는|이|가|을|를|도|만|의|에|로)$"
)
# A Korean verb's form: its ending ("해야돼", "되나", "해서", "는데", "떨어지면", "되능가")
_SAID_VERB_RE = re.compile(
    r"해야|돼|되[나는면고요지]|했|됐|하는|하면|해서|[어아]서|[는은던]데|[으지리기]면|나요|까요|"
    r"세요|시나|죠|능가|[노꼬]$|[온간한된은던든운]지$|"
    # (a time past, an honorific doing: "넘었는데" → 넘었, "하시는데" → 하시)
    r"[었았였겠]$|하시$|[되하]능$|될랑|(?:와|가|봐|내|들어|써|줘|받아|나와)야$|"
    # (a verb said with 못, "can't": "못들어가요", "못받나요", "못해요")
    r"^못[가-힣]{1,4}$|"
    # (going to work or school: "직장 다녀요", "대학 다니는데")
    r"^다(?:녀|녀요|녀서|녀도|니는데|니고|닌지|니면)$"
)
# "Another" of something, or "what about …": a question that turns from the record just
# answered ("다른 행사는요?", "what about the festival?", "Còn hội chợ ẩm thực thì khi nào?")
_ANOTHER_RE = re.compile(
    r"다른|딴\s|\bother\b|\banother\b|\bwhat about\b|\bhow about\b|\bcòn\b.{2,40}\bthì\b|"
    # one of its own, apart ("경로당 난방비 지원은 따로 있어요?", "a separate grant?")
    r"따로\s?(?:있|없|하는|받는|나오는)|\bseparate\b|另外|別に|"
    r"其他|别的|別の|他の|ほかの"
)
# Who would come or take part ("애들 데려가도 돼요?", "외국인도 할 수 있어요?"): asked with
# "may …?" right after an answer, of that record's rule of who may
_WHO_COMES_RE = re.compile(WHO_COMES + r"(끼리|도|이랑|랑|하고|을|를|은|는|이|가)?")


# Voting on site, on the assembly's day ("현장투표", "現場投票", "vote in person"): the event
# of that day, not the dong's online vote
_ON_SITE_RE = re.compile(
    r"현장\s?(?:에서\s?)?투표|현장에서|\bon[- ]?site\b|\bin person\b|现场投票|現場投票|現場で|"
    r"tại chỗ|tai cho|trực tiếp|truc tiep",
    re.IGNORECASE,
)
# Voting named ("투표", "찍어요", "vote", "投票", "bỏ phiếu", "投票"): of a dong's assembly day
_VOTE_WORD_RE = re.compile(r"투표|찍|\bvot(e|ing)\b|投票|bỏ phiếu|bo phieu|票", re.IGNORECASE)
# What is asked of an online vote, in its words ("몇 개 찍어요?", "안건 뭐뭐 있노", "投票到什么
# 时候？", "뭐뭐 올라왔어요?"): after an answer about a vote, of that vote
_VOTE_PART_RE = re.compile(
    r"안건|투표|찍|고르|고를|골라|선택|뽑|올라|몇|개|가지|뭐|\bvot|\bballot|\bitems?\b|\bchoices?\b|"
    r"投票|议题|議題|案件|bỏ|phiếu|bo|phieu"
)


def _of_the_vote(a: _Analysis) -> bool:
    """Does the question ask something of an online vote and name nothing else?"""
    c = a.criteria
    if a.dongs or a.categories or c.grant_filter or c.grant_rule or _ANOTHER_RE.search(a.text):
        return False
    if not (_VOTE_RE.search(a.text) or _VOTE_PART_RE.search(a.text)):
        return False
    return all(_VOTE_PART_RE.match(w) for w in _topic_words(a))


# "다른 행사는요?", "다른 사업도 있어요?", "any other events?", "别的活动呢？": the whole message
# asks what else there is of a kind — the list of that kind, as "행사 뭐 있어요?" asks it
_OTHERS_KO_RE = re.compile(
    r"\s*(?:그럼|그러면|혹시)?\s*(?:또\s*)?다른\s*"
    r"(?P<what>행사|교육|사업|공모사업|지원사업|공모|모임|프로그램|설명회|상담|축제|강좌|일정)"
    r"\s*(?:들)?(?:은|는|도|이|가)?\s*(?:요|있어요|있나요|있어|없어요|없나요|뭐\s?있어요|뭐\s?있나요)?"
    r"\s*[?？!.]*\s*"
)
_OTHERS_EN_RE = re.compile(
    r"\s*(?:and\s+|so\s+)?(?:are there\s+|is there\s+|any\s+|what\s+)*(?:other|more)\s+"
    r"(?P<what>events?|grants?|trainings?|programs?|programmes?|workshops?|meetings?)"
    r"(?:\s+(?:are there|do you have))?\s*[?!.]*\s*",
    re.IGNORECASE,
)
_OTHERS_ZH_RE = re.compile(
    r"\s*(?:还有)?(?:别的|其他|其它)(?P<what>活动|补助|培训|项目|课程)(?:呢|吗|有吗|有哪些)?[？?]?\s*"
)


def _others_asked(question: str) -> str | None:
    """The list question a "what other … (are there)?" message asks, or None."""
    if (m := _OTHERS_KO_RE.fullmatch(question)) is not None:
        return f"{m['what']} 뭐 있어요?"
    if (m := _OTHERS_EN_RE.fullmatch(question)) is not None:
        return f"what {m['what'].lower()} are there?"
    if (m := _OTHERS_ZH_RE.fullmatch(question)) is not None:
        return f"有什么{m['what']}？"
    return None


# "There" said of the record just answered ("거기 주차 돼요?", "is there parking there?")
# (in English and Vietnamese at the end: not "Is there a …", "ở đó" inside a story)
_THERE_RE = re.compile(r"거기|그곳|그쪽|那里|那儿|そこ|(\bthere|ở đó)\s*[?.!]*\s*$", re.IGNORECASE)


def _asked_after_the_case(a: _Analysis) -> tuple[str, ...]:
    """The facets cued where the question asks, not in the case it tells first ("상반기에
    떨어졌는데 이걸로 다시 넣을 수 있어?": 떨어졌 is the story, not the result asked)."""
    told = _OWN_CASE_RE.search(a.text)
    if told is None:
        return a.facets
    after = {
        f
        for f, start, end in a.cue_matches
        if start >= told.start()
        # (where one lives or works, told: "주소는 딴데에요", not the place asked)
        and not _LIVES_OR_WORKS_RE.fullmatch(a.text[start:end].strip())
    }
    return tuple(f for f in a.facets if f in after)


def _only_a_span_asked(a: _Analysis) -> bool:
    """Does the question name nothing but a span or a count and a verb, and ask of it ("30분
    밖에 안돼요?", "3주 다 들어야돼요?", "6시간을 하루에 다 하는거예요?")? Right after an
    answer, of that record: its card (or the part its cue asks)."""
    words = _topic_words(a)
    if not words or a.chitchat or not _ASKED_RE.search(a.text):
        return False
    spans = [w for w in words if _SPAN_OR_COUNT_RE.fullmatch(w)]
    return bool(spans) and all(
        w in spans
        or _NAMES_NOTHING_RE.fullmatch(w)
        or (_HANGUL_RE.fullmatch(w) and (_SAID_VERB_RE.search(w) or _ends_in_ssang_siot(w)))
        for w in words
    )


def _own_situation(a: _Analysis) -> bool:
    """Does the question tell only the asker's own age or group's size and ask whether that
    will do ("마흔인데 안되겠죠?", "우리 넷인데 돼요?")? After an answer, that record's rule
    of who may is asked (alone, it asks for the grants such an asker may apply for)."""
    c = a.criteria
    return (
        a.facets[:1] in (("eligibility",), ("people",))
        and (
            c.age is not None
            or c.group_size is not None
            or _HOUSEHOLDS_RE.search(a.text) is not None
        )
        and not (c.amount or c.superlative or c.status or c.grant_words or c.list_words)
        and not (a.dongs or a.categories)
        # (words that name nothing aside: "I'm 35, too old for this one?", "41살인데
        # 안되겠죠ㅠ"; a place in the group and a verb: "저 마흔인데 팀원으로도 못들어가요?")
        and all(
            _NAMES_NOTHING_RE.fullmatch(w)
            or _ROLE_WORD_RE.fullmatch(w)
            or (_HANGUL_RE.fullmatch(w) and _SAID_VERB_RE.search(w))
            for w in _topic_words(a)
        )
    )


# A place in the group ("팀원으로도", "회원이", "as a member"), or the asker's own home ("우리
# 단지 80세대밖에 안되는데")
_ROLE_WORD_RE = re.compile(
    r"(팀원|멤버|회원|구성원|참여자|팀장|모임장|members?|team|단지|아파트|빌라)"
    r"(으로도|으로|로도|로|이|가|은|는|도|에|에서)?",
    re.IGNORECASE,
)
# Households counted ("80세대밖에 안되는데", "30가구인데"): a complex's or an alley's size, the
# asker's own case (never a group's members: bot/qa/criteria.py's group size)
_HOUSEHOLDS_RE = re.compile(
    r"\d{1,4}\s?(?:세대|가구|집)\s?(?:이서|인데|이에요|예요|이고|이라|밖에|뿐|정도|이면|이상|쯤)"
)


# The asker's own case told, then "will that do?" / "may I?": "전입한지 6년 됐는데 안될까요",
# "우리 한들면인데 돼요?", "위원 아닌데 구경만 해도 되나요", "회계담당 말고 대표가 가도 돼요?",
# "상인 개인으로는 안돼?", "I'm not a member, can I still come?", "我是外国人可以吗",
# "Tôi ở phường khác có được không?", "会員じゃないけど参加できますか". Whatever the case's own
# words (a place, a person, a time lived here: words no record need use), right after an
# answer it asks that record's rule of who may. (Asked alone, nothing changes: the words are
# searched as always.)
_OWN_CASE_RE = re.compile(
    # a case told (…인데, …는데, …라서, …아니어도, X 말고, X로는) and, a few words on, "will
    # it do / may one" (돼요, 될까요, 안되나, 가능, 괜찮, 해도/가도/와도/껴도 되나)
    r"(?:[인는은던된한갔았었했겠건긴]데|[는은던]디|거든|이라서|라서|여서|이어서|니까|으로는|로는|말고|"
    r"아니어도|아니라도|아니어서|아닌데|아니고|없어도|없는데|이라도|라도|여도|이어도)"
    r"\S{0,3}(?:\s+\S+){0,3}?\s*"
    # (what one may do said before it: "…직장 다녀요. 투표돼요?", "참여 가능해요?")
    r"(?:(?:투표|참여|참가|신청)\s?)?"
    r"(?:안\s?|못\s?)?(?:돼|되[나요죠남노는면]|될까|될랑|되능|되겠|되지|됨|가능|괜찮|신청함|"
    # (…할 수 있어?, 넣을수 있나요)
    r"(?:[을할]\s?수\s?(?:있|없)(?:어|나|나요|을까|죠|어요|습니까)?)|"
    r"(?:해|가|와|껴|들어가|참여해|참석해|신청해|받아)도\s?(?:돼|되|괜찮))|"
    r"\b(?:i'?\s?m|i am|we'?\s?re|we are|i live|we live|i have|we have|i don'?\s?t|we don'?\s?t|"
    r"i'?\s?ve|we'?\s?ve|my|our)\b.{0,60}(?<!\bwhat )(?<!\bwhere )(?<!\bhow )(?<!\bwho )"
    r"\b(?:can|could|may) (?:i|we|they|he|she)\b|"
    r"\b(?:is that|would that be|is it|will that be) (?:ok|okay|fine|allowed|a problem)\b|"
    r"我.{0,30}(?:可以.{0,4}吗|行吗|能.{0,6}吗)|"
    r"\b(?:tôi|toi|em|mình|minh|chúng tôi)\b.{0,40}(?:có được không|được không|duoc khong)|"
    r"(?:けど|けれど|ですが|んですが).{0,20}(?:いいですか|大丈夫|できますか|行けますか)",
    re.IGNORECASE,
)


# A question, not a story: a question mark, or a Korean question's ending ("안돼요", "하나요",
# "거예요", "될까")
_ASKED_RE = re.compile(r"[?？]|(?:요|까|나|니|냐|죠|노|가|고|교)\s*$")
# Where the asker lives, works or studies, told as their case ("거기 직장 다녀요", "원룸 사는데",
# "주소는 딴데에요"): no thing of its own, whatever the KB says
_LIVES_OR_WORKS_RE = re.compile(
    r"직장|회사|학교|대학|대학교|가게|원룸|투룸|고시원|기숙사|자취방|공장|사업장|주소|본가|집|월세방|전셋집"
)
# A span or a count the asker tells of their case ("석달", "한달밖", "6년", "넉달째")
_SPAN_OR_COUNT_RE = re.compile(
    r"(?:(?:\d+|한|두|세|석|네|넉|다섯|여섯|일곱|여덟|아홉|열|몇)\s?"
    r"(?:달|개월|년|해|주|주일|일|명|살|시간|번|가구|세대|분|장|쪽|페이지|회|차|군데|곳|개)"
    r"|반년|반달|반나절|하루|이틀|사흘|나흘)"
    r"(?:밖|째|이|가|은|는|도|만|을|를|에|서|에서|이면|면)?"
)
# Something heard of ("간판 바꿔주는 사업 한다던데 우리 가게도 돼요?"): what follows asks of that,
# not of the record just answered
_HEARD_RE = re.compile(
    r"(?:한|있|준|해준|나온|생긴|생겼)다(?:던데|더라|길래|고\s?(?:하던데|들었|해서|하더라))|"
    r"들었는데|봤는데|얘기가\s?있던데|\bi heard\b|听说|聽說|nghe nói|聞いた"
)
# …and what the asker is, said of a word ("세입자인데", "직장인이라서", "학생이고"), or is not
_BEING = (
    r"\s?(?:이)?(?:인데|이라서|라서|이어서|여서|이고|이라|이에요|예요|입니다|이지만)|"
    # …or is not ("동아리 아니고 …", "상인회 말고")
    r"\s?(?:이|가)?\s?(?:아니고|아니라|아닌데|아니어도|아니라도|말고)"
)


def _word_terms(word: str) -> list[str]:
    """The terms a word is known by: a Latin word whole, each pair of its Hangul letters."""
    return [t for t in weighted_terms(word) if t[:2] in ("w:", "b:")]


def _asks_a_list(a: _Analysis) -> bool:
    """Does the question ask for a list (a dong's, a theme's, grants by a filter or a rule,
    "뭐 있어요"), not of one record?"""
    c = a.criteria
    return bool(a.dongs or a.categories or c.grant_filter or c.grant_rule or c.list_words)


def _filters_after(a: _Analysis) -> bool:
    """Does the question filter grants in a way that, right after an answer, still asks for
    a list (a sum, "the largest", open now)? An age alone is the asker's, or their
    parent's ("울 아부지 67세 친구분들이랑 노래모임 하시는데 이거 해당되나"): who may, of
    the record just answered."""
    c = a.criteria
    return bool(c.amount or c.superlative or c.status)


def _list_words_after(a: _Analysis) -> bool:
    """Does the question ask for a list in words that, right after an answer, still do?
    Not "which" of one part ("어느 팀이에요?", "which floor?", "số nào?") nor "is there …?"
    ("양식 있어요?", "is there a form?", "có mẫu đơn không?"): of the record just answered,
    unless the words around name something else (:meth:`QAEngine._names_another`). "뭐
    있어요?", "어떤 행사들 있어요?", "전부 알려줘" still ask for a list."""
    if not a.criteria.list_words:
        return False
    rest = _IS_THERE_RE.sub(" ", _WHICH_PART_RE.sub(" ", a.text))
    return LIST_WORDS_RE.search(rest) is not None


def _ends_in_ssang_siot(word: str) -> bool:
    """Does the Hangul word end in a syllable with ㅆ under it (있, 했, 갔, 껴있)? No noun
    does: it is "있다" or a verb's past."""
    last = ord(word[-1]) - 0xAC00 if word else -1
    return 0 <= last < 11172 and last % 28 == 20


def _part_word(word: str, facets: tuple[str, ...]) -> bool:
    """Is ``word`` one of a part asked itself ("team" with a contact asked, "floor" with a
    place: :data:`_PART_WORDS`)?"""
    stem = _PARTICLE_END_RE.sub("", word) or word
    return any(f in _PART_WORDS and _PART_WORDS[f].fullmatch(stem) for f in facets)


def _topic_words(a: _Analysis) -> list[str]:
    """The question's topic words that are not "그거", "거기" and the like (one letter
    neither): what it names beside its cues."""
    return [
        w for w in a.topic.split()
        if w not in DEICTIC_WORDS and len(w) > 1 and not _DEICTIC_RE.match(w)
    ]  # fmt: skip


def _names_nothing(a: _Analysis) -> bool:
    """Is every word of the question's topic one that names nothing (a filler, the asker,
    "this": :data:`_NAMES_NOTHING_RE`)?"""
    return all(_NAMES_NOTHING_RE.fullmatch(w) for w in _topic_words(a))


def _asking(a: _Analysis, facet: str, **criteria: Any) -> _Analysis:
    """``a`` asking ``facet`` first, with ``criteria`` changed (a filter read as a part)."""
    return replace(
        a,
        facets=(facet, *(f for f in a.facets if f != facet)),
        criteria=replace(a.criteria, **criteria),
    )


def _put_below(
    candidates: list[_Candidate], ceiling: float, which: Callable[[_Candidate], bool]
) -> None:
    """The candidates ``which`` picks (those not asked for) scored at most ``ceiling``, all
    re-sorted: what is asked for leads."""
    for candidate in candidates:
        if which(candidate):
            candidate.score = min(candidate.score, ceiling)
    candidates.sort(key=lambda candidate: candidate.score, reverse=True)


# A record whose title says it is about proposing ("우리동네 작은 수리 제안사업")
_PROPOSING_NAME_RE = re.compile(r"제안|건의|의제|propos|suggest|agenda", re.IGNORECASE)


def _most_received_asked(a: _Analysis) -> bool:
    """How much may be received at most ("최대 얼마까지 받아요", "tối đa bao nhiêu"), not
    what the money may be spent on."""
    return (
        "amount" in a.facets
        and _HOW_MUCH_RE.search(a.text) is not None
        and _AT_MOST_RE.search(a.text) is not None
        and SPEND_RE.search(a.text) is None
    )


def _leaders(candidates: list[_Candidate]) -> tuple[_Candidate | None, float]:
    """The first candidate (None without any) and the runner-up's score (0 without one)."""
    top = candidates[0] if candidates else None
    second = candidates[1].score if len(candidates) > 1 else 0.0
    return top, second


def _packed(text: str) -> tuple[str, list[int]]:
    """``text`` without its spaces, and where each of its characters stands in ``text``."""
    positions = [i for i, char in enumerate(text) if char != " "]
    return "".join(text[i] for i in positions), positions


def _kinds_in_grant_name(a: _Analysis, candidates: list[_Candidate]) -> bool:
    """The question asks a deadline of a grant it names by its whole name or an alias, and
    each of its event kind words is inside that name ("동네축제 마감 언제예요?": 축제 ends the
    grant's name 동네축제; "상호문화 마을강좌 언제까지": 강좌): no event of that kind is asked
    for. (Not a day said beside the name: "작년 마을축제 너무 시끄러웠어요" is the festival.)"""
    top = candidates[0] if candidates else None
    if top is None or top.record.kind != "grant" or top.name < 1.0 or "deadline" not in a.facets:
        return False
    packed, positions = _packed(a.text)
    at = packed.find(top.scored.matched)
    if at < 0 or not top.scored.matched:
        return False
    start, end = positions[at], positions[at + len(top.scored.matched) - 1] + 1
    return not find_criteria(f"{a.text[:start]} {a.text[end:]}").event_kinds


def _occurrences(text: str, part: str) -> list[int]:
    """Where ``part`` starts in ``text``, every time."""
    found: list[int] = []
    at = text.find(part)
    while at != -1:
        found.append(at)
        at = text.find(part, at + 1)
    return found


def _strip_ending(word: str) -> str:
    if len(word) < 3:
        return word
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            if ending == "가" and word.endswith(GA_NOUNS):
                return word  # 활동가: a noun, not 활동 + the subject particle
            return word[: -len(ending)]
    return word


def residual_text(
    text: str,
    spans: list[tuple[int, int]],
    *,
    keep_questions: bool = False,
    drop: tuple[str, ...] = (),
    keep_before: tuple[str, ...] = (),
) -> str:
    """The normalised question without cue, date and filter spans, fillers and endings.

    ``keep_questions`` keeps question words (어디, 언제 …), which FAQ questions contain;
    words containing one of ``drop`` are left out too — but of a Hangul word with one of
    ``keep_before`` after a noun of its own ("연탄지원", "난방비지원"), the noun is kept.
    """
    chars = list(text)
    for start, end in spans:
        for i in range(start, min(end, len(chars))):
            chars[i] = " "
    words: list[str] = []
    for word in "".join(chars).split():
        if keep_questions and word in QUESTION_WORDS:
            words.append(word)
            continue
        if word in FILLER_WORDS or word in PARTICLES:
            continue
        if any(d in word for d in drop):
            # (the generic word ends the compound: not "공동체지원센터", a name)
            at, key = min(((word.find(k), k) for k in keep_before if k in word), default=(-1, ""))
            rest = word[at + len(key) :]
            if (
                at >= 2
                and (not rest or rest in PARTICLES)
                and _HANGUL_RE.fullmatch(word[:at])
                and not any(d in word[:at] for d in drop)
            ):
                words.append(word[:at])
            continue
        word = _strip_ending(word)
        if keep_questions and word in QUESTION_WORDS:
            words.append(word)
        elif word not in FILLER_WORDS and word not in PARTICLES:
            words.append(word)
    return " ".join(words)


@dataclass
class _Analysis:
    text: str
    question_lang: str | None
    residual: str  # without facet cues, dates and filter values
    with_cues: str  # without dates and filter values (FAQ entries match on their cues)
    topic: str  # the residual without list, kind and grant words
    extra: list[str]
    dates: DateRange | None
    facets: tuple[str, ...]
    cue_matches: tuple[tuple[str, int, int], ...]  # every cue: (facet, start, end) in text
    criteria: Criteria
    categories: tuple[str, ...]
    dongs: tuple[str, ...]
    elsewhere: bool
    chitchat: bool
    centre: bool = False  # the centre itself is named ("센터", "centre", "中心")
    hours: bool = False  # … with a day or a time said of it ("토요일에도 센터 하나요")
    addressed: bool = False  # the centre spoken to ("your opening hours", "여기 몇 시까지")
    off_centre: str = ""  # the topic without the centre's name
    question: str = ""  # as asked (what the model encodes)
    # every date said outside a record's name, a story's too ("1월 중순에 했던 설명회"): the
    # day an event was on
    told_dates: DateRange | None = None
    han: str = ""  # a Chinese or Japanese question's Han words read in Korean (bot/qa/sino.py)
    clipped: str | None = None  # the grant a clipped name names (QAEngine._clipped_name)
    cosine: float = 0.0  # the best record's cosine (0 without the model)
    median_cosine: float = 0.0
    outside: float = 0.0  # the nearest everyday question for another office (bot/qa/outside.py)
    query_vector: Any = None  # the model's vector of the question, once encoded

    @property
    def about_centre(self) -> bool:
        """Only the centre is asked about (its contact, place or hours), nothing else."""
        return not self.off_centre and (
            self.centre
            or "contact" in self.facets
            or (self.addressed and (bool(self.facets) or self.hours))  # ("토요일 오전에
            # 방문해도 돼요?": coming by then, nothing else asked)
            # "where?" and nothing else, no record before it ("어디예요?", "Ở đâu?"): the
            # place asked of is the centre's, not whichever FAQ entry says "where"
            # "what time?" and nothing else, a weekday at most ("수요일은 몇시까지 해요?",
            # "금요일은 몇 시에 닫아요?"): the centre's hours
            or (
                self.facets == ("time",)
                and not self.extra
                and not (self.criteria.spans or self.criteria.word_spans or self.categories)
                and (
                    self.dates is None
                    or bool(self.dates.weekdays)
                    or _WEEKDAY_ONLY_RE.fullmatch(self.text[slice(*self.dates.span)].strip())
                    is not None
                )
                # (an honorific "하세요" left in the topic is no topic: "몇 시까지 하세요?")
                and all(_HONORIFIC_DOING_RE.fullmatch(w) for w in self.topic.split())
            )
            or (
                self.facets == ("place",)
                and not self.extra
                # (not "교육 장소", "설명회 금요일 … 어디서 해요": a kind, a day said)
                and not (self.criteria.spans or self.criteria.word_spans or self.categories)
                and self.dates is None
                and not any(len(w) > 1 for w in self.topic.split())
            )
        )


@dataclass
class _Candidate:
    record: Record
    score: float
    scored: Scored
    name: float = 0.0
    reasons: list[str] = field(default_factory=list)
    semantic: float = 0.0  # the model's bonus (included in score)


class QAEngine:
    """Answers questions from one validated knowledge-base snapshot."""

    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        fuzzy: bool = True,
        default_language: str = "ko",
        embedder: Embedder | None = None,
        vectors: VectorCache | None = None,
        background: bool = False,
    ) -> None:
        """``embedder`` adds semantic matching (vectors read from ``vectors``, the on-disk
        cache, where it has them); ``background`` encodes the missing ones in a thread
        while the engine answers (lexically for the records not encoded yet)."""
        self.kb = kb
        self.default_language = default_language
        self.grants = {g.id: g for g in kb.grants}
        self._fields_cache: dict[str, tuple[dict[str, str], str]] = {}
        self.faq = {f.id: f for f in kb.faq}
        self.events = {e.id: e for e in kb.events}
        # online assembly votes: when one can vote, who, how many choices, the items
        self.assemblies = {x.id: x for x in kb.assemblies}
        self.categories = {c.id: c for c in kb.categories}
        self.dongs = {d.id: d for d in kb.dongs}
        self._category_keys = self._keys(
            (c.id, part)
            for c in kb.categories
            for text in _texts(c.name)
            for part in re.split(r"[·,/]|\band\b", text)
        )
        self._dong_keys = self._keys((d.id, text) for d in kb.dongs for text in _texts(d.name))
        self._own_places = {compact(t) for t in _texts(kb.region.name)} | {
            key for key, _ in self._dong_keys
        }
        self._centre = [
            compact(t) for t in _texts(kb.region.centre, kb.region.name, kb.region.contact.address)
        ]  # ("모두의우체국 어디 있어요? 센터 주소요": the building the centre is in)
        # the centre's own name in quotes ("… 지원센터 '이음마루'"): residents call it by it
        # (three letters at least: a shorter one would be a word of many questions)
        self._centre_nicknames = tuple(
            dict.fromkeys(
                name
                for t in _texts(kb.region.centre)
                for m in _NICKNAME_RE.finditer(t)
                if len(name := compact(normalize(m.group(1)))) >= 3
            )
        )
        self.index = Index(self._records(), fuzzy=fuzzy)
        self._terms_of: dict[tuple[str, str], frozenset[str]] = {}
        # each FAQ entry's question in every language, compact (spacing and punctuation
        # aside); a question two entries share answers neither by itself
        faq_questions: dict[str, set[str]] = {}
        for faq in kb.faq:
            for text in _texts(faq.question):
                faq_questions.setdefault(compact(text), set()).add(faq.id)
        self._faq_questions = {
            key: next(iter(ids)) for key, ids in faq_questions.items() if key and len(ids) == 1
        }
        # the entries that say what a thing is ("주민총회가 뭔가요?"), by that thing: asked in
        # other words ("주민총회란 무엇인가요"), the same entry answers
        defines: dict[str, set[str]] = {}
        for faq in kb.faq:
            for text in _texts(faq.question):
                if (thing := _defined(compact(text))) is not None:
                    defines.setdefault(thing, set()).add(faq.id)
        self._faq_defines = {key: next(iter(ids)) for key, ids in defines.items() if len(ids) == 1}
        # each event's titles as one compact string, accents folded: the words of a question
        # are looked for in it (an event named more fully than a grant, a list narrowed)
        self._event_titles = {
            e.id: compact(_latin_plain(" ".join(_event_names(e)))) for e in kb.events
        }
        # what each FAQ entry's own question asks, read when first needed (:meth:`_faq_asks`;
        # reading all 5,000 of a large KB's at start-up took 1.5 s)
        self._faq_asked: dict[str, frozenset[str]] = {}
        # grants' official Korean names, which residents clip (aliases clipped matched
        # everyday words: 공원, 이사), from each of their words on ("동단위 시민참여예산"
        # is clipped 시참예 too)
        self._clippable = [
            (compact(tail), grant.id)
            for grant in kb.grants
            for name in (_NAME_SUFFIX_RE.sub("", n) for n in _texts(grant.name))
            for tail in (" ".join(name.split()[i:]) for i in range(len(name.split())))
            if _HANGUL_RE.fullmatch(compact(tail)) and len(compact(tail)) >= 4
        ]
        # two neighbouring words of a grant's name no other grant's name has: "the
        # multicultural neighbours grant" (of "Multicultural Neighbours Bridge Grant") names
        # it even where both words are also categories a list could be filtered by
        pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
        for grant in kb.grants:
            for name in _texts(grant.name):
                # (as the question is read: "Neighbours" is "neighbors" there)
                kept = [
                    w
                    for w in words(normalize(_PAREN_RE.sub(" ", name)))
                    if w not in _GENERIC_NAME_WORDS
                ]
                for pair in pairwise(kept):
                    pairs[pair].add(grant.id)
        self._name_pairs = {pair: next(iter(ids)) for pair, ids in pairs.items() if len(ids) == 1}
        # each word of each grant's name (first or not), which a resident clips to its head
        # before a programme word: "이웃 사업" (이웃만들기 지원사업), "the neighbour grant"
        self._name_words = [
            (word, i == 0, grant.id)
            for grant in kb.grants
            for name in _texts(grant.name)
            for kept in [[w for w in words(normalize(name)) if w not in _GENERIC_NAME_WORDS]]
            for i, word in enumerate(kept)
        ]
        # Vietnamese typed without marks gets the marks of the KB's words too
        self._vi_marks = VietnameseMarks(f"{r.title}\n{r.body}" for r in self.index.records)
        kb_text = "\n".join(compact(f"{r.title} {r.body}") for r in self.index.records)
        # (a word the KB says only to rule it out — "경로당 난방비·운영비는 이 사업으로 쓸 수
        # 없습니다" — is still another office's)
        said = "\n".join(
            compact(sentence)
            for r in self.index.records
            for sentence in _KB_SENTENCE_RE.split(f"{r.title}\n{r.body}")
            if not _RULED_OUT_RE.search(sentence)
        )
        self._services = tuple(w for w in SERVICE_WORDS if compact(w) not in said)
        self._kb_compact = kb_text
        # the KB's words as written (spaced), for the Korean readings of Han words
        self._kb_words = "\n".join(normalize(f"{r.title} {r.body}") for r in self.index.records)
        self._strong_services = tuple(w for w in STRONG_SERVICE_WORDS if compact(w) not in said)
        self._services_unmarked = _unmarked_services(self._services)
        self._strong_services_unmarked = _unmarked_services(self._strong_services)
        self.semantic: SemanticIndex | None = None
        # everyday questions for other offices (bot/qa/outside.py), encoded like records
        self.outside: SemanticIndex | None = None
        if embedder is not None:
            self.semantic = SemanticIndex(embedder, self._passages(), vectors)
            self.outside = SemanticIndex(embedder, [[q] for q in OUTSIDE_QUESTIONS], vectors)
            if background:  # (one thread: the records first, then the examples)
                self.semantic.start(then=self.outside)
            else:
                self.semantic.encode_all()
                self.outside.encode_all()

    @staticmethod
    def _keys(pairs: Any) -> list[tuple[str, str]]:
        keys: list[tuple[str, str]] = []
        for id_, text in pairs:
            key = compact(text)
            if len(key) >= 2:
                keys.append((key, id_))
        keys.sort(key=lambda k: len(k[0]), reverse=True)
        return keys

    # --- records ------------------------------------------------------------------
    def _records(self) -> list[Record]:
        records: list[Record] = []
        for grant in self.kb.grants:
            names = _grant_names(grant)
            categories = [
                t for c in grant.categories if c in self.categories
                for t in _texts(self.categories[c].name)
            ]  # fmt: skip
            body = [
                *_texts(grant.summary, grant.eligibility, grant.application.how, grant.support),
                *[t for d in grant.documents for t in _texts(d)],
                *_texts(grant.contact.team),
                *categories,
                "지원사업 공모사업 지원금 grant funding",
            ]
            records.append(
                Record("grant", grant.id, tuple(names), " \n ".join(names), " \n ".join(body))
            )
        for faq in self.kb.faq:
            title = [*_texts(faq.question), *faq.keywords]
            records.append(
                Record("faq", faq.id, (), " \n ".join(title), " \n ".join(_texts(faq.answer)))
            )
        for event in self.kb.events:
            names = _event_names(event)
            body = [
                *_texts(event.description, event.audience, event.place),
                _EVENT_KIND_WORDS.get(event.kind, ""),
            ]
            if event.dong and event.dong in self.dongs:
                body.extend(_texts(self.dongs[event.dong].name))
            records.append(
                Record("event", event.id, tuple(names), " \n ".join(names), " \n ".join(body))
            )
        for assembly in self.kb.assemblies:
            names = _event_names(assembly)
            body = [
                *_texts(assembly.eligibility),
                # the items' titles (their descriptions would bring every topic of a dong's
                # plan into the search: "반려견 놀이터" for a question on registering a dog)
                *[t for item in assembly.items for t in _texts(item.title)],
                _ASSEMBLY_WORDS,
                # how one votes, as the answer says it ("Choose up to 3 items.")
                "안건마다 찬성 반대 for or against each item"
                if assembly.method == "approve_reject"
                else f"안건 최대 {assembly.max_choices or len(assembly.items)}개 선택 고르기 "
                "choose pick up to items",
            ]
            if assembly.dong in self.dongs:
                body.extend(_texts(self.dongs[assembly.dong].name))
            records.append(
                Record("assembly", assembly.id, tuple(names), " \n ".join(names), " \n ".join(body))
            )
        return records

    def _passages(self) -> list[list[str]]:
        """What the model encodes of each record: its names, then its text in pieces,
        each piece led by the record's name in the piece's language."""
        out: list[list[str]] = []
        for record in self.index.records:
            if record.kind == "grant":
                grant = self.grants[record.id]
                title, body = grant.name, [grant.summary, grant.eligibility, grant.support]
            elif record.kind == "faq":
                faq = self.faq[record.id]
                title, body = faq.question, [faq.answer]
            elif record.kind == "assembly":
                assembly = self.assemblies[record.id]
                title, body = assembly.title, [assembly.eligibility]
            else:
                event = self.events[record.id]
                title, body = event.title, [event.description, event.audience]
            names = title.as_dict()
            passages = list(dict.fromkeys(names.values()))
            for text in body:
                if text is None:
                    continue
                for lang, value in text.as_dict().items():
                    name = names.get(lang) or title.get(lang)
                    passages.extend(f"{name}: {piece}" for piece in _pieces(value))
            out.append(passages)
        return out

    # --- analysis -----------------------------------------------------------------
    def _unclip(self, text: str) -> str:
        """Residents clip programme names to their first syllables (공동체성장 → 공성,
        동네발전소 → 동발): a 2–3-syllable word the KB never uses whose syllables start one
        grant's official Korean name and follow in it in order is read as that name (two
        that fit are left alone). A word with a syllable twice (공공 빨래방, 부부) is a word
        of its own, not a clipping: clippings take the first syllables of different parts."""
        words = text.split()
        changed = False
        for i, word in enumerate(words):
            stem = _strip_ending(word)
            if (
                not 2 <= len(stem) <= 3
                or not _HANGUL_RE.fullmatch(stem)
                or len(set(stem)) < len(stem)
            ):
                continue
            if any(f"b:{stem[j : j + 2]}" in self.index.idf for j in range(len(stem) - 1)):
                continue  # a word (or part of one) the KB uses: not a clipping
            if stem in _SERVICE_SET:
                continue  # another office's word ("학자금대출 이자를": interest, not 이사철 자원…)
            if words[i + 1 : i + 2] == ["수"] or (
                stem[0] == "주" and i > 0 and words[i - 1][-1] in "봐해줘어아여워와려"
            ):
                continue  # a verb ("봐 주실 수 있어요": would you look; not 주민자치회 의제실행)
            found = {id_: name for name, id_ in self._clippable if _clips(stem, name)}
            if len(found) == 1:
                words[i] = next(iter(found.values())) + word[len(stem) :]
                changed = True
        return " ".join(words) if changed else text

    def _analyse(self, question: str, now: datetime, *, follows: str = "") -> _Analysis:
        """The question read: its words, dates, criteria and the facets it asks (``follows``:
        the kind of record just answered, whose own cues count too — a fee of an event, how
        many one picks of a vote: bot/qa/facets.py FEE_RE, CHOICES_RE)."""
        question_lang = detect_language(question)
        text = normalize(question[:MAX_QUESTION])
        read = question[:MAX_QUESTION].strip()  # (what the model reads)
        if question_lang == "ko":  # (the model too read 혼자 as applying on one's own)
            read = LIVING_ALONE_RE.sub("1인 가구", read)  # (a household of one)
        if question_lang == "zh":  # traditional characters as simplified, the glossary's
            text = as_simplified(text)  # and the readings' script ("會計" 会计 회계)
        if question_lang == "vi" and unmarked(text) == text:
            typed, text = text, self._vi_marks(text)  # "di bo" is "đi bộ" (without marks)
            if text != typed:  # the model reads the marks put back, too
                read = text
        text = self._unclip(text)
        names = self._name_spans(text)
        named = self._names_blanked(text, names)
        dated = self._date_text(named, now)
        dates = resolve_dates(dated, now)
        cues = detect_facets(text, normalized=True)
        if follows == "event":
            cues = with_cue(cues, text, "fee", FEE_RE)
        elif follows == "assembly":
            cues = with_cue(cues, text, "choices", CHOICES_RE)
        han = " ".join(sino_readings(text, question_lang)) if question_lang in ("zh", "ja") else ""
        if not cues.facets and han:
            # the facet asked in a Han word that reads as a Korean cue: 結果 결과, 対象 대상
            cues = FacetCues(detect_facets(han).facets, ())
        criteria = find_criteria(text)
        spans = [*date_spans(dated, now), *criteria.spans]
        # a cue inside a record's name stays in the topic: "예산" asks an amount, but in
        # "주민참여예산 2천만원 맞나요?" it is the end of the programme's name
        cue_spans = [
            (start, end)
            for start, end in cues.spans
            if not any(start < n_end and n_start < end for n_start, n_end in names)
        ]
        in_name = len(cue_spans) < len(cues.spans)
        # (how many one picks stays in the topic: its words, 고를 수 …, are the vote's own)
        cue_spans = [
            span for span in cue_spans
            if not any(f == "choices" and (s, e) == span for f, s, e in cues.matches)
        ]  # fmt: skip
        if in_name:  # "…implementation fund": the name's, no amount asked
            # a facet stays when one of its cues reaches outside every name ("주민자치활동
            # 지원 되나요": 지원 ends the name, 지원 되나요 asks eligibility)
            asked = {
                facet
                for facet, start, end in cues.matches
                if not any(n_start <= start and end <= n_end for n_start, n_end in names)
            }
            cues = FacetCues(tuple(f for f in cues.facets if f in asked), cues.matches)
        if not cues.facets and criteria.amount is not None and (in_name or criteria.age is None):
            # an amount said and nothing asked: "500만원짜리 … 다 되나요", "참여예산
            # 2천만원 맞아요?" (there even with an age said)
            cues = FacetCues(("amount",), cues.matches)
        elif not cues.facets and criteria.age is not None:  # "저 스물다섯인데 청년 사업 돼요?"
            cues = FacetCues(("eligibility",), cues.matches)
        elif (
            not cues.facets
            and criteria.group_size is not None
            and _WILL_IT_DO_RE.search(text) is not None
        ):  # "우리 셋이랑 이웃 둘 이렇게 다섯 명인데 텃밭 사업 돼요?": whether such a group may
            cues = FacetCues(("eligibility",), cues.matches)
        elif not cues.facets and _HOUSEHOLDS_RE.search(text):
            # "우리 단지 80세대밖에 안되는데": a complex's size told, whether it may
            cues = FacetCues(("eligibility",), cues.matches)
        elif "amount" in cues.facets and len(cues.facets) > 1 and _only_money_nouns(text, cues):
            # "what papers do we need to apply for money …": money is what is applied for,
            # the question asks the papers
            cues = FacetCues(tuple(f for f in cues.facets if f != "amount"), cues.matches)
        residual = residual_text(text, [*spans, *cue_spans])
        with_cues = residual_text(text, spans, keep_questions=True)
        extra = glossary_terms(text)
        if question_lang not in (None, "ko", "en"):
            # "补助" → "지원사업 grant" says a grant is meant (criteria read that); searched
            # for, it made the grant whose names repeat 지원사업 win every zh/vi/ja question
            extra = [x for x in extra if not set(x.split()) <= _GRANT_EXPANSION]
        spaced = normalize(" ".join([text, *extra]))
        # a Korean or English question names a theme in its own words (the KB names its
        # themes in both); the glossary's expansions (반찬 → "나눔 이웃", neighbourhood →
        # "이웃 동네") describe a record, they do not ask for a list of a theme
        categories = self._find_keys(
            text if question_lang in ("ko", "en") else spaced, self._category_keys
        )
        category_keys = tuple(k for k, id_ in self._category_keys if id_ in categories)
        dongs = self._find_keys(spaced, self._dong_keys)
        named_dongs = [k for k, id_ in self._dong_keys if id_ in dongs]
        dong_keys = tuple(k for k in named_dongs if not k.isascii())
        # a Latin name spans words ("hanbit 1 dong"): its place in the text, spaced any way
        dong_spans = [
            m.span()
            for k in named_dongs
            if k.isascii()
            for m in re.finditer(r"\b" + r"\s?".join(map(re.escape, k)) + r"\b", text)
        ]
        topic = residual_text(
            text,
            [*spans, *cue_spans, *criteria.word_spans, *dong_spans],
            drop=category_keys + dong_keys + GENERIC_WORDS,
            keep_before=_GENERIC_NOUNS,
        )
        # the plural left of a word taken out ("사업들이" → "들이"): no topic of its own
        # (nor a word that asks nothing: a verb of handing in, 누구, …)
        topic = " ".join(
            w
            for w in topic.split()
            if not _PLURAL_LEFT_RE.fullmatch(w) and not _ASKS_NOTHING_RE.fullmatch(w)
        )
        if question_lang in ("zh", "ja"):  # "可以申请的 有": no topic of its own
            # its Han words read in Korean, where the KB uses the reading (bot/qa/sino.py);
            # not what the glossary translated already (中心 is 센터 there, not 중심)
            # nor the words that ask a facet (時間 시간, 結果 결과): they are not the topic.
            # Japanese is read before the Chinese function words go: its kana part its words,
            # and 有 or 今 are inside them (政策共有会, 今年度)
            han_text = topic if question_lang == "ja" else _CJK_FUNCTION_RE.sub(" ", topic)
            extra += [
                w
                for w in known_readings(without_glossary(han_text), question_lang, self._kb_uses)
                if not detect_facets(w).facets and not _HOURS_RE.search(w)
            ]
            topic = " ".join(
                w
                for w in _CJK_FUNCTION_RE.sub(" ", topic).split()
                if not _ASKS_NOTHING_RE.fullmatch(w)  # (its words apart now: "需要 材料")
            )
        # (living elsewhere and working or studying here is who may take part: "저는 경기도
        # 살고 회사만 한결구에 있는데 그래도 괜찮나요" — the KB's answer, not another office's)
        elsewhere = self._elsewhere(text) and not _LIVES_THERE_WORKS_HERE_RE.search(text)
        centre = bool(CENTRE_RE.search(text)) or any(
            n in compact(text) for n in self._centre_nicknames
        )  # ("이음마루 어디예요", "where is Ieummaru")
        no_record_named = not (criteria.event_kinds or criteria.event_words or criteria.grant_words)
        # (not "수산시장 일요일도 문 열어요?": a place of a category is another door)
        door = no_record_named and not categories and bool(_DOOR_RE.search(text))
        hours = (
            (centre or door) and no_record_named and bool(_HOURS_RE.search(text))
        )  # (not "토요일에 센터에서 하는 교육": the trainings on Saturdays)
        centre_topic = _VISIT_RE.sub(" ", _HOURS_RE.sub(" ", topic)) if hours else topic
        if centre and no_record_named and "place" in cues.facets:  # how to get there
            centre_topic = _DIRECTIONS_RE.sub(" ", centre_topic)
        if question_lang == "vi":  # "cho tôi hỏi", "của", "là": no topic of their own
            centre_topic = _VI_FUNCTION_RE.sub(" ", centre_topic)
        off_centre = " ".join(
            w
            for w in CENTRE_RE.sub(
                " ", " ".join(w for w in centre_topic.split() if "센터" not in w)
            ).split()
            if len(w) > 1
            and not _ADDRESSED_RE.fullmatch(w)
            and not _CENTRE_FILLER_RE.fullmatch(w)
            # zh/vi: known words, and in Chinese and Japanese any word that is not the
            # centre's name ("社区中心的健身房": the gym is another door)
            and (
                question_lang in ("ko", "en")
                or self.index.knows(w)
                or (
                    question_lang == "zh"  # (Japanese words come in pieces: 電話 番号)
                    and _HAN_WORD_RE.fullmatch(w) is not None
                    and not detect_facets(w).facets
                    and not _HOURS_RE.search(w)
                )
            )
            and not self._centre_word(w)
            and not (question_lang in ("zh", "ja") and self._han_centre_word(w, question_lang))
        )
        if question_lang not in ("ko", "en"):  # its words the glossary knows ("bản tin"),
            # but not the centre's own ("trung tâm cộng đồng": 공동체, community centre)
            off_centre = " ".join(
                [
                    off_centre,
                    *(
                        w
                        for x in extra
                        if not CENTRE_RE.search(x)
                        and not (question_lang in ("zh", "ja") and self._centre_meaning(x))
                        for w in x.split()
                        if not self._centre_word(w)
                    ),
                ]
            ).strip()
        return _Analysis(
            text=text,
            question_lang=question_lang,
            residual=residual,
            with_cues=with_cues,
            topic=topic,
            extra=extra,
            dates=dates,
            facets=cues.facets,
            cue_matches=cues.matches,
            criteria=criteria,
            categories=categories,
            dongs=dongs,
            elsewhere=elsewhere,
            chitchat=bool(CHITCHAT_RE.match(text)),
            centre=centre,
            hours=hours,
            addressed=door or bool(_ADDRESSED_RE.search(text)),
            off_centre=off_centre,
            question=read,
            han=han,
            clipped=self._clipped_name(text),
            told_dates=_as_past(resolve_dates(named, now), named, now) if dated != named else dates,
        )

    def _kb_uses(self, word: str) -> bool:
        """Does ``word`` (Hangul, no space) stand inside one of the KB's words? (Its
        bigrams are looked up first: most readings fail there, without a scan of the text.)"""
        return all(f"b:{a}{b}" in self.index.idf for a, b in pairwise(word)) and (
            word in self._kb_words
        )

    def _centre_word(self, word: str) -> bool:
        """A word of the centre's own name, its region's or its address ("공동체", "한빛로")."""
        return any(compact(word) in c for c in self._centre)

    def _han_centre_word(self, word: str, lang: str) -> bool:
        """A Chinese or Japanese word made of the centre's name ("社区自治中心在哪里": 社区
        is 공동체 in the glossary, 自治 reads 자치; the centre's name is 마을자치센터)."""
        meanings = [*glossary_terms(word), *sino_readings(without_glossary(word).strip(), lang)]
        return bool(meanings) and all(self._centre_meaning(x) for x in meanings)

    def _centre_meaning(self, expansion: str) -> bool:
        """A glossary expansion (alternatives: "공동체 마을 community") one of whose Korean
        words is of the centre's name."""
        return any(self._centre_word(w) for w in _HANGUL_RE.findall(expansion))

    @staticmethod
    def _names_blanked(text: str, names: list[tuple[int, int]]) -> str:
        """The question with record names (``names``, "내일학교") blanked out (same length):
        a time word inside a name is no date."""
        chars = list(text)
        for start, end in names:
            chars[start:end] = "x" * (end - start)
        return "".join(chars)

    @staticmethod
    def _date_text(named: str, now: datetime) -> str:
        """The question as dates are read from it: ``named`` (:meth:`_names_blanked`) with the
        dates in a story about the past ("작년 5월에 … 했는데") blanked out too."""
        dated = named
        for _ in range(4):
            found = resolve_dates(dated, now)
            if found is None or not _PAST_STORY_RE.match(dated, found.span[1]):
                break
            start, end = found.span
            dated = dated[:start] + "x" * (end - start) + dated[end:]
        return dated

    def _name_spans(self, text: str) -> list[tuple[int, int]]:
        """Where record names of 3+ characters occur in the normalised question."""
        packed, positions = _packed(text)
        longest = self.index.longest_name
        spans: list[tuple[int, int]] = []
        start = 0
        while start < len(packed):
            end = min(len(packed), start + longest)
            while end >= start + 3 and packed[start:end] not in self.index.exact:
                end -= 1
            if end >= start + 3:
                spans.append((positions[start], positions[end - 1] + 1))
                start = end
            else:
                start += 1
        return spans

    def _elsewhere(self, text: str) -> bool:
        """Does the question name another district or city (not this KB's region), the
        province or a ministry?"""
        if any(_other_place(word, _PLACE_PARTICLES) for word in text.split()):
            return True
        if self._other_authority(text):
            return True  # (the province, a ministry, the district next door)
        for match in OTHER_PLACE_RE.finditer(text):
            place, suffix = match.group(1), match.group(2)
            if suffix in ("구청", "시청", "군청"):
                own = place + suffix[0]
                if own not in self._own_places and place not in ("주민", "마을", "우리"):
                    return True
        return False

    def _other_authority(self, text: str) -> bool:
        """Does the question name the province's office, a ministry or the district next door
        as whose a programme is (:data:`OTHER_AUTHORITY_RE`), one the KB itself never names?"""
        return any(
            compact(m.group(0)) not in self._kb_compact for m in OTHER_AUTHORITY_RE.finditer(text)
        )

    def _namesake(self, text: str) -> bool:
        """Is a programme named like ours said to be another's ("서울시 캠퍼스타운 창업팀
        모집", "전남도청에서 하는 어촌 … 씨앗사업도 있다든디", "옆군에서 하는 겨울나기")? The
        province, a ministry or the district next door said as whose it is
        (:meth:`_other_authority`), or a city of :data:`OTHER_PLACES` said right before a
        record's name (not "부산에서 이사 왔는데 …": where the asker comes from), unless the
        KB itself names that city (a programme it funds)."""
        if self._other_authority(text):
            return True
        starts = {start for start, _ in self._name_spans(text)}
        return any(
            following.start() in starts
            and (place := _other_place(word.group(0), _NAMESAKE_PARTICLES)) is not None
            and compact(place) not in self._kb_compact
            for word, following in pairwise(re.finditer(r"\S+", text))
        )

    @staticmethod
    def _find_keys(spaced: str, keys: list[tuple[str, str]]) -> tuple[str, ...]:
        """The ids whose keys (compact names) the normalised text holds: a Hangul key
        anywhere, spacing ignored (residents space Korean as they like); a Latin one as
        whole words ("arts" is not in "start something", "hanbit 1 dong" is "hanbit1dong")."""
        packed = spaced.replace(" ", "")
        starts: set[int] = set()
        ends: set[int] = set()
        at = 0
        for word in spaced.split():
            starts.add(at)
            at += len(word)
            ends.add(at)
        found: list[str] = []
        for key, id_ in keys:
            if id_ in found:
                continue
            # a Latin name in the plural said in the singular ("a neighbour grant" of
            # "Neighbours and networks", "art" of "Culture and arts")
            singular = key[:-1] if key.isascii() and key.endswith("s") and len(key) > 3 else None
            if key not in packed and (singular is None or singular not in packed):
                continue
            if not key.isascii() or any(
                i in starts and (i + len(form) in ends or i + len(form) + 1 in ends)
                for form in (key, singular)
                if form is not None
                for i in _occurrences(packed, form)
            ):
                found.append(id_)
        return tuple(found)

    # --- ranking ------------------------------------------------------------------
    def _rank(self, a: _Analysis, widen: bool = False) -> list[_Candidate]:
        if not a.with_cues and not a.extra:
            return []
        known_only = widen or a.question_lang not in (None, "ko", "en")
        results = self.index.search(a.residual, a.extra, known_only=known_only, kinds=_RECORD_KINDS)
        results += self.index.search(a.with_cues, a.extra, known_only=known_only, kinds=_FAQ)
        record_facets = {"deadline", "amount", "documents", "place", "time", "result",
                         "contact", "registration", "people", "when", "opens"}  # fmt: skip
        c = a.criteria
        event_hint = (
            a.dates is not None
            or c.event_words
            or bool({"time", "place", "registration"} & set(a.facets))
        )
        faq_hint = not record_facets & set(a.facets)
        application_asked = bool({"opens", "result", "documents"} & set(a.facets)) and not (
            {"time", "place", "registration", "audience"} & set(a.facets) or event_hint
        )
        cue_words = len(a.with_cues.split()) > len(a.residual.split())
        candidates: list[_Candidate] = []
        vote_words = bool(_ASSEMBLY_ASKED_RE.search(a.text))
        for scored in results:
            record = self.index.records[scored.doc]
            if record.kind == "assembly" and not vote_words:
                continue  # (its items' words are no vote asked: "반려견 등록 어떻게 하나요")
            name = max(0.0, (scored.name - NAME_FLOOR) / (1 - NAME_FLOOR))
            score = max(scored.lexical, 0.95 * name) + 0.15 * min(scored.lexical, name)
            if record.kind == "grant" and (c.grant_words or c.group):
                score *= 1.1  # (a group's size said: "시장 상인이랑 주민이 같이 하는 거 있어요?
                # 우리는 5명인데" asks for a programme, not for the forum of that name)
            elif record.kind == "event" and event_hint:
                score *= 1.1
            elif record.kind == "event" and c.grant_words and not c.event_kinds:
                score *= 0.85  # a grant word and nothing of an event ("해변 쓰레기 줍는 모임
                # 지원금 받을 수 있나요?"): the programme that pays, not the clean-up day
            elif record.kind == "event" and application_asked:
                score *= 0.9  # when applications open, the documents, the result: a
                # programme's ("When does the Youth Lab open for applications?" is not the
                # Youth Lab's briefing)
            elif record.kind == "faq" and faq_hint:
                score *= 1.2 if a.facets[:1] == ("summary",) else 1.1
            if record.kind == "faq" and cue_words and scored.title >= FAQ_CUES:
                # the FAQ question also has the question's cue ("투표 자격", "누가"), which
                # grants and events were matched without: it covers more of the question
                score *= 1.15
            candidates.append(_Candidate(record, score, scored, name))
        candidates.sort(key=lambda c: c.score, reverse=True)
        if self.semantic is not None and a.question and not self._settled(a, candidates):
            self._fuse(a, candidates)
            candidates.sort(key=lambda c: c.score, reverse=True)
        for candidate in candidates:
            if candidate.record.id == a.clipped and candidate.record.kind == "grant":
                # ("이웃 사업 마감 언제예요?": named as residents clip it, as by an alias)
                candidate.name = max(candidate.name, 1.0)
        _named_leads(candidates)
        self._event_named_more(a, candidates)
        _facet_kind_fits(a, candidates)
        self._event_for_when(a, candidates)
        self._faq_for_facet(a, candidates)
        self._event_of_kind_for_field(a, candidates)
        return candidates

    def _faq_asks(self, faq_id: str) -> frozenset[str]:
        """The facets a FAQ entry's own question asks, in any of its languages: an entry
        that asks no "when" is no answer to when something is (:meth:`_event_for_when`)."""
        asks = self._faq_asked.get(faq_id)
        if asks is None:
            texts = _texts(self.faq[faq_id].question)
            asks = frozenset(f for text in texts for f in detect_facets(text).facets)
            self._faq_asked[faq_id] = asks
        return asks

    def _event_for_when(self, a: _Analysis, candidates: list[_Candidate]) -> None:
        """When or where something is, asked first ("주민총회 몇 시에 해요", "Where is the
        general assembly held?"): the event whose title holds the question's words leads a
        record that only mentions them — an event whose title holds fewer (주민자치학교,
        whose text names 주민총회) or a FAQ entry whose own question asks no when or where
        (주민총회가 뭔가요?). Re-sorts in place."""
        if len(candidates) < 2 or not a.facets or a.facets[0] not in ("time", "place"):
            return
        asked = {"time", "when"} if a.facets[0] == "time" else {"place"}
        top = candidates[0]
        if top.record.kind == "faq" and not asked & self._faq_asks(top.record.id):
            fewer = top.scored.title  # (as many of the question's words will do)
        elif top.record.kind == "event":
            fewer = top.scored.title + 0.01
        else:
            return
        _to_the_lead(
            candidates,
            lambda c, top: (
                c.record.kind == "event"
                and c.scored.title >= max(fewer, TITLED)
                and c.score >= WHEN_FITS * top.score
            ),
        )

    def _faq_for_facet(self, a: _Analysis, candidates: list[_Candidate]) -> None:
        """Two FAQ entries sharing the question's words, one of which asks what the question
        asks ("선정되면 연락 와요?": the entry on when results are out, not the one on being
        selected twice): the entry whose own question asks the question's first facet leads
        one whose question asks other things. Re-sorts in place."""
        if len(candidates) < 2 or not a.facets or a.facets[0] not in _FAQ_FACETS:
            return
        asked = a.facets[0]
        top = candidates[0]
        if top.record.kind != "faq" or asked in self._faq_asks(top.record.id):
            return
        _to_the_lead(
            candidates,
            lambda c, top: (
                c.record.kind == "faq"
                and asked in self._faq_asks(c.record.id)
                and c.score >= FAQ_FACET_FITS * top.score
            ),
        )

    def _event_of_kind_for_field(self, a: _Analysis, candidates: list[_Candidate]) -> None:
        """Sign-up asked first of an event kind the question names ("外国人向けの相談会は
        予約しないと行けませんか": a consultation, booked?): an event of that kind leads a FAQ
        entry sharing the question's other words whose own question asks no sign-up and names
        no such kind. Re-sorts in place."""
        kinds = set(a.criteria.event_kinds)
        if len(candidates) < 2 or not kinds or not a.facets:
            return
        asked = a.facets[0]
        top = candidates[0]
        if (
            asked != "registration"  # (when and where: :meth:`_event_for_when`)
            or top.record.kind != "faq"
            or asked in self._faq_asks(top.record.id)
            # (an entry whose own question names the kind is about it: "공모사업 사전상담은
            # 어떻게 받나요?" for "미리 상담 받으려면 예약하고 가야 돼요?")
            or any(
                event_kinds_in(normalize(text)) & kinds
                for text in _texts(self.faq[top.record.id].question)
            )
        ):
            return
        _to_the_lead(
            candidates,
            lambda c, top: (
                c.record.kind == "event"
                and self.events[c.record.id].kind in kinds
                and c.score >= NAMED_FACET_FITS * top.score
            ),
        )

    def _event_named_more(self, a: _Analysis, candidates: list[_Candidate]) -> None:
        """A grant named by an alias ("언어교환") is not what is asked when an event's title
        holds the same words and more of the question's ("언어교환 카페 다음엔 언제 해요?",
        "돌봄 프로젝트 발표 몇시부터에요?": the café, the presentation day): that event
        leads, as the grant led. Re-sorts in place."""
        top = candidates[0] if candidates else None
        if top is None or top.record.kind != "grant" or top.name < NAMED:
            return
        if a.facets and not {"time", "place", "registration", "when", "people"} & set(a.facets):
            return  # "how much can a team get for the campus project": the grant's amount
        words = {
            compact(_latin_plain(w))
            for w in (_strip_ending(w) for w in a.text.split())
            if len(w) > 1 and w not in FILLER_WORDS
        }
        grant_names = compact(_latin_plain(" ".join(_grant_names(self.grants[top.record.id]))))
        in_grant = {w for w in words if w in grant_names}
        if not in_grant:
            return
        for candidate in candidates[1:5]:
            if candidate.record.kind != "event":
                continue
            title = self._event_titles[candidate.record.id]
            in_title = {w for w in words if w in title}
            if in_grant <= in_title and in_title - in_grant:
                candidate.score, top.score = top.score, top.score * 0.75
                candidate.name = max(candidate.name, top.name)
                candidates.sort(key=lambda c: c.score, reverse=True)
                return

    def _settled(self, a: _Analysis, candidates: list[_Candidate]) -> bool:
        """Is the lexical answer exact and unambiguous, so that the model (most of a
        question's time) is not asked? A record's name is in the question word for word,
        the record leads clearly, and the question says little else ("이웃만들기 서류")."""
        if not SKIP_SETTLED or not candidates or a.question_lang not in ("ko", "en"):
            return False
        top = candidates[0]
        second = candidates[1].score if len(candidates) > 1 else 0.0
        if self.descriptive(a) or top.score - second < MARGIN * top.score:
            return False
        return top.name >= SETTLED_NAME or (
            top.score >= SETTLED_LEXICAL and top.score - second >= SETTLED_MARGIN * top.score
        )

    def _fuse(self, a: _Analysis, candidates: list[_Candidate]) -> None:
        """Add the model's opinion: a bonus for records closer than usual to the question.

        e5 cosines are compressed (0.82–0.90 for nearly everything), so the bonus is the
        distance above the median record; records without vectors yet get none.
        """
        semantic = self.semantic
        assert semantic is not None
        if a.query_vector is None:  # (once a question: a widened second ranking reuses it)
            a.query_vector = semantic.embedder.encode_query(a.question)
        best, ready = semantic.scores(a.query_vector)
        if not ready.any():
            return
        median = float(np.median(best[ready]))
        own = a.question_lang in (None, "ko", "en")
        weight = SEMANTIC_WEIGHT if own else SEMANTIC_WEIGHT_FOREIGN
        bonus = np.where(ready, weight * np.maximum(0.0, best - median), 0.0)
        a.cosine = float(best[ready].max())
        a.median_cosine = median
        if not a.outside and self.outside is not None and self.outside.complete:
            # (once a question, like its vector: a widened second ranking reuses it)
            a.outside = float(self.outside.scores(a.query_vector)[0].max())
        seen: set[int] = set()
        for candidate in candidates:
            candidate.semantic = float(bonus[candidate.scored.doc])
            candidate.score += candidate.semantic
            seen.add(candidate.scored.doc)
        extra = min(SEMANTIC_EXTRA, len(best))
        for doc in np.argpartition(-best, extra - 1)[:extra]:
            doc = int(doc)
            if doc in seen or bonus[doc] <= 0:
                continue
            scored = Scored(doc, 0.0, 0.0)
            scored.name, scored.matched = self.index.name_score(doc, a.text)
            candidate = _Candidate(self.index.records[doc], float(bonus[doc]), scored)
            candidate.semantic = candidate.score
            candidates.append(candidate)

    def _centre_faq(self, a: _Analysis) -> list[_Candidate]:
        """FAQ entries about the centre, matched with the facet's words ("어디", "몇시")."""
        facets = a.facets or (("opens",) if a.hours else ())
        words = " ".join(_CENTRE_FACET_WORDS.get(f, "") for f in facets)
        found = self.index.search(
            " ".join([a.with_cues, words]), [*a.extra, "센터 centre"], kinds=_FAQ,
            known_only=a.question_lang not in (None, "ko", "en"),
        )  # fmt: skip
        out = [_Candidate(self.index.records[s.doc], s.lexical, s) for s in found]
        asks = [w for f in facets for w in _CENTRE_TITLE_WORDS.get(f, ())]
        if asks:  # the entry itself asks where the centre is or when it opens ("…센터는 어디에
            # 있고 언제 여나요?"); one on booking its rooms until 9 pm is not the centre's hours
            out = [
                c
                for c in out
                if CENTRE_RE.search(c.record.title.lower())
                and any(w in c.record.title.lower() for w in asks)
            ]
        return sorted(out, key=lambda c: c.score, reverse=True)

    @staticmethod
    def _matter_asked(
        a: _Analysis, named: bool, top: _Candidate | None, candidates: list[_Candidate]
    ) -> str | None:
        """The words of a matter the question asks about whatever its other words say: two
        programmes named and both asked about ("이웃만들기랑 골목만들기 둘 다 넣어도 돼요?":
        applying to several), or a suggestion to put forward ("쓰레기통 더 놔 달라고 의견
        내고 싶어요": proposing — when nothing fits better: "시민참여예산 제안은" is that
        grant), or what the money may be spent on ("지원금으로 술 사도 돼요?"). None for any
        other question."""
        named_ids = {c.record.id for c in candidates if c.name >= NAMED}
        if (BOTH_RE.search(a.text) and len(named_ids) > 1) or (
            len(named_ids) < 2 and BOTH_APPLY_RE.search(a.text)
        ):  # ("두개 같이 넣어도 되나요?": two of ours, whichever — not "둘다 직장 다녀서";
            # "밥상모임이랑 한걸음 둘 다 넣어도 됨?": the other named as residents say it)
            return BOTH_WORDS
        if (
            not named
            and (
                top is None
                or top.score < CONFIDENT
                or not _PROPOSING_NAME_RE.search(top.record.title)
            )
            and not a.criteria.grant_words
            and PROPOSE_RE.search(a.text)
        ):  # (a record that is itself about proposing, "작은 수리 제안사업", keeps its answer)
            return PROPOSE_WORDS
        if not named and SPEND_RE.search(a.text):
            return f"{SPEND_WORDS} {a.residual}"  # (what is bought: 술, 강사비 are in the entry)
        if not named and _NEW_CALL_NOTICE_RE.search(a.text):
            # "새 공모 뜨면 문자로 알려주나요?", "Can I get a message when a new grant opens?":
            # the KB's entry on receiving its news, not the one on how results are told
            return NEWS_WORDS
        return None

    def _faq_on(self, words: str) -> list[_Candidate]:
        """The FAQ entries on one matter (proposing, applying to several programmes), found
        by that matter's words alone: in "놀이터 고쳐 달라고 건의하고 싶어요" the playground
        is the suggestion, not the topic, and the question's other words would only dilute
        the match."""
        found = self.index.search(words, kinds=_FAQ)
        out = [_Candidate(self.index.records[s.doc], s.lexical, s) for s in found]
        return sorted(out, key=lambda c: c.score, reverse=True)

    # --- answering ----------------------------------------------------------------
    def debug(self, question: str, now: datetime, limit: int = 5) -> str:
        """The analysis and the top candidates with their scores (for tuning)."""
        a = self._analyse(question, now)
        lines = [
            f"residual={a.residual!r} with_cues={a.with_cues!r} topic={a.topic!r} "
            f"off_centre={a.off_centre!r} "
            f"extra={a.extra} dates={a.dates} facets={a.facets} cats={a.categories}"
        ]
        for c in self._rank(a)[:limit]:
            lines.append(
                f"  {c.score:.2f} {c.record.kind}:{c.record.id} name={c.name:.2f} "
                f"title={c.scored.title:.2f} body={c.scored.body:.2f}"
            )
        return "\n".join(lines)

    def ask(
        self,
        question: str,
        now: datetime,
        lang: str | None = None,
        *,
        follow: tuple[str, str] | None = None,
        choices: tuple[str, ...] = (),
        home_dong: str | None = None,
    ) -> Answer:
        """Answer ``question`` as of ``now`` (aware; its zone is the configured one).

        ``follow`` is the record (kind, id) the chat was just told about: a question with a
        facet and no topic of its own ("그럼 서류는요?", "거기 어디예요?") is about it.
        ``choices`` are the records the chat was just offered ("not sure — is it one of
        these?"): such a question gets the same choices again.
        ``home_dong`` is the asker's own dong (/mydong): "우리 동" names it, and where the
        question fits the same thing in several dongs (each dong's online vote), it decides.
        """
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        if follow is not None and follow[1] not in self._records_of(follow[0]):
            # (the record the chat was told about has left the KB since: staff took it out
            # or renamed its id while the topic was still held; nothing follows it)
            follow = None
        follow = self._the_vote_of_the_day(question, follow)
        home = self.dongs.get(home_dong) if home_dong else None
        if home is not None:
            question = _name_our_dong(question, home)
        question = _others_asked(question) or question
        answer = self._ask(question, now, lang, follow, choices)
        if home is not None and not answer.confident and answer.kind != "none":
            answer = self._in_home_dong(question, now, lang, answer, home) or answer
        return answer

    def _of_the_grant(self, a: _Analysis, follow: tuple[str, str]) -> _Analysis:
        """Right after an answer about a grant, words that would filter the grants asked of
        that grant (asked alone they filter as ever):
        - a sum checked ("최대 300만원 맞죠?", "Is 500k the max?", "最多三百万吗？"): its sum,
          not the grants that give it (with a list or a kind asked, the sum filters as ever);
        and, when no list, theme or grant word is asked:
        - applying now, a yes-or-no ("지금 신청하면 안돼요?", "can we still apply now?"):
          whether its window is open, not the grants open now;
        - the group's own share ("Do we put in some of our own money?"): its sum and share,
          not the grants that ask one;
        - the most one may receive ("제일 많이 받으면 얼마예요?", "What's the most we could
          get?"): its sum, not the grant that gives the most."""
        if a.criteria.amount is not None and _SUM_CHECKED_RE.search(a.text):
            checked = _asking(a, "amount", amount=None, superlative=False)
            if not self._turns_away(checked, follow):
                a = checked
        c = a.criteria
        if c.grant_words or c.list_words or a.categories:
            return a
        if c.status in (None, "open") and _NOW_APPLY_RE.search(a.text):
            return _asking(a, "deadline", status=None)
        if c.self_funding:
            return _asking(a, "amount", self_funding=None)
        if c.superlative and c.amount is None and _MOST_WE_GET_RE.search(a.text):
            most = _asking(a, "amount", superlative=False)
            return a if self._turns_away(most, follow) else most
        return a

    def _the_vote_of_the_day(
        self, question: str, follow: tuple[str, str] | None
    ) -> tuple[str, str] | None:
        """After an answer about a dong's general assembly held on site (an event of kind
        ``assembly``), a question of voting ("몇 개 찍어요?", "온라인 투표는 언제까지예요?",
        "안건 뭐예요?") follows that dong's online vote, when the KB has one; anything else
        (where, when it is held) the event."""
        if follow is None or follow[0] != "event":
            return follow
        event = self.events[follow[1]]  # (ask() has dropped a follow no longer in the KB)
        if event.kind != "assembly" or event.dong is None:
            return follow
        votes = [a.id for a in self.kb.assemblies if a.dong == event.dong]
        text = normalize(question)
        if _ON_SITE_RE.search(text):
            return follow  # ("현장투표 몇시까지 해요", "現場投票は何時まで"): the day itself
        if len(votes) == 1 and (
            _VOTE_RE.search(text) or CHOICES_RE.search(text) or _VOTE_WORD_RE.search(text)
        ):
            return ("assembly", votes[0])
        return follow

    def _in_home_dong(
        self, question: str, now: datetime, lang: str | None, answer: Answer, home: DongSpec
    ) -> Answer | None:
        """The sure answer about the asker's own dong's record, when the choices are the same
        kind of thing in different dongs ("온라인 투표 언제까지예요?": each dong's vote) and
        the question names no dong; None otherwise. Asked again with the dong's name, the
        answer must be sure and about a record of that dong among the choices."""
        dongs = {d for i in answer.alternatives if (d := self.dong_of(i)) is not None}
        if (
            len(dongs) < 2
            or home.id not in dongs
            or self._find_keys(normalize(question), self._dong_keys)
        ):
            return None
        again = self._ask(f"{question} {home.name.ko}", now, lang, None, ())
        if (
            again.confident
            and again.id in answer.alternatives
            and self.dong_of(again.id) == home.id
        ):
            return again
        return None

    def dong_of(self, id_: str | None) -> str | None:
        """The dong an event or an assembly belongs to (None: the whole district, or another
        kind of record)."""
        if id_ in self.events:
            return self.events[id_].dong
        if id_ in self.assemblies:
            return self.assemblies[id_].dong
        return None

    def _ask(
        self,
        question: str,
        now: datetime,
        lang: str | None,
        follow: tuple[str, str] | None,
        choices: tuple[str, ...],
    ) -> Answer:
        question_lang = detect_language(question)
        if lang not in SUPPORTED_LANGUAGES:
            lang = answer_language(question, self.default_language)
        a = self._analyse(question, now)
        if follow is not None and follow[0] == "assembly" and CHOICES_RE.search(a.text):
            # "몇 개 찍어요?" right after an answer about a vote: how one votes (how many)
            a = self._analyse(question, now, follows="assembly")
        if follow is not None and follow[0] == "event" and FEE_RE.search(a.text):
            # right after an answer about an event, a fee asked and nothing else ("공짜예요?",
            # "免费吗？", "is it free?") is a part of it: its card and what the card says of a
            # fee (asked alone, after a grant, or with words of its own — "갯벌 체험장
            # 입장료 얼마예요" — a fee word is searched as any word)
            paid = self._analyse(question, now, follows="event")
            if _names_nothing(paid):
                a = paid
        if follow is not None and follow[0] == "grant":
            a = self._of_the_grant(a, follow)
        if (
            follow is not None
            and follow[0] in ("grant", "event", "assembly")
            and a.elsewhere
            and _LIVES_ELSEWHERE_MAY_RE.search(a.text)
        ):
            # someone of ours who lives in another city, "is that all right?", right after an
            # answer about a record: who may take part in it (asked alone, the question names
            # no record, and the other city is as ever)
            a = replace(a, elsewhere=False)
        age = a.criteria.age
        base: dict[str, Any] = {
            "lang": lang,
            "question_lang": question_lang,
            "dates": a.dates,
            "age": age if age is not None and age.low == age.high else None,
            "members": a.criteria.group_size,
            "opening": a.facets[:1] == ("opens",),
        }
        answer = self._answer(a, now, base, follow, choices)
        if (
            follow is not None
            and answer.confident
            and answer.kind == "faq"
            and answer.reason == "lexical"
            and self._asks_a_part(a, follow)
            and not self._names_another(a, follow)
            and not self._turns_away(a, follow)
            and not (
                (words := _topic_words(a)) and self._holds_words(words, "faq", answer.id or "")
            )
        ):
            # Right after an answer about a record, a part of it asked in words that record
            # holds, or none ("양식 어디서 받아여?", "Is there any money we have to put in
            # ourselves?"): a FAQ entry found by the part's own word is no surer than the
            # record the chat is about — unless the entry holds the question's words
            # ("외국인도 할 수 있어요?": the rule for every programme)
            followed = self._follow_up(a, follow, now, base, asked=True)
            if followed is not None:
                return followed
        if (
            answer.reason in ("none", "unsure", "gate")
            and a.question_lang in (None, "ko", "en")
            and self.descriptive(a)
            and self._known_words(a) >= WIDEN_KNOWN_WORDS
        ):
            # A description in a resident's own words ("같은 동 엄마들 여섯 집이 … 돌아가면서
            # 애들 봐주려고"): most of its words are in no record, and counted in the lexical
            # score they drown the few that are. Ranked by the words the KB knows, the record
            # it describes often comes first: offered as "not sure — is it one of these?",
            # never as a sure answer (a confident answer stays as it was), with the reason
            # "wide": the bot still logs the question as one it could not answer.
            wide = self._answer(a, now, base, follow, choices, widen=True)
            if wide.kind in _RECORD_KINDS | _FAQ and wide.id is not None and not wide.is_filter:
                answer = wide
        if (
            follow is not None
            and not answer.confident
            and answer.reason in ("none", "unsure", "gate", "wide")
            and self._asks_a_part(a, follow)
        ):
            # Right after an answer, a question that asks a part of a record ("集合地点在哪？",
            # "Bao nhiêu tiền vậy?", "언제까지 내믄 되노") and that nothing answers surely
            # on its own, whatever else it says: that record's part (a question naming
            # something else is answered surely for itself: "다른 행사는요?", a list;
            # "주민등록등본 어디서 떼요?", another office's)
            if not self._names_another(a, follow):
                followed = self._follow_up(a, follow, now, base, asked=True)
                if followed is not None:
                    return followed
        if follow is None or answer.confident:
            return answer
        away = self._turns_away(a, follow)
        if (
            answer.reason in ("unsure", "wide")
            and (answer.kind, answer.id) == follow
            and not answer.is_filter
            and not away
            and not self._service_named(a, strong=True)
            and not self._tells_unknown(a)
            # (a question, not thanks and a word of one's own plans: "ok cam on nha, de em
            # ban voi nhom da")
            and not (THANKS_RE.match(_latin_plain(a.text)) and not a.facets)
        ):
            # Right after an answer about a record, a question the engine itself finds most
            # like that record, only not surely ("우리 골목 4집밖에 안되는데 옆골목이랑 합치면
            # 되나" after the alley grant): the chat's topic and the question's words agree —
            # that record, surely (not when the gate found it out of scope, nor a question
            # that turns away: another said, a list, another office's service)
            return replace(answer, confident=True, reason="follow-up")
        if (
            answer.kind != "none"
            and answer.reason != "which"
            and answer.alternatives
            and follow[1] not in answer.alternatives[:3]
            and not away
            # (nor one naming a thing of the KB's the record does not speak of: "accounting
            # class when?" after the space grant)
            and not self._names_another(a, follow)
        ):
            # not sure, right after an answer about a record, of a question that turns
            # nowhere else: that record is the first of the choices offered ("is it one of
            # these?"), so that one tap reaches it
            answer = replace(answer, alternatives=(follow[1], *answer.alternatives))
        return answer

    def _names_another(self, a: _Analysis, follow: tuple[str, str]) -> bool:
        """Does the question name something other than the record just answered: "another"
        said ("다른 행사는요?", "Còn hội chợ … thì khi nào?"), or a word the KB uses that
        this record's text does not ("주민자치회 위원 뽑는 건 언제예요?" after a grant)?"""
        if _ANOTHER_RE.search(a.text):
            return True
        kind, id_ = follow
        # (a paper's own issuing asked is another office's: "재직증명서 떼려면 어디 가요?")
        parts = a.facets
        if _ISSUED_RE.search(a.text):
            parts = tuple(f for f in a.facets if f != "documents")
        words = [
            w
            for w in _topic_words(a)
            if not _NAMES_NOTHING_RE.fullmatch(w)
            # (the way of handing in: "How do I apply? online?", "面试是线上还是线下？")
            and not _MANNER_RE.fullmatch(_PARTICLE_END_RE.sub("", w) or w)
            # (the part's own words: "which team handles this?", "which floor is it on?")
            and not _part_word(w, parts)
            # (a count: "서류 몇장 내요?", "발표 몇분이에요")
            and not _SPAN_OR_COUNT_RE.fullmatch(w)
            # (the asker's kind of group or person, with who may asked: "일반 모임은 신청
            # 못하는거에요?", "can students join?")
            and not (
                {"eligibility", "people", "audience"} & set(a.facets)
                and (
                    _GROUP_WORD_RE.fullmatch(_PARTICLE_END_RE.sub("", w) or w)
                    # (or who would come: "울엄마랑 언니랑 나 셋이 하면 되나요?")
                    or _WHO_COMES_RE.fullmatch(w)
                    # (or where one lives: "두명은 천안 살아요 괜찮을까", "작가님이 대전
                    # 사시는데 상관없나요?")
                    or _other_place(w, _PLACE_PARTICLES)
                    or _LIVES_RE.fullmatch(w)
                    or _HONOURED_RE.fullmatch(w)
                )
            )
            # (a verb's form, Korean: "방문해야돼", "해야되나", "떨어지면"; not a noun that
            # ends as one may: "변경신고", "체류지")
            and not (_HANGUL_RE.fullmatch(w) and _SAID_VERB_RE.search(w) and not self._kb_word(w))
            # (a last syllable with ㅆ under it: "알수있", "붙었")
            and not (_HANGUL_RE.fullmatch(w) and _ends_in_ssang_siot(w))
            # (nor a word the record's own text uses: "복지관 3층 맞제" of an event held there;
            # in Han letters, read in Korean: "市场节几点开始？" of 시장 축제)
            and not self._holds_words([_PARTICLE_END_RE.sub("", w) or w], kind, id_)
            and not self._holds_in_han(w, a.question_lang, kind, id_)
        ]
        if len(words) > 1 or sum(map(len, words)) > _LEFT_AROUND_A_CUE:
            # more than a word or two letters left around the cue is a thing of its own
            # ("로또 번호 알려줘", "中国餐厅在哪里"): another matter, not this record's part
            return True
        if any(
            (_HANGUL_RE.fullmatch(w) and w[-1] not in _VERBAL_LAST)  # a noun: "출산", "로또"
            or _HAN_WORD_RE.fullmatch(w)  # (Han letters: "工伤" is a thing as "集合" is a verb)
            for w in words
        ):
            return True
        return any(self._kb_word(w) and not self._holds_words([w], kind, id_) for w in words)

    def _holds_in_han(self, word: str, lang: str | None, kind: str, id_: str) -> bool:
        """Is ``word``, in Han letters, read in Korean a word of the record's own text?"""
        if lang not in ("zh", "ja") or not _HAN_WORD_RE.fullmatch(word):
            return False
        read = [r for r in sino_readings(word, lang) if len(r) > 1]
        return bool(read) and any(self._holds_words([r], kind, id_) for r in read)

    def _kb_word(self, word: str) -> bool:
        """Is ``word`` one the KB uses: every term of it in some record?"""
        terms = _word_terms(word)
        return bool(terms) and all(t in self.index.idf for t in terms)

    def _asks_a_part(self, a: _Analysis, follow: tuple[str, str]) -> bool:
        """Does the question, right after an answer about ``follow``, ask one part of a
        record (its deadline, place, who may …), not for a list, the centre or another
        office's matter?"""
        return (
            bool(a.facets)
            and a.facets != ("summary",)
            and not self._asks_a_list_after(a, follow)
            and not (a.centre or a.elsewhere)
        )

    def _asks_a_list_after(self, a: _Analysis, follow: tuple[str, str]) -> bool:
        """:func:`_asks_a_list`, right after an answer about ``follow``: the record's own
        dong named ("그거 어디서 해요 역전동 어디") asks no list, nor "which" of one part
        or "is there …?" of it (:func:`_list_words_after`)."""
        c = a.criteria
        own = self.dong_of(follow[1])
        return bool(
            [d for d in a.dongs if d != own]
            or self._other_categories(a, follow)
            or _filters_after(a)
            or c.grant_rule
            or _list_words_after(a)
        )

    def _known_words(self, a: _Analysis) -> int:
        """How many of the question's own words (and its glossary words) the KB uses: one
        ("메뉴 추천해 주세요": 메뉴) is a word in common, not a description of a record."""
        words = {w for w in a.topic.split() if len(w) > 1 and self.index.knows(w)}
        words |= {w for x in a.extra for w in x.split() if len(w) > 1 and self.index.knows(w)}
        return len(words)

    def _answer(
        self,
        a: _Analysis,
        now: datetime,
        base: dict[str, Any],
        follow: tuple[str, str] | None,
        choices: tuple[str, ...],
        widen: bool = False,
    ) -> Answer:
        """The answer to the analysed question; ``widen``: ranked by the words the KB knows
        only, and never confident."""
        if a.chitchat:
            reason = "thanks" if THANKS_RE.search(a.text) else "chitchat"
            return Answer("none", facet="chitchat", confident=True, reason=reason, **base)
        number = ORDINAL_RE.match(a.question)
        if not choices and number is not None and number.end() >= len(a.question.rstrip()):
            # a number typed alone with nothing shown to pick from ("1번", "2번이요"): no
            # record is guessed from it (not the meeting at exit 2, not 한빛1동's workshop);
            # right after an answer about one record, "1번" is that one
            if follow is not None and ordinal(number) == 1:
                followed = self._follow_up(a, follow, now, base, asked=True)
                if followed is not None:
                    return followed
            return Answer("none", confident=True, reason="no_list", **base)
        key = compact(a.text)
        faq_id = (
            None
            if widen
            else self._faq_questions.get(key) or self._faq_defines.get(_defined(key) or "")
        )
        if faq_id is not None:
            # an FAQ entry's own question, typed again (from the centre's leaflet, or from
            # the list the bot offered): that entry, however many others share its words
            # ("주민총회가 뭔가요?" beside "주민총회 투표는 누가 할 수 있나요?")
            return Answer(
                "faq", id=faq_id, facet="answer", facets=("answer",), confident=True,
                score=1.0, reason="name", **base,
            )  # fmt: skip
        candidates = self._rank(a, widen=widen)
        self._on_the_day_told(a, candidates, now)
        top, second = _leaders(candidates)
        named = top is not None and top.name >= NAMED and top.score - second >= 0.1
        if follow is not None and not named:
            followed = self._follow_up(a, follow, now, base, top, self._held_there(a, follow))
            if followed is not None:
                return followed
        elif choices and not named:
            which = self._which_of(a, choices, now, base)
            if which is not None:
                return which
        if a.elsewhere and not named:
            return Answer("none", confident=True, reason="elsewhere", **base)
        if _OWN_STATUS_RE.search(a.text):
            # "어제 상생프로젝트 신청서 메일로 보냈는데 접수된거 맞나요 확인부탁드려요": the
            # asker's own papers to be looked up — no record answers that, the centre can
            return Answer("none", confident=True, reason="own_status", **base)
        other_centre = self.other_centre(a.text)
        our_centre = a.centre and not _ADMIN_CENTRE_RE.search(a.text) and not other_centre
        # another office's matter: a service the KB never names, the dong office alone, or
        # another public centre (a grant word in that centre's name asks for no grant)
        service = self._service_named(a)
        strong_service = self._service_named(a, strong=True)
        service_told = (service or strong_service) and self._service_only_told(a, now)
        office = (
            not a.criteria.grant_words and ((service and not service_told) or _only_office(a))
        ) or (other_centre and not self._grant_words_beside_centre(a.text))
        if (
            not named
            and not our_centre  # "센터 주차 돼요?": parking at the centre, not a public service
            # (nor "거기 주차 돼요?" right after an answer: parking where that record is)
            and not (follow is not None and _THERE_RE.search(a.text))
            and (
                (office and not (self.descriptive(a) and _DOING_RE.search(a.text)))
                # ("…쓰레기 버리는 자리에 의자 하나 놓고 싶어요": what a group wants to do)
                or (strong_service and not service_told)
            )
        ):
            # "여권 발급", "전세 대출": a public service the KB never mentions; a list of
            # whichever records share a word ("is it one of these?") helps nobody. With a
            # grant word ("쓰레기 줍는 모임 지원금") the question may still be ours: the gate
            # decides, unless the service is one no programme pays for ("청년 구직활동 지원금")
            return Answer(
                "none", confident=True, reason="service", score=top.score if top else 0.0,
                **base,
            )  # fmt: skip
        if not named and a.about_centre:
            # "센터 전화번호": the centre's own contact (region.contact); "센터 어디예요":
            # a FAQ entry about the centre if the KB has one, else its address and hours
            faq = self._centre_faq(a)
            if "contact" in a.facets or not faq or faq[0].score < UNSURE:
                facet = "contact" if "contact" in a.facets else "place"
                return Answer(
                    "centre", facet=facet, facets=(facet,), confident=True, score=1.0,
                    reason="centre", **base,
                )  # fmt: skip
            candidates = faq
            top, second = _leaders(candidates)
        elif (matter := self._matter_asked(a, named, top, candidates)) is not None:
            # a KB entry on applying to several programmes, or on proposing, if it has one
            faq = self._faq_on(matter)
            lead = faq[0].score - (faq[1].score if len(faq) > 1 else 0.0) if faq else 0.0
            if (
                faq
                and matter.startswith(SPEND_WORDS)
                and top is not None
                and top.record.kind == "faq"
                and top.score >= CONFIDENT
                and top.record.id in {c.record.id for c in faq[:3]}
                and any(not self._kb_word(m.group(1)) for m in _BOUGHT_RE.finditer(a.text))
            ):  # what is bought, which the KB's words lack ("pizza") but the model placed
                # (on the entry on meals): that entry, one of those the spending words find
                placed = top.record.id
                faq.sort(key=lambda c: c.record.id != placed)  # (stable: the rest in order)
            if faq and (
                faq[0].score >= CONFIDENT
                # in Chinese, Vietnamese or Japanese the entry is found by the matter's words
                # alone (the question's own are none of the KB's): one that leads them all
                # by far, not sure enough to say it surely, is still the one offered
                or (
                    a.question_lang in ("zh", "vi", "ja")
                    and faq[0].score >= UNSURE
                    and lead >= faq[0].score / 2
                )
            ):
                candidates = faq
                top, second = _leaders(candidates)

        if (
            top is not None
            and not named
            and (
                (top.record.kind != "grant" and self._activity_funding_asked(a))
                or (top.record.kind in ("faq", "event") and _most_received_asked(a))
            )
        ):
            # "동네 할머니들이랑 … 사진전 하고싶어요 이런것도 지원돼요?": what a group wants to
            # do, and money for it asked — a programme, not the event or FAQ sharing its words;
            # "자치회 활동비 최대 얼마까지 받아요?", "Hội đồng … xin kinh phí hoạt động tối đa
            # bao nhiêu?": the most that may be received, which no FAQ entry or event holds
            grants = [c for c in candidates if c.record.kind == "grant"]
            if grants and grants[0].score >= UNSURE:  # (none fitting: what there is stays)
                _put_below(candidates, grants[0].score * 0.95, lambda c: c.record.kind != "grant")
                top, second = _leaders(candidates)
        following = self._following_grant(a, top)
        if following is not None:
            facets = for_kind(a.facets, "grant") if a.facets else ("summary",)
            # (sure of it when the grant done is the one ranked first; the KB's only next
            # step, guessed from a first grant said unnamed, is offered)
            sure = top is not None and top.record.kind == "grant"
            return Answer(
                "grant", id=following, facet=facets[0], facets=facets, confident=sure,
                score=top.score if top else 1.0, reason="next", **base,
            )  # fmt: skip
        rest_at = self._told_of(a, top) if named and top is not None else None
        told = rest_at is not None
        guessed = False  # (the grant after one done, that the KB does not say follows it)
        if rest_at is not None and top is not None:
            # the record named is the story, what is asked comes after it ("2026년 가을에
            # 주민자치학교 수료했는데 자치회 추첨은 언제 어떻게 해요?": becoming a member;
            # "마을공간 활성화 받아서 운영했는데 이제 매입 … 다음 단계": the next grant) —
            # when the rest names a topic of its own ("… 수료했는데 올해도 해요?" is that
            # school again)
            asked = self._asked_after(a.text[rest_at:], top)
            if asked is None and follow is not None and follow[1] != top.record.id:
                # right after an answer, the record named is the asker's story and the rest
                # names nothing of its own ("작년에 첫걸음 했었는데 이거 바로 넣어도 되나요?"
                # after an answer about the grant that follows it): the record just answered
                followed = self._follow_up(a, follow, now, base, asked=True)
                if followed is not None:
                    return followed
            if asked is None:
                told = False
            else:
                candidates = [c for c in candidates if c.record.id != top.record.id]
                for candidate in candidates:
                    if candidate.record.id == asked:
                        candidate.score = max(candidate.score, top.score)
                guessed = top.record.kind == "grant" == self._kind_of(asked)  # (offered)
                candidates.sort(key=lambda c: c.score, reverse=True)
                top, second = _leaders(candidates)
                named = False
        if (
            not told
            and top is not None
            and (
                (top.record.kind == "faq" and not named)
                or (top.record.kind == "grant" and not _grant_asked(a))
            )
        ):
            if self._events_asked_for(a, candidates):
                top, second = _leaders(candidates)
        if top is not None:
            self._on_site_vote(a, candidates)
        vote = top is not None and self._vote_asked(a, candidates)
        top, second = _leaders(candidates)  # (re-sorted by the vote, or the on-site vote)
        # (an online vote asked of is no list: "총회 안건 뭐 있어요?" names an event kind)
        filtered = None if vote else self._filter(a, now, named, top, second)
        if filtered is not None and self._ranking_answers(a, filtered, candidates):
            # a description with a filter word in it ("500만원 정도 드는 골목 꽃밭 가꾸기",
            # "I'm 27 and want to …"): the ranking answers, the filter only favours its matches
            matches = set(filtered["matches"])
            query = filtered.get("grant_query")
            # an age said ("I'm 27 …") and grants made for that age: the likelier reading
            favour = AGE_FAVOUR if query is not None and query.age_targeted else FILTER_FAVOUR
            for candidate in candidates:
                if candidate.record.kind == filtered["kind"] and candidate.record.id in matches:
                    candidate.score *= favour
            candidates.sort(key=lambda c: c.score, reverse=True)
            top, second = _leaders(candidates)
            filtered = None
        if filtered is not None:
            query = filtered.get("grant_query")
            # "Can you recommend a good laptop under 1 million won?": an amount, but nothing a
            # programme pays for; "청년 농업인 영농정착 지원금 자격": the young, but a thing the
            # KB never names — the grants are only offered
            if query is not None and (
                (
                    (query.amount is not None or query.age is not None)
                    and query.status is None
                    and not a.categories
                    and self._elsewhere_by_model(a)
                )
                or self.unknown_head(a) is not None
            ):
                return Answer(
                    "grant", facet="list", alternatives=tuple(filtered["matches"][:3]),
                    score=1.0, reason="gate", **base,
                )  # fmt: skip
            return Answer(**filtered, **base)
        fits = top is not None and self._plain_score(a, top) >= UNSURE
        # below the "fits" line, a question in zh/vi/ja the model alone ranks for: offered
        offered = (
            top is not None
            and not fits
            and a.question_lang in ("zh", "vi", "ja")
            and top.score >= FOREIGN_OFFER
            and not self._elsewhere_by_model(a)
        )
        if top is None or not (fits or offered):
            return Answer(
                "none",
                alternatives=tuple(c.record.id for c in candidates[:3] if c.score >= 0.2),
                score=top.score if top else 0.0,
                reason="none",
                **base,
            )
        record = top.record
        facets = (
            for_kind(a.facets, record.kind)
            if a.facets
            else ("answer",) if record.kind == "faq"
            # an event and a day, nothing else asked ("이번주 일요일에 일요상담 있어요?"):
            # whether it is on then, and when
            else ("time",) if record.kind == "event" and a.dates is not None
            else ("summary",)
        )  # fmt: skip
        if record.kind == "grant" and a.facets:
            facets = self._cues_off_name(a, self.grants[record.id], facets)
        if record.kind == "grant" and facets[0] == "deadline" and _BOOKED_STEP_RE.search(a.text):
            # "현장상담 언제까지 예약해야 돼?": the booking of a step before applying, which a
            # programme's how-to-apply tells (its deadline is the application's)
            facets = ("how_to_apply", *(f for f in facets if f != "how_to_apply"))
        exists = record.kind == "grant" and bool(_EXISTS_RE.search(a.text))
        if exists and facets[0] == "eligibility":
            # "청소년도 지원받을 수 있는 게 있나요?": whether there is a programme, not whether
            # we qualify for this one — what it is (its summary says for whom)
            facets = ("summary", *facets)
        if record.kind == "grant" and (
            (facets[0] in _FIELD_MAY_OVERRIDE and not exists and not _ANY_GRANT_RE.search(a.text))
            or _applying_is_the_condition(a, facets[0])
        ):
            field = self._field_asked(a, record.id)
            if field is not None:
                facets = (field, *(f for f in facets if f != field))
        if record.kind == "event" and _EVENT_FACETS & set(a.facets):
            # "Where is the accounting class?": a FAQ entry sharing the words (정산) has no
            # place or time, so it is no rival to the event for such a question; nor, when
            # the event's title holds the question's words and nothing of a programme is
            # asked besides, is a programme named like it ("언어교환 카페 어디서 해요?" beside
            # the 언어교환 grant, "세계이웃 축제 몇 시" beside the call for its booths) or an
            # event whose text only mentions them ("설명회 어디서 해요?" beside the forum
            # whose programme has one) — not "물빛광장 근처 화장실 어디예요?" beside the
            # festival held there, whose title holds little of it
            titled = top.scored.title >= TITLED and not _GRANT_FACETS & set(a.facets)

            def rival(c: _Candidate) -> bool:
                if c.record.kind == "faq":
                    return False
                if titled and c.record.kind == "grant":
                    return False
                return not (titled and c.record.kind == "event" and c.scored.title < TITLED)

            second = max((c.score for c in candidates[1:] if rival(c)), default=0.0)
        confident = top.score >= CONFIDENT and (top.score - second) >= MARGIN * top.score
        if (
            not confident
            and top.name >= 1.0
            and top.score - second >= 0.1
            and top.score >= CONFIDENT
        ):
            # named by its whole name or an alias ("씨앗모임 마감"), its runner-up only
            # mentioning it (the next-step grant that requires it) and not named itself
            confident = all(c.name < NAMED for c in candidates[1:3])
        if confident and record.kind == "grant" and _OPENING_HOURS_RE.search(a.text):
            # "수산시장 일요일도 문 열어요?": a place's opening hours; a programme has none,
            # so the grant sharing the place's name is only offered
            confident = False
        gated = False
        if (
            confident
            # (beside a programme named, a word the KB half knows is no mistyped name: "…임대아파트
            # 재계약 서류" asks of the lease, not of the programme)
            and (head := self.unknown_head(a, half_known=top.name >= NAMED)) is not None
            and (
                top.name < NAMED
                or (a.question_lang == "ko" and compact(head) not in compact(top.scored.matched))
            )
        ):
            # "산단 통근버스 시간표", "다세대 주택 불법 건축물 신고": another office's thing
            # beside the programmes' words; beside a programme named, in Korean, too ("마을기업
            # 법인 등기하는 방법", "갯벌 체험장 입장료": the thing is not the programme's)
            confident, gated = False, True
        if (
            confident
            and top.name >= NAMED
            and a.question_lang == "ko"
            and service
            and not a.criteria.grant_words
        ):
            # "마실방 다니시는 우리 어머니 노인일자리 신청은 어디서 해요?": a public service
            # the KB never names, asked beside a record named — the record is only offered
            confident, gated = False, True
        if confident and (
            self._set_aside(a, top) or (top.name >= NAMED and self._asked_apart(a, top, now))
        ):
            # "…언어교환 모임에서 만난 친구가 비자 체류기간이 끝난대요. … 출입국사무소 방문예약은
            # 어디서 해요?": the record named in the story, another office's thing asked in a
            # sentence of its own — only offered
            confident, gated = False, True
        if confident and top.name >= NAMED and self._namesake(a.text):
            # "옆동네 누리구도 어르신 스마트폰교실 하던데 거기는 어디서 신청해요?": a programme
            # named like ours, said to be the neighbour's, the province's or a ministry's
            confident, gated = False, True
        if (
            confident
            and top.name < NAMED
            and a.question_lang in ("zh", "ja", "vi")
            and _WARD_OFFICE_RE.search(a.text)
        ):
            # "区役所で印鑑登録はできますか": the ward office's procedure, asked in Japanese;
            # a record sharing its words is only offered
            confident, gated = False, True
        if (
            confident
            and top.name < NAMED
            and (_WEATHER_RE.search(a.text) or _INCIDENT_RE.search(a.text))
        ):
            # "Thứ Bảy này … có mưa không?": whether it rains, asked beside the district's name;
            # "어제 새벽동 고시원 불난거 다친사람 있어요?": the news, asked beside a place of ours
            confident, gated = False, True
        if confident and top.name < NAMED and self._only_generic_known(a):
            # "スキー場のアルバイトの募集はいつですか": of a Japanese question the KB knows
            # only 募集 (모집), a word every programme uses; the thing asked it does not know
            confident, gated = False, True
        if confident and a.cosine > 0 and top.name < 1.0:
            gated = not self.gate_features(a, top, second).passes() or self._elsewhere_by_model(a)
            confident = not gated
        if widen or offered or guessed:
            confident = False
        occurrence = None
        if record.kind == "event":
            occurrence = self._occurrence(self.events[record.id], a.dates, now)
        return Answer(
            record.kind,
            id=record.id,
            facet=facets[0],
            facets=facets,
            alternatives=tuple(c.record.id for c in candidates[:3]) if not confident else (),
            confident=confident,
            occurrence=occurrence,
            score=top.score,
            reason=("name" if top.name >= NAMED else "lexical")
            if confident
            else ("gate" if gated else "wide" if widen else "unsure"),
            **base,
        )

    def _cues_off_name(
        self, a: _Analysis, grant: GrantSpec, facets: tuple[str, ...]
    ) -> tuple[str, ...]:
        """The facets without those whose every cue is a word of the grant's name, said
        as part of it ("the council plan implementation fund": "fund" is no amount asked;
        the question need not say the whole name for that)."""
        names = [normalize(n) for n in _grant_names(grant)]
        words = a.text.split()  # (normalised: one space between words)
        starts = list(accumulate((len(w) + 1 for w in words[:-1]), initial=0))
        named: set[str] = set()
        kept: set[str] = set()
        for facet, start, end in a.cue_matches:
            i = max((k for k, at in enumerate(starts) if at <= start), default=0)
            # the word before the cue through the end of the cue's own word ("implementation
            # fund"), within a name; "동아리 지원 되나요" goes past "…동아리 지원": asked
            last = max((k for k, at in enumerate(starts) if at < end), default=i)
            pair = " ".join(words[max(0, i - 1) : last + 1])
            if i > 0 and any(f" {pair} " in f" {n} " for n in names):
                named.add(facet)
            else:
                kept.add(facet)
        dropped = named - kept
        if not dropped:
            return facets
        left = tuple(f for f in a.facets if f not in dropped)
        return for_kind(left, "grant") if left else ("summary",)

    def _field_asked(self, a: _Analysis, grant_id: str) -> str | None:
        """The part of a grant a question asks about by its own words rather than a cue:
        "공사 견적서 몇 군데 받아야 돼요" (documents), "멘토도 있나" (support), "발표심사도
        있나요" (how to apply). A word counts for the one field whose text has it and the
        grant's name and summary do not; None when no field has one."""
        fields, plain = self._grant_fields(grant_id)
        hits: dict[str, int] = {}
        for word in a.topic.split():
            word = compact(word)
            if len(word) < 2 or word in GENERIC_WORDS:
                continue
            stems = {word, word[:-1]} if len(word) >= 3 and _HANGUL_RE.fullmatch(word) else {word}
            if any(s in plain for s in stems):
                continue
            for name, text in fields.items():
                if any(s in text for s in stems):
                    hits[name] = hits.get(name, 0) + 1
        if not hits:
            return None
        best = max(hits.values())
        # a tie goes to the first field: a word in the list of documents and in how to
        # apply ("안전 점검표를 함께 냅니다") asks whether it is to be submitted
        return next(f for f, n in hits.items() if n == best)

    def _grant_fields(self, grant_id: str) -> tuple[dict[str, str], str]:
        cached = self._fields_cache.get(grant_id)
        if cached is None:
            grant = self.grants[grant_id]

            def packed(*texts: LocalizedText | None) -> str:
                return " ".join(compact(normalize(v)) for v in _texts(*texts))

            rules = grant.rules
            fields = {
                "documents": packed(*grant.documents),
                "support": packed(grant.support),
                "how_to_apply": packed(grant.application.how),
                "eligibility": packed(
                    grant.eligibility, rules.residency, *(rules.conditions or [])
                ),
            }
            plain = " ".join(
                [packed(grant.name, grant.summary), *(compact(normalize(x)) for x in grant.aliases)]
            )
            cached = self._fields_cache[grant_id] = (fields, plain)
        return cached

    @staticmethod
    def _plain_score(a: _Analysis, candidate: _Candidate) -> float:
        """The score with the model's bonus at :data:`SEMANTIC_WEIGHT_FITS`: whether
        anything fits at all is judged alike in every language (the bonus weighs more only
        to rank)."""
        own = a.question_lang in (None, "ko", "en")
        weight = SEMANTIC_WEIGHT if own else SEMANTIC_WEIGHT_FOREIGN
        if own and candidate.score - candidate.semantic >= SHARED_WORDS:
            return candidate.score  # the question shares words with it: the model ranks
        return candidate.score - candidate.semantic * (1 - SEMANTIC_WEIGHT_FITS / weight)

    def _ranking_answers(
        self, a: _Analysis, filtered: dict[str, Any], candidates: list[_Candidate]
    ) -> bool:
        """Should the ranked records answer rather than the filter's list?

        Yes when the question describes what it wants in words of its own (a topic of
        several words) and a record ranks well, when the filter found nothing though the
        question has a topic, and when a record of another kind ranks far ahead of a filter
        read from a single word ("phòng họp" = meeting room, not a meeting) — unless the
        question asks for the list and nothing else ("what trainings do you offer?").
        """
        ranked = [c for c in candidates if c.score >= UNSURE]
        if not ranked:
            return False
        if not filtered["matches"]:
            return bool(a.topic)
        if self.descriptive(a):
            return True
        if _field_alone(a) or (
            not _bare_topic(a) and (a.criteria.list_words or _how_much_alone(a))
        ):
            return False  # "What trainings do you offer?", "How much money can we get?":
            # nothing asked but the list (a record found by the cue words alone is no answer)
        if not a.topic and a.criteria.status is not None and filtered["kind"] == "event":
            return False  # "다음 행사 뭐예요?": the events to come, not an entry whose title
            # says 행사 ("행사에 아이 데려가도 되나요?")
        top = ranked[0]
        second = candidates[1].score if len(candidates) > 1 else 0.0
        return (
            top.record.kind != filtered["kind"]
            and top.score >= STRONG
            and top.score - second >= MARGIN * top.score
        )

    def _events_asked_for(self, a: _Analysis, candidates: list[_Candidate]) -> bool:
        """Whether or when an event of a kind happens is asked ("새로 들어온 위원 교육이
        있나요?", "자치위원 학교 언제 열려요") and a FAQ entry sharing the other words ranks
        first (about becoming a member). A FAQ entry has no date: the FAQ entries (and the
        grants, when no grant word is said) are put below the best event of that kind among
        the candidates (re-sorted). False when the
        question asks no such thing or no such event is a candidate."""
        c = a.criteria
        own = a.question_lang in ("ko", "en", None)
        asks_when = (
            a.dates is not None
            # (Vietnamese "có … không" is any yes/no question, not "is there": in Chinese,
            # Japanese and Vietnamese only a day, a time or a count asked says an event)
            or (
                own
                and c.list_words
                and (c.list_asked or c.kind_is_there or a.question_lang != "ko")
            )
            # ("is there an orientation for new members?", "有培训吗？", "研修はありますか")
            or (c.kind_is_there and a.question_lang != "ko")
            or {"when", "time", "people"} & set(a.facets)
        )  # (and "몇 명까지 받아요?": a capacity, which only an event has; "총회 투표권
        # 있나요" asks whether there is a right to vote, not an assembly)
        if not c.event_kinds or not asks_when or _kinds_in_grant_name(a, candidates):
            return False
        events = [
            candidate.score
            for candidate in candidates
            if candidate.record.kind == "event"
            and candidate.score >= UNSURE
            and self.events[candidate.record.id].kind in c.event_kinds
        ]
        if not events:
            return False
        # a grant too, unless one is asked for: "팟캐스트 배우는 교육 언제 시작" is the
        # training, not the media grant whose alias is 팟캐스트
        below = {"faq"} if _grant_asked(a) else {"faq", "grant"}
        _put_below(candidates, max(events) * 0.9, lambda c: c.record.kind in below)
        return True

    @staticmethod
    def _on_site_vote(a: _Analysis, candidates: list[_Candidate]) -> None:
        """The on-site vote asked about ("현장 투표 어디서", "vote in person"): the assembly
        event's, so the online votes go down (re-sorted)."""
        if _ON_SITE_RE.search(a.text):
            for candidate in candidates:
                if candidate.record.kind == "assembly":
                    candidate.score *= 1 - MARGIN - 0.05
            candidates.sort(key=lambda candidate: candidate.score, reverse=True)

    def _vote_asked(self, a: _Analysis, candidates: list[_Candidate]) -> bool:
        """An online vote itself is asked about (its window, its items, how many one may
        choose: "온라인 투표 언제까지", "안건 뭐 있어요", "몇 개까지 고를 수 있어요") and an
        assembly of the KB is among the candidates: the others are put below the best one
        (the on-site assembly event shares its words, a FAQ entry on voting its topic). Who
        may vote in general ("총회 투표는 누가 해요?") is not this: the KB's FAQ answers it;
        nor the on-site vote (:meth:`_on_site_vote`)."""
        if _ON_SITE_RE.search(a.text):
            return False
        if a.facets[:1] == ("revote",) and _VOTING_RE.search(a.text):
            # changing a vote cast: the vote's own rule, unless the KB has an entry on it,
            # which then leads (the on-site event shares the words)
            entries = [
                c
                for c in candidates
                if c.record.kind == "faq" and c.score >= UNSURE and self._faq_on_revoting(c.record)
            ]
            if entries:
                entry = entries[0]
                _put_below(candidates, entry.score * (1 - MARGIN - 0.05), lambda c: c is not entry)
                return False
        elif not _VOTE_RE.search(a.text):
            # who may vote, with the dong of an assembly named ("솔뫼면 총회 투표 아들도 할
            # 수 있어요?"): that vote's rule, not the FAQ's words on voting in general
            if not (a.facets[:1] in (("eligibility",), ("people",)) and self._dong_votes(a)):
                return False
        elif (extra := set(a.facets) - _VOTE_FACETS) and not (
            extra == {"eligibility"} and a.facets[0] in _VOTE_FACETS
        ):  # (how to vote online, changing a vote, the on-site vote's place: the FAQ entry or
            # the on-site event; but "can I still vote online, until when?" asks its window)
            return False

        def other(candidate: _Candidate) -> bool:  # not an assembly of a dong the question names
            return candidate.record.kind != "assembly" or bool(
                a.dongs and self.assemblies[candidate.record.id].dong not in a.dongs
            )

        votes = [c.score for c in candidates if not other(c) and c.score >= UNSURE]
        if not votes:
            return False
        # (below the margin of a sure answer: what else shares the words is not the vote; two
        # assemblies alike, in different dongs, stay a choice)
        _put_below(candidates, max(votes) * (1 - MARGIN - 0.05), other)
        return True

    @staticmethod
    def _faq_on_revoting(record: Record) -> bool:
        """Does a FAQ entry speak of voting and of changing (a vote once cast)?"""
        text = f"{record.title}\n{record.body}"
        return bool(_VOTING_RE.search(text) and _CHANGE_RE.search(text))

    def _dong_votes(self, a: _Analysis) -> bool:
        """Does the question speak of voting and name a dong that has an online vote?"""
        return bool(a.dongs and _VOTING_RE.search(a.text)) and any(
            x.dong in a.dongs for x in self.assemblies.values()
        )

    def descriptive(self, a: _Analysis) -> bool:
        """Does the question describe its topic in several words of its own?"""
        if a.question_lang in ("zh", "ja"):  # its characters, without "can apply", "is there"
            return len(compact(_CJK_FUNCTION_RE.sub("", a.residual))) >= DESCRIPTIVE_CHARS
        words = a.topic if a.question_lang in ("ko", "en", None) else a.residual
        # a habit ("토요일마다 강변 청소하는 이웃들") describes what the group does
        habit = a.dates is not None and a.dates.grain == "weekdays"
        if a.question_lang == "vi":  # its syllables, without those that say no topic
            words = _VI_FUNCTION_RE.sub(" ", words)
        return len([w for w in words.split() if len(w) > 1]) + habit >= DESCRIPTIVE_WORDS

    def _follow_up(
        self,
        a: _Analysis,
        follow: tuple[str, str],
        now: datetime,
        base: dict[str, Any],
        top: _Candidate | None = None,
        asked: bool = False,
    ) -> Answer | None:
        """The answer about the record the chat was just told about, when the question is
        about it (``asked``: the caller found that it asks a part of one and nothing else
        answers it)."""
        kind, id_ = follow  # (a record of the KB's: ask() drops a follow that has left it)
        away = self._turns_away(a, follow)
        own_case = self._own_case(a, away)
        cost = self._cost_asked(a, follow) and not away
        misses, food = _MISSES_RE.search(a.text), _FOOD_RE.search(a.text)
        said = [m.group(0) for m in (misses, food) if m is not None]
        missing = kind == "event" and bool(said) and not away and not self._tells_unknown(a, said)
        also = not own_case and (cost or self._also_ok(a, away))
        if also and not cost:
            comes = [w for w in _topic_words(a) if _WHO_COMES_RE.fullmatch(w)]
            also = not (comes and self._faq_on_who_leads(comes, top))
        if self._service_named(a, strong=True) and not cost:
            return None  # ("청년월세 신청 어디서 해요?": the national rent support's)
        if not (
            asked
            or self._facet_only(a)
            or self._in_its_words(a, kind, id_)
            or self._who_may(a, top)
            or _own_situation(a)
            or own_case
            or also
            # (not "제일 많이 주는 사업은 뭐예요?": the largest of them all asked)
            or (self._this_asked(a) and not away)
            or _only_a_span_asked(a)
            or missing
            or (kind == "assembly" and (_of_the_vote(a) or "choices" in a.facets))
        ):
            return None
        kinds = a.criteria.event_kinds
        if kinds and not (kind == "event" and self.events[id_].kind in kinds):
            # "설명회 언제해요?" after an answer about a walk or a grant: another kind of
            # event asked for (its kind word is all its topic), not a part of that record
            return None
        facets = for_kind(a.facets, kind)
        if cost or missing:
            # its card, then what the card says of the thing asked, or that it says nothing
            # (bot/qa/render.py): what the grant pays for ("월세도 이걸로 낼 수 있어요?"),
            # food at the event ("간식 나와요?"), attending it ("빠지면 어떻게 돼요?")
            facets = ("summary", "costs" if cost else "food" if food else "absence")
        elif also and not set(a.facets) - {"summary"}:
            # ("옛날 사진 모아서 책 만드는것도 되나": what it pays for, told by its card;
            # "일반 주민 모임도 신청함?": who may)
            who = any(_GROUP_WORD_RE.match(w) or _WHO_COMES_RE.match(w) for w in _topic_words(a))
            facets = for_kind(("eligibility",) if who else ("summary",), kind)
        elif own_case and not set(_asked_after_the_case(a)) - {"summary", "eligibility", "people"}:
            # (a case told asks who may, whatever else its words say: "전입한지 6년 됐는데
            # 안될까요" has no cue of its own)
            facets = for_kind(("eligibility", *a.facets), kind)
        occurrence = None
        if kind == "event":
            occurrence = self._occurrence(self.events[id_], a.dates, now)
        return Answer(
            kind, id=id_, facet=facets[0], facets=facets, confident=True, score=1.0,
            occurrence=occurrence, reason="follow-up", **base,
        )  # fmt: skip

    def _held_there(self, a: _Analysis, follow: tuple[str, str]) -> bool:
        """ "어디서 해요 우물동 주민센터?" after an answer about an event held there: the place
        the record just answered names, asked of (not the dong office's services, nor the
        centre's own address: "센터 어디예요?" names no place beside the centre)."""
        words = a.residual.split()
        return (
            len(words) > 1
            and "place" in a.facets
            and any(not self._centre_word(w) for w in words)
            and self._holds_words(words, *follow)
        )

    @staticmethod
    def _this_asked(a: _Analysis) -> bool:
        """Does the question ask what "this" is, naming nothing ("이 사업 간단히 뭐예요?",
        "これ何をする事業ですか？", "what is this programme about, briefly?")?"""
        return a.facets == ("summary",) and _names_nothing(a)

    def _own_case(self, a: _Analysis, away: bool) -> bool:
        """Does the question tell the asker's own case and ask whether it will do (see
        _OWN_CASE_RE), naming nothing that turns from the record just answered: another
        record, a list, the centre, another office's service — or a thing the KB never
        speaks of ("근로계약서 안쓰고 일했는데 괜찮은건가요", "멧돼지가 고구마밭 다
        디비놨는데 보상 되나": a matter of its own, not who may take part)? ``away``:
        :meth:`_turns_away`."""
        if _OWN_CASE_RE.search(a.text) is None or away:
            return False
        return not self._tells_unknown(a)

    def _tells_unknown(self, a: _Analysis, said: list[str] | None = None) -> bool:
        """Is a word of the question's topic a Korean noun the KB never uses
        (:meth:`_unknown_noun`), other than a word within the phrases ``said`` (the cue
        itself: "간식 나와요?")?"""
        return any(
            self._unknown_noun(w, a)
            for w in _topic_words(a)
            if not any(w in phrase for phrase in said or ())
        )

    def _turns_away(self, a: _Analysis, follow: tuple[str, str]) -> bool:
        """Does the question turn from the record just answered: "another" said, a theme,
        a list or a rule of grants asked, the centre, another office's matter or service
        (not a running cost asked of a grant: :meth:`_cost_asked`), something heard of
        (:meth:`_own_case`, :meth:`_also_ok`)?"""
        c = a.criteria
        return bool(
            _ANOTHER_RE.search(a.text)
            # (a theme; the record's own, named with nothing else of its own, is the record:
            # "How many photos of the alley do we need?" — not "공동육아나눔터 장난감 대여
            # 시간" after a childcare grant)
            or (
                bool(a.categories)
                and (self._other_categories(a, follow) or self._names_another(a, follow))
            )
            or _filters_after(a)
            or c.grant_rule
            or _list_words_after(a)
            or a.centre
            or a.elsewhere
            or (self._service_named(a) and not self._cost_asked(a, follow))
            or _HEARD_RE.search(a.text)
        )

    def _other_categories(self, a: _Analysis, follow: tuple[str, str]) -> bool:
        """Does the question name a theme the record just answered is not of? Its own theme
        named is the record's ("How many photos of the alley do we need?" after the alley
        gardening grant, "사회적경제팀 번호가 뭐였죠" after the social economy one)."""
        if not a.categories:
            return False
        kind, id_ = follow
        own = set(self.grants[id_].categories) if kind == "grant" else set()
        return bool(set(a.categories) - own)

    def _also_ok(self, a: _Analysis, away: bool) -> bool:
        """Does the question ask whether something will do too ("옛날 사진 모아서 책
        만드는것도 되나", "일반 주민 모임도 신청함?", "씨앗 안해본 모임은 못해요?",
        "学生だけのチームでも大丈夫ですか？"), naming nothing that turns from the record just
        answered (as :meth:`_own_case`; ``away``: :meth:`_turns_away`)?"""
        asked = _ALSO_OK_RE.search(a.text) is not None or (
            # (in the other languages, a person or a group said, in a short question:
            # "学生だけのチームでも大丈夫ですか？"; not a story that asks of something else,
            # "…外国人也可以领产前检查的补贴卡吗？在哪里申请？")
            _ALSO_OK_ELSEWHERE_RE.search(a.text) is not None
            and (_GROUP_WORD_RE.search(a.text) or _WHO_COMES_RE.search(a.text)) is not None
            and len(a.text) <= _SHORT_ELSEWHERE
        )
        return asked and not (a.dongs or away)

    def _cost_asked(self, a: _Analysis, follow: tuple[str, str]) -> bool:
        """Is a household's or a space's running cost asked of the grant just told, whether
        it pays for it ("월세도 지원돼요?", "공간 월세도 이걸로 낼 수 있어요?", "家賃にも
        使えますか？", "can we use it to pay the rent?")? Asked alone, "월세" is another
        office's service (housing support); right after an answer about a grant, what that
        grant pays for — its card. Not with a service no programme pays for named ("청년
        월세": the national youth rent support) or any other service beside the cost."""
        if follow[0] != "grant" or _HOUSEHOLD_COST_RE.search(a.text) is None:
            return False
        rest = _HOUSEHOLD_COST_RE.sub(" ", a.text)
        last = list(_HOUSEHOLD_COST_RE.finditer(a.text))[-1]
        return (
            (
                _COST_TOO_RE.match(a.text, last.end()) is not None
                or _COST_OF_THIS_RE.search(a.text) is not None
            )
            and not self._service_named(a, strong=True)
            and not self._service_named(replace(a, text=rest))
        )

    def _unknown_noun(self, w: str, a: _Analysis) -> bool:
        """Is ``w`` a Korean noun the KB never uses, and not what the asker is, a person
        who would come, a span or a count, a filler (:meth:`_own_case`)? A noun is a word
        with a particle after it ("개인으로": 개인), one not ending as a verb's form may, or
        a long one that is no verb's form ("근로계약서")."""
        stem = _PARTICLE_END_RE.sub("", w)
        return (
            _HANGUL_RE.fullmatch(w) is not None
            and len(stem) > 1  # ("해도": a verb's, not a noun's)
            and (stem != w or w[-1] not in _VERBAL_LAST or len(w) >= 4)
            and not _SAID_VERB_RE.search(w)
            and not self._kb_word(stem or w)
            and not _WHO_COMES_RE.fullmatch(w)
            and not _NAMES_NOTHING_RE.fullmatch(w)
            and not _SPAN_OR_COUNT_RE.fullmatch(w)
            # (a last syllable with ㅆ under it is a verb's, "있다" or a past: "껴있", "받았")
            and not _ends_in_ssang_siot(w)
            # (the asker's group: "노래모임", "등산모임", "합창단")
            and not _GROUP_TAIL_RE.search(stem or w)
            # (where the asker lives, works or studies: "직장 다녀요", "원룸 사는데")
            and not _LIVES_OR_WORKS_RE.fullmatch(stem or w)
            # (what the asker is, told: "세입자인데 되나요", "직장인이라서 …")
            and not re.search(re.escape(w) + f"(?:{_BEING})", a.text)
        )

    def _who_may(self, a: _Analysis, top: _Candidate | None) -> bool:
        """Does the question ask whether someone may come or take part, naming only who
        ("애들 데려가도 돼요?", "외국인도 할 수 있어요?")? After an answer, that record's
        rule of who may is asked — unless a FAQ entry on who may, in those words, leads
        ("외국인 유학생도 공모사업에 참여할 수 있나요?": the rule of every programme)."""
        if a.facets[:1] != ("eligibility",) or a.dongs or a.categories:
            return False
        words = _topic_words(a)
        if not words or not all(_WHO_COMES_RE.fullmatch(w) for w in words):
            return False
        return not self._faq_on_who_leads(words, top)

    def _faq_on_who_leads(self, words: list[str], top: _Candidate | None) -> bool:
        """Does a FAQ entry that holds these words of who may lead surely ("외국인도 할 수
        있어요?": an entry on foreigners taking part in every programme)?"""
        return (
            top is not None
            and top.record.kind == "faq"
            and top.score >= CONFIDENT
            and self._holds_words(words, "faq", top.record.id)
        )

    def _in_its_words(self, a: _Analysis, kind: str, id_: str) -> bool:
        """Is every word of the question's topic one the record just answered uses
        ("안건은 뭐예요?", "몇 개까지 고를 수 있어요?" after an answer about a vote)? Then
        it is about that record, as a facet alone is. Not with anything that asks for a
        list or another record: a dong, a category, an amount or age, a rule of grants."""
        if _asks_a_list(a):
            return False
        if a.centre:  # ("센터 전화번호 뭐예요": the centre's, whatever the record says of it)
            return False
        words = _topic_words(a)
        return bool(words) and self._holds_words(words, kind, id_)

    def _holds_words(self, words: list[str], kind: str, id_: str) -> bool:
        """Does the record's own text hold every one of ``words`` (each word's terms)?"""
        own = self._own_terms(kind, id_)
        for word in words:
            terms = _word_terms(word)
            if not terms or not all(t in own for t in terms):
                return False
        return True

    def _records_of(self, kind: str) -> Mapping[str, object]:
        """The grants, events or votes of the KB by id (none of another kind)."""
        kinds: dict[str, Mapping[str, object]] = {
            "grant": self.grants,
            "event": self.events,
            "assembly": self.assemblies,
        }
        return kinds.get(kind, {})

    def _own_terms(self, kind: str, id_: str) -> frozenset[str]:
        """The words and bigrams of one record's text (cached)."""
        found = self._terms_of.get((kind, id_))
        if found is None:
            record = next(r for r in self.index.records if (r.kind, r.id) == (kind, id_))
            found = frozenset(weighted_terms(f"{record.title} \n {record.body}"))
            self._terms_of[(kind, id_)] = found
        return found

    @staticmethod
    def _facet_only(a: _Analysis) -> bool:
        """Does the question ask for a facet and name nothing ("그럼 서류는요?")?"""
        c = a.criteria
        if not a.facets or a.facets == ("summary",) or a.dongs or c.grant_filter:
            return False
        if c.grant_rule:
            return False  # a rule of the grants asked ("나이 제한 있는 사업 뭐예요?"): a list
        # ("몇시에 모여요?", "어디서 만나요?": meeting is what one does at any event; "몇 시까지
        # 하세요?": its doing, said politely)
        return not [
            w
            for w in _topic_words(a)
            if w not in _MEETING_VERBS
            and not _HONORIFIC_DOING_RE.fullmatch(w)
            and not _part_word(w, a.facets)
            # (nor a filler: "Ai phụ trách vậy, số điện thoại nào?")
            and not _NAMES_NOTHING_RE.fullmatch(w)
        ]

    def _which_of(
        self, a: _Analysis, choices: tuple[str, ...], now: datetime, base: dict[str, Any]
    ) -> Answer | None:
        """After "not sure — is it one of these? 1. … 2. …": a number typed instead of a
        button tapped ("2번", "두 번째요", "1번 서류는요?") is that record; a facet-only
        question ("그럼 서류는요?") is about one of them: ask again which, with the same
        choices."""
        # (a list of events may name one event twice, a line each time it is held)
        known = tuple(
            dict.fromkeys(
                c for c in choices if c in self.grants or c in self.events or c in self.faq
            )
        )
        if not known:
            return None
        picked = ORDINAL_RE.match(a.question)
        if picked is not None:  # "2번", "두 번째요", "the first one", "1번 서류는요?"
            rest = a.question[picked.end() :].strip()
            number = ordinal(picked)
            asked = self._analyse(rest, now) if rest else None
            if 1 <= number <= len(choices) and choices[number - 1] in known:
                if asked is None or self._facet_only(asked):
                    chosen = choices[number - 1]
                    kind = self._kind_of(chosen)
                    facets = for_kind(asked.facets, kind) if asked else (
                        ("answer",) if kind == "faq" else ("summary",)
                    )  # fmt: skip
                    occurrence = None
                    if kind == "event":
                        dates = asked.dates if asked else None
                        occurrence = self._occurrence(self.events[chosen], dates, now)
                    return Answer(
                        kind, id=chosen, facet=facets[0], facets=facets, confident=True,
                        score=1.0, occurrence=occurrence, reason="chosen", **base,
                    )  # fmt: skip
        if not self._facet_only(a):
            return None
        kind = self._kind_of(known[0])
        facets = for_kind(a.facets, kind)
        return Answer(
            kind, id=known[0], facet=facets[0], facets=facets, alternatives=known,
            confident=False, score=0.0, reason="which", **base,
        )  # fmt: skip

    def _kind_of(self, id_: str) -> str:
        if id_ in self.grants:
            return "grant"
        if id_ in self.events:
            return "event"
        return "assembly" if id_ in self.assemblies else "faq"

    def _told_of(self, a: _Analysis, candidate: _Candidate) -> int | None:
        """Where the question goes on when the record is named only as what was done, in a
        clause before it ("주민자치학교 수료했는데 …", "마을공간 활성화 받아서 운영했는데 …");
        None when it is not."""
        name = candidate.scored.matched
        if not name:
            return None
        said = re.search(r"\s?".join(map(re.escape, name)), a.text)
        told = _TOLD_AFTER_RE.match(a.text, said.end()) if said is not None else None
        return told.end() if told is not None else None

    def _asked_after(self, rest: str, told: _Candidate) -> str | None:
        """The record the ``rest`` of the question asks about, after the clause telling what
        was done with ``told`` (:meth:`_told_of`): found by the rest's own words (a grant when
        the next step is asked); None when the rest names nothing of its own."""
        growing = _NEXT_STEP_RE.search(rest) is not None  # (the KB's next step may be it)
        grant = told.record.kind == "grant" and (growing or _NOW_WANTED_RE.search(rest) is not None)
        kinds = frozenset({"grant"}) if grant else None
        # (the next grant: one the rest's words find before the one done, or else the one
        # the KB says follows it: "이웃씨앗 받아서 2년째 하고 있는데 더 크게 받을 수 있는 거",
        # the rest naming no grant of its own, or in the first's words)
        after = self._follows(told.record.id) if grant and growing else None
        for scored in self.index.search(rest, glossary_terms(rest), kinds=kinds):
            record = self.index.records[scored.doc]
            if record.id == told.record.id:
                if grant:
                    return after
                continue
            if after is not None and (scored.name - NAME_FLOOR) / (1 - NAME_FLOOR) < NAMED:
                return after  # (the KB's next step, unless the rest names another grant)
            return record.id if scored.lexical >= (UNSURE / 2 if grant else UNSURE) else after
        return after

    def _following_grant(self, a: _Analysis, top: _Candidate | None) -> str | None:
        """ "I did 이웃만들기 last year — what next?": the grant that requires the one named."""
        if top is None or top.record.kind != "grant":
            # a first grant said to be received, unnamed, and the next step asked ("처음
            # 지원받아서 시작한 모임인데 한 번 받은 다음엔 뭘 신청해요?"): the KB's one grant
            # that follows another, when it has only one
            if (
                (top is None or top.name < NAMED)
                and _GRANT_RECEIVED_RE.search(a.text)
                and _NEXT_STEP_RE.search(a.text)
            ):  # (the KB's grants looked through only then: every question passes here)
                following = [g.id for g in self.kb.grants if g.rules.prior_grant_required]
                if len(following) == 1:
                    return following[0]
            return None
        if top.name < NAMED and not _GRANT_RECEIVED_RE.search(a.text):
            # unnamed, the first grant described and said to be received ("2025년에 처음
            # 지원받아서 반찬 나눔 시작했고 … 한 단계 더 키우려면") is still the one done
            return None
        if not (_DONE_RE.search(a.text) and _NEXT_RE.search(a.text)):
            return None
        return self._follows(top.record.id)

    def _follows(self, grant_id: str) -> str | None:
        """The grant that requires ``grant_id`` done first (the next step after it), if any."""
        following = [g.id for g in self.kb.grants if g.rules.prior_grant_required == grant_id]
        return following[0] if following else None

    def gate_features(self, a: _Analysis, top: _Candidate, second: float) -> GateFeatures:
        foreign = a.question_lang not in (None, "ko", "en")
        return GateFeatures(
            lexical=top.scored.lexical,
            fused=top.score,
            cosine_lift=(a.cosine - a.median_cosine) * 10,
            margin=(top.score - second) / top.score if top.score > 0 else 0.0,
            known=0.0 if foreign else self.known_share(a.topic),
            foreign=foreign,
            service=self._service_named(a),
        )

    @staticmethod
    def _elsewhere_by_model(a: _Analysis) -> bool:
        """Is the question much nearer an everyday question for another office (bot/qa/
        outside.py) than any record of the KB?"""
        if not a.outside:
            return False
        foreign = a.question_lang not in (None, "ko", "en")
        return a.outside - a.cosine >= (OUTSIDE_MARGIN_FOREIGN if foreign else OUTSIDE_MARGIN)

    def other_centre(self, text: str) -> bool:
        """Does the question name another public centre (가족센터, 고용센터, 출입국 …) that
        the KB itself never names? Besides those listed, any "…센터" whose first part shares
        nothing with our centre's name nor with what residents call it (마을, 공동체, 지원 …):
        "청소년 상담복지센터", "자원봉사센터", "치매안심센터" are other doors."""
        if any(compact(m.group(0)) not in self._kb_compact for m in OTHER_CENTRE_RE.finditer(text)):
            return True
        for m in _NAMED_CENTRE_RE.finditer(text):
            prefix = m.group(1)
            if compact(m.group(0)) in self._kb_compact or _ADMIN_CENTRE_RE.search(m.group(0)):
                continue
            pairs = {prefix[i : i + 2] for i in range(len(prefix) - 1)}
            if not any(p in c for p in pairs for c in (*self._centre, _OUR_CENTRE_WORDS)):
                return True
        return False

    @staticmethod
    def _grant_words_beside_centre(text: str) -> bool:
        """A grant word outside the other centre's name ("Trung tâm hỗ trợ gia đình":
        hỗ trợ is the name's; "가족센터랑 같이 하는 모임 지원금": the grant is asked)."""
        return find_criteria(OTHER_CENTRE_RE.sub(" ", text)).grant_words

    def asks_service(self, text: str) -> bool:
        """Does the question name a public service (발급, 대출 …) the KB never uses?"""
        return any(w in text for w in self._services)

    def _service_named(self, a: _Analysis, *, strong: bool = False) -> bool:
        """:meth:`asks_service` (``strong``: one no programme pays for) in the question's
        words or in its Han words read in Korean (失業 실업, 謄本 등본)."""
        words = self._strong_services if strong else self._services
        if any(w in a.text or w in a.han for w in words):
            return True
        if a.question_lang != "vi" and not a.text.isascii():  # (without marks, it may
            return False  # read as English: "Cap lai the cu tru …")
        found = self._strong_services_unmarked if strong else self._services_unmarked
        return found is not None and found.search(unmarked(a.text)) is not None

    def known_share(self, topic: str) -> float:
        """The share of the topic's bigrams and words that the knowledge base uses
        (a glossary word counts as known); 1.0 for an empty topic."""
        total = known = 0
        for word in topic.split():
            if len(word) < 2:
                continue
            if glossary_terms(word):
                total += 1
                known += 1
                continue
            terms = _word_terms(word)
            total += len(terms)
            known += sum(t in self.index.idf for t in terms)
        return known / total if total else 1.0

    def _activity_funding_asked(self, a: _Analysis) -> bool:
        """Does the question describe what a group wants to do, or already does (its size
        said, a habit, an activity going on), and ask for money for it?"""
        return (
            self.descriptive(a)
            and (
                bool(_DOING_RE.search(a.text) or _GOING_ON_RE.search(a.text))
                or a.criteria.group
                or (a.dates is not None and a.dates.grain == "weekdays")
            )
            and not _LEARNING_RE.search(a.text)  # ("새 공모 뜨면 알림 받고 싶어요": told)
            and (_grant_asked(a) or bool(_FUNDING_RE.search(a.text)))
            and not set(a.facets) - {"summary", "eligibility", "amount"}
        )

    @staticmethod
    def _only_generic_known(a: _Analysis) -> bool:
        """A Japanese question with a topic of its own whose only words the KB knows (the
        glossary's, and its Han words read in Korean) are generic ones (모집, 신청, 지원:
        :data:`GENERIC_WORDS`)."""
        if a.question_lang != "ja" or not a.topic.strip() or not a.extra:
            return False  # (Chinese questions' readings miss too many words the KB has)
        generic = set(GENERIC_WORDS) | _GRANT_EXPANSION
        return all(set(x.split()) <= generic for x in a.extra)

    def unknown_head(self, a: _Analysis, *, half_known: bool = False) -> str | None:
        """The thing a short Korean (or English) question asks for, when the knowledge
        base does not know it: "산단 통근버스 시간표" (통근버스), "상인회 가입하려면
        조건" (가입), "재개발 조합 설립 언제" (설립). The issue's signature of a
        near-topic question — another office's matter said beside the programmes' words
        (산단, 상인회, 재개발) — that the share of known words (:meth:`known_share`)
        dilutes; None when the question is long (a description), the last topic word is no
        noun (:data:`_VERBAL_LAST`), is who asks ("동호회도"), or known.

        ``half_known``: a word half of whose bigrams the KB uses is unknown too ("부가세":
        부가 is the KB's), when a particle or an asking noun marks it as what is asked
        ("부가세 신고는"; not "해야됨"). Said in a sentence apart from a record named right,
        such a word is another thing; in a short question alone it is more often a name
        mistyped ("이욷만들기"), so it is not the default."""
        if a.question_lang == "en":
            return self._unknown_english_head(a)
        if a.question_lang != "ko" or len(a.text.split()) > HEAD_QUESTION_WORDS:
            return None
        words = [w for w in a.topic.split() if _HANGUL_RE.fullmatch(w) and len(w) > 1]
        # back from the end past what asks (신고, 예약, 대여 …; "받으려면", "봐요"): its object
        while words and (
            _ASKING_VERB_RE.fullmatch(words[-1])
            or _OFFICE_WORD_RE.fullmatch(words[-1])  # where to go ("… 면사무소 가면 돼요?")
            or words[-1] in _ASKING_NOUNS
            or (words[-1] in _PRICE_WORDS and len(words) > 1)  # "정장 무료 대여"
        ):
            if words[-1] in _ASKING_NOUNS and self.known_share(words[-1]) < 0.5:
                break  # an asking the KB never speaks of: 가입, 설립
            words.pop()
        head = words[-1] if words else ""
        anchored = (
            not head
            or (_verbal(head) and head not in _ASKING_NOUNS)
            or bool(_NOT_A_THING_RE.search(head))
        )
        if anchored:  # the question ends in a verb: the thing said before what asks of it
            thing = self._asked_thing(a.text) or self._unknown_before_verb(a.text, words)
            if not thing:
                return None
            head = thing
        if (
            (not anchored and _verbal(head) and head not in _ASKING_NOUNS)  # (수리 is no verb's)
            or _NOT_A_THING_RE.search(head)
            or self.known_share(head) > 0.5
            or (
                self.known_share(head) == 0.5
                and not (half_known and self._asked_for(a, head) and not self._money_for(head))
            )
            or compact(head) in self._kb_compact  # (inside a longer word of the KB's)
            or self._centre_word(head)  # the centre's own name: "마실터 어디예요?"
        ):
            return None
        at = a.text.rfind(head)
        end = at + len(head)
        if at >= 0 and a.text.startswith("가", end) and f"{head[-1]}가" in _NOUNS_SO_ENDING:
            # ("푸드트럭 영업허가 받으려면": 가 is the noun's, taken for a particle)
            head, end = f"{head}가", end + 1
        if (
            not anchored
            and at >= 0
            and (
                (_SUBJECT_SUFFIX_RE.match(a.text, end) and not _ASKED_OF_RE.match(a.text, end))
                or _MODIFIES_RE.match(a.text, end)
                or _COUNTED_RE.match(a.text, end)  # ("회원 6명이에요": who, and how many)
            )
        ):
            return None
        return head

    def _money_for(self, word: str) -> bool:
        """Is ``word`` money for a thing the KB speaks of ("실행비", "운영비": 실행, 운영), what a
        programme pays rather than another thing?"""
        return len(word) > 2 and word[-1] in "비금료" and self.known_share(word[:-1]) == 1.0

    @staticmethod
    def _asked_for(a: _Analysis, word: str) -> bool:
        """Is ``word`` marked in the question as the thing asked for (:data:`_ASKED_FOR_RE`)?"""
        at = a.text.rfind(word)
        return at >= 0 and _ASKED_FOR_RE.match(a.text, at + len(word)) is not None

    def _unknown_before_verb(self, text: str, words: list[str]) -> str | None:
        """The noun just before the verb a short question ends in, when the KB knows none of
        it ("어업경영체 등록은 수협 가서 해요?", "농지대장에 올리려면 어디 가요"): another
        office's thing, no word of which any record uses (a word the KB half knows, who
        asks — "우리 뜨개질 모임도 돼요?" — or a thing counted after it — "컨소시엄 몇 팀까지
        돼요?" asks of the record — is no such thing; nor is what a group may or wants to do
        with it: "지원금으로 노트북 사도 돼요?", "장터 열고 싶어요")."""
        rest = list(words)
        while rest and (_verbal(rest[-1]) or _ASKING_VERB_RE.fullmatch(rest[-1])):
            rest.pop()
        if not rest:
            return None
        word = rest[-1]
        at = text.rfind(word)
        if (
            len(word) < 3
            or _NOT_A_THING_RE.search(word)
            or _PERSON_RE.search(word)
            or _OFFICE_WORD_RE.fullmatch(word)
            or word in _ASKING_NOUNS
            or self.known_share(word) > 0.0
            or (at >= 0 and _WHO_SUFFIX_RE.match(text, at + len(word)))
            or (at >= 0 and not _ASKED_FOR_RE.match(text, at + len(word)))
            or (at >= 0 and _COUNT_ASKED_RE.search(text, at + len(word)))
            or _MAY_OR_WANT_RE.search(text)
        ):
            return None
        return word

    @staticmethod
    def _asked_thing(text: str) -> str | None:
        """The noun :data:`_ASKED_THING_RE` finds last in ``text``, back past what is done
        about it ("조종면허 갱신은 어디": 조종면허); None for a person or a verb's stem."""
        found = list(_ASKED_THING_RE.finditer(text))
        if not found:
            return None
        match = found[-1]
        word = match.group(1) or match.group(2)
        before = text[: match.start()].split()
        while True:
            stem = _THING_SUFFIX_RE.sub("", word)
            if len(stem) < 2 and word[-1] not in "가이도":
                return None  # ("다음 번은 언제": a one-syllable noun is no thing asked)
            word = stem if len(stem) >= 2 else word  # (허가: no 허 and a particle)
            if word not in _ASKING_NOUNS or not before:
                break
            word = before.pop()  # the noun said before it, as is ("부가세 신고는")
            if _THING_SUFFIX_RE.search(word) or not _HANGUL_RE.fullmatch(word):
                return None  # ("계획서 봐주는 상담 언제": what is done, not a thing)
        if (
            word in _ASKING_NOUNS
            or detect_facets(word).facets  # (마감, 돈, 문의처: what is asked of a record)
            or word.endswith("당")  # (팀당, 한곳당: per what)
            or _VERB_FORM_RE.search(word)
            or jamo(word[-1]).endswith("ㅆ")
            or _PERSON_RE.search(word)
            or not _HANGUL_RE.fullmatch(word)
            or len(word) < 2
        ):
            return None
        return word

    def _set_aside(self, a: _Analysis, top: _Candidate) -> bool:
        """Is ``top`` what the question sets aside ("대학생들이랑 하는 상생 프로젝트 말고요",
        "센터 서포터즈 말구요", "…모임지기 교육은 다음에 듣기로 하고요", "…공간 지원은 따로
        알아볼 거고요")? The few words before the setting aside name it (an FAQ entry: find
        it first)."""
        for aside in _SET_ASIDE_RE.finditer(a.text):
            words = " ".join(a.text[: aside.start()].split()[-3:])
            if not words:
                continue
            if self.index.name_score(top.scored.doc, words)[0] >= NAMED:
                return True
            if top.record.kind == "faq":  # (an entry has a question, not a name, to say)
                found = self.index.search(words, glossary_terms(words), limit=1, kinds=_FAQ)
                if found and found[0].doc == top.scored.doc and found[0].lexical >= UNSURE:
                    return True
        return False

    def _service_only_told(self, a: _Analysis, now: datetime) -> bool:
        """Is the public service the question names only in the story it tells, the thing
        asked in a sentence (or a clause after …는데/…해서) of its own that names none?
        "대표가 졸업하고 지방으로 취업해서 내려가는데 통장은 어떻게 돼요?" (a job found
        elsewhere; the group's account asked), "I'm on an E-9 visa working at a factory.
        Can I be a member of a group that gets money from you?". A clause of what one means
        to do is asked ("여권 발급받으려는데 어디로 가요?"), and so is the last sentence."""
        parts = [p.strip() for p in _TOLD_CLAUSE_RE.split(a.question) if p and p.strip()]
        if len(parts) < 2 or len(parts[-1].split()) < 2:
            return False
        if re.search(r"[?？]", a.question[: a.question.rfind(parts[-1])]):
            return False  # (a question before: "청년 월세 지원 조건이 어떻게 돼요? 월 20만원 …")
        last = self._analyse(parts[-1], now)
        if self._service_named(last) or _INTENT_CLAUSE_RE.search(" ".join(parts[:-1])):
            return False
        return not _only_office(last)

    def _asked_apart(self, a: _Analysis, top: _Candidate, now: datetime) -> bool:
        """Is ``top``, named, only the story the question tells, another thing asked?

        Asked in a sentence (or a clause ending in …는데) of its own after the last one naming
        it: a thing the KB does not know (:meth:`unknown_head`), a public service it never
        names, or another office ("…언어교환 모임에서 만난 친구가 비자 체류기간이 끝난대요.
        … 출입국사무소 방문예약은 어디서 해요?", "I'm in the … group. How do I apply for a
        fishing permit?"). Only what the sentences past the name ask
        is looked at: "이웃만들기 하려는데요. 모임 인원은 몇 명 이상이어야 해요?" asks of
        the record."""
        parts = [p.strip() for p in _SENTENCE_END_RE.split(a.question) if p and p.strip()]
        if len(parts) < 2:
            return False
        doc = top.scored.doc
        named = [i for i, p in enumerate(parts) if self.index.name_score(doc, p)[0] >= NAMED]
        if not named:
            return False
        # …or asked before the name, the record only in the story told after it ("전입신고
        # 하려면 뭐 가져가요? 씨앗사업 할라고 이사왔거든요": moved here for the grant; the
        # move reported is asked): a public service or another office asked in a question
        # of its own, and no question about the record after it
        if not any(_asked_by_mark(a.question, parts[i]) for i in named):
            for part in parts[: named[0]]:
                if not _asked_by_mark(a.question, part):
                    continue
                sub = self._analyse(part, now)
                if self._service_named(sub) or self.other_centre(sub.text):
                    return True
        for part in parts[named[-1] + 1 :]:
            sub = self._analyse(part, now)
            if (
                # (a word alone is no thing asked: "…9천만원이라던데 진짜예요?")
                (
                    # (in English, a thing of more than one word: "… compensation claim";
                    # "Is it a long form?" asks of the record)
                    (
                        sub.question_lang == "ko"
                        or (sub.question_lang == "en" and len(sub.topic.split()) > 1)
                    )
                    and len(part.split()) > 1
                    and self.unknown_head(sub, half_known=True)
                )
                or self._service_named(sub)
                or self.other_centre(sub.text)
            ):
                return True
        return False

    def _unknown_english_head(self, a: _Analysis) -> str | None:
        """:meth:`unknown_head` of a short English question: the last word of its topic past
        what only asks (apply, renew, buy …), when the KB never uses it nor the glossary
        knows it ("Where can I buy a recreational fishing permit?": permit). In a question of
        any length, the thing it asks to get, report or find (:data:`_EN_OBJECT_RE`: "How do I
        get a permit to sell vegetables at the market as a farmer?": permit; "Where do I report
        a broken streetlight in …": streetlight) when the KB never uses it, in a question's
        sentence (not in the story before it)."""
        sentences = re.split(r"(?<=[?.!])\s+", a.question.lower())
        for sentence in sentences:
            if "?" not in sentence and len(sentences) > 1:
                continue  # (the story told: "I'd like to get the neighbours together …")
            sentence = sentence.replace("?", " ?")  # (the mark ends the phrase asked)
            found = _EN_OBJECT_RE.search(sentence)
            if found is not None:
                head = found.group(1).split()[-1]
                if self._unknown_english_word(a, head):
                    return head
            for found in _EN_THERE_RE.finditer(sentence):
                phrase = found.group(1).split()
                if (
                    len(phrase) > 1
                    and phrase[-2] in _SERVICE_SET
                    and " ".join(phrase[-2:]) not in self._kb_words
                ):
                    return " ".join(phrase[-2:])  # ("Is there a rent subsidy for …": the office's)
        if len(a.text.split()) > HEAD_QUESTION_WORDS_EN:
            return None
        words = [w for w in a.topic.split() if w.isascii() and w.isalpha() and len(w) > 2]
        while words and words[-1] in _EN_ASKING:
            words.pop()
        if not words:
            return None
        head = words[-1]
        return head if self._unknown_english_word(a, head) else None

    def _unknown_english_word(self, a: _Analysis, head: str) -> bool:
        """Does the KB never use ``head`` (any part of "wi-fi"), nor the glossary know it?"""
        parts = [p for p in head.split("-") if p.isalpha() and len(p) > 1]
        if head in _EN_ASKING or sum(map(len, parts)) < 3:
            return False
        if any(f"w:{stem(p)}" in self.index.idf or self._centre_word(p) for p in parts):
            return False
        return not (
            any(head in x for x in glossary_terms(a.text))
            or any(k in head or head in k for k in glossary_keys(a.text))
        )  # (a word of the glossary's, or of its phrases: "expense report")

    def _on_the_day_told(self, a: _Analysis, candidates: list[_Candidate], now: datetime) -> None:
        """Events on a day the question tells of (a month at most, a story's too: "이번 달
        초에 했던 활동가들 모임 자료", "3월 중순에 회계 배우는 거") favoured, as a filter's
        matches are."""
        told = a.told_dates
        if told is None or told.weekdays or (told.end - told.start).days > 31:
            return
        tz = now.tzinfo
        assert tz is not None
        start, end = ev.day_bounds(told.start, told.end, tz)
        favoured = False
        for candidate in candidates:
            if candidate.record.kind == "event" and _on_days(
                self.events[candidate.record.id], told, start, end, tz
            ):
                candidate.score *= FILTER_FAVOUR
                favoured = True
        if favoured:
            candidates.sort(key=lambda c: c.score, reverse=True)

    def _occurrence(
        self, event: EventSpec, dates: DateRange | None, now: datetime
    ) -> datetime | None:
        if dates is not None:
            tz = now.tzinfo
            assert tz is not None
            start, end = ev.day_bounds(dates.start, dates.end, tz)
            found = _on_days(event, dates, start, end, tz)
            if found:
                return found[0]
        return ev.next_occurrence(event, now)

    # --- filters ------------------------------------------------------------------
    def _named_in_part(self, a: _Analysis) -> str | None:
        """The one grant two neighbouring words of whose name the question has ("다문화
        이웃 사업 아직 돼요?", "is the multicultural neighbours grant still open?"), or whose
        name it clips (:meth:`_clipped_name`), if one."""
        said = compact(a.text)
        latin = {w.rstrip("s") for w in words(a.text) if w.isascii()}

        def has(word: str) -> bool:
            return word.rstrip("s") in latin if word.isascii() else word in said

        found = {id_ for (one, two), id_ in self._name_pairs.items() if has(one) and has(two)}
        if len(found) == 1:
            return next(iter(found))
        return None if found else a.clipped

    def _clipped_name(self, text: str) -> str | None:
        """The one grant whose name a resident clipped to the head of its first word, said
        right before a programme word: "이웃 사업 마감" (이웃만들기 지원사업), "the neighbour
        grant" (the Neighbour-Making Grant). A head that begins words of several names, or a
        generic one ("마을 사업"), names none; a Korean head leaves two syllables or
        more of the word (이웃 of 이웃만들기; 청소 is not 청소년's); and a question asking
        what there is ("청년 사업 뭐 있어요?") asks for the kind."""
        if LIST_WORDS_RE.search(text):
            return None
        found: set[tuple[str, bool]] = set()
        for match in _CLIPPED_HEAD_RE.finditer(text.lower()):
            head = match[1] or match[2]
            if head in _GENERIC_NAME_WORDS or (head.isascii() and len(head) < 4):
                continue
            found |= {
                (id_, first)
                for word, first, id_ in self._name_words
                if (
                    word.rstrip("s") == head.rstrip("s")
                    if head.isascii()
                    else word == head or (word.startswith(head) and len(word) - len(head) > 1)
                )
            }
        # (one grant, and its name's first word: "이웃 사업" where 이웃 begins the words of
        # several names, 이웃모임 … 이웃사촌, names none)
        if len({id_ for id_, _ in found}) != 1 or not any(first for _, first in found):
            return None
        return next(iter(found))[0]

    def _filter(
        self,
        a: _Analysis,
        now: datetime,
        named: bool,
        top: _Candidate | None,
        second: float,
    ) -> dict[str, Any] | None:
        """A filter answer when the question filters rather than names one record."""
        c = a.criteria
        if named or (
            not c.list_words
            and top is not None
            and top.record.kind == "grant"
            and self._named_in_part(a) == top.record.id
        ):  # ("is the multicultural neighbours grant still open?": that grant, not a list)
            return None
        confident = (
            top is not None
            and top.score >= CONFIDENT
            and (top.score - second >= MARGIN * top.score)
        )
        only_filter_words = not a.topic and not self._topic_glued(a)
        # "what trainings are coming up?": a status word with an event kind and no grant
        # word, age or amount asks for events
        # (but "지금 신청되는 거 뭐 있어요?", "접수 중인 거 뭐 있어요": an application's status
        # and only "뭐 있" of the event words asks for the open calls, not every event)
        # an event word other than "뭐 있" ("행사", "일정", "events")
        named_events = bool(EVENT_WORDS_RE.search(_WHAT_IS_THERE_RE.sub(" ", a.text)))
        event_words = c.event_words and not (c.status is not None and not named_events)
        events_only = (bool(c.event_kinds) or event_words) and not (
            c.grant_words or c.age or c.amount
        )  # ("What events are coming up in May?")
        if c.grant_filter and not events_only:
            return self._grant_filter(a, now)
        if (
            c.group_size is not None
            and (c.grant_words or "eligibility" in a.facets)
            and not {w for w in a.topic.split() if not any(w in g for g in c.group_words)}
            - _GROUP_NOUNS
        ):  # "우리 모임 3명인데 신청할 수 있는 사업 있어요?": the grants a group that size may
            # apply for (with a topic of its own the group's size only leans to grants)
            return self._grant_filter(a, now)
        if c.grant_rule and (c.grant_words or c.list_words):
            # "회원이 5명 이상은 돼야 하는 사업들 뭐 있어?", "자부담 있는 사업만 알려주세요",
            # "나이 제한 없는 공모 뭐 있어요?": the grants with (or without) such a rule
            return self._grant_filter(a, now)
        if (
            not _bare_topic(a)  # ("Có những chương trình hỗ trợ nào?": there are, which)
            # (Vietnamese "có … không" is any yes/no question: a list only when "which" or
            # "the list" is said — "Tôi có visa E-9, có được … hỗ trợ không?" is no list)
            and (a.question_lang != "vi" or _VI_LIST_RE.search(a.text) is not None)
            and not (c.event_kinds or named_events)
            and (
                (c.grant_words and c.list_words)
                or (_how_much_alone(a) and (c.grant_words or not a.residual.strip()))
            )
        ) or (_field_alone(a) and not (c.event_kinds or named_events)):
            # "공모사업 뭐 있어요?", "What grants are there?", "지원금 얼마까지 받을 수 있어요?":
            # nothing asked but the grants (by amount: each one's amount is in the list); "공모
            # 사업 마감 언제예요?": what each of them has its own of
            return self._grant_filter(a, now)
        if (
            a.categories
            and (c.grant_words or c.list_words)
            and not c.event_kinds
            and (c.list_words or self._named_in_part(a) is None)
        ):  # (not "Can migrants apply for the neighbours across the sea grant?": one named)
            if (
                not confident
                or only_filter_words
                or top is None
                or top.record.kind != "grant"
                # every one of the theme asked for ("어르신 돌봄 분야 공모사업 다 알려줘요"):
                # the list, though one of them shares more of the question's words
                or (_ALL_ASKED_RE.search(a.text) and self._named_in_part(a) is None)
            ):
                return self._grant_filter(a, now)
        # ("주민총회 투표권 있어요?" asks of a right, not for the list of assemblies)
        is_there = c.list_words and (
            c.list_asked
            or c.kind_is_there
            or c.event_words
            or only_filter_words
            or a.question_lang != "ko"
        )
        event_filter = (bool(c.event_kinds) or c.event_words or bool(a.dongs)) and (
            a.dates is not None
            or is_there
            or (bool(a.dongs) and only_filter_words and (bool(c.event_kinds) or c.event_words))
            or (only_filter_words and "when" in a.facets and not c.grant_words)
            # "What is the next event?", "upcoming trainings", "다음 행사 뭐예요?": the events
            # to come (an application's "upcoming" is a grant word's, below)
            or (only_filter_words and c.status == "upcoming")
        )  # "한빛1동 행사": the dong's events; "교육 일정 알려줘", "행사 언제 해요?": what is on
        if c.grant_words and not c.event_kinds:  # "5월에 접수하는 공모사업 뭐 있어요"
            event_filter = False
        if (
            a.dates is not None
            and not a.dates.weekdays
            and a.facets[:1] in (("deadline",), ("opens",), ("result",))
            and not c.event_kinds
            and not named_events
            and (only_filter_words or not confident)
        ):  # "이번 달 마감하는 거 뭐 있어요", "다음 주 결과 나오는 거": applications close, open
            # and announce; events do not
            return self._grant_filter(a, now)
        if event_filter and (not confident or only_filter_words):
            return self._event_filter(a, now)
        if (
            a.dates is not None
            and not a.dates.weekdays
            and c.grant_words
            and (not confident or only_filter_words)
        ):
            return self._grant_filter(a, now)
        return None

    def _topic_glued(self, a: _Analysis) -> bool:
        """A word the KB uses typed together with a kind, theme or dong word, which took the
        whole word out of the topic ("안전지킴이교육 언제해요": 안전 is a theme, 교육 a kind,
        지킴이 names the training): the question has a topic all the same."""
        glued = sorted(
            {
                *(w for start, end in a.criteria.word_spans for w in a.text[start:end].split()),
                *(k for k, id_ in self._category_keys if id_ in a.categories),
                *(k for k, id_ in self._dong_keys if id_ in a.dongs),
                *GENERIC_WORDS,
            }
            - {""},
            key=len,
            reverse=True,
        )
        for word in a.residual.split():
            if not _HANGUL_RE.fullmatch(word):
                continue
            for part in glued:
                word = word.replace(part, " ")
            for piece in word.split():
                piece = _strip_ending(piece)
                if (
                    len(piece) >= 2
                    and piece not in FILLER_WORDS
                    and piece not in PARTICLES
                    and self.index.knows(piece)
                ):
                    return True
        return False

    @staticmethod
    def _occurrences(
        events: list[EventSpec], a: _Analysis, now: datetime
    ) -> list[tuple[str, datetime]]:
        if a.criteria.times_asked and a.dates is None:  # "언제언제": this year's
            year = DateRange(date(now.year, 1, 1), date(now.year, 12, 31), "year", (0, 0))
            return _occurrence_list(events, year, now, past=True)
        return _occurrence_list(events, a.dates, now, past=a.criteria.times_asked)

    def _grant_filter(self, a: _Analysis, now: datetime) -> dict[str, Any]:
        c = a.criteria
        today = now.date()
        grants = list(self.kb.grants)
        amount_asked = c.amount
        if amount_asked is not None:
            if amount_asked.bare and any(
                g.amount.max_krw == amount_asked.value for g in grants
            ):  # "150만원 주는 사업 뭐에요": the ones that give it, not all that give more
                amount_asked = amount_asked.exactly()
            amount = amount_asked
            grants = [g for g in grants if amount.accepts(g.amount.max_krw)]
        if a.categories:
            wanted = set(a.categories)
            grants = [g for g in grants if wanted & set(g.categories)]
        if a.dates is not None and not a.dates.weekdays:
            # ("토요일마다 청소하는 모임": when the group meets, not when applications are)
            grants = [g for g in grants if _window_fits(g, a.dates, _dated_field(a))]
        if c.status is not None and not (
            c.status == "open" and a.dates is not None and _dated_field(a) == "opens"
        ):  # with a month too: "지금 접수 중인 것 중에 이번 달 마감" (but "which grants
            # open for applications in March?" asks when they open, not which are open now)
            grants = [g for g in grants if _status_fits(g, today, c.status)]
        age_targeted = False
        others: tuple[str, ...] = ()
        if c.group_size is not None:  # (a grant without a member rule takes any group)
            size = c.group_size
            grants = [g for g in grants if (g.rules.min_members or 0) <= size]
        if c.self_funding is not None:
            share = c.self_funding
            grants = [g for g in grants if bool(g.amount.self_funding_percent) == share]
        if c.age_rule is not None:
            limited = c.age_rule
            grants = [
                g
                for g in grants
                if (g.rules.min_age is not None or g.rules.max_age is not None) == limited
            ]
        if c.members_required is not None:
            least = c.members_required
            grants = [g for g in grants if (g.rules.min_members or 0) >= least]
        if c.age is not None:
            age = c.age
            fitting = [g for g in grants if age.allows(g.rules.min_age, g.rules.max_age)]
            targeted = [
                g for g in fitting if g.rules.min_age is not None or g.rules.max_age is not None
            ]
            untargeted = tuple(g.id for g in fitting if g not in targeted)
            if targeted:
                grants, age_targeted, others = targeted, True, untargeted
            else:
                grants = fitting
        grants.sort(key=lambda g: _grant_order(g, today))
        if c.amount is not None:  # the closest to the amount asked first
            amount = c.amount
            grants.sort(key=lambda g: amount.distance(g.amount.max_krw))
        if c.superlative:
            grants = sorted(grants, key=lambda g: g.amount.max_krw, reverse=True)[:1]
        ids = tuple(g.id for g in grants)
        facets = for_kind(a.facets, "grant") if a.facets else ("summary",)
        facet = facets[0]
        if c.superlative or (
            c.amount is not None and len(ids) == 1 and facet in ("summary", "eligibility")
        ):  # "300만원짜리 할 수 있는 거": the one that gives it, said with its amount
            facet = "amount"
        return {
            "kind": "grant",
            "id": ids[0] if len(ids) == 1 else None,
            "facet": facet if len(ids) == 1 else "list",
            "facets": facets,
            "matches": ids,
            "confident": True,
            "grant_query": GrantQuery(
                age=c.age,
                amount=amount_asked,
                categories=a.categories,
                status=c.status,
                superlative=c.superlative,
                age_targeted=age_targeted,
                others=others,
                dated=_dated_field(a) if a.dates is not None and not a.dates.weekdays else None,
                members=c.group_size,
                members_required=c.members_required,
                self_funding=c.self_funding,
                age_rule=c.age_rule,
            ),
            "score": 1.0,
            "reason": "filter",
        }

    def _held_in_dong(self, a: _Analysis) -> bool:
        """The question places the events in the dong it names ("윗골동에서 하는", "held in
        Hanbit 1-dong"), rather than asking what its residents can go to."""
        keys = [k for k, id_ in self._dong_keys if id_ in a.dongs]
        packed = a.text.replace(" ", "")
        return any(
            re.search(re.escape(k.replace(" ", "")) + r"(에서|안에서)", packed) for k in keys
        ) or bool(re.search(r"\b(held|happening|taking place) in\b", a.text))

    def _titled(self, events: list[EventSpec], topic: str) -> list[EventSpec]:
        """The events whose titles hold a word of the question's topic ("회계교육 올해 몇
        번 해요?": the accounting classes, not every training this year); all of them when
        no title does, or when the word is in most titles (마을). The filter keeps only
        those with occurrences in the period asked; a description is not narrowed."""
        titles = self._event_titles
        for word in topic.split():
            key = compact(_latin_plain(word))
            if len(key) < 2:
                continue
            titled = [e for e in events if key in titles[e.id]]
            if titled and len(titled) * 2 <= len(events):
                return titled
        return events

    def _names_title(self, event: EventSpec, topic: str) -> bool:
        """Does a word of the topic stand in the event's title ("회계" of 회계교육)? A word
        for any gathering (모임, 교육, meeting) names a kind of thing, not the event."""
        title = self._event_titles[event.id]
        return any(
            len(key := compact(_latin_plain(word))) >= 2
            and key not in GATHERING_WORDS
            and key in title
            for word in topic.split()
        )

    def _any_kind(self, a: _Analysis) -> list[EventSpec]:
        """The events of every kind that the dongs asked about (all of them: none asked)
        can go to: their own and the district's."""
        return [e for e in self.kb.events if not a.dongs or e.dong is None or e.dong in a.dongs]

    def _event_filter(self, a: _Analysis, now: datetime) -> dict[str, Any]:
        c = a.criteria
        tz = now.tzinfo
        assert tz is not None
        kinds = c.kinds_asked
        events = [e for e in self.kb.events if not kinds or e.kind in kinds]
        if a.dongs:
            events = [e for e in events if e.dong is None or e.dong in a.dongs]
            own = [e for e in events if e.dong is not None]
            if own and self._held_in_dong(a):  # "윗골동에서 하는 행사": the dong's own
                events = own
        found = self._occurrences(events, a, now)
        if found and not self.descriptive(a):
            named = self._titled(events, a.topic)
            titled = [pair for pair in found if pair[0] in {e.id for e in named}]
            if (
                not titled
                and len(named) == 1
                and a.dates is not None
                and self._names_title(named[0], a.topic)
            ):
                # "12월에 회계교육 또 해요?" with none in December: that class, said not to
                # take place then, and when it does (not the other trainings of December)
                return {
                    "kind": "event",
                    "id": named[0].id,
                    "facet": "time",
                    "facets": ("time",),
                    "matches": (named[0].id,),
                    "confident": True,
                    "occurrence": ev.next_occurrence(named[0], now),
                    "score": 1.0,
                    "reason": "filter",
                }
            found = titled or found
        relaxed: tuple[str, ...] = ()
        if not found and kinds and not a.topic:
            # "교육 있어요?" when no training is planned: say so, and what there is instead
            relaxed = kinds
            found = self._occurrences(self._any_kind(a), a, now)
        found.sort(key=lambda pair: pair[1])
        if c.next_one and not relaxed and not c.times_asked:
            soonest = next((i for i, start in found if start >= now), None)
            if soonest is not None:  # ("다음 토론회 언제예요?": that one)
                found = [pair for pair in found if pair[0] == soonest]
        later: tuple[tuple[str, datetime], ...] = ()
        if not found and a.dates is not None and a.dates.end >= now.date():
            after = max(now, ev.day_bounds(a.dates.end, a.dates.end, tz)[1])
            pool = self._titled(events, a.topic) if not self.descriptive(a) else events
            later = _next_after(pool, after) or _next_after(self._any_kind(a), after)
        ids = tuple(dict.fromkeys(i for i, _ in found))
        facets = for_kind(a.facets, "event") if a.facets else ("time",)
        return {
            "kind": "event",
            "id": ids[0] if len(ids) == 1 else None,
            "facet": facets[0] if len(ids) == 1 else "list",
            "facets": facets,
            "matches": ids,
            "confident": True,
            # (the next time, where the times already held are listed too; none: all held)
            "occurrence": (
                next((s for _, s in found if s >= now), None) if len(ids) == 1 else None
            ),
            "event_query": EventQuery(
                kinds=kinds,
                dongs=a.dongs,
                occurrences=tuple(found),
                relaxed=relaxed,
                later=later,
            ),
            "score": 1.0,
            "reason": "filter",
        }


def _as_past(told: DateRange | None, text: str, now: datetime) -> DateRange | None:
    """A day or month told in a story of the past ("2월 10일 설명회 못 갔는데", asked in April)
    without its year: the last one, not the next (dates are read as the next by default)."""
    if told is None or told.grain not in ("day", "month", "part-month", "range"):
        return told
    said = text[told.span[0] : told.span[1]]
    if told.start <= now.date() or re.search(r"\d{4}|년|年", said):
        return told
    try:
        start, end = (
            told.start.replace(year=told.start.year - 1),
            told.end.replace(year=told.end.year - 1),
        )
    except ValueError:  # (29 February)
        return told
    return DateRange(start, end, told.grain, told.span, told.weekdays)


def _on_days(
    event: EventSpec, dates: DateRange, start: datetime, end: datetime, tz: tzinfo
) -> list[datetime]:
    """The event's occurrences between ``start`` and ``end`` that fall on the range's
    weekdays ("토요일마다": its Saturdays), in order."""
    return [
        s
        for s in ev.occurrences_between(event, start, end)
        if dates.on_day(s.astimezone(tz).date())
    ]


GATHERING_WORDS = frozenset(
    "모임 행사 회의 교육 강좌 강의 수업 프로그램 일정 이벤트 설명회 워크숍 "
    "event events meeting meetings class classes course program programme session".split()
)
"""Words for any gathering: in an event's title they do not name that event."""

LATER_LISTED = 3
"""How many events an answer about an empty period names as coming next."""


def _next_after(events: list[EventSpec], after: datetime) -> tuple[tuple[str, datetime], ...]:
    """Each event's first occurrence starting after ``after``, the soonest few, by time."""
    found = [
        (event.id, start)
        for event in events
        if (start := ev.next_occurrence(event, after)) is not None and start > after
    ]
    return tuple(sorted(found, key=lambda pair: pair[1])[:LATER_LISTED])


# "우리 동 행사", "저희동에서 하는 거", "events in my dong": the asker's own dong (not 동네,
# 동아리, 동의서 …: a particle or nothing after 동)
_OUR_DONG_RE = re.compile(
    r"(?:우리|저희)\s?동(?=$|[^가-힣]|(?:에서|에는|에선|에도|에|은|는|의|이|도|만|엔)(?![가-힣]))"
)
_MY_DONG_RE = re.compile(r"\b(?:my|our)\s+(?:dong|neighbou?rhood)\b", re.IGNORECASE)


def names_own_dong(question: str) -> bool:
    """Does the question say "우리 동" ("my dong")?"""
    return bool(_OUR_DONG_RE.search(question) or _MY_DONG_RE.search(question))


def _name_our_dong(question: str, home: DongSpec) -> str:
    """The question with "우리 동" ("my dong") replaced by the name of the asker's dong."""
    question = _OUR_DONG_RE.sub(home.name.ko, question)
    return _MY_DONG_RE.sub(home.name.get("en"), question)


def _occurrence_list(
    events: list[EventSpec], dates: DateRange | None, now: datetime, past: bool = False
) -> list[tuple[str, datetime]]:
    """Each event's occurrences in ``dates`` from now on (with ``past``, an event that is not
    held again in ``dates`` with the times it was held), or without dates each event's next
    one."""
    tz = now.tzinfo
    assert tz is not None
    found: list[tuple[str, datetime]] = []
    if dates is not None:
        start, end = ev.day_bounds(dates.start, dates.end, tz)
        start = max(start, now) if dates.end >= now.date() and not past else start
        for event in events:
            times = _on_days(event, dates, start, end, tz)
            if past:  # an event held already and not again is listed with its past times
                times = [s for s in times if s >= now] or times
            found.extend((event.id, s) for s in times)
    else:
        for event in events:
            nxt = ev.next_occurrence(event, now)
            if nxt is not None:
                found.append((event.id, nxt))
    return found


def _status_fits(grant: GrantSpec, today: date, status: str) -> bool:
    opens, closes = grant.application.opens, grant.application.closes
    if status == "open":
        return opens <= today <= closes
    if status == "closing":
        return opens <= today <= closes and (closes - today).days <= 14
    if status == "upcoming":
        return today < opens
    if status == "closed":
        return closes < today
    return True


DATED_FIELDS = ("deadline", "opens", "result")
"""The facets that say which of a grant's dates a date asks about ("2월 26일 마감인 사업",
"1월 25일부터 접수하는", "3월 5일에 결과 나오는 사업들"); with none, its application window."""


def _dated_field(a: _Analysis) -> str | None:
    return a.facets[0] if a.facets and a.facets[0] in DATED_FIELDS else None


def _window_fits(grant: GrantSpec, dates: DateRange, field: str | None) -> bool:
    application = grant.application
    if field == "deadline":
        return dates.contains(application.closes)
    if field == "opens":
        return dates.contains(application.opens)
    if field == "result":
        return application.result_on is not None and dates.contains(application.result_on)
    return application.opens <= dates.end and dates.start <= application.closes


def _grant_order(grant: GrantSpec, today: date) -> tuple[int, date]:
    """Open grants first (closing soonest first), then upcoming, then closed."""
    opens, closes = grant.application.opens, grant.application.closes
    if opens <= today <= closes:
        return (0, closes)
    if today < opens:
        return (1, opens)
    return (2, date.max - (closes - date.min))


__all__ = ["Answer", "EventQuery", "FaqSpec", "GrantQuery", "QAEngine", "answer_language"]
