"""Words the matcher treats specially: fillers, particles, glossary, chit-chat, places.

Nothing here names a record of one district: the glossary maps words residents use
(and the Chinese and Vietnamese words for the domain's notions) onto the vocabulary
that knowledge-base files in the shared format are written in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

import yaml

from bot.qa.text import normalize

# libyaml's parser when PyYAML has it: 2 ms for the glossary, the pure-Python one's ~100 ms
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Whole words that carry no topic (colloquial endings, pronouns, question words; "is held",
# 열려요, as 해요 and 있어요: "다음 행사는 언제 열려요?" names no record).
FILLER_WORDS = frozenset(
    """
    혹시 좀 그 저 제가 저는 전 저희 저희는 우리 우리는 나 내가 난 근데 그런데 그리고 그럼 그러면
    중에 안에 중에서 가운데
    있어요 있나요 있을까요 있는 있는지 없나요 없어요 있습니까 있음 있냐 있어 있니 있죠 있지요
    해요 하나요 할까요 하는 하는지 하는데 되나요 돼요 되요 되는 되는지 될까요 됨 돼 됐어요
    주세요 알려주세요 알려줘 알려줘요 알려주실 알려주세요요 가르쳐 가르쳐주세요 궁금해요
    보여줘 보여줘요 보여주세요 보여주세요요 보여줄래요 알려줄래요 정리해줘 정리해주세요 줘 줘요
    넘는데 넘어서 늦게 늦는데 타고
    잡힌 잡혀 잡혀있는 잡힌거
    궁금합니다 궁금한데 궁금함 싶어요 싶은데 싶은데요 싶습니다
    어떻게 어디 어디서 언제 뭐 뭐가 뭐예요
    무슨 어떤 어느 수 것 거 게 건가요 건데 인데 인데요 요 네 예 아 음 문의드립니다 받을 받는 할
    하려면 해야 하면 하고 같은 관련 관련된 대해 대해서 정도 지금 현재 요즘 이거 그거 저거 이건 그건
    뭔가요 뭔지 뭐야 뭐임 임 임요 뭐에요 뭐에 뭐죠 뭔데 뭘까요 뭐지 으로 에서 에게 한테 이랑 하고
    했어요 했나요 할게요 가야 가야해요 해야돼요 해야되나요 돼요 되죠 인가요 이요 이죠
    인지 이에요 예요 에요 있다 없다 했는데 하던데 나와요 나오나요 나오는
    받나요 받아요 받을수 할수 수있나요 수있어요 하나 가요 되죠 맞나요 맞아요 맞죠 인가 거예요 건지
    거에요 거에 거죠 거요 건데요 걸까요 있었어요 있었나요 있었어 있었는지 새로
    도와주 도와주나요 도와주세요 도와줘요 도와줘 지원해주 지원해주나요 지원해줘요 해주 해주나요
    가면 가려고 가려면 가도 갈게요 찾아가려고 찾아가려고요 찾아갈게요 찾아가려면 방문하려고
    방문하려면
    해줘요 주나 주나요 줘요 주세요 싶은데 싶고 싶다 하려는데 하려고 하려면 돼 되나 가능 가능한가요
    가능해요 있나 있을까 있는데 되는데 그런 이런 쪽 나와요 나오나 나오나요
    열려요 열리나요 열려 열리죠 열립니까 열릴까요 열리는지 열리요
    please tell me i we you my our is are was be do does can could would should the a an of to
    for in on at about what when where who how which there any it this that and or with me us
    much many get have has from by offer offers provide provides
    s t m ll d don doesn didn isn aren
    """.split()
)

# Question words: cues for the facet of a record, but topical in FAQ questions.
QUESTION_WORDS = frozenset(
    "어떻게 어디 어디서 언제 뭐 누가 누구 얼마 몇시 where when how what who".split()
)

# A particle left on its own when the word before it was taken out.
PARTICLES = frozenset(
    "은 는 이 가 을 를 에 도 의 와 과 로 만 요 야 고 서 죠 네 게 걸 건 어요 아요 어 아 나요 "
    "까 까지 부터 에도 에는 에서 에게 한테 이나 랑 이랑 및 "
    # the copula and the plural left when the word before them was taken out ("2월 26일
    # 마감인 사업", "결과 나오는 사업들")
    "인 들 "
    # what is left of a reported question when the word asking was taken out ("얼마래요",
    # "언제래요": 얼마라고 해요)
    "래요 대요 래".split()
)

# Words too general to name a topic on their own ("신청할 수 있는 사업").
GENERIC_WORDS = (
    "신청", "접수", "지원", "참여", "참가", "모집", "관련", "대상", "분야", "위한", "사람",
    "주는", "받는", "하는", "열리는", "apply", "open", "available", "related",
)  # fmt: skip

# Endings and particles stripped from the end of a Hangul word (longest first).
ENDINGS = sorted(
    """
    이에요 예요 에요 인가요 인가 나요 까요 어요 아요 해요 하나요 할까요 합니까 습니까 입니다 니다
    이랑 하고 에서 에게 한테 으로 까지 부터 처럼 이나 이요 이죠 인데 인데요 는데 은데 이야 이지
    하려는데 하려면 하려고 하는 되는 하던 했던 할 이라서 이라도 이라 라도 라서
    은 는 이 가 을 를 에 도 의 와 과 랑 로 만 요 야
    """.split(),
    key=len,
    reverse=True,
)

# Nouns ending in 가 (家, 價, 加 …) whose 가 is no subject particle: 활동가 stays 활동가.
GA_NOUNS = (
    "활동가", "전문가", "예술가", "사업가", "기획가", "건축가", "음악가", "미술가", "작가",
    "평론가", "운동가", "참가", "추가", "평가", "휴가", "단가", "물가", "대가", "정가",
)  # fmt: skip


def _load_glossary() -> dict[str, str]:
    """bot/qa/data/glossary.yaml in its order, each key and value the text as written (no
    YAML types: "on" stays a word); a key written twice, or an entry that is not a word and
    its expansion, raises ValueError: the bot does not start with a glossary it misreads."""
    return parse_glossary(
        resources.files("bot.qa").joinpath("data/glossary.yaml").read_text("utf-8")
    )


def parse_glossary(text: str) -> dict[str, str]:
    """:func:`_load_glossary`'s reading of the file's text."""
    root = yaml.compose(text, Loader=_YAML_LOADER)
    if not isinstance(root, yaml.MappingNode):
        raise ValueError("bot/qa/data/glossary.yaml: not a mapping of words")
    glossary: dict[str, str] = {}
    for key, value in root.value:
        if not (isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.ScalarNode)):
            problem = "not a word and its expansion"
        elif key.value in glossary:
            problem = f"{key.value!r} written twice"
        else:
            glossary[key.value] = value.value
            continue
        raise ValueError(f"bot/qa/data/glossary.yaml, line {key.start_mark.line + 1}: {problem}")
    return glossary


# Resident words → the words knowledge bases use (Korean and English): bot/qa/data/glossary.yaml.
GLOSSARY: dict[str, str] = _load_glossary()

# Vietnamese typed without its marks ("co hoat dong di bo khong"), as on a phone without a
# Vietnamese keyboard: the words and phrases the engine reads — the glossary's Vietnamese
# words and these (the cues' and criteria's words, and common words that tell an unmarked
# form apart) — put back with their marks before anything else reads the question. An
# unmarked form that stands for two words here (thue: thuê rent / thuế tax) or for a common
# word not listed (muon: muốn want / mượn borrow; toi: tôi / tới; truong: trường / trưởng;
# cho: chợ market, but far more often cho "for", "give": "dao tao cho thanh vien moi")
# is left as typed.
VI_PHRASES = """
    bao nhiêu tiền|bao nhiêu|số tiền|giấy tờ|hồ sơ|cách đăng ký|đăng ký thế nào|đăng ký|thế nào|
    khi nào|bao giờ|ngày nào|điều kiện|ai được|liên hệ|số điện thoại|ở đâu|địa điểm|mấy giờ|
    là gì|đang mở|bây giờ|sắp tới|sắp hết hạn|cuộc họp|họp|phòng họp|hội thảo|buổi giới thiệu|
    tiệc|đề xuất ý kiến|góp ý|hôm nay|hôm qua|ngày mai|tháng|tuần|này|tới|trước|tiếp theo|
    kết quả|hạn chót|hạn nộp|không|được|có|tôi|người|tuổi|nhiều nhất|lớn nhất|sự kiện|lịch|
    hộ chiếu|bảo hiểm|thuế|trợ cấp|cảm ơn|xin chào|chào|tìm hiểu|cư dân|hoạt động|của|
    thẻ cư trú|thị thực|địa chỉ|
    cho tôi hỏi|tôi muốn hỏi|muốn hỏi|xin hỏi|làm sao|làm thế nào|như thế nào|bao lâu|có thể|
    chương trình|dự án|hỗ trợ|tài trợ|nhóm|câu lạc bộ|hàng xóm|người nước ngoài|người việt|
    gia đình|trẻ em|con cái|phụ nữ|người cao tuổi|thanh niên|lớp học|tiếng hàn|miễn phí|
    tình nguyện|phiên dịch|thông dịch|nộp đơn|đơn đăng ký|tham gia|triệu|nghìn|cuối tuần|
    trung tâm|văn phòng|điện thoại|mở cửa|đóng cửa|giờ làm việc|lễ hội|đại hội|bỏ phiếu|
    tập huấn|đào tạo|tư vấn|hội nghị|năm ngoái|năm nay|lần đầu|thành viên|thành lập|
    kết thúc|lúc nào|bắt đầu|tổ chức|cộng đồng|nếu
