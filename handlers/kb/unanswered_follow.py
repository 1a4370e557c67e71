"""/unanswered's follow-ups: a question asked right after an answer about a record
("작년 경쟁률은요?" after 이웃만들기 지원사업) is shown with that record and taught under a
question that names it (handlers/kb/unanswered.py says why).

The record is named as the KB has it now, in the staff's language; once the KB no longer
has it, by its kind and id.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton

from bot.core.i18n import Translator
from bot.core.text import esc, shorten
from bot.kb import edits
from bot.kb.edits import OpenQuestion
from bot.kb.records import KnowledgeBase
from bot.qa.text import normalize

CARD_PREFIX = {"grant": "grants:show:", "event": "events:show:"}
"""The cards a follow-up's record opens (handlers/qa/ask.py's; an assembly's is its vote's,
which staff reach from /vote)."""


def _kind(t: Translator, kind: str) -> str:
    if kind == "grant":
        return t.p_("record", "grant")
    if kind == "event":
        return t.p_("record", "event")
    if kind == "assembly":
        return t.p_("record", "assembly vote")
    return kind


def after(t: Translator, kb: KnowledgeBase | None, q: OpenQuestion) -> str | None:
    """Which answer a follow-up was asked after, named as the KB has it in the staff's
    language (its kind and id when the KB no longer has it); ``None``: asked alone."""
    if (record := q.record) is None:
        return None
    name = edits.followed_name(kb, q.followed, t.lang)
    if name is not None:
        return t._("asked after an answer about {name}", name=name)
    kind, id_ = record
    return t._(
        "asked after an answer about {kind} {id}, no longer in the knowledge base",
        kind=_kind(t, kind),
        id=id_,
    )


def list_label(t: Translator, kb: KnowledgeBase | None, q: OpenQuestion, number: int) -> str:
    """The list's button for a question: a follow-up's names its record (or its id)."""
    if (record := q.record) is None:
        return shorten(f"{number}. {q.example}", 40)
    name = edits.followed_name(kb, q.followed, t.lang) or record[1]
    return shorten(f"{number}. {shorten(q.example, 16)} ({name})", 40)


def card_row(t: Translator, kb: KnowledgeBase | None, q: OpenQuestion) -> list[list[Any]]:
    """A row with a button to the card of the grant or event a follow-up was asked after
    (where an admin edits it), while the KB has it; none otherwise."""
    record = q.record
    name = edits.followed_name(kb, q.followed, t.lang)
    if record is None or name is None or record[0] not in CARD_PREFIX:
        return []
    data = CARD_PREFIX[record[0]] + record[1]
    if len(data.encode()) > 64:
        return []
    return [[InlineKeyboardButton(shorten(f"📄 {name}", 40), callback_data=data)]]


def about(t: Translator) -> list[str]:
    """The question screen's lines on a follow-up, as HTML."""
    return [
        "",
        esc(t._("It was asked right after that answer, so it is about that record.")),
        esc(
            t._(
                "If the record itself should say it, an admin can add it on its card. "
                "An answer written here is published under a question that names the record."
            )
        ),
    ]


def teaching(
    t: Translator, kb: KnowledgeBase | None, q: OpenQuestion, lang: str
) -> tuple[dict[str, Any], list[str]]:
    """For a follow-up: what the teaching keeps (the record, how it is named, the FAQ
    question prefilled with the record's name in the FAQ's language ``lang``) and the
    lines, as HTML, that tell staff so. Nothing for a question asked alone."""
    if (record := q.record) is None:
        return {}, []
    named = edits.followed_name(kb, q.followed, lang) or record[1]
    question = f"{named}{' ' if lang == 'ko' else ': '}{q.example}"
    said = after(t, kb, q) or ""
    lines = [
        f"↪ {esc(said)}",
        t._(
            "The FAQ shows it as: {question} (you can reword it in the preview)",
            question=f"<b>{esc(question)}</b>",
        ),
    ]
    return {"followed": q.followed, "after": said, "question": question}, lines


def bare(t: Translator, state: dict[str, Any], typed: str) -> str | None:
    """Why a follow-up's FAQ question cannot be its bare words again ("작년 경쟁률은요?"
    would answer them about every programme), or ``None`` when it may be."""
    if not state.get("followed") or normalize(typed) != state.get("normalized"):
        return None
    return t._(
        "This question was {after}, so alone it would answer the same words asked about "
        "anything. Please name the record in the question.",
        after=str(state.get("after") or ""),
    )
