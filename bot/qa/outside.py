"""Questions that belong elsewhere: examples the model compares a question with.

Near-topic questions ("외국인등록증 연장", "recycling collection day", "health insurance as a
foreign worker") share words with a district's programmes and are answered confidently with
the nearest one; word lists (``lexicon.SERVICE_WORDS``) catch only the words someone thought
of. Intent classifiers handle this with an out-of-scope class trained on examples; we have no
training, but we have the model: these everyday questions for other offices and for daily life
are encoded as passages like the KB's records, and a question much closer to one of them than
to any record of the KB (:data:`MARGIN`, in cosine) is not answered confidently — it gets "not
sure — is it one of these? … or call the centre".

The list is generic on purpose: public services (civil documents, tax, insurance, pensions,
jobs, housing, utilities, waste collection, transport, health, schools, a foreigner's stay)
and daily life (shops, restaurants, weather, phones), in Korean, English, Chinese,
Vietnamese and Japanese. Nothing here may describe what village programmes do (a meeting about
noise between floors, street lights proposed, renting a room are theirs): a KB record about
such a thing is closer to its question than any of these anyway, but the margin is small.

Measured on the development districts only (``tests/qa/gate_study.py``, bench/README-qa.md).
"""

from __future__ import annotations

# How much closer (cosine) to an example here than to the KB's nearest record a question must
# be to lose its confident answer; records of a KB written in Korean and English are farther
# from Chinese, Vietnamese and Japanese questions, so those need more.
MARGIN = 0.02
MARGIN_FOREIGN = 0.05