"""
_VI_UNMARKED_ELSEWHERE = frozenset({"muon", "toi", "truong", "cho"})


# (every engine built reads its KB's Latin phrases without their marks: the same phrases for
# every engine on the same KB, so each is remembered)
@lru_cache(maxsize=65536)
def unmarked(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def _vietnamese(word: str) -> bool:
    """A glossary key in Latin letters with marks: Vietnamese (English keys have none)."""
    return not word.isascii() and all(
        c == " " or unicodedata.name(c, "").startswith("LATIN") for c in word
    )


def _vi_forms() -> dict[str, set[str]]:
    """Each unmarked form of the phrases above and of the glossary's Vietnamese words, with
    the marked forms it stands for (one, or two: thue)."""
    phrases = [p.strip() for p in VI_PHRASES.split("|") if p.strip()]
    phrases += [key for key in GLOSSARY if _vietnamese(key)]
    found: dict[str, set[str]] = {}
    for phrase in phrases:
        found.setdefault(unmarked(phrase), set()).add(phrase)
    return found


_VI_FORMS = _vi_forms()
_VI_MARKS = {
    plain: next(iter(marked))
    for plain, marked in _VI_FORMS.items()
    if len(marked) == 1 and plain not in _VI_UNMARKED_ELSEWHERE and plain != next(iter(marked))
}
# every unmarked form of the list above, one marked form or two (thue), and the forms left
# as typed: a KB's words do not decide these
_VI_PLAINS = frozenset(_VI_FORMS) | _VI_UNMARKED_ELSEWHERE


_LATIN_WORD_RE = re.compile(r"[^\W\d_]+")
_VI_KB_RUN = 3  # the KB's phrases of two or three words (most Vietnamese words are two)


class VietnameseMarks:
    """Vietnamese typed without marks, with the marks of the words the engine reads and of a
    knowledge base's own Vietnamese words.

    The engine's words alone leave a question typed without marks ("chuong trinh cho nguoi
    nuoc ngoai") with none of the KB's words: its Vietnamese texts are written with marks,
    and the lexical index and the model read the words as written. Every run of two or three
    Latin words in the KB's texts (normalised) is a form; an unmarked form that stands for one
    marked form only is put back with its marks. A single syllable is not (its other marks
    are words too: "hoi" in a KB that says only hội is hỏi in "cho toi hoi"), nor a form
    with two (an English phrase and a Vietnamese one), nor any unmarked form the engine's own
    list knows, ambiguous or not: the list decides those.
    Each word takes its marks from the longest known run that covers it, so a phrase's
    context picks the marks of a word that alone would be ambiguous ("cho toi" → "cho tôi",
    while "toi" stays), and a run cut through a word's neighbours decides no less than one
    that holds them ("chuong trinh ho" and "ho tro" agree on "hỗ").
    """

    def __init__(self, texts: Iterable[str] = ()) -> None:
        forms: dict[str, set[str]] = {}
        for text in texts:
            for run in _latin_runs(normalize(text)):
                for n in range(2, _VI_KB_RUN + 1):
                    for i in range(len(run) - n + 1):
                        phrase = " ".join(run[i : i + n])
                        forms.setdefault(unmarked(phrase), set()).add(phrase)
        self.marks = dict(_VI_MARKS)
        for plain, marked in forms.items():
            form = next(iter(marked))
            if len(marked) == 1 and form != plain and plain not in _VI_PLAINS:
                self.marks[plain] = form
        self.longest = max((k.count(" ") + 1 for k in self.marks), default=1)

    def __call__(self, text: str) -> str:
        """``text`` (normalised) with the marks of the words the engine and the KB read."""
        words = text.split(" ")
        best: list[tuple[int, str]] = [(0, w) for w in words]
        for n in range(1, self.longest + 1):
            for i in range(len(words) - n + 1):
                form = self.marks.get(" ".join(words[i : i + n]))
                if form is None:
                    continue
                for j, word in enumerate(form.split(" ")):
                    if n > best[i + j][0]:
                        best[i + j] = (n, word)
        return " ".join(word for _, word in best)


_ENGINE_MARKS = VietnameseMarks()  # the engine's words alone


def vietnamese_marks(text: str) -> str:
    """Vietnamese typed without marks, with the marks of the words the engine reads."""
    return _ENGINE_MARKS(text)


def _latin_runs(text: str) -> list[list[str]]:
    """Runs of consecutive words in Latin letters (Hangul, Han and digits end a run)."""
    runs: list[list[str]] = [[]]
    for word in text.split():
        if _LATIN_WORD_RE.fullmatch(word) and all(
            unicodedata.name(c, "").startswith("LATIN") for c in word
        ):
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


_GLOSSARY_RE = re.compile("|".join(re.escape(k) for k in sorted(GLOSSARY, key=len, reverse=True)))


def glossary_terms(text: str) -> list[str]:
    """The KB words for the glossary entries found in the (normalised) text."""
    return [GLOSSARY[m.group(0)] for m in _GLOSSARY_RE.finditer(text)]


def glossary_keys(text: str) -> list[str]:
    """The glossary's entries found in the (normalised) text, as written there."""
    return [m.group(0) for m in _GLOSSARY_RE.finditer(text)]


