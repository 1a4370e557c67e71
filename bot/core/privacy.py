"""A person's data: what is stored about them (``/mydata``), forgetting it (``/forget``),
and retention (``maeul privacy purge``) — Korea's Personal Information Protection Act
(개인정보 보호법: Art. 35 access, Art. 36 erasure, Art. 21 destruction after the purpose).

Why a registry
--------------
Every feature keeps its own tables and knows what in them is personal, what may be
deleted and what must be kept (a ballot, the poll book's "has voted"). A privacy module
that queried every feature's tables would import every feature sideways — the import
contracts forbid that, and it would go stale as soon as a feature adds a table. So, as for
reminder kinds (:mod:`bot.reminders.registry`), each feature has a ``bot/<feature>/privacy.py``
with ``register(registry)``, composed by :mod:`bot.features`; this module knows no feature.
A :class:`Provider` declares the personal columns it ``covers`` (``table.column``), and
``tests/test_privacy_coverage.py`` fails when a table gains a column that refers to a
person (a foreign key to ``users``, a ``user_id`` / ``chat_id`` / ``telegram_id``, a
Telegram id in a ``*_by`` column) that no provider covers.

The account itself (``users``, ``user_roles``, the audit log, the conversation state and
``user_data`` of the Telegram layer's persistence, role invitations) is this module's own
provider, always run last.

What is kept after ``/forget``, and why
----------------------------------------
* **Agenda proposals** are public deliberation: they stay, anonymised — their author
  becomes the one shared "forgotten resident" account (:func:`forgotten_author`, inactive,
  Telegram id 0), so nobody can tell that two proposals had the same author.
* **Ballots** hold no identity anyway (:mod:`bot.assembly.service`). The poll book's row
  "this account has voted in assembly X" stays for every assembly where they voted or used
  their code on site: without it they could vote twice, and the audit checks the number of
  voters against the ballots. That row needs the account's Telegram id, so a *tombstone*
  ``users`` row stays — id and Telegram id only, every other field emptied, inactive. A
  registration that was never used to vote is deleted (and its paper code works again
  while the vote is open).
* **The audit log** of staff actions (including role changes about them) is kept for
  ``RETENTION_AUDIT_DAYS`` (3 years: the PIPA safety-measures standard requires role
  grants and changes to be kept at least 3 years and access records 1–2 years).

Everything else is deleted. After ``/forget`` the person's next message is served as a new
user's: no language, no home dong, no state.

Threat model: ``/forget`` is only offered in the private chat, after a confirmation bound
to the chat (a stale or forged button does nothing). The export is sent only to the chat of
the account it describes. Exports and logs never include a ballot's choice or tracker.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, func, inspect, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.elements import ColumnElement

from bot.core.config import Settings
from bot.core.i18n import LANGUAGE_NAMES, N_, Translator, resolve_language
from bot.core.text import localized
from models.audit import AuditLog
from models.invite import RoleInvite
from models.kb import Dong
from models.persistence import HandledUpdate, PtbChatData, PtbConversation, PtbUserData
from models.ratebudget import RateSend
from models.user import User, UserRole, new_account_key

log = logging.getLogger(__name__)

M = TypeVar("M", bound=DeclarativeBase)

FORGOTTEN_TELEGRAM_ID = 0
"""The shared "forgotten resident" account: the author of anonymised proposals."""


@dataclass
class Subject:
    """The person a request is about: their Telegram id (= their private chat) and row."""

    telegram_id: int
    user: User | None
    t: Translator
    dongs: dict[str, str] = field(default_factory=dict)
    """Dong id → its name in the person's language."""

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    def dong(self, dong_id: str | None) -> str:
        return self.dongs.get(dong_id or "", dong_id or "-")


@dataclass
class Section:
    """What one provider stores about a person: rows for programs, lines for people."""

    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Table name → rows (JSON values)."""
    lines: list[str] = field(default_factory=list)
    """Sentences in the person's language, for the readable document."""

    @property
    def empty(self) -> bool:
        return not any(self.records.values())


@dataclass
class Forgotten:
    """What a provider did for ``/forget``: counts per table and what it had to keep."""

    deleted: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    keep_account: bool = False
    """A row that stays refers to ``users.id``: the tombstone must stay (the poll book)."""

    def merge(self, other: Forgotten) -> None:
        for mine, theirs in (
            (self.deleted, other.deleted),
            (self.anonymised, other.anonymised),
            (self.kept, other.kept),
        ):
            for key, count in theirs.items():
                if count:
                    mine[key] = mine.get(key, 0) + count
        self.keep_account = self.keep_account or other.keep_account


