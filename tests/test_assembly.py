"""Assembly votes, domain level (no Telegram), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from bot import assembly as A
from bot.assembly import render, report
from bot.assembly.crypto import Keyring, format_code, normalize
from bot.core.i18n import Translator
from bot.kb import records as kb
from models import AuditLog, Ballot, Voter, VotingCode
from models.assembly import AssemblyVote
from tests.test_assembly_support import (  # noqa: F401  (fixtures)
    AFTER,
    CLOSES,
    DURING,
    OPENS,
    SEOUL,
    cast_as,
    keyring_fixture,
    make_user,
    register,
    registered_voter,
    seeded_fixture,
    vote_for,
)

# --- assemblies from the knowledge base ---------------------------------------------------


async def test_kb_assemblies_get_voting_rows_with_kb_defaults(seeded, clock):
    async with seeded() as s:
        votes = await A.list_votes(s, clock.now())
        assert [v.assembly_id for v in votes] == ["hanbit1-2027", "saeteo-2027"]
        hanbit = votes[0]
        assert (hanbit.mode, hanbit.revoting, hanbit.quorum_percent) == ("codes", True, 3)
        assert hanbit.opens_at == OPENS and hanbit.closes_at == CLOSES
        assert A.status(hanbit, clock.now()) == A.Status.DRAFT
        assert hanbit.item_ids is None  # not frozen before opening
        items = await A.items_of(s, hanbit)
        assert [i.item_id for i in items][:2] == ["side-dish-sharing", "alley-garden"]
        assert len(items) == 7
        saeteo = votes[1]
        assert (saeteo.method, saeteo.max_choices) == ("choose_up_to", 3)
        await s.commit()


async def test_kb_changes_follow_until_opening_then_the_ballot_is_frozen(seeded, clock):
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        await s.commit()
    doc = kb.load_file(kb.demo_kb_path())
    doc["assemblies"][0]["items"].pop()  # remove repair-cafe
    doc["assemblies"][0]["title"]["ko"] = "바뀐 제목"
    parsed, problems = kb.validate(doc)
    assert parsed is not None, problems
    async with seeded() as s:
        await kb.import_kb(s, parsed, clock.utcnow())
        await s.commit()
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        assert vote.title["ko"] == "바뀐 제목"
        assert len(await A.items_of(s, vote)) == 6
        await s.commit()
    clock.set(OPENS)
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        assert A.status(vote, clock.now()) == A.Status.OPEN
        assert vote.item_ids is not None and len(vote.item_ids) == 6
        await s.commit()
    async with seeded() as s:  # a re-import after opening changes nothing on the ballot
        parsed, _ = kb.validate(kb.load_file(kb.demo_kb_path()))
        await kb.import_kb(s, parsed, clock.utcnow())
        await s.commit()
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        assert len(vote.item_ids) == 6 and vote.title["ko"] == "바뀐 제목"


async def test_window_is_enforced_to_the_second(seeded, clock, keyring):
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        user = await registered_voter(s, keyring, vote, 101, clock)
        await s.commit()
    choices = "y" * 7
    for moment, ok in [
        (OPENS - timedelta(seconds=1), False),
        (OPENS, True),
        (CLOSES - timedelta(seconds=1), True),
        (CLOSES, False),
    ]:
        clock.set(moment)
        async with seeded() as s:
            vote = await vote_for(s, "hanbit1-2027", clock.now())
            user = await make_user(s, 101, clock.utcnow())
            if ok:
                receipt = await cast_as(s, keyring, vote, user, choices, clock.now())
                assert len(receipt.tracker) == 10
            else:
                with pytest.raises(A.Refused) as refused:
                    await cast_as(s, keyring, vote, user, choices, clock.now())
                assert refused.value.reason in {"not_open_yet", "closed"}
            await s.commit()


async def test_a_review_made_before_the_close_cannot_cast_after_it(seeded, clock, keyring):
    clock.set(CLOSES - timedelta(seconds=2))
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        user = await registered_voter(s, keyring, vote, 102, clock)
        nonce = await A.prepare_review(s, vote, user, "n" * 7, clock.now())
        await s.commit()
    clock.set(CLOSES)
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        user = await make_user(s, 102, clock.utcnow())
        with pytest.raises(A.Refused) as refused:
            await A.cast(s, keyring, vote, user, "n" * 7, nonce, clock.now())
        assert refused.value.reason == "closed"


# --- codes --------------------------------------------------------------------------------


async def test_codes_are_single_use_and_stored_only_hashed(seeded, clock, keyring):
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        codes = await A.issue_codes(s, keyring, vote, 5, actor="cli:test", now=clock.now())
        assert len(set(codes)) == 5
        assert all(normalize(c, 12) == c for c in codes)
        stored = (await s.execute(select(VotingCode.code_hash))).scalars().all()
        assert sorted(stored) == sorted(keyring.code_hash(c) for c in codes)
        dump = " ".join(str(r) for r in (await s.execute(text("SELECT * FROM voting_codes"))))
        assert not any(c in dump for c in codes)

        minji = await make_user(s, 201, clock.utcnow())
        tom = await make_user(s, 202, clock.utcnow())
        # typed with spaces, dashes and lower case
        typed = format_code(codes[0]).lower().replace("-", " ")
        redemption = await A.redeem_code(s, keyring, minji, typed, clock.now())
        assert not redemption.already and redemption.vote.assembly_id == "hanbit1-2027"
        again = await A.redeem_code(s, keyring, minji, codes[0], clock.now())
        assert again.already
        for user, raw, reason in [
            (tom, codes[0], "used_code"),
            (tom, "ABCD-EFGH-JKMN", "unknown_code"),
            (tom, "hello", "malformed_code"),
            (tom, "ABCD-EFGH-JKM0", "malformed_code"),  # 0 is not in the alphabet
            (minji, codes[1], "already_registered"),
        ]:
            with pytest.raises(A.Refused) as refused:
                await A.redeem_code(s, keyring, user, raw, clock.now())
            assert refused.value.reason == reason, raw
        assert (await s.get(VotingCode, keyring.code_hash(codes[1]))).status == "issued"
        assert (await s.execute(select(AuditLog.action))).scalars().all() == ["assembly.codes"]
        await s.commit()
    clock.set(AFTER)
    async with seeded() as s:
        tom = await make_user(s, 202, clock.utcnow())
        with pytest.raises(A.Refused) as refused:
            await A.redeem_code(s, keyring, tom, codes[2], clock.now())
        assert refused.value.reason == "expired_code"


async def test_a_code_hashed_with_another_secret_is_unknown(seeded, clock, keyring):
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        [code] = await A.issue_codes(s, keyring, vote, 1, actor="t", now=clock.now())
        user = await make_user(s, 203, clock.utcnow())
        with pytest.raises(A.Refused) as refused:
            await A.redeem_code(s, Keyring("another secret " * 4), user, code, clock.now())
        assert refused.value.reason == "unknown_code"


async def test_open_mode_needs_no_code_and_counts_one_vote_per_account(seeded, clock, keyring):
    async with seeded() as s:
        vote = await vote_for(s, "saeteo-2027", clock.now())
        await A.configure(s, vote, actor="t", now=clock.now(), mode="open", revoting=False)
        with pytest.raises(A.Refused):
            await A.issue_codes(s, keyring, vote, 1, actor="t", now=clock.now())
        await s.commit()
    clock.set(DURING)
    async with seeded() as s:
        vote = await vote_for(s, "saeteo-2027", clock.now())
        user = await make_user(s, 301, clock.utcnow())
        await cast_as(s, keyring, vote, user, "11000", clock.now())
        with pytest.raises(A.Refused) as refused:
            await cast_as(s, keyring, vote, user, "00011", clock.now())
        assert refused.value.reason == "already_voted"
        turnout = await A.turnout(s, vote)
        assert (turnout.online_voters, turnout.registered) == (1, 1)


# --- casting ------------------------------------------------------------------------------


async def test_forged_and_incomplete_ballots_are_refused(seeded, clock, keyring):
    clock.set(DURING)
    async with seeded() as s:
        approve = await vote_for(s, "hanbit1-2027", clock.now())
        choose = await vote_for(s, "saeteo-2027", clock.now())
        user = await make_user(s, 401, clock.utcnow())
        await register(s, keyring, approve, user, clock.now())
        await register(s, keyring, choose, user, clock.now())
        for vote, choices, reason in [
            (approve, "y" * 6, "stale"),  # another item count
            (approve, "y" * 8, "stale"),
            (approve, "yyyyyyx", "stale"),
            (approve, "yyyyyy-", "incomplete"),
            (choose, "1111000", "stale"),
            (choose, "11110", "too_many"),
            (choose, "00000", "incomplete"),
            (choose, "1100y", "stale"),
        ]:
            with pytest.raises(A.Refused) as refused:
                await A.prepare_review(s, vote, user, choices, clock.now())
            assert refused.value.reason == reason, choices
        nonce = await A.prepare_review(s, choose, user, "11100", clock.now())
        with pytest.raises(A.Refused) as refused:  # the cast re-checks what the review saw
            await A.cast(s, keyring, choose, user, "11110", nonce, clock.now())
        assert refused.value.reason == "too_many"
        with pytest.raises(A.Refused) as refused:  # a nonce that was never issued
            await A.cast(s, keyring, choose, user, "11100", "deadbeef", clock.now())
        assert refused.value.reason == "stale"
        stranger = await make_user(s, 402, clock.utcnow())
        with pytest.raises(A.Refused) as refused:
            await A.prepare_review(s, approve, stranger, "y" * 7, clock.now())
        assert refused.value.reason == "not_registered"
        assert (await s.execute(select(Ballot))).first() is None
        assert (await s.get(AssemblyVote, choose.id)).ballots_cast == 0


async def test_double_tap_counts_once(seeded, clock, keyring):
    clock.set(DURING)
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        user = await registered_voter(s, keyring, vote, 501, clock)
        nonce = await A.prepare_review(s, vote, user, "y" * 7, clock.now())
        await A.cast(s, keyring, vote, user, "y" * 7, nonce, clock.now())
        with pytest.raises(A.Refused) as refused:
            await A.cast(s, keyring, vote, user, "y" * 7, nonce, clock.now())
        assert refused.value.reason == "already_cast"
        assert len((await s.execute(select(Ballot))).all()) == 1
        assert (await s.get(AssemblyVote, vote.id, populate_existing=True)).ballots_cast == 1


@pytest.mark.parametrize("revoting", [True, False])
async def test_fifty_simultaneous_casts_by_one_voter_count_once(seeded, clock, keyring, revoting):
    clock.set(DURING)
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        await A.configure(s, vote, actor="t", now=OPENS - timedelta(days=1), revoting=revoting)
        user = await registered_voter(s, keyring, vote, 601, clock)
        nonce = await A.prepare_review(s, vote, user, "a" * 7, clock.now())
        await s.commit()

    async def one() -> str:
        async with seeded() as s:
            vote = await vote_for(s, "hanbit1-2027", clock.now())
            user = await make_user(s, 601, clock.utcnow())
            try:
                await A.cast(s, keyring, vote, user, "a" * 7, nonce, clock.now())
            except A.Refused as refused:
                await s.commit()
                return refused.reason
            await s.commit()
            return "cast"

    outcomes = await asyncio.gather(*(one() for _ in range(50)))
    assert outcomes.count("cast") == 1
    assert set(outcomes) <= {"cast", "already_cast", "already_voted"}
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        assert len((await s.execute(select(Ballot))).all()) == 1
        assert vote.ballots_cast == 1
        report = await A.audit(s, keyring, vote)
        assert report.ok, report.problems
        assert report.counted == 1


async def test_the_database_allows_one_counted_ballot_per_voter(seeded, clock, keyring):
    """Even with the application logic bypassed, UNIQUE (vote, current_tag) holds."""
    clock.set(DURING)
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        tag = keyring.voter_tag(vote.assembly_id, 1)
        for n in (1, 2):
            s.add(
                Ballot(
                    id=n,
                    vote_id=vote.id,
                    lookup=f"l{n}",
                    current_tag=tag,
                    sealed=b"x",
                    superseded=False,
                )
            )
        with pytest.raises(IntegrityError):
            await s.flush()


async def test_revote_supersedes_and_trackers_say_so(seeded, clock, keyring):
    clock.set(DURING)
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        user = await registered_voter(s, keyring, vote, 701, clock)
        other = await registered_voter(s, keyring, vote, 702, clock)
        first = await cast_as(s, keyring, vote, user, "y" * 7, clock.now())
        mine = await cast_as(s, keyring, vote, other, "a" * 7, clock.now())
        second = await cast_as(s, keyring, vote, user, "n" * 7, clock.now())
        assert not first.replaced and second.replaced
        check = A.verify_tracker
        assert (await check(s, keyring, first.tracker)).status == A.TrackerStatus.SUPERSEDED
        assert (await check(s, keyring, second.tracker.lower())).status == A.TrackerStatus.COUNTED
        assert (await check(s, keyring, mine.tracker)).status == A.TrackerStatus.COUNTED
        assert (await check(s, keyring, "ZZZZZ-ZZZZZ")).status == A.TrackerStatus.UNKNOWN
        assert (await check(s, keyring, "nonsense")).status == A.TrackerStatus.UNKNOWN
        turnout = await A.turnout(s, vote)
        assert turnout.online_voters == 2
        await s.commit()
    clock.set(AFTER)
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        result = await A.results(s, keyring, vote, clock.now())
        first_item = result.items[0]
        assert first_item.total == {"yes": 0, "no": 1, "abstain": 1}
        # the voter-to-ballot tags are gone after the close; trackers still verify
        assert (await s.execute(select(Ballot.current_tag))).scalars().all() == [None] * 3
        assert (await check(s, keyring, second.tracker)).status == A.TrackerStatus.COUNTED
        assert (await check(s, keyring, first.tracker)).status == A.TrackerStatus.SUPERSEDED


# --- results ------------------------------------------------------------------------------


async def test_results_merge_online_and_on_site_with_majority_and_quorum(seeded, clock, keyring):
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        await A.configure(s, vote, actor="t", now=clock.now(), eligible_population=100)
        codes = await A.issue_codes(s, keyring, vote, 10, actor="t", now=clock.now())
        await s.commit()
    clock.set(DURING)
    ballots = ["yyyyyyy", "yyyyyyn", "ynnnnnn", "naaaaaa"]
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        for n, choices in enumerate(ballots):
            user = await make_user(s, 800 + n, clock.utcnow())
            await A.redeem_code(s, keyring, user, codes[n], clock.now())
            await cast_as(s, keyring, vote, user, choices, clock.now())
        with pytest.raises(A.Refused) as refused:
            await A.results(s, keyring, vote, clock.now())
        assert refused.value.reason == "not_closed"  # live results are hidden
        report = await A.mark_onsite(s, keyring, vote, codes[4:6], actor="t", now=clock.now())
        assert report.marked == 2 and not report.problems
        await s.commit()
    clock.set(AFTER)
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        items = await A.items_of(s, vote)
        totals, problems = A.parse_onsite_csv(
            vote,
            items,
            "item,yes,no,abstain\n"
            + "".join(f"{i.item_id},0,2,0\n" for i in items[1:])
            + "1,2,0,0\n",
        )
        assert not problems
        await A.record_onsite_totals(s, vote, totals, actor="t", now=clock.now())
        result = await A.results(s, keyring, vote, clock.now())
        assert result.turnout.voters == 6 and result.turnout.percent == 6.0
        assert result.quorum_met is True  # 6% of 100 ≥ 3%
        first, second, last = result.items[0], result.items[1], result.items[6]
        assert first.online == {"yes": 3, "no": 1, "abstain": 0}
        assert first.total == {"yes": 5, "no": 1, "abstain": 0}
        assert first.percent["yes"] == 83.3 and first.approved
        assert second.total == {"yes": 2, "no": 3, "abstain": 1} and not second.approved
        assert last.total == {"yes": 1, "no": 4, "abstain": 1} and not last.approved
        with pytest.raises(A.Refused) as refused:  # no moving the quorum after the close
            await A.configure(s, vote, actor="t", now=clock.now(), eligible_population=1000)
        assert refused.value.reason == "closed"
        await s.execute(update(AssemblyVote).values(eligible_population=1000))
        await s.refresh(vote)
        result = await A.results(s, keyring, vote, clock.now())
        assert result.quorum_met is False and not result.binding
        assert not any(r.approved for r in result.items)  # advisory below the quorum


async def paper_votes_for_the_first(s, vote, items, votes: int, clock) -> None:
    """The paper totals entered: ``votes`` for the first of ``items``, none for the others."""
    totals = {i.item_id: {"votes": votes if n == 0 else 0} for n, i in enumerate(items)}
    await A.record_onsite_totals(s, vote, totals, actor="t", now=clock.now())


async def provisional_results(s, keyring, vote, clock, *, pending: int):
    """The results, checked to be provisional with ``pending`` on-site voters' paper ballots
    not yet in the totals: none of the five items approved or rejected."""
    result = await A.results(s, keyring, vote, clock.now())
    assert result.provisional and result.onsite_pending == pending
    assert [r.approved for r in result.items] == [None] * 5
    return result


async def test_results_are_provisional_while_on_site_voters_lack_paper_totals(
    seeded, clock, keyring
):
    """On-site voters marked, paper totals not entered: the online count alone is no
    result. Nothing is approved or selected until the paper totals are in."""
    clock.set(DURING)
    async with seeded() as s:
        vote = await vote_for(s, "saeteo-2027", clock.now())
        codes = await A.issue_codes(s, keyring, vote, 3, actor="t", now=clock.now())
        user = await make_user(s, 950, clock.utcnow())
        await A.redeem_code(s, keyring, user, codes[0], clock.now())
        await cast_as(s, keyring, vote, user, "01000", clock.now())
        report = await A.mark_onsite(s, keyring, vote, codes[1:3], actor="t", now=clock.now())
        assert report.marked == 2
        await s.commit()
    clock.set(AFTER)
    async with seeded() as s:
        vote = await vote_for(s, "saeteo-2027", clock.now())
        result = await provisional_results(s, keyring, vote, clock, pending=2)
        assert not any(r.tie for r in result.items)
        assert result.items[1].total == {"votes": 1}  # the counts are still shown
        await paper_votes_for_the_first(s, vote, await A.items_of(s, vote), 2, clock)
        result = await A.results(s, keyring, vote, clock.now())
        assert not result.provisional and result.onsite_pending == 0
        assert [r.approved for r in result.items] == [True, True, False, False, False]


async def test_on_site_voters_marked_after_the_paper_totals_make_the_results_provisional_again(
    seeded, clock, keyring
):
    """Paper totals entered for two on-site voters, then a third code marked: the totals
    leave out that voter's paper ballot, so the results are provisional again (one pending)
    until the totals are entered anew; before, they read as final."""
    clock.set(DURING)
    async with seeded() as s:
        vote = await vote_for(s, "saeteo-2027", clock.now())
        codes = await A.issue_codes(s, keyring, vote, 3, actor="t", now=clock.now())
        await A.mark_onsite(s, keyring, vote, codes[:2], actor="t", now=clock.now())
        items = await A.items_of(s, vote)
        await paper_votes_for_the_first(s, vote, items, 2, clock)
        report = await A.mark_onsite(s, keyring, vote, codes[2:], actor="t", now=clock.now())
        assert report.marked == 1
        await s.commit()
    clock.set(AFTER)
    async with seeded() as s:
        vote = await vote_for(s, "saeteo-2027", clock.now())
        await provisional_results(s, keyring, vote, clock, pending=1)
        await paper_votes_for_the_first(s, vote, items, 3, clock)
        result = await A.results(s, keyring, vote, clock.now())
        assert not result.provisional and result.onsite_pending == 0
        assert result.items[0].total == {"votes": 3}


async def test_onsite_totals_are_checked(seeded, clock, keyring):
    clock.set(DURING)
    async with seeded() as s:
        vote = await vote_for(s, "saeteo-2027", clock.now())
        items = await A.items_of(s, vote)
        _, problems = A.parse_onsite_csv(vote, items, "item,yes,no,abstain\n")
        assert problems == ["line 1: expected the header item,votes"]
        _, problems = A.parse_onsite_csv(vote, items, "item,votes\nshared-kitchen,x\nnope,1\n")
        assert problems == [
            "line 2: votes must be a whole number, not 'x'",
            "line 3: unknown item 'nope'",
        ]
        _, problems = A.parse_onsite_csv(vote, items, "item,votes\nshared-kitchen,1\n")
        assert problems[0].startswith("missing items: dog-walkers-patrol")
        totals = {i.item_id: {"votes": 1} for i in items}
        with pytest.raises(A.Refused) as refused:  # nobody was marked as voting on site
            await A.record_onsite_totals(s, vote, totals, actor="t", now=clock.now())
        assert refused.value.reason == "onsite_totals"
        # the item is named as the ballot shows it (number and title), not by its id
        assert render.refusal(Translator("ko", SEOUL), refused.value) == (
            "1번 안건 “공유부엌 운영”의 종이 투표는 1표인데, 현장 투표자로 표시된 사람은 "
            "0명뿐이에요. 먼저 현장 투표자의 코드를 모두 표시해 주세요."
        )


async def test_choose_up_to_ranks_and_marks_ties(seeded, clock, keyring):
    clock.set(DURING)
    async with seeded() as s:
        vote = await vote_for(s, "saeteo-2027", clock.now())
        for n, choices in enumerate(["11100", "11010", "10001", "01000"]):
            user = await registered_voter(s, keyring, vote, 900 + n, clock)
            await cast_as(s, keyring, vote, user, choices, clock.now())
        await s.commit()
    clock.set(AFTER)
    async with seeded() as s:
        vote = await vote_for(s, "saeteo-2027", clock.now())
        result = await A.results(s, keyring, vote, clock.now())
        got = [(r.item.item_id, r.total["votes"], r.rank, r.approved, r.tie) for r in result.items]
        assert got == [
            ("shared-kitchen", 3, 1, True, False),
            ("dog-walkers-patrol", 3, 1, True, False),
            ("kids-climate-class", 1, 3, True, True),
            ("market-day", 1, 3, True, True),
            ("care-neighbours", 1, 3, True, True),
        ]
        assert result.items[0].percent == {"votes": 75.0}
        # the tally marks every tied item; the words say that a decision is still needed
        lines = report.result_lines(result, Translator("en", SEOUL))
        assert "1. Shared kitchen: 3 votes (75%), rank 1 → selected" in lines
        assert "3. Children's climate class: 1 vote (25%), rank 3 → tie — a decision is needed" in (
            lines
        )
        assert report.results_csv(result).splitlines()[3].endswith(",3,True,True,False")


async def test_counts_in_english_are_singular_for_one(seeded, clock, keyring):
    """ "1 vote", "1 voter", "1 ballot": every count in the results and the audit is a
    plural message (Korean has one form)."""
    from dataclasses import replace

    clock.set(DURING)
    async with seeded() as s:
        vote = await vote_for(s, "saeteo-2027", clock.now())
        user = await registered_voter(s, keyring, vote, 950, clock)
        await cast_as(s, keyring, vote, user, "10000", clock.now())
        await s.commit()
    clock.set(AFTER)
    async with seeded() as s:
        vote = await vote_for(s, "saeteo-2027", clock.now())
        result = await A.results(s, keyring, vote, clock.now())
        en, ko = Translator("en", SEOUL), Translator("ko", SEOUL)
        lines = report.result_lines(result, en)
        assert "Turnout: 1 voter (1 online, 0 on site)" in lines
        assert "1. Shared kitchen: 1 vote (100%), rank 1 → selected" in lines
        assert "4. Alley market day: 0 votes (0%), rank 2 → tie — a decision is needed" in lines
        assert "1 ballot could not be opened: run the audit." in report.result_lines(
            replace(result, invalid=1), en
        )
        assert "2 ballots could not be opened: run the audit." in report.result_lines(
            replace(result, invalid=2), en
        )
        assert "1. 공유부엌 운영: 1표 (100%), 순위 1 → 선정" in report.result_lines(result, ko)
        checked = await A.audit(s, keyring, vote)
        lines = render.audit_lines(en, checked, closed=True)
        assert "1 ballot stored, 1 counted, 0 replaced by a re-vote." in lines
        checked.ballots = 2
        assert "2 ballots stored, 1 counted, 0 replaced by a re-vote." in (
            render.audit_lines(en, checked, closed=True)
        )


async def test_export_times_are_whole_seconds_after_an_early_close(seeded, clock, keyring):
    """ "Close now" keeps the exact instant (microseconds); the exports show the close to
    the second like the opening, in the cell value too, not only in its number format."""
    from openpyxl import load_workbook

    clicked = datetime(2027, 6, 1, 15, 39, 12, 345678, tzinfo=SEOUL)
    clock.set(DURING)
    async with seeded() as s:
        vote = await vote_for(s, "saeteo-2027", clock.now())
        user = await registered_voter(s, keyring, vote, 960, clock)
        await cast_as(s, keyring, vote, user, "10000", clock.now())
        await A.close_now(s, vote, actor="tg:1", now=clicked)
        assert vote.closes_at == clicked  # the window itself is not rounded
        await s.commit()
    clock.set(clicked + timedelta(minutes=1))
    async with seeded() as s:
        vote = await vote_for(s, "saeteo-2027", clock.now())
        result = await A.results(s, keyring, vote, clock.now())
        info = dict(report.summary(result))
        assert info["closes_at"].endswith(":12+00:00")  # no fraction of a second
        assert datetime.fromisoformat(info["closes_at"]) == clicked.replace(microsecond=0)
        assert datetime.fromisoformat(info["opens_at"]) == OPENS
        for lang in ("ko", "en"):
            book = load_workbook(io.BytesIO(report.results_xlsx(result, lang, SEOUL)))
            rows = {row[0]: row[1] for row in book.worksheets[1].values}
            times = [v for v in rows.values() if isinstance(v, datetime)]
            assert times == [datetime(2027, 5, 28, 9, 0), datetime(2027, 6, 1, 15, 39, 12)]
        assert "." not in report.results_csv(result).split("\n")[0]  # the CSV has no times
        await s.commit()


# --- on site ------------------------------------------------------------------------------


async def test_the_same_person_cannot_vote_both_online_and_on_site(seeded, clock, keyring):
    clock.set(DURING)
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        codes = await A.issue_codes(s, keyring, vote, 3, actor="t", now=clock.now())
        voted, bound = (
            await make_user(s, 1001, clock.utcnow()),
            await make_user(s, 1002, clock.utcnow()),
        )
        await A.redeem_code(s, keyring, voted, codes[0], clock.now())
        await cast_as(s, keyring, vote, voted, "y" * 7, clock.now())
        await A.redeem_code(s, keyring, bound, codes[1], clock.now())
        nonce = await A.prepare_review(s, vote, bound, "y" * 7, clock.now())
        report = await A.mark_onsite(
            s,
            keyring,
            vote,
            [codes[0], codes[1], codes[2], "nonsense", codes[2]],
            actor="t",
            now=clock.now(),
        )
        assert report.marked == 2
        assert [(raw, why) for raw, why in report.problems] == [
            (codes[0], "its holder has already voted online"),
            ("nonsense", "not a voting code"),
            (codes[2], "already marked as voted on site"),
        ]
        with pytest.raises(A.Refused) as refused:  # the bound account can no longer vote
            await A.cast(s, keyring, vote, bound, "y" * 7, nonce, clock.now())
        assert refused.value.reason == "onsite"
        stranger = await make_user(s, 1003, clock.utcnow())
        with pytest.raises(A.Refused) as refused:  # nor can the paper code be redeemed
            await A.redeem_code(s, keyring, stranger, codes[2], clock.now())
        assert refused.value.reason == "code_onsite"
        turnout = await A.turnout(s, vote)
        assert (turnout.online_voters, turnout.onsite_voters, turnout.voters) == (1, 2, 3)


# --- staff --------------------------------------------------------------------------------


async def test_staff_create_an_assembly_and_add_items_until_it_opens(seeded, clock, keyring):
    async with seeded() as s:
        now = clock.now()
        garam = {
            "dong_id": "garam",
            "opens_at": now + timedelta(days=1),
            "closes_at": now + timedelta(days=8),
            "method": "choose_up_to",
            "max_choices": 2,
            "now": now,
        }
        vote = await A.create_vote(
            s,
            assembly_id="garam-2027",
            title={"ko": "가람동 총회"},
            items=[A.NewItem({"ko": "첫째"}, budget_krw=100), A.NewItem({"ko": "둘째"})],
            actor="cli:test",
            **garam,
        )
        empty = await A.create_vote(
            s,
            **{**garam, "assembly_id": "garam-empty", "title": {"ko": "빈 총회"}, "items": []},
            actor="cli:test",
        )
        with pytest.raises(A.Refused) as refused:  # nor moved to a start that has passed
            await A.configure(s, empty, actor="t", now=now, opens_at=now - timedelta(minutes=1))
        assert refused.value.reason == "empty_open"
        await A.add_item(s, vote, A.NewItem({"ko": "셋째"}), actor="cli:test", now=now)
        items = await A.items_of(s, vote)
        assert [i.title["ko"] for i in items] == ["첫째", "둘째", "셋째"]
        for bad, reason in [
            ({"assembly_id": "hanbit1-2027"}, "exists"),
            ({"assembly_id": "Bad Id"}, "slug"),
            ({"dong_id": "atlantis"}, "dong"),
            ({"closes_at": now}, "window"),
            ({"max_choices": None}, "max_choices"),
            ({"opens_at": now}, "empty_open"),  # an empty ballot would open at once
        ]:
            args = {**garam, "assembly_id": "garam-2028", "title": {"ko": "x"}, "items": []}
            args.update(actor="t", **bad)
            with pytest.raises(A.Refused) as refused:
                await A.create_vote(s, **args)
            assert refused.value.reason == reason
        await A.open_now(s, vote, actor="tg:1", now=now + timedelta(hours=1))
        later = now + timedelta(hours=2)
        assert A.status(vote, later) == A.Status.OPEN
        vote = await vote_for(s, "garam-2027", later)
        assert vote.item_ids == [i.item_id for i in items]
        with pytest.raises(A.Refused) as refused:
            await A.add_item(s, vote, A.NewItem({"ko": "넷째"}), actor="t", now=later)
        assert refused.value.reason == "not_draft"
        await A.close_now(s, vote, actor="tg:1", now=later)
        assert A.status(vote, later) == A.Status.CLOSED
        actions = (await s.execute(select(AuditLog.action).order_by(AuditLog.id))).scalars()
        assert list(actions) == [
            "assembly.create",
            "assembly.create",  # the empty one
            "assembly.item.add",
            "assembly.configure",
            "assembly.configure",
        ]


async def test_an_assembly_that_opened_empty_goes_back_to_preparation(seeded, clock, keyring):
    """A start that comes before any item is put on the ballot opens an empty vote: nobody
    can vote in it and its ballot is fixed. Staff give it a new start; as nothing was
    fixed (no item, no voter) it goes back to preparation, takes its items and opens
    again. A start that has passed is refused, and once it has items it cannot restart."""
    async with seeded() as s:
        now = clock.now()
        vote = await A.create_vote(
            s, assembly_id="garam-late", dong_id="garam", title={"ko": "늦은 총회"},
            opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=7),
            method="approve_reject", max_choices=None, items=[], actor="cli:test", now=now,
        )  # fmt: skip
        during = now + timedelta(hours=2)
        vote = await vote_for(s, "garam-late", during)  # it opened, empty
        assert A.status(vote, during) == A.Status.OPEN and vote.frozen_at is not None
        assert await A.opened_empty(s, vote)
        with pytest.raises(A.Refused) as refused:
            await A.add_item(s, vote, A.NewItem({"ko": "첫째"}), actor="t", now=during)
        assert refused.value.reason == "not_draft"
        with pytest.raises(A.Refused) as refused:  # a new start must be in the future
            await A.configure(s, vote, actor="t", now=during, opens_at=during)
        assert refused.value.reason == "empty_open"
        with pytest.raises(A.Refused) as refused:  # the mode cannot change on its own
            await A.configure(s, vote, actor="t", now=during, mode="open")
        assert refused.value.reason == "not_draft"
        done = await A.configure(
            s, vote, actor="tg:7", now=during, opens_at=during + timedelta(days=1)
        )
        assert done["back_to_preparation"] is True
        assert A.status(vote, during) == A.Status.DRAFT and vote.frozen_at is None
        await A.add_item(s, vote, A.NewItem({"ko": "첫째"}), actor="t", now=during)
        await A.open_now(s, vote, actor="tg:7", now=during + timedelta(minutes=1))
        later = during + timedelta(minutes=2)
        vote = await vote_for(s, "garam-late", later)
        assert A.status(vote, later) == A.Status.OPEN and vote.item_ids == ["item-1"]
        assert not await A.opened_empty(s, vote)
        with pytest.raises(A.Refused) as refused:  # with items on it: fixed
            await A.configure(s, vote, actor="t", now=later, opens_at=later + timedelta(days=1))
        assert refused.value.reason == "not_draft"


async def test_accepted_proposals_can_be_added_before_opening(seeded, clock, keyring):
    proposal_models = pytest.importorskip("models.proposal")
    async with seeded() as s:
        author = await make_user(s, 1201, clock.utcnow())
        now = clock.utcnow()
        for n, (dong, status) in enumerate(
            [("hanbit1", "accepted"), ("hanbit1", "submitted"), ("garam", "accepted")]
        ):
            s.add(
                proposal_models.Proposal(
                    dong_id=dong,
                    category_id="care",
                    author_id=author.id,
                    title=f"제안 {n}",
                    description="설명",
                    status=status,
                    created_at=now,
                    updated_at=now,
                )
            )
        await s.flush()
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        addable = await A.addable_proposals(s, vote)
        assert [p.title for p in addable] == ["제안 0"]
        item = await A.add_proposal(s, vote, addable[0].id, actor="tg:9", now=clock.now())
        assert (item.item_id, item.source, item.title) == (
            f"proposal-{addable[0].id}",
            "proposal",
            {"ko": "제안 0"},
        )
        assert await A.addable_proposals(s, vote) == []
        with pytest.raises(A.Refused):
            await A.add_proposal(s, vote, addable[0].id, actor="tg:9", now=clock.now())
        items = await A.items_of(s, vote)
        assert items[-1].item_id == item.item_id and len(items) == 8
        await s.commit()
    clock.set(OPENS)
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        assert vote.item_ids[-1] == item.item_id  # stays on the ballot after a KB sync


# --- reminders ----------------------------------------------------------------------------


async def test_nonvoters_are_reminded_once_in_the_last_24_hours(seeded, clock, keyring):
    clock.set(DURING)
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        open_vote = await vote_for(s, "saeteo-2027", clock.now())
        await A.configure(s, open_vote, actor="t", now=OPENS - timedelta(days=1), mode="open")
        waiting = await make_user(s, 1301, clock.utcnow())
        voted = await make_user(s, 1302, clock.utcnow())
        onsite = await make_user(s, 1303, clock.utcnow())
        await register(s, keyring, vote, waiting, clock.now())
        await register(s, keyring, vote, voted, clock.now())
        await cast_as(s, keyring, vote, voted, "y" * 7, clock.now())
        code = await register(s, keyring, vote, onsite, clock.now())
        await A.mark_onsite(s, keyring, vote, [code], actor="t", now=clock.now())
        await A.join_open(s, open_vote, waiting, clock.now())  # open mode: no reminder
        assert await A.due_nonvoter_reminders(s, clock.now()) == []
        await s.commit()
    clock.set(CLOSES - timedelta(hours=24, seconds=1))
    async with seeded() as s:
        assert await A.due_nonvoter_reminders(s, clock.now()) == []
    clock.set(CLOSES - timedelta(hours=24))
    async with seeded() as s:
        due = await A.due_nonvoter_reminders(s, clock.now())
        assert [(d.telegram_id, d.closes_at) for d in due] == [(1301, CLOSES)]
        assert await A.claim_reminder(s, due[0].voter_id)
        assert not await A.claim_reminder(s, due[0].voter_id)
        await s.commit()
    async with seeded() as s:
        assert await A.due_nonvoter_reminders(s, clock.now()) == []


async def test_a_voter_who_just_registered_is_not_reminded_at_once(seeded, clock, keyring):
    """A code redeemed in the last 24 hours: "you registered but have not voted yet" came
    at once, while the voter was still filling in the ballot; it now comes an hour after
    the registration, if they still have not voted."""
    clock.set(CLOSES - timedelta(hours=3))
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        late = await make_user(s, 1311, clock.utcnow())
        await register(s, keyring, vote, late, clock.now())
        assert await A.due_nonvoter_reminders(s, clock.now()) == []
        later = clock.now() + timedelta(minutes=59)
        assert await A.due_nonvoter_reminders(s, later) == []
        due = await A.due_nonvoter_reminders(s, clock.now() + timedelta(hours=1))
        assert [d.telegram_id for d in due] == [1311]


# --- audit --------------------------------------------------------------------------------


async def _voted_assembly(seeded, clock, keyring, n=6):
    clock.set(DURING)
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        receipts = []
        for i in range(n):
            user = await registered_voter(s, keyring, vote, 1400 + i, clock)
            receipts.append(await cast_as(s, keyring, vote, user, "yn"[i % 2] * 7, clock.now()))
        user = await make_user(s, 1400, clock.utcnow())  # one re-vote
        receipts.append(await cast_as(s, keyring, vote, user, "a" * 7, clock.now()))
        await s.commit()
    return receipts


async def test_audit_recomputes_the_tally(seeded, clock, keyring):
    await _voted_assembly(seeded, clock, keyring)
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        report = await A.audit(s, keyring, vote)
        assert report.ok, report.problems
        assert (report.ballots, report.counted, report.superseded) == (7, 6, 1)
        assert report.tally["items"]["alley-garden"] == {"yes": 2, "no": 3, "abstain": 1}
    clock.set(AFTER)
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        await A.finalize(s, keyring, vote, clock.now())
        await s.commit()
        report = await A.audit(s, keyring, vote)
        assert report.ok, report.problems
        assert report.tally == vote.online_tally


def _flip_byte(data: bytes) -> bytes:
    return data[:20] + bytes([data[20] ^ 1]) + data[21:]


TAMPERING = {
    "sealed content changed": (
        lambda b: update(Ballot).where(Ballot.id == b.id).values(sealed=_flip_byte(b.sealed)),
        "fails authentication",
    ),
    "ballot deleted": (
        lambda b: Ballot.__table__.delete().where(Ballot.id == b.id),
        "differ from those recorded",
    ),
    "superseded flag flipped": (
        lambda b: update(Ballot).where(Ballot.id == b.id).values(superseded=not b.superseded),
        "differ from those recorded",
    ),
    "ballot moved to another id": (
        lambda b: update(Ballot).where(Ballot.id == b.id).values(id=b.id + 1),
        "fails authentication",
    ),
    "accumulator rewritten": (
        lambda b: update(AssemblyVote).values(accumulator="1" * 64),
        "differ from those recorded",
    ),
    "poll book changed": (
        lambda b: update(Voter).where(Voter.voted.is_(True)).values(voted=False),
        "the poll book shows",
    ),
}


@pytest.mark.parametrize("how", list(TAMPERING))
async def test_audit_reports_tampering(seeded, clock, keyring, how):
    await _voted_assembly(seeded, clock, keyring)
    statement, expected = TAMPERING[how]
    async with seeded() as s:
        victim = (await s.execute(select(Ballot).order_by(Ballot.id).limit(1))).scalar_one()
        await s.execute(statement(victim))
        await s.commit()
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        report = await A.audit(s, keyring, vote)
        assert not report.ok
        assert any(expected in p for p in report.problems), report.problems


async def test_audit_reports_a_changed_stored_tally(seeded, clock, keyring):
    await _voted_assembly(seeded, clock, keyring)
    clock.set(AFTER)
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        tally = await A.finalize(s, keyring, vote, clock.now())
        forged = {
            **tally,
            "items": {**tally["items"], "alley-garden": {"yes": 6, "no": 0, "abstain": 0}},
        }
        await s.execute(update(AssemblyVote).values(online_tally=forged))
        await s.commit()
    async with seeded() as s:
        vote = await vote_for(s, "hanbit1-2027", clock.now())
        report = await A.audit(s, keyring, vote)
        assert report.problems == ["the stored tally differs from the ballots"]