def without_glossary(text: str) -> str:
    """The (normalised) text with the glossary's entries blanked out."""
    return _GLOSSARY_RE.sub(" ", text)


CHITCHAT_RE = re.compile(
    r"^(안녕(하세요|하십니까)?|하이|ㅎㅇ|반가워요?|고마워요?|감사(합니다|해요)?|땡큐|ㄱㅅ|수고(하세요|하셨습니다)?|"
    r"좋은\s?(하루|아침)|잘\s?자|hi|hello|hey|thanks?( you)?|thank you|good (morning|evening)|"
    r"你好|谢谢|xin chào|cảm ơn|chào|こんにちは|ありがとう(ございます)?)\W*$"
)
# Among the chit-chat: thanks (answered "you're welcome", not with a greeting).
THANKS_RE = re.compile(
    r"(?:ok\s?,?\s?)?"
    r"(?:고마|감사|땡큐|ㄱㅅ|수고|\bthanks?\b|thank you|谢谢|cảm ơn|cam on|ありがとう)"
)
# What residents ask the district office for, not a village-community programme: a topic
# with one of these that the KB itself never uses is a near-topic question (신고, 발급, 납부 …).
SERVICE_WORDS = (
    "신고", "발급", "납부", "대출", "민원", "요금", "관리비", "공과금", "등본", "초본", "여권",
    "면허", "보험", "연금",
    "수급", "세금", "재산세", "전입", "이자", "월세", "전세", "보증금", "과태료", "주차",
    "폐기물", "일자리", "취업", "구직", "창업", "바우처", "급여", "수당", "복지", "병원", "진료",
    "loan", "tax", "bill", "passport", "license", "licence", "certificate", "insurance",
    "pension", "benefit", "rent", "parking", "job", "visa", "贷款", "税", "护照", "签证",
    "保险", "房租", "thuế",
    # a loan in Vietnamese, said with its neighbour: "vay" alone is also "vậy" typed without
    # its marks ("Dai hoi cu dan la gi vay?": what is it, then?) and part of "quay"
    "vay tiền", "khoản vay", "cho vay", "vay vốn", "vay ngân hàng", "vay tien", "khoan vay",
    "vay von", "hộ chiếu", "bảo hiểm", "ローン", "税金", "パスポート", "家賃",
    # a resident-registration certificate in Japanese and Chinese (등본), a move reported
    # (전입신고) in English
    "住民票", "户口", "report my new address", "report my address", "register my address",
    "register my new address", "change of address", "address registration",
    # a driving licence, insurance and pensions in the other languages residents write
    "driving licen", "driver's licen", "bằng lái", "giấy phép lái xe", "lương hưu", "驾照",
    "驾驶证", "养老金", "保険", "年金", "免許",
    # a foreign resident's stay: the immigration office's
    "비자", "체류", "residence card", "residence permit", "居留", "thẻ cư trú", "thị thực",
    "在留", "ビザ", "alien registration", "registration card", "登录证", "登陆证",
    # household waste collection days: the district office's (not "trash", "rác", "垃圾":
    # picking up litter by the stream is a village activity)
    "재활용", "분리수거", "쓰레기 버리", "recycling",
    # sending money home, a lost card made again, an address changed: a bank's, an office's
    "송금", "재발급", "국적 취득", "국적취득", "귀화", "naturali",
    "remittance", "send money", "汇款", "补办", "chuyển tiền", "gửi tiền về",
    "làm lại thẻ", "cấp lại", "thẻ người nước ngoài", "送金", "再発行", "住所変更", "外国人登録",
    # a household's or a person's own costs (heating, power, water, doctors, school): help
    # with them is the district office's, an energy voucher's, a hospital's — unless the KB
    # itself speaks of them
    "난방비", "냉방비", "연료비", "전기료", "전기세", "전기요금", "가스비", "가스요금", "수도세",
    "수도요금", "병원비", "의료비", "치료비", "약값", "장례비", "등록금", "학원비", "급식비",
    "heating cost", "heating bill", "heating allowance", "electricity bill", "water bill",
    "medical cost", "medical bill", "hospital bill", "tuition",
    "暖气费", "取暖费", "电费", "水费", "医药费", "医疗费", "学费", "tiền điện", "tiền nước",
    "tiền sưởi", "viện phí", "học phí", "暖房費", "光熱費", "電気代", "医療費", "学費",
    # a child's school and nursery fees, a bank account opened: the education office's, the
    # district office's, a bank's
    "전학", "보육료", "보육비", "转学", "転校", "chuyển trường", "school transfer", "保育费",
    "保育料", "childcare subsidy", "계좌 개설", "통장 개설", "bank account", "开户", "銀行口座",
    "mở tài khoản",
)  # fmt: skip
# Other public centres residents confuse with the village-community centre: a question about
# theirs ("다문화가족지원센터 한국어교실 신청") is no question about ours, unless the KB names
# them itself (a partner centre); the dong office is _ADMIN_CENTRE_RE's (bot/qa/engine.py).
OTHER_CENTRE_RE = re.compile(
    r"다문화\s?가족\s?(지원\s?)?센터|가족\s?센터|고용\s?(복지\s?)?(플러스\s?)?센터|"
    r"외국인\s?(력\s?|노동자\s?)?(지원\s?)?센터|출입국|보건소|"
    # other public offices ("수도사업소 번호", "세무서 가야 돼요?", "보훈청에서 해요?")
    r"[가-힣]{0,4}(사업소|세무서|경찰서|지구대|파출소|소방서|우체국|등기소|법원|보훈\s?(지)?청|"
    r"노동청|연금\s?공단|건강\s?보험\s?공단)|"
    r"\b(police station|tax office|post office|court house|courthouse)\b|"
    r"\b(family|job|employment|immigration) (support )?(cent(er|re)|office)\b|"
    r"trung tâm (hỗ trợ )?gia đình|xuất nhập cảnh|家庭(服务)?中心|出入境|"
    r"家族(支援)?センター|多文化家族|ハローワーク|入管"
)
# Of those, the ones no village programme's grant word makes ours ("청년 구직활동 지원금",
# "전세 대출 지원"): money for these comes from the job centre, the bank, the district office.
# (Not 월세/전세 alone: "월세가 힘들어 공간을 사려는데" is about a group's space.)
STRONG_SERVICE_WORDS = (
    "구직", "취업", "일자리", "실업", "대출", "연금", "세금", "학자금", "등본", "여권",
    # the national youth rent support and savings accounts, a stay's extension
    "청년 월세", "청년월세", "도약계좌", "적금", "비자 연장", "비자연장", "체류 연장",
    "체류기간 연장", "철거", "환전",
    # (a stay's extension in the other languages: "Gia hạn visa ở đâu?")
    "gia hạn visa", "gia han visa", "gia hạn thị thực", "visa extension", "extend my visa",
    "签证延期", "延签", "ビザ更新", "ビザ延長", "在留期間更新",
    # a person's doctors, funeral and school fees (a group's running costs are not these)
    "병원비", "의료비", "치료비", "약값", "장례비", "등록금", "학원비", "급식비", "medical bill",
    "hospital bill", "tuition", "医药费", "医疗费", "学费", "viện phí", "học phí", "医療費", "学費",
)  # fmt: skip
# Words pointing back at what was just answered ("거기 어디예요?", "그럼 서류는요?").
DEICTIC_WORDS = frozenset(
    """
    거기 거기는 거긴 거기도 그거 그건 그게 그걸 그럼 그러면 그 이거 이건 저거 그곳 그곳은 그때 그날
    그것 그것은 그런데 근데 그리고 또 그쪽 이것 저기 그러니까 그래서 그럼요 그러면요 그거요 그건요
    it its there that this those then so and also 那个 那里 这个 那 đó kia それ そこ あれ
    """.split()
)

