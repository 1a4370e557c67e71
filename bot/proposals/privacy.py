"""Agenda proposals in a person's data (:mod:`bot.core.privacy`).

Export: the proposals they wrote, their supports (공감), reports (신고), the unfinished
``/propose`` draft and the steps of a proposal's history they took.

Forget: a proposal is public deliberation — the committee answered it, others supported
it, an assembly may have voted on it — so it stays, **anonymised**: its author and the
history steps the author took move to the shared "forgotten resident" account
(:func:`bot.core.privacy.forgotten_author`), so no two anonymised proposals can be told to
be one person's. Supports and reports are deleted (the support counts go down with them,
in the same statement pattern as a withdrawn support); the draft is deleted.

Retention: a draft untouched for ``RETENTION_CONVERSATION_DAYS`` is deleted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import exports, privacy_rows
from bot.core.config import Settings
from bot.core.i18n import N_
from bot.core.privacy import (
    Forgotten,
    Registry,
    Section,
    Subject,
    count_rows,
    delete_rows,
    forgotten_author,
    row_dict,
    rows_of,
)
from models.proposal import (
    Proposal,
    ProposalDraft,
    ProposalHistory,
    ProposalReport,
    ProposalSupport,
)


async def export_user(session: AsyncSession, subject: Subject) -> Section:
    section = Section()
    uid, t = subject.user_id, subject.t
    if uid is None:
        return section
    proposals = await rows_of(session, Proposal, Proposal.author_id, uid)
    supports = (
        await session.execute(
            select(ProposalSupport, Proposal.title)
            .join(Proposal, Proposal.id == ProposalSupport.proposal_id)
            .where(ProposalSupport.user_id == uid)
            .order_by(ProposalSupport.id)
        )
    ).all()
    reports = await rows_of(session, ProposalReport, ProposalReport.user_id, uid)
    drafts = await rows_of(session, ProposalDraft, ProposalDraft.user_id, uid)
    history = await rows_of(session, ProposalHistory, ProposalHistory.actor_id, uid)
    section.records = {
        "proposals": [row_dict(p) for p in proposals],
        "proposal_supports": [row_dict(s) for s, _ in supports],
        "proposal_reports": [row_dict(r) for r in reports],
        "proposal_drafts": [row_dict(d) for d in drafts],
        "proposal_history": [row_dict(h) for h in history],
    }
    for p in proposals:
        section.lines.append(
            t._(
                "Proposal #{id} “{title}” ({dong}), submitted {when}, status: {status}.",
                id=p.id,
                title=p.title,
                dong=subject.dong(p.dong_id),
                when=t.format_date(p.created_at),
                status=exports.value("status", p.status, t.lang),
            )
        )
    for s, title in supports:
        section.lines.append(
            t._(
                "You supported proposal #{id} “{title}” on {when}.",
                id=s.proposal_id,
                title=title,
                when=t.format_date(s.created_at),
            )
        )
    for r in reports:
        section.lines.append(
            t._(
                "You reported proposal #{id} on {when}.", id=r.proposal_id, when=t.format_date(r.at)
            )
        )
    for d in drafts:
        section.lines.append(t._("An unfinished proposal draft “{title}”.", title=d.title or "…"))
    return section


async def forget_user(session: AsyncSession, subject: Subject, now: datetime) -> Forgotten:
    done = Forgotten()
    uid = subject.user_id
    if uid is None:
        return done
    supported = [
        pid
        for (pid,) in (
            await session.execute(
                select(ProposalSupport.proposal_id).where(ProposalSupport.user_id == uid)
            )
        ).all()
    ]
    done.deleted["proposal_supports"] = await delete_rows(
        session, ProposalSupport, ProposalSupport.user_id == uid
    )
    if supported:
        await privacy_rows.update_rows(
            session,
            Proposal,
            Proposal.id.in_(supported),
            Proposal.support_count > 0,
            support_count=Proposal.support_count - 1,
        )
    done.deleted["proposal_reports"] = await delete_rows(
        session, ProposalReport, ProposalReport.user_id == uid
    )
    done.deleted["proposal_drafts"] = await delete_rows(
        session, ProposalDraft, ProposalDraft.user_id == uid
    )
    own = await count_rows(session, Proposal, Proposal.author_id == uid)
    acted = await count_rows(session, ProposalHistory, ProposalHistory.actor_id == uid)
    if own or acted:
        nobody = await forgotten_author(session, now)
        done.anonymised["proposals"] = await privacy_rows.update_rows(
            session, Proposal, Proposal.author_id == uid, author_id=nobody
        )
        done.anonymised["proposal_history"] = await privacy_rows.update_rows(
            session,
            ProposalHistory,
            ProposalHistory.actor_id == uid,
            actor_id=nobody,
            actor="forgotten",
        )
    # a step from the command line or the bot may name the Telegram id without the row
    await privacy_rows.update_rows(
        session,
        ProposalHistory,
        ProposalHistory.actor == f"tg:{subject.telegram_id}",
        actor="forgotten",
    )
    return done


async def purge(session: AsyncSession, settings: Settings, now: datetime) -> dict[str, int]:
    return await privacy_rows.purge_older(
        session, ProposalDraft.updated_at, settings.retention_conversation_days, now
    )


def register(registry: Registry) -> None:
    registry.provide(
        "proposals",
        title=N_("Agenda proposals"),
        covers=(
            "proposals.author_id",
            "proposal_supports.user_id",
            "proposal_reports.user_id",
            "proposal_drafts.user_id",
            "proposal_history.actor_id",
        ),
        export=export_user,
        forget=forget_user,
        purge=purge,
        kept=(
            N_(
                "Your agenda proposals stay, without your name: they are part of the "
                "dong's public deliberation. Your supports and reports are deleted."
            ),
        ),
    )