Export = Callable[[AsyncSession, Subject], Awaitable[Section]]
Forget = Callable[[AsyncSession, Subject, datetime], Awaitable[Forgotten]]
Purge = Callable[[AsyncSession, Settings, datetime], Awaitable[Mapping[str, int]]]


@dataclass(frozen=True)
class Provider:
    name: str
    title: str
    """A msgid: the section's heading in the readable document."""
    covers: frozenset[str]
    """The personal columns (``table.column``) it exports and forgets."""
    export: Export
    forget: Forget
    purge: Purge | None = None
    kept: tuple[str, ...] = ()
    """Msgids: what it keeps after ``/forget`` and why (shown before the confirmation)."""
    retention: tuple[str, ...] = ()
    """Msgids: how long what it stores is kept (``{audit_years}``, ``{message_days}`` …)."""


@dataclass
class Registry:
    providers: dict[str, Provider] = field(default_factory=dict)

    def provide(
        self,
        name: str,
        *,
        title: str,
        covers: Iterable[str],
        export: Export,
        forget: Forget,
        purge: Purge | None = None,
        kept: Iterable[str] = (),
        retention: Iterable[str] = (),
    ) -> None:
        self.providers[name] = Provider(
            name, title, frozenset(covers), export, forget, purge, tuple(kept), tuple(retention)
        )

    def ordered(self) -> list[Provider]:
        """The features in registration order, the account last."""
        features = [p for name, p in self.providers.items() if name != ACCOUNT]
        return [*features, ACCOUNT_PROVIDER]

    @property
    def covered(self) -> frozenset[str]:
        return frozenset().union(*(p.covers for p in self.ordered()))


registry = Registry()
"""The registry the running bot uses; :func:`bot.features.register` fills it."""


# --- helpers for providers ---------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def row_dict(row: DeclarativeBase, *, omit: Iterable[str] = ()) -> dict[str, Any]:
    """A model row as JSON values (times in UTC, ISO 8601); ``omit`` leaves columns out."""
    skip = set(omit)
    return {
        column.key: _json_value(getattr(row, column.key))
        for column in row.__table__.columns
        if column.key not in skip
    }


def rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def rows_of(session: AsyncSession, model: type[M], column: Any, person: int) -> list[M]:
    """The rows of ``model`` whose ``column`` (``Proposal.author_id``, ``….user_id``) names
    ``person``, in the order of their primary key: what an export lists of one table."""
    query = select(model).where(column == person).order_by(*inspect(model).primary_key)
    return list((await session.execute(query)).scalars())


async def delete_rows(session: AsyncSession, model: type[M], *where: Any) -> int:
    """Delete the rows of ``model`` that match ``where``; how many went (what ``forget`` and
    ``purge`` count per table). No condition at all is refused: a forgotten argument must not
    empty a table."""
    if not where:
        raise ValueError(f"delete_rows({model.__name__}) without a condition")
    return rowcount(await session.execute(delete(model).where(*where)))


async def count_rows(session: AsyncSession, model: type[M], *where: Any) -> int:
    """How many rows of ``model`` match ``where`` (what ``forget`` keeps or must anonymise)."""
    return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def cutoff(now: datetime, days: int) -> datetime | None:
    """The instant before which data of a ``days`` retention goes; None: kept for ever."""
    return now - timedelta(days=days) if days > 0 else None


def addressed_to(subject: Subject, chat_id: Any, user_id: Any) -> ColumnElement[bool]:
    """Rows of the subject: sent to their chat (the ``chat_id`` column), or of their account
    (the ``user_id`` column) when they have one."""
    conditions = [chat_id == subject.telegram_id]
    if subject.user_id is not None:
        conditions.append(user_id == subject.user_id)
    return or_(*conditions)


# --- the account: users, roles, audit log, persistence, invitations ---------------------

ACCOUNT = "account"


async def forgotten_author(session: AsyncSession, now: datetime) -> int:
    """The id of the shared "forgotten resident" account (made on first use)."""
    found = await session.scalar(select(User.id).where(User.telegram_id == FORGOTTEN_TELEGRAM_ID))
    if found is not None:
        return int(found)
    row = User(telegram_id=FORGOTTEN_TELEGRAM_ID, active=False, created_at=now)
    session.add(row)
    await session.flush()
    return row.id


def _conversation_keys(telegram_id: int) -> list[str]:
    """PTB's conversation keys that name this person: the private chat and its user."""
    return [json.dumps([telegram_id]), json.dumps([telegram_id, telegram_id])]


