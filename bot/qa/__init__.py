"""Free-text question answering over the knowledge base (no Telegram here).

* :class:`QAEngine` — built from a validated :class:`bot.kb.KnowledgeBase`;
  ``engine.ask(question, now, lang=None)`` returns an :class:`Answer`.
* :func:`render` — an answer as plain text in a :class:`bot.i18n.Translator`'s language.
* :class:`EngineCache` — one engine per knowledge-base snapshot version.
* :func:`log_unanswered` / :func:`list_unanswered` — the staff's list of questions the
  engine could not answer.
"""

from bot.qa.engine import Answer, QAEngine, answer_language, names_own_dong
from bot.qa.render import VoteState, kind_of, listed, offered, record_name, render
from bot.qa.service import (
    EngineCache,
    UnansweredGroup,
    count_question,
    list_unanswered,
    log_unanswered,
)

__all__ = [
    "Answer",
    "EngineCache",
    "QAEngine",
    "UnansweredGroup",
    "VoteState",
    "answer_language",
    "count_question",
    "kind_of",
    "list_unanswered",
    "listed",
    "log_unanswered",
    "names_own_dong",
    "offered",
    "record_name",
    "render",
]