# Regions other than the one a KB serves: Seoul's districts and the larger cities.
OTHER_PLACES = frozenset(
    """
    강남구 강동구 강북구 강서구 관악구 광진구 구로구 금천구 노원구 도봉구 동대문구 동작구 마포구
    서대문구 서초구 성동구 성북구 송파구 양천구 영등포구 용산구 은평구 종로구 중랑구
    부산 대구 인천 광주 대전 울산 세종 제주 수원 성남 고양 용인 부천 안산 안양 남양주 화성 평택
    의정부 시흥 파주 김포 광명 전주 청주 천안 창원 포항 김해 서울시 경기도 강원도 충청도 전라도
    경상도 seoul busan incheon gangnam mapo
    """.split()
)
# "I want to suggest something for the neighbourhood — where do I say it?" (건의하고 싶은데,
# 의견 내려면, 해 달라고 말하고 싶어요): how residents propose, whatever the suggestion is.
PROPOSE_RE = re.compile(
    r"(?:건의|의견|제안)\s*(?:을|를|은|는|도)?\s*"
    r"(?:어디에?|어디다|어디로|어떻게|누구한테|공식적으로)?\s*(?:서\s)?"
    r"(?:내|올리|올려|넣|제출|전달|말하|말해|말할|드리|하고\s*싶|하려|하면|할\s*수|해도)|"
    r"달라(?:고|는)\s*(?:의견|건의|말|요청|얘기)|"
    # asking for it, and where to put that ("가로등 더 달아 달라고 하고 싶은데 어디에 올려요")
    r"달라고\s*(?:하고\s*싶|하려|말하고\s*싶)\S*\s.{0,12}(?:어디|어떻게|누구)|"
    # an item for the assembly's agenda ("총회 안건으로 올리려면"), an idea put forward
    r"안건\s*(?:으로|에)?\s*(?:올리|올려|상정|내|넣)|"
    r"\bput (?:it|this|that|them|(?:an?|my|our|the) (?:idea|suggestion)) forward\b|"
    r"\b(?:suggest(?:ion)?|propos(?:e|al))\b.*\b(?:where|how)\b|"
    r"\b(?:where|how)\b.*\b(?:suggest(?:ion)?|propos(?:e|al))\b|"
    r"建议|提意见|đề xuất ý kiến|góp ý|意見を(?:出|言)|提案したい"
)
# Two programmes named and both asked about at once ("이웃만들기랑 골목만들기 둘 다 넣어도
# 돼요?"): applying to several, not either programme.
BOTH_RE = re.compile(
    r"둘\s?다|두\s?(개|군데|곳|가지)\s?(다|모두|같이|동시)|동시에|같이\s?(신청|지원|넣|받)|"
    r"중복|\bboth\b|at the same time|\bat once\b|两个都|同时|cả hai|cùng lúc|両方|同時"
)
# With no programme named, "two" and "apply" said close together ("두개 같이 넣어도 되나요?"),
# not anywhere in the question ("둘다 직장 다녀서 … 지원해주나요": both parents work).
_BOTH = (
    r"(둘\s?다|두\s?(개|군데|곳|가지)|동시에|중복|\bboth\b|at the same time|两个|同时|cả hai|"
    r"両方|同時)"
)
_APPLY = r"(넣|신청|지원|내도|받|\bapply|申请|đăng ký|応募|申し込)"
BOTH_APPLY_RE = re.compile(rf"{_BOTH}.{{0,12}}{_APPLY}|{_APPLY}.{{0,12}}{_BOTH}")
BOTH_WORDS = "여러 중복 동시 신청 several at once duplicate"