OUTSIDE_QUESTIONS: tuple[str, ...] = (
    # civil documents and registrations (주민센터, 구청)
    "주민등록등본 발급은 어디서 하나요",
    "인감증명서 떼려면 뭐 가져가요",
    "전입신고 어떻게 해요",
    "여권 재발급 신청 방법",
    "운전면허 갱신은 어디서 해요",
    "출생신고 하려면 뭐가 필요해요",
    "혼인신고 서류",
    "가족관계증명서 인터넷으로 떼는 법",
    # tax, insurance, pensions, benefits
    "자동차세 납부 기한이 언제예요",
    "재산세 고지서가 안 왔어요",
    "건강보험료 납부 확인",
    "국민연금 수령 나이",
    "기초연금 신청 자격",
    "실업급여 신청하는 법",
    "기초생활수급자 신청 조건",
    "장애인 활동지원 서비스 신청",
    "노인 장기요양등급 받는 법",
    "아동수당 신청",
    "세금 신고 기간",
    # jobs, loans, business
    "일자리 구하는 곳 알려주세요",
    "노인 일자리 모집 언제 해요",
    "청년 전세대출 이자 지원",
    "버팀목 대출 조건",
    "소상공인 정책자금 대출",
    "사업자 등록 하는 법",
    "청년 적금 가입 조건",
    # housing and utilities
    "임대주택 입주 신청",
    "아파트 관리비가 너무 많이 나왔어요",
    "도시가스 요금 납부",
    "전기요금 할인 신청",
    "수도 요금이 이상해요",
    # waste, roads, parking
    "대형폐기물 스티커 구매",
    "음식물 쓰레기 버리는 날",
    "재활용 분리수거 요일",
    "불법 주차 신고",
    "도로 포장 파손 민원",
    "거주자 우선 주차 신청",
    # transport
    "버스 시간표 알려줘",
    "지하철 막차 시간",
    "택시 부르는 번호",
    "기차표 예매",
    # health
    "병원 야간 진료 하는 곳",
    "약국 일요일에 여는 곳",
    "예방접종 일정",
    "보건소 건강검진 예약",
    # children and schools
    "어린이집 대기 신청",
    "유치원 입학 설명회",
    "초등학교 입학 준비물",
    "학원비 환불",
    # public facilities and daily life
    "도서관 책 대출 연장",
    "수영장 자유수영 시간",
    "맛집 추천해 주세요",
    "근처 카페 어디가 좋아요",
    "오늘 날씨 어때요",
    "주말에 비 와요",
    "로또 당첨 번호",
    "휴대폰 요금제 추천",
    "노트북 추천해 주세요",
    "택배 보내는 방법",
    "은행 계좌 개설",
    "환전 어디서 해요",
    "마트 몇 시에 닫아요",
    # a foreigner's stay (출입국)
    "비자 연장 서류",
    "외국인등록증 재발급",
    "체류 자격 변경",
    "출입국 사무소 예약",
    # children and families (national services, not a neighbourhood's own care)
    "아이돌봄서비스 신청은 어디서 해요",
    "육아휴직 급여 신청 방법",
    "부모급여 언제 입금돼요",
    "첫만남이용권 사용처",
    "초등학교 입학 통지서를 못 받았어요",
    "아이 전학 절차가 어떻게 돼요",
    "중학교 배정 결과 발표",
    "어린이 독감 예방접종 무료 기간",
    "소아과 주말 진료하는 곳",
    # facilities, elections, money, police, work, errands (not pets: a dog at the village
    # hall, a pet patrol are a district's own matters)
    "도서관 회원증 발급 방법",
    "공공자전거 대여소 위치",
    "공영주차장 정기권 요금",
    "구민체육센터 수영 강습 등록",
    "아파트 동대표 선거 출마 자격",
    "지방선거 투표소 위치",
    "사전투표 기간이 언제예요",
    "해외 송금 수수료 싼 곳",
    "신용카드 발급 조건",
    "지갑을 잃어버렸는데 분실물 센터가 어디예요",
    "경찰서에 사기 신고하는 법",
    "내일배움카드 신청 자격",
    "자격증 시험 접수 기간",
    "아르바이트 구하는 곳",
    "휴대폰 액정 수리 어디서 해요",
    "이삿짐센터 추천",
    "전세 계약할 때 확인할 것",
    "우체국 택배 접수 시간",
    "귀화 필기시험 일정",
    "국제운전면허증 발급",
    # English
    "How do I get a library card?",
    "Where can I rent a public bicycle?",
    "How do I enrol my child in elementary school?",
    "What is the cheapest way to send money abroad?",
    "Where is my polling station for the election?",
    "Where can I find a pediatrician on weekends?",
    "I lost my wallet, where is the lost and found?",
    "How do I apply for government childcare services?",
    "How do I renew my passport?",
    "Where can I get a copy of my resident registration?",
    "How do I pay my property tax?",
    "When is the garbage collection day?",
    "How do I apply for unemployment benefits?",
    "How do I get a job here?",
    "Can you recommend a good restaurant nearby?",
    "What's the weather tomorrow?",
    "How do I extend my visa?",
    "Where is the nearest hospital open at night?",
    "How do I get health insurance as a foreigner?",
    "How do I open a bank account?",
    "What time does the supermarket close?",
    "How do I exchange my driving licence?",
    "When does the bus come?",
    # Chinese
    "怎么办理签证延期",
    "外国人登录证丢了怎么办",
    "附近有什么好吃的",
    "怎么交医保",
    "银行开户需要什么",
    "明天天气怎么样",
    "小学入学需要什么材料",
    "怎么办图书馆借书证",
    "哪里可以租公共自行车",
    "怎么往国内汇款便宜",
    "附近的儿科医院",
    # Vietnamese
    "Làm sao để gia hạn visa?",
    "Đăng ký bảo hiểm y tế ở đâu?",
    "Gần đây có quán ăn ngon không?",
    "Đổi bằng lái xe như thế nào?",
    "Gửi tiền về Việt Nam ở đâu?",
    "Tìm việc làm ở đâu?",
    "Làm thẻ thư viện như thế nào?",
    "Đăng ký cho con vào trường tiểu học ở đâu?",
    "Thuê xe đạp công cộng ở đâu?",
    "Bệnh viện nhi gần đây ở đâu?",
    # Japanese
    "ビザの更新はどうすればいいですか",
    "在留カードの再発行",
    "近くのおいしいレストラン",
    "健康保険の加入方法",
    "ゴミの日はいつですか",
    "銀行口座を開きたい",
    "図書館カードの作り方",
    "小学校の入学手続き",
    "保育園の申し込み方法",
    "海外送金の安い方法",
    "レンタサイクルはどこですか",
)

__all__ = ["MARGIN", "MARGIN_FOREIGN", "OUTSIDE_QUESTIONS"]
