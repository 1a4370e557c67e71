"""What a question asks about a record: its deadline, amount, place … (the *facet*).

Cues are matched on the normalised question (Korean as residents write it — 언제까지예요,
언제까지임, 마감 언제 — English, and common Chinese, Vietnamese and Japanese words). The facet names
are generic; :func:`for_kind` maps them onto what a grant, an event or a FAQ entry has.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.qa.sino import as_simplified
from bot.qa.text import normalize

# A place opening or closing its doors ("문 열어요", "여나요", "열려있나요"): a time cue, and
# (engine) never a programme's question
DOOR_WORDS = r"문\s?(을\s?)?(열|닫)|여나요|열어요|닫아요|열려\s?있"

# Whether there is a programme for it at all ("지원되는 거 있나요", "지원받을 수 있는 게
# 있어요?", "돈 나오는 데 있나"): a programme asked for, not whether one qualifies — what it
# is (its summary), and no field found by the question's own words (bot/qa/engine.py; not a
# cue here: its words stay in the topic the records are ranked by)
EXISTS_WORDS = (
    r"(수\s?있는|되는|돼는|나오는|주는|해\s?주는)\s?"
    r"(거|게|것|건|기|사업|공모|곳|데|프로그램)\s?(이|가|은|는|도)?\s?(있|없)"
)

# Who would come or take part, said of a person ("애들 데려가도 돼요?", "우리 엄마도 돼요?",
# "외국인도 할 수 있어요?"): the rule of who may (the engine: of the record just answered)
WHO_COMES = (
    r"(?:(울|우리|내)?(애|아이|아기|유아|외국인|학생|초등학생|중학생|고등학생|대학생|어르신|노인|청소년|친구|"
    r"가족|남편|아내|엄마|아빠|부모님?|할머니|할아버지|직장인|장애인|반려견|강아지|"
    r"언니|누나|형|오빠|이모|삼촌|고모|사촌|며느리|시어머니|장모님?|옆집|"
    # (what the asker is: "세입자도 투표돼요?")
    r"세입자|집주인|자영업자|사장님|주부|상인|대학원생|월세|전세|자취생?|하숙생?|"
    # (where one is from: "남편은 한국사람이고 저랑 친구는 베트남 사람이에요")
    r"(한국|중국|베트남|일본|필리핀|네팔|몽골|태국|캄보디아|우즈벡|러시아|미국|외국)\s?(사람|인)?|사람|"
    r"딸|아들|손주|손자|손녀|아버지|아부지|어머니|어머님|아버님|엄니|친구분|동생)(들)?|"
    r"(kids?|child|children|students?|foreigners?|seniors?|friends?|family|parents?|"
    r"teenagers?|dogs?|外国人|孩子|小孩|学生|留学生|老人|朋友|家人|外国籍|子ども|子供|子供連れ|子連れ|"
    r"爸爸|妈妈|父母|父亲|母亲|奶奶|爷爷|外婆|店主|老板|商人|商家|居民|邻居|成员|会员))"
)

# A language an application may be written in ("영어로", "in Vietnamese", "中文", "tiếng Anh",
# "英語で"): beside a form or writing, how one applies (the cue below)
LANGUAGES = (
    r"(영어|중국어|베트남어|일본어|한국어|러시아어|몽골어|네팔어|태국어|우즈벡어|모국어|외국어|"
    r"(?i:english|vietnamese|chinese|korean|japanese|russian|mongolian|nepali|thai|uzbek)|"
    r"英文|英语|中文|越南语|越南文|韩语|韩文|日语|日文|外语|母语|英語|中国語|ベトナム語|韓国語|"
    r"日本語|母国語|外国語|ネパール語|ti[ếe]ng (vi[ệe]t|anh|trung|h[àa]n|nh[ậa]t|nga))"
)

# (facet, pattern), in priority order: when a question has several cues, the first wins.
# Applying as a condition ("신청하려면 몇 명 있어야 돼요?"): the last of the cues, so how to
# apply only when nothing else is asked ("이웃만들기 신청하려면요?"); the engine lets a
# field's own words say what is asked after it (bot/qa/engine.py). (할려면 is read as 하려면
# by bot/qa/text.py.)
IF_APPLYING_RE = re.compile(r"(신청|접수|지원)\s?하려면")

# fmt: off
_CUES: list[tuple[str, str]] = [
    # changing a vote once cast ("잘못 눌렀는데 바꿀 수 있어요?", "can I change my vote?"):
    # first, so that it leads an online vote's answer (each vote says whether it may)
    ("revote", r"재투표|다시\s?투표|투표\s?(를\s?)?다시\s?(하|할|해)|잘못\s?(눌|찍|골랐|선택|투표)|"
               r"(투표|선택|표)\s?(한\s?거|했던\s?거|를|을|도)?\s?(다시\s?)?"
               r"(바꾸|바꿀|바꿔|변경|수정|고치|고칠|취소)|"
               r"\bchange (my |the |our )?(vote|ballot|choice|answer)s?\b|\bvote again\b|"
               r"\bre-?vote\b|\bchanged? my mind\b|\bvoted (wrong|for the wrong|by mistake)|"
               r"改票|改投|重新投票|投错|(修改|更改).{0,4}(投票|选择)|đổi phiếu|"
               r"thay đổi (phiếu|lựa chọn|bình chọn)|bỏ phiếu lại|bỏ phiếu nhầm|"
               r"投票.{0,6}(変更|やり直|取り消)"),
    # the application in a language ("계획서 영어로 써도 돼요?", "申请表有中文版吗？", "đơn có bản
    # tiếng Anh không?"), and presenting it to the panel ("심사 때 발표하러 가야 돼요?", "ppt
    # 만들어야 돼요?", "do we have to give a presentation?"): how one applies, before the day or
    # the paper the question also names ("발표도 해야 돼? 언제 어디서?")
    ("how_to_apply", r"(신청서|양식|계획서|\bforms?\b|\bapplication\b|申请表|申请书|表格|计划书|"
                     r"m[ẫa]u [đd][ơo]n|\b[đd][ơo]n\b|\bform\b|申込書|申請書|様式|計画書)"
                     r".{0,24}?" + LANGUAGES + "|" + LANGUAGES + r"\S{0,4}\s?(\S+\s?){0,2}?"
                     r"(신청서|양식|계획서|\bforms?\b|\bapplication\b|\bversion\b|申请表|申请书|表格|"
                     r"计划书|版|m[ẫa]u [đd][ơo]n|\b[đd][ơo]n\b|申込書|申請書|様式|計画書|"
                     # written in it ("중국어로 작성해도", "用英文填", "英語で書いて", "viết bằng
                     # tiếng Trung", "write it in Russian")
                     r"써도|써서|작성|적어|写|填|書い|書け|書き)|"
                     r"(用|以)" + LANGUAGES + r"(写|填)|"
                     r"(vi[ếe]t|[đd]i[ềe]n|l[àa]m) (\S+ ){0,2}b[ằa]ng " + LANGUAGES + "|"
                     r"\b(write|fill|do) (it|this|that|the \w+|our \w+|my \w+)? ?(out |in )?"
                     r"in " + LANGUAGES + "|"
                     r"발표\s?(를\s?)?(도\s?)?(해야|하러|준비|자료)|(?i:\bppt\b)|프레젠테이션|피피티|"
                     r"\b(give|do|make) a presentation\b|\bpresent (it|our|the)\b|\bpitch\b|"
                     r"プレゼン|汇报|演示|thuy[ếe]t tr[ìi]nh|"
                     # where the form is had ("신청서 양식 어디서 받아요", "where do I get the
                     # form?"), sent by post or done by phone ("우편 접수도 돼요?", "폰으로 하는
                     # 거죠?"): how one applies or votes
                     r"(양식|신청서|서식)\S{0,3}\s?(은|는)?\s?어디\S{0,2}\s?(서|에서)?\s?"
                     r"(받|구|다운|찾|있|뽑)|\bwhere (do|can) (i|we) (get|find|download) the "
                     r"(application )?form\b|"
                     r"(우편|이메일|메일|팩스|온라인|인터넷|모바일)\s?(접수|제출|신청)|"
                     r"(폰|핸드폰|휴대폰|스마트폰|모바일|컴퓨터)\s?(으로|로)\s?(도\s?)?"
                     r"(하|해|투표|신청|접수|돼|되|가능)|"
                     # the code one votes with ("투표 코드는 어디서 받아요?", "코드 잃어버렸어요",
                     # "How do I get the voting code?", "投票码在哪里拿？")
                     # (a look ahead: the code stays a word the records are searched by)
                     r"(?=(투표|인증)\s?(코드|번호)|코드\S{0,2}\s?(를|을)?\s?(어디|받|잃어|분실|못\s?받|안\s?와)|"
                     r"\b(voting|vote|access) code\b|\blost (my|the) code\b|投票码|投票コード|"
                     r"mã (bỏ phiếu|số))|"
                     # a paper in another form ("계획서를 사진으로 내도 돼요?", "Can I send photos
                     # instead of a written plan?", "可以用照片代替计划书吗？")
                     r"(사진|그림|영상|동영상|손글씨|파일|한글\s?파일|워드|pdf)\s?(으로|로)\s?"
                     r"(내|제출|보내|대신)|"
                     r"\binstead of (a |the |our )?(written )?(plan|form|application)\b|"
                     r"代替(计划书|申请书|申请表)"),
    ("deadline", r"언제\s?까지|마감|기한|"
                 # how many days before ("申し込みは何日前までですか", "提前几天报名")
                 r"何日前まで|提前几天|\bhow many days before\b|"
                 # a day or a month said and "may I hand it in then?" ("2월 8일에 내도 되나요",
                 # "11월에 내도 돼요?", "5월 28일 밤에 내도 되죠?")
                 r"\d{1,2}\s?[일월]\S{0,4}(\s?[월화수목금토일]요일\S{0,2})?"
                 r"(\s?(밤|낮|저녁|아침|오후|오전|새벽|중|쯤|말|초)\S{0,2})?\s?"
                 r"(내도|제출해도|신청해도|접수해도|보내도|넣어도)\s?(되|돼|괜찮)|"
                 # (or "today", "this week": "오늘 내도 되나", "이번 주에 내도 돼요?")
                 r"(오늘|내일|모레|글피|이번\s?주|다음\s?주|주말|월말|연말)\S{0,2}\s?(까지\s?)?"
                 r"(내도|제출해도|신청해도|접수해도|보내도|넣어도)\s?(되|돼|괜찮)|"
                 r"아직\s?(돼|되|가능|신청|접수|받|낼|제출|하나|해요|하죠|있나|있어|진행|모집)|"
                 r"데드\s?라인|"
                 r"며칠\s?남|늦지\s?않|늦었(나|을|는지)|늦을까|\btoo late\b|"
                 # sent on a day said, and is it still taken? ("3월 13일에 메일 보냈는데 접수 되는
                 # 건가요?")
                 r"\d{1,2}\s?일\S{0,2}\s.{0,20}(보냈|냈|제출했|넣었)\S*\s?(접수|신청)\s?"
                 r"(가능|되는|돼|되나|될까|해\s?주)|"
                 # late if handed in then? ("2월 23일에 내면 늦은 거죠?")
                 r"늦은\s?(거|건|가)|(내면|내도|보내면)\s?늦|"
                 r"(지금|현재|아직)\s?도?\s?(신청|접수|투표)\s?(돼|되|가능|받|할\s?수)|"
                 # the thing named before ("온라인투표 지금 할 수 있나요", "지금도 돼요?")
                 r"(지금|현재)\s?(도\s?)?(할|낼|될)\s?수\s?(있|없)|지금\s?(도\s?)?(돼|되나|되요|가능)|"
                 r"얼마\s?남|d\s?day|"
                 # over yet? ("접수 벌써 끝났어요", "신청 끝났는지")
                 r"(신청|접수|모집)\s?(이|은|는|도)?\s?(벌써|이미|다)?\s?(끝났|끝난|끝나\s?(버렸|버린)|종료)|"
                 r"\b(until|till|by) when\b|"
                 r"\bstill (open|taking|accepting|vote)\b|\bdeadline|\bdue\b|"
                 r"\bclos(e|es|ing)\b(?! (to|by)\b)|"
                 # "is it closed already?" (but "closed on Sundays" is a centre's hours)
                 r"\bclosed\b(?! (on|at|for|during|between|from|to)\b)|"
                 # still taking them ("지금도 접수해요?", "접수 중인가요")
                 r"(지금|현재|아직)\s?도\s?(신청|접수)\s?(해|하|받)|(접수|모집)\s?중\s?(이|인|에)|"
                 r"\blast day\b|截止|hạn\s(chót|nộp|cuối)|hết hạn|còn nhận (đơn|hồ sơ)|"
                 # a month's end checked ("6월 말까지죠?", "3월 초까지 맞나요?") and the window
                 # asked in English ("How long is the application window?")
                 r"\d{1,2}\s?월\s?(말|초|중순)\s?까지\s?(죠|지요|인가요|예요|에요|맞죠|맞나요|요)|"
                 r"\bapplication (window|period)\b|\bhow long (is|are) (it|the \w+) open\b|"
                 r"còn (đăng ký|nộp)( đơn)? được|đến (ngày nào|khi nào|bao giờ)|"
                 # a day named and "hand it in by then" ("오늘까지 내면 되나요", "이번주 안에 내야")
                 r"(오늘|내일|모레|이번\s?주|이번\s?달|주말)\s?(까지|안에|중에|중으로)\s?\S{0,2}\s?"
                 r"(내|제출|신청|접수|넣)|안\s?늦었|还能申请|还可以申请|还来得及|"
                 # "until when" in Chinese ("申请到什么时候", "报名到几号"), a time limit (期限)
                 r"到(什么时候|几号|哪天|哪一天)|期限|"
                 r"締め?切|いつまで|(受付|募集|申し?込み?)\S{0,2}(終わ|終了)|まだ(申し?込|応募|間に合)|"
                 r"間に合"),
    ("opens", r"언제\s?부터|부터\s?(접수|신청|모집)|접수\s?시작|신청\s?시작|"
              # a call newly out ("다음 달에 새로 열리는 공모", "새로 뜨는 사업"): its opening
              r"새로\s?(열리|열려|열릴|뜨는|뜰|올라오|나오는)|(열리는|열릴)\s?(공모|지원\s?사업)|"
              # on now? ("환경 활동 지원사업 지금 하나요?", "요즘도 해요?"): its window, its day
              r"(지금|요즘|현재|올해)\s?(도\s?)?(하나요|해요|하냐|하는지|진행\s?(중|하|해|돼|되))|"
              # (not told in the past: "반찬 나눔 시작했고 …", "작년에 시작했는데")
              # (nor a thing the asker is about to start: "책 읽어 주는 모임을 시작하려는데")
              r"(?<![을를]\s)(?<![을를])"
              r"시작\s?(일|날|하(?!려|고\s?싶|고\s?있|고자)|해(?!서)|했(?!고|는데|지만|으니|으며|던)|돼|되)|"
              # (not "a cafe open to residents": who may come)
              r"\bopens?\b(?! to\b)|\bopening\b(?! (day|ceremony|event|party|on|at)\b)|"
              r"(?<!\bto )\bstart(s|ing)?\b(?! (a|an|our|my|something)\b)|开始|"
              r"bắt đầu (nhận|đăng ký|tiếp nhận)|いつから|何日から"),
    ("result", r"(결과\s?)?발표\s?(일|날)(?=\s|$|[이은는도로에])|"  # (the day: "발표일이")
               r"결과(?!\s?보고)|붙었|떨어졌|뽑(혔|히는지|힐까|혀)|발표(?!\s?(심사|도|해야|하러|준비|자료|하는|할))|합격|"
               # (not told, the clause going on: "작년에 선정돼서 …", "지원됐는데 올해도 …")
               r"선정\s?(여부|(됐|돼|되었)(?!\s?(서|는데|고|지만|으니))|되나|될까|되는지)|"
               r"(신청|지원)\s?(됐|되었)(?!\s?(서|는데|고|지만|으니))|\bresults?\b|"
               r"\bannounce|\bhear (back|whether|if)\b|"
               r"\b(was|were|be|get|got) (picked|selected|chosen)\b|\bfind out (if|whether)\b|"
               r"\b(know|hear) (if|whether) (we|i) (got|get|won|made)\b|"
               r"\bwhen (do|will|can|would) (we|i) (find out|know|hear)\b|"
               r"선정\s?(되면|돼면)\s?(\S+\s?){0,2}?(연락|알려|통보|문자)|"
               r"结果|結果|kết quả|発表(?!審査)"),
    # ("얼마 안 된", "얼마 전", "얼마 동안": a while, no sum)
    ("amount", r"얼마(?!\s?(안\s?(된|됐|되)|전|동안|지나|후에|만에))|"
               # (규모 of a sum, not "소규모 아파트", "대규모 단지": the size of a place)
               r"금액|액수|자부담|(?<![소대중])규모|한도|상한액|"
               # how many are funded ("몇 팀 뽑아요?": the grant's sum says how many)
               r"몇\s?(팀|곳|단체|모임|건)\s?(을|를|이나|정도)?\s?(뽑|선정)|(补助|资助|补贴|支援)\S{0,2}多少|"
               r"自己負担|自[筹付]|tự (đóng góp|chi trả)|"
               r"몇\s?(프로|퍼센트)|지원\s?금\s?액|몇\s?(만|천|백)|"
               r"최대\s?(얼마|금액)|돈|예산|(그만큼|그\s?정도|그\s?돈)\s?(다\s?)?(받|지원|나오|주)|"
               # a sum and "can we get it (all)?" ("100만원 받을 수 있나요", "300만원 … 다 받을
               # 수 있나요")
               r"\d\s?(만|천|억)\s?원?\s?(정도|까지|이나|씩|쯤)?\s?(을|를|도)?\s?(다|전부|모두)?\s?"
               r"(받을|받아|받나|받으|지원\s?받)|(만|천|억)\s?원.{0,40}?(다|전부|모두)\s?(받|지원)|"
               # the sum in words, 만원 left unsaid as residents do ("키움 삼백 받을 수 있나요":
               # 300만원), or in digits alone ("500 다 받을 수 있어요?")
               r"(?<![가-힣])([이삼사오육칠팔구]백|[일이삼사오육칠팔구]?천)\s?(만\s?원?)?\s?"
               r"(정도|까지|이나|씩|쯤)?\s?(을|를|도)?\s?(다|전부|모두)?\s?(받을|받아|받나|받으|지원\s?받)|"
               r"(?<![\d.,])\d{2,4}\s(정도|까지|이나|씩|쯤)?\s?(을|를|도)?\s?(다|전부|모두)?\s?"
               r"(받을|받아|받나|받으|지원\s?받)|"
               r"\bthat much\b|"
               # "what's the most we can get", "the maximum we could receive"
               r"\b(the )?(most|maximum|max)( amount)? (we|i|you|one|a group) "
               r"(can|could|may|might) (get|receive|apply for|ask for|claim)\b|"
               r"\bhow much\b|\bamount\b|\bmoney\b|\bbudget\b|\bfund(s|ing)?\b|多少钱|金额|"
               r"给多少|最多\S{0,4}多少|"
               # how much is taken home ("能拿多少补助", "多少经费"; "どのくらいもらえますか")
               r"(拿|领|得到|获得)多少|多少(补助|资助|补贴|经费|活动费|支援金)|"
               r"(どのくらい|どれくらい|どれだけ)\S{0,3}(もらえ|支援|補助|助成|出ます|出る)|"
               r"bao nhiêu tiền|số tiền|いくら|金額|"
               # "tối đa bao nhiêu", "kinh phí hoạt động … bao nhiêu" (not of people or years)
               r"tối đa( là)? bao nhiêu|"
               r"nhận (được )?bao nhiêu(?!\s(người|hộ|tuổi|lần|ngày|tháng|năm))|"
               r"(kinh phí|hỗ trợ|tài trợ)(\s\S+){0,4}\sbao nhiêu"
               r"(?!\s(người|hộ|tuổi|lần|ngày|tháng|năm))|"
               # a share in per cent, the part one pays oneself ("tự bỏ bao nhiêu phần trăm")
               r"phần trăm|phan tram|\btự bỏ\b|\btu bo\b"),
    # the next step ("서류 통과하면 그 다음엔 뭐 해요?", "what happens next?", "下一步"): how one
    # applies, its steps (before the papers a stage passed is told by)
    ("how_to_apply", r"(그\s?다음|그담|다음)\s?(엔|에는|은|에)?\s?(뭐|뭘|무엇을?|어떻게)\s?"
                     r"(해|하|돼|되)|"
                     # (not "다음 단계", "下一步", "次は何に": the grant after one received is
                     # asked as often, a programme: its card)
                     r"다음\s?절차|"
                     r"\bwhat(?:'?s| is| happens| do (?:we|i) do)? next\b(?! (grant|program))|"
                     r"\bnext steps? (after|once|when)\b|sau đó (?:làm gì|thì sao)"),
    ("documents", r"서류|첨부|준비물|양식|사본|증빙|"
                  # one paper named, "must it go in too?" ("정관도 내야돼요?")
                  # (not money: "우리돈도 내야되요?", "자부담도 내야", "회비도" ask the sum)
                  r"(?<=[가-힣])(?<![돈용담비금])도\s?(내야|제출해야|첨부해야|같이\s?내야)|"
                  r"(뭐|무엇|뭘|뭔|뭐뭐)\s?(를|을)?\s?(내야|제출해야|준비해야|챙겨야)|제출\s?(할|해야|물)|필요한\s?(게|것|거|서류)|뭘\s?(내|제출)|"
                  r"\bdocuments?\b|\bdocs\b|\bpaperwork\b|\bpapers\b|\bprepare\b|"
                  # (not the form sent: "an interview after we send the form?" asks the step)
                  r"(?<!send the )(?<!sent the )(?<!send our )(?<!sent our )(?<!submit the )"
                  r"(?<!submit our )(?<!hand in the )\bforms?\b|"
                  r"\b(need|have|has) to sign\b|"
                  # (not "where can I submit the application?": how, and where)
                  # (nor "how do I actually submit …": how to apply)
                  r"(?<!\bactually )(?<!\bhow do i )(?<!\bhow do we )"
                  r"(?<!\bhow can i )(?<!\bhow can we )"
                  r"\bsubmit\b(?! (it|the|my|our|an) application)|材料|资料|文件|准备什么|准备哪些|"
                  r"(要|得|需要)交(什么|哪些)|交(什么|哪些)(资料|材料|文件)|"
                  r"chuẩn bị (gì|những gì)|準備|必要なもの|"
                  r"giấy tờ|hồ sơ|書類|"
                  # a form to fill in, in Vietnamese, Chinese and Japanese
                  r"mẫu đơn|mau don|表格|申请表|様式|申込書|"
                  # a paper to hand in named ("협력확인서는 누가 써줘요?", "임대차계약서 꼭?"; not
                  # the application or the plan, whose writing and sending is how one applies,
                  # nor any contract: "근로계약서 안 쓰고 일했는데"); handed in ("要交学生证
                  # 复印件吗？", "what do we need to hand in?")
                  # (a look ahead: the paper stays a word the records are searched by)
                  r"(?=확인서|동의서|증명서|견적|임대차\s?계약서|추천서|명세서|서약서|영수증|"
                  r"(수료|보건|자격|재직|재학|졸업|학생|신분|납세|사업자\s?등록|외국인\s?등록)증)|"
                  r"复印件|(要|得|需要|一定要|必须)交(?![流通友])|"
                  r"\bwhat (do|should|must) (we|i) (need to |have to )?"
                  r"(hand in|bring|submit|send in)\b"),
    ("how_to_apply", r"어떻게\s?(신청|접수|지원|참여|해|하|투표)|"
                     # sent in a way ("メールで出してもいいですか", "how do I send in my idea?")
                     r"(メール|郵送|オンライン|ネット|窓口|ファックス)\s?で\s?(出|提出|送|申し込)|"
                     r"\bhow (do|can|should) (i|we) (send|hand|turn) (\w+ ){0,2}in\b|"
                     # where one applies ("어디다 신청해요", "어디서 접수해요"): how, not a place
                     r"어디\s?(서|에서|에|다|다가|로|으로)?\s?(신청|접수|등록|예약)|"
                     # who hands it in ("신청 누가 해야돼요?")
                     # (not "누가 신청하는 거예요?": who it is for, who may)
                     r"누가\s?(신청|접수|제출|내)\s?(해야|하나|하면|해요|하는(?!\s?(거|건|것|게)))|"
                     r"(신청|접수|제출)\s?(은|는)?\s?누가\s?(해야|하나|하면|해요|하는(?!\s?(거|건|것|게)))|"
                     # how one votes ("how does online voting work", "怎么投")
                     r"\bhow (do|does|can|to|should) (i |we |you )?vote\b|"
                     r"\bhow does [\w\s]{0,40}?\bvoting\b|怎么投|如何投票|投票方法|"
                     r"どうやって投票|投票の(しかた|仕方)|cách bỏ phiếu|làm sao (để )?bỏ phiếu|"
                     r"신청\s?(방법|절차|은\s?어떻게|어떻게)|"
                     r"방문\s?(접수|신청|제출)|방문해서\s?(내|제출|신청|접수)|"
                     # handed in in person ("직접 가져가야 돼요?", "서류 들고 가야 해요?",
                     # "저녁에 내러 가도 돼요?", "Can I hand it in on a Sunday?")
                     r"직접\s?(가져|갖고|갖다|들고|내|제출|방문|가야|가서)|(가져|들고|갖고)\s?가야|"
                     r"내러\s?(가|와|갈|올)|\bhand (it |this |them |the \w+ )?in\b|"
                     r"접수\s?방법|면접|인터뷰|\binterview|발표\s?심사|"
                     # a step before applying asked ("사전상담 꼭 받아야 신청돼요?")
                     r"상담\S{0,2}\s?(꼭|안\s?받|받아야|없이|필수)|어디\s?(서|에서|에|로)\s?(신청|접수|제출)|신청서|"
                     r"(신청|접수|제출)\s?(은|는)?\s?어디|"
                     r"(이\s?메일|메일|우편|팩스|방문|온라인|인터넷|홈페이지|누리집)\s?(으로|로)\s?(도\s?)?"
                     r"(내|제출|접수|신청|보내|되|돼|가능|해)|"
                     r"\bhow (does|do|can|should)\b[\w\s]{0,40}?\bapply\b|"
                     r"\bhow (do|can|to|should) (i |we )?(actually |even )?"
                     r"(apply|sign|register|submit)|"
                     r"\bwhere (can|do|should|to) (i |we )?(submit|apply|send|hand)|"
                     r"\bhow (do|can|should) (i |we )?hand\b|\bwho (do|should) (i |we )?send\b|"
                     r"\bhow to apply\b|怎么申请|如何申请|怎么报名|如何报名|报名方法|怎样申请|"
                     r"怎么提交|如何提交|"
                     # what is to be done before applying ("신청 전에 꼭 해야 되는 게 뭐예요";
                     # not "신청 전에 상담 받을 수 있나요": the consultation asked for)
                     r"(신청|접수|제출)\s?(하기\s?)?전에\s?(꼭\s?|먼저\s?|미리\s?)?"
                     r"(해야|할\s?(거|게|것|일)|필요한|뭘|뭐)|"
                     # sent by e-mail or post, in the other languages ("Chỉ cần gửi email thôi
                     # hả?", "gửi đề xuất qua email được không", "can I send it by email?",
                     # "可以发邮件吗")
                     r"(gửi|gui|nộp|nop)\s(\S+\s){0,3}?(qua\s|bằng\s|bang\s)?"
                     r"(e-?mail|mail|thư|bưu điện)\b|"
                     r"\b(send|submit|hand) (it |this |them |the \w+ |our \w+ )?(in )?"
                     r"(by|via|through|over) (e-?mail|post|mail)\b|"
                     r"(发|用|通过)(电子)?邮件|邮寄|"
                     r"cách đăng ký|đăng ký ở đâu|"
                     r"đăng ký thế nào|làm (sao|thế nào) (để )?(đăng ký|nộp)|どうやって(応募|申請)|"
                     r"申し込み方|申請方法|応募方法|どうやって申|"
                     # an interview, the way to apply, in Chinese, Japanese and Vietnamese
                     # ("面试是线上还是线下？", "申请方法是什么？", "インタビューは土曜日でも")
                     r"面试|面谈|答辩|申请方法|面接|インタビュー|面談|phỏng vấn|発表審査|"
                     # applied online or on site ("申请是线上吗？", "オンラインで申し込めますか")
                     r"(申请|报名)\S{0,2}(线上|网上|线下|现场)|(线上|网上)(申请|报名)|"
                     r"オンラインで(申し?込|申請|応募)|(đăng ký|nộp) (trực tuyến|online|qua mạng)|"
                     r"\b(send|submit|hand) (in )?(the|our|my|an) (application|form)\b|"
                     # written by hand ("손글씨로 써서 내도 되나요?")
                     r"(써서|적어서|손글씨로|손으로\s?써서)\s?(내|제출)"),

    ("people", r"몇\s?(명|사람|가구)|인원|"
               # a number of us said and "will that do?" ("5명이면 되나요", "3명이서 해도 돼요")
               r"\d+\s?(명|가구|세대)\s?(이면|이라도|이어도|이서|만으로|으로도|뿐인데|밖에|인데|이에요|이고)\s?"
               r"\S{0,4}\s?(되|돼|괜찮|가능|신청)|"
               # ("4명 돼요?", "다섯 가구 되나요"): the number and "will it do" next to it
               r"\d+\s?(명|가구|세대)\s?(돼요|되나요|돼\b|되요|될까요|되죠|괜찮|가능)|"
               # a number of us said in words and "will that do?" ("셋이 하면 되나요?", "둘이서
               # 해도 돼요?", "三个人够吗？", "is four of us enough?")
               r"(?<![가-힣])(둘|셋|넷|다섯|여섯|일곱|여덟|아홉|열)\s?(이서|이|이면|이서만)?\s?"
               r"(하면|해도|이면|만)?\s?(되|돼|괜찮|가능|충분)|\d+\s?명\s?(이면|이라도)?\s?충분|"
               # the programme named between ("넷이면 짝꿍사업 되나요?", "셋이서 그 사업 돼요?")
               r"(?<![가-힣])(둘|셋|넷|다섯|여섯|일곱|여덟|아홉|열)\s?(이서|이면|이서면|인데)\s(\S+\s){0,2}?"
               r"(해도\s?)?(되나|돼요|되요|될까|되죠|가능|괜찮)|"
               r"([一二两三四五六七八九十\d]+)\s?(个|位)?人\S{0,2}(够|行吗|可以吗)|"
               r"\b(is|are) (\w+ )?(of us|people|members|persons) enough\b|"
               r"\benough (people|members)\b|"
               r"\bhow many (of (the|our|us|them) )?(people|members|persons|households|families)\b|"
               r"几个人|多少人|几户|何人|何世帯|bao nhiêu (người|hộ)|mấy (người|hộ|thành viên)|"
               # how many of whom ("需要几个商人", "几位成员")
               r"几(个|位|名)\S{0,2}(人|成员|会员|居民|商人|家庭)|"
               # how many are needed, of whom said before ("店主要几个？", "商人最少要几个？")
               r"(最少|至少|最低)?\s?要\s?几\s?(个|位|名|家|户)"),
    ("when", r"언제|일정|날짜|(있는|하는|열리는|가능한)\s?날(?!씨)|"
             # (not a period told in the story: "체류기간이 12월까지인데 …", "계약 기간은 내년
             # 봄까지라서 …" — the asker's own, said, not asked)
             r"기간(?!\s?(이|은|는|도)?\s?(\S+\s){0,2}?\S*?(까지|부터)\s?"
             r"(인데|이고|이라|라서|이어서|였는데|이었는데))|"
             r"며칠|몇\s?일(?!\s?(동안|간|씩))|무슨\s?요일|"
             r"\bwhen\b|\bwhat dates?\b|\bdates?$|"
             r"\b(what|which) days?\b|"
             r"什么时候|几号|哪天|哪一天|星期几|khi nào|bao giờ|ngày nào|lúc nào|いつ|何日|日程"),
    # coming without signing up ("신청 안하고 가도 돼요?", "예약 없이 가도 되나"): before who
    # may come, whose cue "가도 돼요" it holds
    ("registration", r"(신청|예약|등록)\s?(하고|해서|을\s?하고)\s?(가야|와야|참석해야|가면|오면)|"
                     r"(신청|예약|등록)\s?(안\s?하고|없이|안\s?해도|안\s?했는데)\s?(그냥\s?)?"
                     r"(가|와|참석|참여|들어)"),
    ("eligibility", r"자격|대상|几岁|多大年纪|何歳|mấy tuổi|bao nhiêu tuổi|"
                    r"누가(?!\s?(진행|강의|가르쳐|담당|운영))|"
                    # who may come ("애들 데려가도 돼요?", "처음인데 가도 돼요?", "들어도 돼요?")
                    r"데려\s?(가|와)도|데리고\s?(가|와|참석)|처음인데\s?(가|참석|들어|와)|들어도\s?(돼|되)|"

                    # joining a group ("다른 동 사람도 껴도 돼요?"), an age and "will that do?"
                    r"껴도|끼어도|끼워도|"
                    # who must be among us ("어른도 꼭 있어야 돼요?", "한국 사람도 꼭 껴야 돼요?")
                    r"(도|이|가)\s?꼭\s?(있어야|들어가야)|"
                    # a consent required ("관리사무소 동의 꼭 받아야 돼요?"): a condition
                    # (동의 itself stays in the topic: "관리사무소 동의서" is the programme's)
                    r"(?<=동의)(서)?\s?(를|는|도|가)?\s?(꼭|반드시)?\s?(받아야|있어야|필요)|"
                    r"꼭\s?(껴야|끼어야|끼워야|포함(돼|되|해|시켜)야)|"
                    r"\d\s?(살|세)\s?(인데|이에요|이고|이면)\s?(\S+\s)?(돼|되|가능|신청)|"
                    r"\bcan (a |an |the )?[a-z]+ (apply|join|participate|take part)\b|"
                    r"\bcan (a |an |the )?[a-z]+ be (on|in|part of|a member of) (the|a|our)\b|"
                    r"年龄限制|年龄要求|年齢制限|giới hạn tuổi|"
                    r"có được (đăng ký|tham gia|nộp đơn|xin)|"
                    r"可以参加|能参加|能申请|参加できます|申し?込めます|"
                    # together too ("한국 사람도 같이 해도 돼요?", "韩国人可以一起参加吗？", "Người
                    # Hàn có tham gia cùng được không?")
                    r"도\s?(같이|함께)\s?(해도|참여해도|참가해도|가도|와도|들어가도|껴도)\s?"
                    r"(돼|되|괜찮|가능)|(可以|能)一起(参加|参与|做|申请)|"
                    r"tham gia (cùng )?được không|"
                    r"谁可以|谁能|能不能申请|可以申请吗|也可以|可以(提案|报名|加入|当)|"
                    r"(留学生|外国人|学生|大学生|老人|孩子|小孩|居民|个人)\S{0,2}(可以|能)(吗|参加|申请)|"
                    r"能不能(参加|报名|加入|当)|"
                    r"誰が|応募できます|누구\s?(나|든|라도)|조건|나이\s?제한|해당\s?(돼|되|될)|"
                    r"(신청|지원|참여|참가|투표)\s?"
                    r"(돼요|되나요|될까요|되죠|되는지|돼\b|되나|되남|되냐|되니|됩니까|되겠|됨\b)|"
                    r"(신청|지원|참여|참가)\s?(못|안)\s?(하|해|돼|되)|"
                    # can't one join ("팀원으로도 못들어가요?", "저는 못 껴요?")
                    r"(못|안)\s?(들어가|들어와|껴|끼어|끼워|낄)|"
                    # a condition and "can't we, then?" ("첫걸음 안 해 봤으면 못 하는 거예요?")
                    r"(으면|면)\s?(못|안)\s?(하|해|받|돼|되|내)|"
                    r"몇\s?살\s?(부터|까지|이상|이하)|(있어|없어|아니어|아니라)\s?도\s?(되|돼|괜찮)|"
                    r"(신청|지원|받을|참여|참가|들을|할|낼|넣을|들어갈|합류할|가입할|낄)\s?수\s?(있|없)|가능(한가|할까|해요|한지|하나)|"
                    r"(신청|지원|참여|참가)\s?가능|그래도\s?(되|돼|괜찮)|안\s?되겠|"
                    r"\beligib|\bwho can\b|\bqualif|"
                    r"\bcan (my|our|her|his|their)\b[^?.]{0,30}?\bapply\b|"
                    r"\bage (limit|requirement)s?\b|"
                    r"\bhow old\b|\btoo (old|young)\b|괜찮(나요|아요|을까|은가|은지)|"
                    # does it matter? ("작가님이 대전 사시는데 상관없나요?")
                    r"상관\s?(없|있)(나요|나|어요|어|을까요?|죠|는지|습니까)|"
                    r"条件|资格|điều kiện|ai được|"
                    r"資格|対象"),
    ("contact", r"연락처|전화|전번(?![에엔])|번호|문의|통화|이메일|메일\s?주소|\be\s?mail\b|"
                r"주무관|성함|담당\s?(자|선생님|직원)?\s?(이름|성함)|"
                r"담당\s?(자|팀|부서)|"
                r"누구\s?(한테|에게)|물어\s?(보|봐|볼)|"
                r"\bcontact|\bphone number\b|\bphone\b|\bcall\b|"
                r"\bwho (do|should) i ask\b|电话|联系|liên hệ|số điện thoại|電話|連絡先|"
                r"問い合わせ|メール|邮箱|电子邮件|邮件|thư điện tử|\bemail\b|"
                # who is in charge, whom to call ("Ai phụ trách, gọi số nào?", "谁负责")
                r"phụ trách|gọi số|số nào|hỏi ai|谁负责|问谁|担当者|"
                # which team or desk ("담당 어느 팀이에요?", "which team handles this?")
                r"(어느|무슨)\s?(팀|부서)|\bwhich (team|department|office|desk)\b|"
                r"\bin charge\b|\bwho handles\b|哪个部门|どの部署|bộ phận nào"),
    ("support", r"컨설팅|멘토링|혜택|무슨\s?지원|어떤\s?지원|"
                r"구해\s?(주|줘|줍)|섭외\s?(해|도)|빌려\s?(주|줘|줍)|"
                r"\bwhat support\b|\bbenefits?\b"),
    ("place", r"어디|장소|위치|주소|모이는\s?곳|집결|몇\s?층|"
              # where it moves if it rains ("비 오면 어떻게 돼요?", "우천 시에는"): an event's
              # place says its rain venue
              r"(?<![가-힣])비\s?(가\s?)?(오면|와도|오는\s?날|올\s?때|올\s?경우)|우천|"
              # how to get there ("거기 어떻게 가요", "역에서 가까워요?", "어느 건물이에요")
              r"어떻게\s?(가요|가나요|가면|가야|와요|오나요|찾아)|가까(워|운|운가|운지)|(어느|무슨)\s?(건물|곳)|"
              r"\bhow (do|can) (i|we) get there\b|怎么去|đi (thế nào|bằng gì)|行き方|"
              r"\bwhere\b|\bvenue\b|\blocat(ion|ed)\b|"
              # near something ("is it near the station?", "close to the subway?")
              r"\b(is|are) (it|this|that|the \w+|they) (near|nearby|close to|close by|far from)\b|"
              r"\bhow (near|close|far)\b|\bwalking distance\b|"
              r"(지하철|버스|차)\s?(로|타고|으로)|가는\s?길|\bby (bus|subway|metro|train)\b|"
              # the bus or the train to take ("센터 가려면 버스 몇 번 타요?")
              r"(버스|지하철)\s?(은|는)?\s?(몇\s?번|어디서\s?타|타야|타면|타요)|"
              r"\baddress\b|在哪里?|地点|地址|ở đâu|chỗ nào|địa điểm|địa chỉ|どこ|場所|住所|"
              # which floor ("어느 층이에요?", "which floor is it on?", "几楼")
              r"어느\s?층|\b(which|what) floor\b|几楼|几层|哪层|何階|tầng (mấy|nào)"),
    ("time", r"몇\s?시(?!\s?간)|(?<!몇)(?<!몇\s)시간|" + DOOR_WORDS + "|"
             r"닫나요|\bwhat time\b|\bhours?\b|几点|开门|关门|营业时间|mấy giờ|mở cửa|giờ làm việc|"
             r"何時|営業|開いて|"
             # the day a thing is held ("tổ chức ngày nào", "哪天举办", "いつ開催"): an
             # event's, as 열려요 is (a grant has no day it is held)
             r"(được )?tổ chức (vào )?(ngày nào|khi nào|lúc nào|bao giờ|hôm nào)|"
             r"(什么时候|哪天|哪一天|几号|几月几号)(举办|举行)|(举办|举行)(时间|日期)|"
             r"いつ(開催|行われ)|開催(日|日時|され)|"
             # held on a day too ("토요일에도 해요?", "주말에도 열려요?", "Do you do it on Sundays
             # too?", "周六也有吗？", "土曜日もやっていますか")
             r"(요일|주말|평일)\s?(에|엔)?\s?(도|는|은)\s?(해|하나|하는|하죠|열|있|진행|운영)|"
             r"\bon (mon|tues|wednes|thurs|fri|satur|sun|week)(day|end)s?,? too\b|"
             r"(周|星期|礼拜)[一二三四五六日天]也(有|开|办|上课|可以)|"
             r"(周末|平日)也(有|开|办)|[月火水木金土日]曜日?も(やって|あります|開|し)|"
             # how long it lasts ("몇 시간 동안 해요?", "how long does it last?", "多长时间")
             r"몇\s?시간\s?(동안|이나|정도|짜리)?\s?(해|하나|하는|진행|걸려|걸리)|"
             r"\bhow long (does|will|is) (it|the \w+|this|that) (last|run|go on)\b|"
             r"\bhow long (is|are) (it|each|every|the|a|one)\b|多长时间|多久|何時間|"
             # only on that day, or other days ("Is it only on Thursdays?", "只有星期四吗？",
             # "목요일 말고 다른 요일은 없어요?", "Chỉ có thứ Năm thôi à?")
             r"\b(only|just) on ((mon|tues|wednes|thurs|fri|satur|sun)days?|week(day|end)s?)\b|"
             r"\bother days?\b|"
             r"只有(星期|周|礼拜)[一二三四五六日天]|[月火水木金土日]曜日?だけ|"
             r"(thứ (hai|ba|tư|năm|sáu|bảy)|chủ nhật) thôi|요일\s?(말고|만|밖에)|다른\s?요일|"
             # how often it is held ("매주 하는 거예요?", "every week or only once?")
             # (asked, not told: "매주 모이는데 …" tells of a group)
             r"매\s?(달|월|주)\s?(해요|하나요|하는\s?(거|건)|있어요|있나요|열려요|열리나요)|"
             r"한\s?번만\s?(해요|하나요|하는\s?(거|건)|있어요|있나요)|"
             r"\b(is it|is this|does it (run|happen|meet)) every (month|week|day)\b|"
             r"\bevery (month|week) or\b|\b(just|only) once\b|\bhow often\b|"
             r"每个?(月|周|星期)|毎(月|週)|hàng (tháng|tuần)|mấy lần"),
    ("registration", r"(?<!주민)등록|예약|정원|참가\s?신청|신청\s?해야|"
                     r"자리\s?(가\s?)?(남|있|없)\S*|빈\s?자리|당일|미리\s?(말|얘기|연락|알려)|"
                     r"\bspots? left\b|\bseats? left\b|\bcapacity\b|"
                     r"\bhow many (seats|spots|places)\b|"
                     r"定員|名额|名額|"
                     r"그냥\s?(가도|와도|참석해도|가면|오면)|"
                     # taking a place back ("취소하려면 어떻게 해요?", "신청한 거 취소돼요?")
                     r"취소\s?(하려|하고|하면|할|해|돼|되|가능|방법)|\bcancel|取消|hủy|キャンセル|"
                     # (to book, not a book: "a tiny book club", "children's books")
                     r"\bsign(ing)? up\b|\bregist\w*|(?<!\ba )(?<!\bthe )(?<!\bour )(?<!\bmy )"
                     r"(?<!\bs )\bbook(ing|ed)?\b(?!\s(clubs?|groups?|circles?|swaps?|exchanges?|"
                     r"fairs?|readings?|sharing|corners?|cafes?|shelf|shelves))|"
                     r"\bappointments?\b|\bslots?\b|"
                     r"đăng ký trước|cần đăng ký|đặt lịch|đặt chỗ|hẹn trước|要报名|需要报名|"
                     r"提前报名|预约|予約|事前申し込み|"
                     r"申し?込み?(は|が)?\s?必要"),
    # "can I …?" alone asks whether one may, but after any other cue ("do I need to book,
    # or can I just bring my lamp?": the booking)
    # and the asker's own situation told (also after any other cue: "우리 4명인데 자리
    # 있어요?" asks for a place): "…사람들 다섯이에요 되나요?", "작년에 만든 모임이고
    # 6명입니다", a programme never done before ("씨앗사업은 한번도 안 해 봤어요"), "…グループに
    # 入れますか" (may we join)
    ("eligibility", r"\bcan (i|we)\b|"
                    # may one come ("대표가 가도 돼요?", "구경만 해도 되나요", "가도 되능교"): a
                    # weak cue, after the others ("아무나 가도돼요? 신청해야돼요?" asks the
                    # sign-up); not "그냥 가도 돼요?" (without signing up: registration), nor
                    # "평일 저녁에 가도 돼요?" (when or where one comes: a visit)
                    r"(?<![내러에])(?<!그냥)(?<!그냥\s)(?<!에\s)"
                    r"(가|와|참석해|구경해|구경만\s?해|들어가|들어와)도\s?(돼|되|괜찮)|"
                    r"(이에요|예요|에요|입니다|이고요?|인데요?|거든요?)\s?(되나요|돼요|되요|될까요|되죠|되남|괜찮)|"
                    r"(\d+|한|두|세|네|다섯|여섯|일곱|여덟|아홉|열)\s?(명|사람|가구)\s?"
                    r"(이에요|예요|입니다|이고|이거든|이라서|밖에\s?안)|"
                    r"(?<![가-힣])(둘|셋|넷|다섯|여섯|일곱|여덟|아홉)\s?(이에요|입니다|이고|이거든|이라서|밖에\s?안)|"
                    r"한\s?번도\s?(안|못)\s?(해|받|했|받았)|"
                    # a group "too?" ("저희 동아리도 돼요?")
                    r"(동아리|모임|단체|팀|사람|주민|외국인|학생|어르신|우리|저희)\S{0,2}도\s?"
                    r"(돼요|되나요|될까요|되죠|가능)|" + WHO_COMES + r"\s?도\s?"
                    r"(돼요|되나요|될까요|되죠|가능)|"
                    r"入れますか|入れる\?|入っても|加入できます|"
                    # a person and "may they?" ("Người nước ngoài có được không?", "外国人也可以吗")
                    r"có được không|也可以吗|也行吗|でもいいですか|でも大丈夫"),
    ("summary", r"뭐\s?(예요|에요|야|임|하는|인가|지)|뭔가요|뭔지|무엇|소개|"
                # the language it is held in ("Is it in English?", "영어로 진행해요?",
                # "用中文讲吗？"): what its card says
                r"\b(is|will) (it|the \w+|this|that) (be )?(held |given |taught |run |done )?in "
                r"(english|korean|chinese|vietnamese|japanese)\b|"
                r"(영어|중국어|베트남어|일본어|한국어)\s?(로|으로)\s?(진행|해요|하나요|강의|설명)|"
                r"用?(英文|英语|中文|韩语|越南语|日语)(讲|进行|上课)吗|"
                r"설명\s?(해|좀|부탁)|알려|궁금|"
                r"\bwhat is\b|\bwhat's\b|\btell me\b|"
                # ("tell me more about …", not "a video about our neighbourhood")
                r"\b(more|know|information|info|details?|learn) about\b|^about\b|是什么|là gì|"
                # what it does ("これ何をする事業ですか", "这个是做什么的")
                r"何をする|どんな(事業|活動|内容)|做什么|干什么"),
    ("how_to_apply", IF_APPLYING_RE.pattern),
]
# fmt: on

_COMPILED = [(facet, re.compile(pattern)) for facet, pattern in _CUES]


def _without_marks(pattern: str) -> str:
    """A pattern with the Latin letters' marks taken off (Vietnamese "còn nhận đơn" as
    "con nhan don"); Hangul and kana (whose voicing mark is also a combining one) stay.
    (Not :func:`bot.qa.lexicon.unmarked`: it leaves Hangul decomposed, and a class such as
    [가-힣] would no longer compile.)"""
    decomposed = unicodedata.normalize("NFD", pattern.replace("đ", "d"))
    kept = "".join(c for c in decomposed if not "\u0300" <= c <= "\u036f")
    return unicodedata.normalize("NFC", kept)


# Vietnamese typed without its marks ("Chuong trinh … con nhan don khong?"), as residents
# often do on a phone with no Vietnamese keyboard: a question in Latin letters is read, its
# own marks taken off too, with these (the English cues are the same in both)
_COMPILED_PLAIN = [(facet, re.compile(_without_marks(pattern))) for facet, pattern in _CUES]
FACETS = tuple(dict.fromkeys(facet for facet, _ in _CUES))

# How a generic facet reads for each kind of record.
_BY_KIND: dict[str, dict[str, str]] = {
    "grant": {
        "opens": "deadline",
        "when": "deadline",
        "time": "deadline",
        "registration": "how_to_apply",
        "people": "eligibility",
        "place": "how_to_apply",
        "revote": "summary",  # (a vote changed is no field of a grant's or an event's)
        "fee": "summary",  # (of an event only: see FEE_RE)
        "choices": "summary",
    },
    "event": {
        "deadline": "registration",
        "how_to_apply": "registration",
        "opens": "time",
        "when": "time",
        "people": "registration",
        "eligibility": "audience",
        "amount": "summary",
        "documents": "summary",
        "result": "summary",
        "support": "summary",
        "revote": "summary",
        "choices": "summary",
    },
    # an online assembly vote: its window, who may vote, how (a code, /vote), its items
    "assembly": {
        "deadline": "time",
        "opens": "time",
        "when": "time",
        "eligibility": "eligibility",
        "people": "eligibility",
        "registration": "how_to_apply",
        "documents": "how_to_apply",
        "place": "how_to_apply",
        "amount": "summary",
        "support": "summary",
        "result": "result",
        "fee": "summary",
        "choices": "how_to_apply",
    },
}


@dataclass(frozen=True)
class FacetCues:
    facets: tuple[str, ...]  # what is asked, in priority order
    matches: tuple[tuple[str, int, int], ...]  # every cue found: (facet, start, end) in the text

    @property
    def primary(self) -> str | None:
        return self.facets[0] if self.facets else None

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """Where cues were found in the normalised text."""
        return tuple((start, end) for _, start, end in self.matches)


# A fee to take part asked ("공짜예요?", "참가비 있어요?", "免费吗？", "is it free?", "Có mất
# phí không?"): no field of a record says one, so it is no cue of the list above (asked alone,
# "무료 교육 있어요?" is searched by its words as ever). Right after an answer about an event,
# the engine asks it of that event: its card, and what the card says of a fee.
FEE_RE = re.compile(
    r"공짜|무료|유료|참가비|참가\s?비용|참가료|회비|수강료|입장료|"
    r"(돈|비용)\s?(이|은|는)?\s?(들어|드나|드는|들까|내고|받나|받아요|있나|있어)|"
    r"\bis (it|this|that|the \w+) free\b|\bfree of charge\b|\bfor free\b|"
    r"\b(any|a) (fee|charge|cost)\b|\bfees?\b|\bdoes it cost\b|"
    r"\b(do|should|must) (i|we) (have to |need to )?pay\b|"
    r"免费|收费|要钱|要不要钱|花钱|费用|报名费|参加费|無料|有料|参加費|"
    r"\b(miễn phí|mất phí|có phí|tốn tiền|lệ phí|mien phi|mat phi|co phi|ton tien|le phi)\b",
    re.IGNORECASE,
)


# How many items one picks in a vote ("몇 개까지 찍어요?", "how many can I pick?", "能选几个"):
# no cue of the list above either (asked alone, "투표 몇개까지 고를수있어요" is searched by its
# words as ever: they are the vote's own). Right after an answer about a vote, its how-to,
# which says how many.
CHOICES_RE = re.compile(
    r"몇\s?개\s?(까지|나|씩)?\s?(찍|고르|골라|고를|선택|뽑)|"
    r"\bhow many (items?|things|choices|options|projects)?\s?(can|do|should|may) "
    r"(i|we) (pick|choose|select|vote)|选几个|能选几|几个可以选|何個(選|まで)",
    re.IGNORECASE,
)


def with_cue(cues: FacetCues, text: str, facet: str, pattern: re.Pattern[str]) -> FacetCues:
    """``cues`` with ``facet`` first where ``pattern`` finds it in ``text`` (:data:`FEE_RE`,
    :data:`CHOICES_RE`: cues only right after an answer about an event, a vote)."""
    found = tuple((facet, *m.span()) for m in pattern.finditer(text))
    if not found:
        return cues
    return FacetCues((facet, *(f for f in cues.facets if f != facet)), found + cues.matches)


_NON_LATIN_RE = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u4e00-\u9fff\uac00-\ud7a3]")


def detect_facets(question: str, *, normalized: bool = False) -> FacetCues:
    text = as_simplified(question if normalized else normalize(question))
    compiled = _COMPILED
    if not _NON_LATIN_RE.search(text):  # Latin letters: Vietnamese read with or without
        # its marks, or with only some put back (bot/qa/engine.py)
        plain = _without_marks(text)
        if len(plain) == len(text):  # (the spans stay in place)
            text, compiled = plain, _COMPILED_PLAIN
    matches = tuple(
        (facet, *m.span()) for facet, pattern in compiled for m in pattern.finditer(text)
    )
    return FacetCues(tuple(dict.fromkeys(facet for facet, _, _ in matches)), matches)


def for_kind(facets: tuple[str, ...], kind: str) -> tuple[str, ...]:
    """The facets as they apply to a record of ``kind`` (duplicates removed, order kept)."""
    if kind == "faq":
        return ("answer",)
    mapping = _BY_KIND.get(kind, {})
    out: list[str] = []
    if kind == "event" and "fee" in facets:
        # (no field of an event says a fee: its card, then what the card says of one; or
        # the other part asked, then that: "参加费多少？需要报名吗？")
        others = [mapping.get(f, f) for f in facets if f != "fee"]
        others = [f for f in others if f != "summary"]
        out = [others[0] if others else "summary", "fee"]
    for facet in facets:
        mapped = mapping.get(facet, facet)
        if mapped == "summary" and facet != "summary":
            continue  # a cue this kind has no field for ("돈" of an event) leads nowhere
        if mapped not in out:
            out.append(mapped)
    return tuple(out) or ("summary",)