# "지원금으로 회식 때 술 사도 돼요?", "강사비 저한테 줘도 돼요?", "Can we spend the grant on …":
# what the money may be spent on — a KB's entry on eligible costs, whatever is bought.
SPEND_RE = re.compile(
    r"(사도|줘도|지급해도|드려도|결제해도|긁어도)\s?(돼|되|괜찮|가능)|"
    r"(지원금|보조금|사업비|활동비|예산|돈).{0,30}(써도|사용해도)\s?(돼|되|괜찮|가능)|"
    # what the money is for, by what is done with it ("지원금으로 … 맥주 한잔 해도 되나요")
    r"(지원금|보조금|사업비|활동비)\s?(으로|로)\s.{0,30}(해도|먹어도|마셔도|사\s?먹어도)\s?(돼|되|괜찮|가능)|"
    r"\b(can|may) (we|i) (use|spend|pay)\b.*\b(grant|money|funds?)\b|"
    r"\b(spend|use) (the )?(grant|money|funds?) (on|for)\b|"
    r"\bpay (ourselves|myself|our members|members|us)\b|"
    # the money named ("补助金可以用来买机票吗"; not "申请表可以用中文写吗": written in Chinese,
    # nor "中国語で書いてもいいですか")
    r"(补助金?|资助|支援金|补贴|经费|活动费|钱|资金|预算).{0,12}(可以|能)(用来|用于|用|花)|"
    r"(可以|能)(用|花)(补助金?|资助|补贴|经费|钱|资金|预算)|"
    r"(補助金|助成金|支援金|お金|予算|活動費)(で|を使って).{0,20}(てもいい|てもよい|ていい)|"
    r"(được|có thể) (dùng|sử dụng) (tiền|kinh phí)|"
    # the money said first ("tiền hỗ trợ có được dùng để mua …"), marks typed or not
    r"(tiền|tien|kinh phí|kinh phi)(\s\S+){0,3}\s(có\s|co\s)?(được|duoc|có thể|co the)\s"
    r"(dùng|dung|sử dụng|su dung|chi|xài|xai)\b"
)
SPEND_WORDS = "사용 비용 쓸 수 없는 불가 인건비 식비 spend cost"

