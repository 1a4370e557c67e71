"""Assembly votes in a person's data (:mod:`bot.core.privacy`).

Export: the poll book's rows about them — which assembly, when they registered, whether
they voted online, used their code on site, were reminded. **Never** a ballot: ballots hold
no identity (see :mod:`bot.assembly.service`), and the export must not become a way to
link one — not the choices, not the tracker, not the re-vote tag.

Forget:

* A poll-book row of an assembly where they **voted** (online, or on site with their code)
  stays — "this account has voted" and nothing else (the review nonce is cleared, the
  reminder flag set so no reminder is planned). It is what stops a second vote, and the
  audit compares the number of such rows with the ballots. The row refers to the account,
  so the account stays as an emptied tombstone (``keep_account``).
* The ballot stays counted. Its re-vote tag (``current_tag``, a keyed hash of assembly and
  account, opaque without ``BALLOT_SECRET``) stays until the tally clears it: clearing it
  now would let a re-vote count twice.
* A registration that was never used is deleted; while the vote has not closed, its paper
  code becomes usable again (the holder may still vote with it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import privacy_rows
from bot.core.i18n import N_
from bot.core.privacy import Forgotten, Registry, Section, Subject
from bot.core.text import localized
from models.assembly import AssemblyVote, CodeStatus, Voter, VotingCode


async def export_user(session: AsyncSession, subject: Subject) -> Section:
    section = Section()
    uid, t = subject.user_id, subject.t
    if uid is None:
        return section
    rows = (
        await session.execute(
            select(Voter, AssemblyVote.assembly_id, AssemblyVote.title)
            .join(AssemblyVote, AssemblyVote.id == Voter.vote_id)
            .where(Voter.user_id == uid)
            .order_by(Voter.id)
        )
    ).all()
    records = []
    for voter, assembly_id, title in rows:
        records.append(
            {
                "assembly": assembly_id,
                "registered_at": voter.joined_at.isoformat(),
                "with_code": voter.code_hash is not None,
                "voted_online": voter.voted,
                "code_used_on_site": voter.onsite,
                "reminded": voter.reminded,
            }
        )
        if voter.voted:
            state = t._("you voted online (how you voted is not stored with your name)")
        elif voter.onsite:
            state = t._("your code was used at the on-site assembly")
        else:
            state = t._("you have not voted")
        section.lines.append(
            t._(
                "“{title}”: registered {when}; {state}.",
                title=localized(title, t.lang),
                when=t.format_date(voter.joined_at),
                state=state,
            )
        )
    section.records["assembly_voters"] = records
    return section


async def forget_user(session: AsyncSession, subject: Subject, now: datetime) -> Forgotten:
    done = Forgotten()
    uid = subject.user_id
    if uid is None:
        return done
    used = or_(Voter.voted.is_(True), Voter.onsite.is_(True))
    kept = await privacy_rows.update_rows(
        session, Voter, Voter.user_id == uid, used, review_nonce=None, reminded=True
    )
    if kept:
        done.kept["assembly_voters"] = kept
        done.keep_account = True
    unused = (
        await session.execute(
            select(Voter.id, Voter.code_hash, AssemblyVote.closes_at, AssemblyVote.tallied_at)
            .join(AssemblyVote, AssemblyVote.id == Voter.vote_id)
            .where(Voter.user_id == uid, ~used)
        )
    ).all()
    for voter_id, code_hash, closes_at, tallied_at in unused:
        await session.execute(delete(Voter).where(Voter.id == voter_id))
        if code_hash is not None and tallied_at is None and closes_at > now:
            await session.execute(
                update(VotingCode)
                .where(
                    VotingCode.code_hash == code_hash,
                    VotingCode.status == CodeStatus.REDEEMED.value,
                )
                .values(status=CodeStatus.ISSUED.value)
            )
    if unused:
        done.deleted["assembly_voters"] = len(unused)
    return done


def register(registry: Registry) -> None:
    registry.provide(
        "assembly",
        title=N_("Assembly votes"),
        covers=("assembly_voters.user_id",),
        export=export_user,
        forget=forget_user,
        kept=(
            N_(
                "Where you voted in an assembly, the poll book keeps that your Telegram "
                "account has voted — nothing else — so that nobody can vote twice and the "
                "count can be checked. Your ballot stays counted; it never held your name."
            ),
        ),
    )