def _audit_about(telegram_id: int) -> Any:
    return or_(
        AuditLog.actor_telegram_id == telegram_id,
        (AuditLog.target_type == "user") & (AuditLog.target_id == str(telegram_id)),
    )


async def _export_account(session: AsyncSession, subject: Subject) -> Section:
    t, tid = subject.t, subject.telegram_id
    section = Section()
    user = subject.user
    if user is not None:
        section.records["users"] = [row_dict(user, omit=("account_key",))]  # (random)
        roles = (
            await session.execute(select(UserRole).where(UserRole.user_id == user.id))
        ).scalars()
        section.records["user_roles"] = [row_dict(r) for r in roles]
        section.lines.append(
            t._(
                "Telegram id {tid}; name “{name}”; username {username}.",
                tid=tid,
                name=user.first_name or "-",
                username=user.username or "-",
            )
        )
        if user.language in LANGUAGE_NAMES:
            lang = LANGUAGE_NAMES[user.language]
        else:
            # none chosen with /language: the bot speaks the Telegram app's language (as
            # last seen), else the default — the language this document is written in
            used = resolve_language(None, user.telegram_language, t.lang)
            code = (user.telegram_language or "").split("-")[0].split("_")[0].lower()
            if code and code != used:  # a language without a catalogue: English instead
                lang = t._(
                    "{language} (Telegram's language, {code}, is not offered)",
                    language=LANGUAGE_NAMES[used],
                    code=code,
                )
            elif not code:  # Telegram told no language: the bot's default
                lang = t._("{language} (the bot's default)", language=LANGUAGE_NAMES[used])
            else:
                lang = t._("{language} (as set in Telegram)", language=LANGUAGE_NAMES[used])
        section.lines.append(
            t._(
                "Language: {lang}; home dong: {dong}; first seen {first}; last seen {last}.",
                lang=lang,
                dong=subject.dong(user.home_dong_id),
                first=t.format_date(user.created_at),
                last=t.format_date(user.last_seen_at) if user.last_seen_at else "-",
            )
        )
        for r in section.records["user_roles"]:
            section.lines.append(
                t._(
                    "Role {role} {dong}(given {when}).",
                    role=r["role"],
                    dong=f"{subject.dong(r['dong_id'])} " if r["dong_id"] else "",
                    when=t.format_date(datetime.fromisoformat(r["granted_at"])),
                )
            )
    audit = (
        (
            await session.execute(
                select(AuditLog).where(_audit_about(tid)).order_by(AuditLog.at, AuditLog.id)
            )
        )
        .scalars()
        .all()
    )
    section.records["audit_log"] = [row_dict(a) for a in audit]
    if audit:
        section.lines.append(
            t.n_(
                "{n} audit-log entry names you (staff actions, role changes).",
                "{n} audit-log entries name you (staff actions, role changes).",
                len(audit),
            )
        )
    invites = (
        (
            await session.execute(
                select(RoleInvite).where(
                    or_(RoleInvite.created_by == tid, RoleInvite.used_by == tid)
                )
            )
        )
        .scalars()
        .all()
    )
    section.records["role_invites"] = [row_dict(i, omit=("token_hash",)) for i in invites]
    user_data = await session.get(PtbUserData, tid)
    chat_data = await session.get(PtbChatData, tid)
    conversations = (
        (
            await session.execute(
                select(PtbConversation).where(PtbConversation.key.in_(_conversation_keys(tid)))
            )
        )
        .scalars()
        .all()
    )
    section.records["ptb_user_data"] = [row_dict(user_data)] if user_data else []
    section.records["ptb_chat_data"] = [row_dict(chat_data)] if chat_data else []
    section.records["ptb_conversations"] = [row_dict(c) for c in conversations]
    sends = (await session.execute(select(RateSend).where(RateSend.chat_id == tid))).scalars()
    section.records["rate_sends"] = [row_dict(r, omit=("bucket",)) for r in sends]
    if conversations:
        section.lines.append(
            t.n_(
                "{n} conversation in progress (where you are in it).",
                "{n} conversations in progress (where you are in them).",
                len(conversations),
            )
        )
    return section