# The words a KB's entry on proposing is found with (the question's own topic — 놀이터,
# 쓰레기통 — is the suggestion, not what is asked about).
PROPOSE_WORDS = "제안 의제 건의 propose agenda suggestion"
# …and receiving the KB's news (new calls, trainings): the entry on it, by these words alone
NEWS_WORDS = "소식 받아보 뉴스레터 news newsletter"

# The centre itself ("센터 전화번호"): its contact comes from the KB's region, not a record.
# (the office asked of by itself, "where is the office?", "사무실 어디에요": the centre's;
# not a management, dong or district office, nor a post office)
CENTRE_RE = re.compile(
    r"센터|\bcent(er|re)s?\b|中心|trung tâm|センター|\b(your|the) office\b|"
    r"(?<![가-힣])(?<!관리 )사무실"
)

# Another authority's or another place's programme, said of one named like ours ("옆동네
# 누리구도 …스마트폰교실 하던데", "전남도청에서 하는 …씨앗사업", "행안부에서 하는 …경진대회",
# "강원도에서도 …키움사업"): the province, a ministry, the neighbouring district
OTHER_AUTHORITY_RE = re.compile(
    # the district next door's, as its own ("옆동네 누리구도", "옆군에서 하는"; not "옆동네
    # 사는데": who asks)
    r"(?<![가-힣])(옆|이웃|다른|타)\s?(동네|마을|구|군|시|고을|지역)(\s?[가-힣]{1,4}[구군시])?"
    r"(도|에서도|에서\s?(하는|주는|하던|한다|운영|진행))(?=\s|$)|"
    # the province's office, a ministry ("전남도청에서 하는", "행안부에서 하는")
    r"(?<![가-힣])((경기|강원|충청|충북|충남|전라|전북|전남|경상|경북|경남|제주)?(특별자치)?도\s?청|"
    r"행안부|행정\s?안전부|해수부|해양\s?수산부|농식품부|농림\s?(축산\s?식품)?부|보건\s?복지부|"
    r"복지부|국토\s?(교통)?부|여가부|여성\s?가족부|고용\s?노동부|노동부|문체부|교육부|중기부)"
    r"(?=\s|$|[에의은는이가도])|"
    # …in English ("the provincial start-up loan", "the Ministry of Health's …")
    r"\b(provincial|ministry of)\b"
)

OTHER_PLACE_RE = re.compile(r"([가-힣]{2,6})(구청|시청|군청|구|시|군)(?=\s|$|에|의|은|는|이|가|도)")