async def _forget_account(session: AsyncSession, subject: Subject, now: datetime) -> Forgotten:
    """Runs last; ``subject`` says (``keep_account``) whether the tombstone must stay."""
    tid = subject.telegram_id
    done = Forgotten()
    done.deleted["ptb_user_data"] = await delete_rows(
        session, PtbUserData, PtbUserData.user_id == tid
    )
    done.deleted["ptb_chat_data"] = await delete_rows(
        session, PtbChatData, PtbChatData.chat_id == tid
    )
    done.deleted["ptb_conversations"] = await delete_rows(
        session, PtbConversation, PtbConversation.key.in_(_conversation_keys(tid))
    )
    done.deleted["rate_sends"] = await delete_rows(session, RateSend, RateSend.chat_id == tid)
    done.kept["audit_log"] = await count_rows(session, AuditLog, _audit_about(tid))
    done.kept["role_invites"] = await count_rows(
        session, RoleInvite, or_(RoleInvite.created_by == tid, RoleInvite.used_by == tid)
    )
    user = subject.user
    if user is None:
        return done
    done.deleted["user_roles"] = await delete_rows(session, UserRole, UserRole.user_id == user.id)
    session.expire(user, ["roles"])
    return done


async def finish_account(
    session: AsyncSession, subject: Subject, keep: bool, now: datetime
) -> Forgotten:
    """Delete the ``users`` row, or empty it into a tombstone when something must keep it."""
    done = Forgotten()
    user = subject.user
    if user is None:
        return done
    if keep:
        await session.execute(
            update(User)
            .where(User.id == user.id)
            .values(
                first_name=None,
                username=None,
                language=None,
                telegram_language=None,
                home_dong_id=None,
                active=False,
                created_at=now.replace(minute=0, second=0, microsecond=0),
                last_seen_at=None,
                account_key=new_account_key(),  # the account's old buttons act no more
            )
            .execution_options(synchronize_session=False)
        )
        done.kept["users"] = 1
    else:
        await session.execute(
            delete(User).where(User.id == user.id).execution_options(synchronize_session=False)
        )
        done.deleted["users"] = 1
    session.expunge(user)
    return done


async def _purge_account(
    session: AsyncSession, settings: Settings, now: datetime
) -> dict[str, int]:
    counts: dict[str, int] = {}
    audit_before = cutoff(now, settings.retention_audit_days)
    if audit_before is not None:
        counts["audit_log"] = await delete_rows(session, AuditLog, AuditLog.at < audit_before)
        counts["role_invites"] = await delete_rows(
            session, RoleInvite, RoleInvite.expires_at < audit_before
        )
    conv_before = cutoff(now, settings.retention_conversation_days)
    if conv_before is not None:
        counts["ptb_conversations"] = await delete_rows(
            session, PtbConversation, PtbConversation.updated_at < conv_before
        )
    # ids of handled updates (no personal data): Telegram redelivers for 24 hours at most
    handled = await delete_rows(
        session, HandledUpdate, HandledUpdate.handled_at < now - timedelta(days=1)
    )
    if handled:  # only where update de-duplication is on (UPDATE_DEDUP)
        counts["handled_updates"] = handled
    return counts


ACCOUNT_PROVIDER = Provider(
    ACCOUNT,
    N_("Your account"),
    frozenset(
        {
            "users.id",
            "users.telegram_id",
            "user_roles.user_id",
            "audit_log.actor_telegram_id",
            "role_invites.created_by",
            "role_invites.used_by",
            "ptb_user_data.user_id",
            "ptb_chat_data.chat_id",
            "ptb_conversations.key",
            "rate_sends.chat_id",
        }
    ),
    _export_account,
    _forget_account,
    _purge_account,
    (
        N_(
            "The audit log of staff actions, including role changes about you, is kept "
            "for {audit_years} years, as the law requires of records of access rights."
        ),
    ),
    (
        N_(
            "Where you are in an unfinished conversation (and an unfinished proposal "
            "draft) is deleted after {conversation_days} days without activity."
        ),
    ),
)


# --- the requests --------------------------------------------------------------------------


@dataclass
class Report:
    sections: list[tuple[Provider, Section]]
    generated_at: datetime

    def as_json(self, controller: Mapping[str, str]) -> bytes:
        body = {
            "format": "maeul-mydata/1",
            "generated_at": self.generated_at.astimezone(UTC).isoformat(),
            "controller": dict(controller),
            "data": {provider.name: section.records for provider, section in self.sections},
        }
        return json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")

    def as_text(
        self,
        t: Translator,
        controller: Mapping[str, str],
        notes: Iterable[tuple[str, list[str]]] = (),
    ) -> bytes:
        """The readable document; ``notes``: (heading, sentences) sections at the end."""
        out = [
            t._("Everything Maeul stores about you"),
            t._("Made {when}.", when=t.format_datetime(self.generated_at)),
            t._(
                "Controller: {name} ({contact}).",
                name=controller.get("name", "-"),
                contact=controller.get("contact", "-"),
            ),
            "",
        ]
        for provider, section in self.sections:
            out.append(f"■ {t._(provider.title)}")
            lines = section.lines or [t._("Nothing stored.")]
            out.extend(f"  - {line}" for line in lines)
            out.append("")
        for heading, group in notes:
            out.append(f"■ {heading}")
            out.extend(f"  - {note}" for note in group)
            out.append("")
        out.append(t._("The attached JSON file holds the same data, every stored field."))
        return ("\n".join(out) + "\n").encode("utf-8")


async def subject_for(session: AsyncSession, telegram_id: int, t: Translator) -> Subject:
    user = (
        await session.execute(select(User).where(User.telegram_id == telegram_id))
    ).scalar_one_or_none()
    dongs = {
        d.id: localized(d.name, t.lang) for d in (await session.execute(select(Dong))).scalars()
    }
    return Subject(telegram_id, user, t, dongs)


async def export_user(
    session: AsyncSession, subject: Subject, now: datetime, reg: Registry = registry
) -> Report:
    sections = [(p, await p.export(session, subject)) for p in reg.ordered()]
    return Report(sections, now)


async def forget_user(
    session: AsyncSession, subject: Subject, now: datetime, reg: Registry = registry
) -> Forgotten:
    """Delete or anonymise everything about ``subject``; the caller commits."""
    done = Forgotten()
    for provider in reg.ordered():
        done.merge(await provider.forget(session, subject, now))
    done.merge(await finish_account(session, subject, done.keep_account, now))
    log.info("forgot an account (%s)", ", ".join(f"{k}={v}" for k, v in done.deleted.items()))
    return done


def kept_notes(t: Translator, settings: Settings, reg: Registry = registry) -> list[str]:
    """What stays after ``/forget`` and why, in the person's language."""
    params = retention_params(settings)
    return [t._(note, **params) for p in reg.ordered() for note in p.kept]


def retention_notes(t: Translator, settings: Settings, reg: Registry = registry) -> list[str]:
    """How long things are kept, in the person's language."""
    params = retention_params(settings)
    return [t._(note, **params) for p in reg.ordered() for note in p.retention]


def retention_params(settings: Settings) -> dict[str, object]:
    return {
        "audit_years": round(settings.retention_audit_days / 365, 1)
        if settings.retention_audit_days % 365
        else settings.retention_audit_days // 365,
        "audit_days": settings.retention_audit_days,
        "message_days": settings.retention_message_log_days,
        "unanswered_days": settings.retention_unanswered_days,
        "conversation_days": settings.retention_conversation_days,
    }


async def purge(
    session: AsyncSession, settings: Settings, now: datetime, reg: Registry = registry
) -> dict[str, int]:
    """Delete what is older than its retention period; returns rows deleted per table."""
    counts: dict[str, int] = {}
    for provider in reg.ordered():
        if provider.purge is None:
            continue
        for table, n in (await provider.purge(session, settings, now)).items():
            counts[table] = counts.get(table, 0) + n
    return counts


class DailyPurge:
    """A dispatcher planner (``registry.planner``): :func:`purge` at most once a day per
    process, at the first pass of a new local day. Several processes may each purge:
    deleting what is already gone is harmless."""

    def __init__(self, reg: Registry = registry) -> None:
        self.registry = reg
        self.last_day: date | None = None

    async def __call__(self, session: AsyncSession, runtime: Any, now: datetime) -> dict[str, int]:
        settings: Settings = runtime.settings
        today = now.astimezone(settings.tz).date()
        if self.last_day == today:
            return {}
        counts = await purge(session, settings, now, self.registry)
        self.last_day = today
        if any(counts.values()):
            log.info("privacy purge: %s", ", ".join(f"{k}={v}" for k, v in counts.items() if v))
        return {f"purged {table}": n for table, n in counts.items() if n}


__all__ = [
    "ACCOUNT",
    "FORGOTTEN_TELEGRAM_ID",
    "DailyPurge",
    "Forgotten",
    "Provider",
    "Registry",
    "Report",
    "Section",
    "Subject",
    "count_rows",
    "cutoff",
    "delete_rows",
    "export_user",
    "forget_user",
    "forgotten_author",
    "kept_notes",
    "purge",
    "registry",
    "retention_notes",
    "row_dict",
    "rowcount",
    "subject_for",
]
