"""``maeul assembly``: staff commands for general-assembly votes (typer sub-commands)."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.assembly.crypto import Keyring

assembly_app = typer.Typer(help="General-assembly votes (주민총회).", no_args_is_help=True)


class Format(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


def _keyring(settings: Any) -> Keyring:
    from bot.assembly.crypto import DEV_SECRET_FILE, development_secret, keyring_for
    from bot.core.cli import _fail

    keyring = keyring_for(settings)
    if keyring is not None:
        return keyring
    secret = development_secret(create=False)
    if secret is not None:
        typer.echo(
            f"maeul: warning: BALLOT_SECRET is not set; using the console's development "
            f"secret in {DEV_SECRET_FILE}",
            err=True,
        )
        return Keyring(secret)
    raise _fail(
        "BALLOT_SECRET is not set. Give the bot and this command the same secret, e.g. "
        "BALLOT_SECRET=$(python -c 'import secrets; print(secrets.token_urlsafe(32))')",
        2,
    )


def _when(value: str, tz: Any) -> datetime:
    from bot.core.cli import _fail

    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _fail(f"{value!r}: expected a date and time such as 2027-05-28T09:00", 2) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def _run(work: Any, *, keyring: bool = False) -> Any:
    """Run ``work(runtime, session, vote_or_none, keyring)`` in one transaction."""
    from bot.core.cli import _settings, _with_db

    settings = _settings()
    ring = _keyring(settings) if keyring else None

    async def go(runtime: Any) -> Any:
        async with runtime.sessionmaker() as session, session.begin():
            return await work(runtime, session, ring)

    return _with_db(settings, go)


async def _vote(session: Any, runtime: Any, assembly_id: str) -> Any:
    from bot import assembly as A

    vote = await A.get_vote(session, assembly_id, runtime.clock.now())
    if vote is None:
        raise LookupError(assembly_id)
    return vote


def _call(work: Any, assembly_id: str | None = None, *, keyring: bool = False) -> Any:
    from bot import assembly as A
    from bot.core.cli import _fail, _settings
    from bot.core.i18n import Translator

    try:
        return _run(work, keyring=keyring)
    except LookupError:
        raise _fail(f"no assembly {assembly_id!r}; see `maeul assembly list`", 2) from None
    except A.Refused as refused:
        t = Translator("en", _settings().tz)
        params: dict[str, Any] = {}
        for key, value in refused.params.items():
            if isinstance(value, dict):
                value = value.get("en") or value.get("ko")
            elif isinstance(value, datetime):
                value = t.format_datetime(value)
            params[key] = value
        raise _fail(t._(refused.message, **params), 1) from None


@assembly_app.command("list")
def list_command() -> None:
    """Every assembly: id, status, window, mode and live turnout (never live results)."""
    from bot import assembly as A
    from bot.assembly.service import title_of

    async def work(runtime: Any, session: Any, _ring: Any) -> list[str]:
        now = runtime.clock.now()
        lines = []
        for vote in await A.list_votes(session, now):
            turn = await A.turnout(session, vote)
            tz = runtime.settings.tz
            lines.append(
                f"{vote.assembly_id}\t{A.status(vote, now)}\t{vote.dong_id}\t"
                f"{vote.opens_at.astimezone(tz):%Y-%m-%d %H:%M} – "
                f"{vote.closes_at.astimezone(tz):%Y-%m-%d %H:%M}\t{vote.method}"
                f"{f' (max {vote.max_choices})' if vote.max_choices else ''}\t{vote.mode}"
                f"{'' if vote.revoting else ', no re-voting'}\t"
                f"voted {turn.online_voters} online + {turn.onsite_voters} on site, "
                f"{turn.registered} registered, {turn.codes_issued} codes"
                f"\t{title_of(vote, 'ko')}"
            )
        return lines

    lines = _call(work)
    typer.echo("\n".join(lines) if lines else "no assemblies")


@assembly_app.command("create")
def create(
    assembly_id: Annotated[
        str, typer.Argument(help="A new id: lowercase letters, digits, - and _.")
    ],
    dong: Annotated[str, typer.Option(help="The dong whose residents vote (id or name).")],
    title: Annotated[str, typer.Option(help="The title in Korean.")],
    opens: Annotated[str, typer.Option(help="Voting opens, e.g. 2027-05-28T09:00.")],
    closes: Annotated[str, typer.Option(help="Voting closes, e.g. 2027-06-14T18:00.")],
    title_en: Annotated[str | None, typer.Option(help="The title in English.")] = None,
    method: Annotated[str, typer.Option(help="approve_reject or choose_up_to.")] = (
        "approve_reject"
    ),
    max_choices: Annotated[int | None, typer.Option(help="For choose_up_to.")] = None,
    item: Annotated[
        list[str] | None,
        typer.Option(help="An item: 'title' or 'title|budget in won' (repeat the option)."),
    ] = None,
    mode: Annotated[str, typer.Option(help="codes (binding) or open (sympathy vote).")] = "codes",
    revote: Annotated[bool, typer.Option(help="Allow re-voting (last vote counts).")] = True,
    population: Annotated[int | None, typer.Option(help="Eligible residents.")] = None,
    quorum: Annotated[int | None, typer.Option(help="Quorum, % of eligible residents.")] = None,
    eligibility: Annotated[str | None, typer.Option(help="Who may vote (Korean).")] = None,
) -> None:
    """Create an assembly that is not in the knowledge base. Times without an offset are in
    the configured time zone (TIMEZONE)."""
    from bot import assembly as A
    from bot.core.cli import _actor, _fail, _settings

    tz = _settings().tz
    items = []
    for raw in item or []:
        name, _, budget = raw.partition("|")
        if budget and not budget.strip().isdigit():
            raise _fail(f"{raw!r}: the budget must be a whole number of won", 2)
        items.append(A.NewItem({"ko": name.strip()}, budget_krw=int(budget) if budget else None))
    titles = {"ko": title, **({"en": title_en} if title_en else {})}
    opens_at, closes_at = _when(opens, tz), _when(closes, tz)

    async def work(runtime: Any, session: Any, _ring: Any) -> Any:
        from bot.core.dongs import UnknownDong, list_dongs, resolve_dong

        try:  # an id or a name; an unknown one is refused with the list of dongs
            dong_id = resolve_dong(await list_dongs(session), dong).id
        except UnknownDong as exc:
            raise _fail(str(exc), 2) from None
        vote = await A.create_vote(
            session,
            assembly_id=assembly_id,
            dong_id=dong_id,
            title=titles,
            opens_at=opens_at,
            closes_at=closes_at,
            method=method,
            max_choices=max_choices,
            items=items,
            actor=_actor(),
            now=runtime.clock.now(),
            eligibility={"ko": eligibility} if eligibility else None,
            mode=mode,
            revoting=revote,
            eligible_population=population,
            quorum_percent=quorum,
        )
        return vote.assembly_id

    typer.echo(f"created {_call(work)} with {len(items)} items")


@assembly_app.command("set")
def set_command(
    assembly_id: Annotated[str, typer.Argument(help="The assembly's id.")],
    mode: Annotated[str | None, typer.Option(help="codes or open.")] = None,
    revote: Annotated[bool | None, typer.Option(help="Allow re-voting.")] = None,
    population: Annotated[int | None, typer.Option(help="Eligible residents.")] = None,
    quorum: Annotated[int | None, typer.Option(help="Quorum, % of eligible residents.")] = None,
    opens: Annotated[str | None, typer.Option(help="New opening time.")] = None,
    closes: Annotated[str | None, typer.Option(help="New closing time.")] = None,
) -> None:
    """Change an assembly's settings (recorded in the audit log)."""
    from bot import assembly as A
    from bot.core.cli import _actor, _settings

    tz = _settings().tz
    changes: dict[str, Any] = {}
    if mode is not None:
        changes["mode"] = mode
    if revote is not None:
        changes["revoting"] = revote
    if population is not None:
        changes["eligible_population"] = population
    if quorum is not None:
        changes["quorum_percent"] = quorum
    if opens is not None:
        changes["opens_at"] = _when(opens, tz)
    if closes is not None:
        changes["closes_at"] = _when(closes, tz)

    async def work(runtime: Any, session: Any, _ring: Any) -> dict[str, Any]:
        vote = await _vote(session, runtime, assembly_id)
        return await A.configure(session, vote, actor=_actor(), now=runtime.clock.now(), **changes)

    done = _call(work, assembly_id)
    typer.echo(", ".join(f"{k} = {v}" for k, v in done.items()) if done else "nothing changed")


@assembly_app.command("add-item")
def add_item(
    assembly_id: Annotated[str, typer.Argument(help="The assembly's id.")],
    title: Annotated[str, typer.Option(help="The title in Korean.")],
    title_en: Annotated[str | None, typer.Option(help="The title in English.")] = None,
    description: Annotated[str | None, typer.Option(help="A description (Korean).")] = None,
    budget: Annotated[int | None, typer.Option(help="Budget in won.")] = None,
) -> None:
    """Add an item to the ballot before voting opens."""
    from bot import assembly as A
    from bot.core.cli import _actor

    new = A.NewItem(
        {"ko": title, **({"en": title_en} if title_en else {})},
        {"ko": description} if description else {},
        budget,
    )

    async def work(runtime: Any, session: Any, _ring: Any) -> str:
        vote = await _vote(session, runtime, assembly_id)
        row = await A.add_item(session, vote, new, actor=_actor(), now=runtime.clock.now())
        return str(row.item_id)

    typer.echo(f"added {_call(work, assembly_id)}")


@assembly_app.command("add-proposals")
def add_proposals(
    assembly_id: Annotated[str, typer.Argument(help="The assembly's id.")],
    proposal: Annotated[
        list[int] | None, typer.Argument(help="Proposal numbers; none: list the candidates.")
    ] = None,
) -> None:
    """Put accepted agenda proposals of the assembly's dong on its ballot."""
    from bot import assembly as A
    from bot.core.cli import _actor

    async def work(runtime: Any, session: Any, _ring: Any) -> list[str]:
        vote = await _vote(session, runtime, assembly_id)
        if not proposal:
            return [f"#{p.id}\t{p.title}" for p in await A.addable_proposals(session, vote)]
        added = []
        for number in proposal:
            row = await A.add_proposal(
                session, vote, number, actor=_actor(), now=runtime.clock.now()
            )
            added.append(f"added #{number} as {row.item_id}")
        return added

    lines = _call(work, assembly_id)
    typer.echo("\n".join(lines) if lines else "no accepted proposals to add")


@assembly_app.command("open")
def open_command(assembly_id: Annotated[str, typer.Argument(help="The assembly's id.")]) -> None:
    """Open voting now (before the planned opening)."""
    _open_or_close(assembly_id, close=False)


@assembly_app.command("close")
def close_command(assembly_id: Annotated[str, typer.Argument(help="The assembly's id.")]) -> None:
    """Close voting now (before the planned close)."""
    _open_or_close(assembly_id, close=True)


def _open_or_close(assembly_id: str, *, close: bool) -> None:
    from bot import assembly as A
    from bot.core.cli import _actor

    async def work(runtime: Any, session: Any, _ring: Any) -> None:
        vote = await _vote(session, runtime, assembly_id)
        await (A.close_now if close else A.open_now)(
            session, vote, actor=_actor(), now=runtime.clock.now()
        )

    _call(work, assembly_id)
    typer.echo(f"{assembly_id} is {'closed' if close else 'open'}")


def _bot_username(settings: Any, given: str | None) -> str:
    from bot.assembly.sheets import BOT_USERNAME_RE
    from bot.core.cli import _fail

    if given:
        name = given.removeprefix("@")
        if not BOT_USERNAME_RE.match(name):
            raise _fail(f"{given!r} is not a Telegram bot username", 2)
        return name
    if not settings.bot_token:
        raise _fail("give --bot-username (or set BOT_TOKEN to ask Telegram with getMe)", 2)
    from telegram import Bot
    from telegram.error import TelegramError

    async def ask() -> str:
        kwargs = {"base_url": settings.telegram_base_url} if settings.telegram_base_url else {}
        async with Bot(settings.bot_token, **kwargs) as bot:
            return str(bot.username)

    try:
        return asyncio.run(ask())
    except TelegramError as exc:
        raise _fail(f"getMe failed ({exc}); give --bot-username", 1) from None


@assembly_app.command("codes")
def codes(
    assembly_id: Annotated[str, typer.Argument(help="The assembly's id.")],
    count: Annotated[int, typer.Option(min=1, help="How many codes.")],
    out: Annotated[Path, typer.Option(help="The CSV file to write.")],
    sheet: Annotated[
        Path | None, typer.Option(help="The printable PDF (default: OUT with .pdf).")
    ] = None,
    bot_username: Annotated[
        str | None, typer.Option(help="The bot's username (default: getMe with BOT_TOKEN).")
    ] = None,
) -> None:
    """Make single-use voting codes: a CSV file and a printable PDF with a QR code each.
    The codes are stored only as keyed hashes: these files are the only copy. They are
    created readable by their owner only (0600) and never overwrite a file."""
    from bot import assembly as A
    from bot.assembly.render import card_period
    from bot.assembly.service import title_of
    from bot.assembly.sheets import codes_csv, codes_pdf, create_private
    from bot.core.centre import centre_info
    from bot.core.cli import _actor, _fail, _settings
    from bot.core.dongs import dong_name, get_dong
    from bot.core.i18n import Translator

    settings = _settings()
    username = _bot_username(settings, bot_username)
    pdf_path = sheet or out.with_suffix(".pdf")
    for path in (out, pdf_path):
        if path.exists():
            raise _fail(f"{path} exists; codes are never overwritten", 2)

    sheet_t = Translator(settings.default_language, settings.tz)

    async def work(runtime: Any, session: Any, ring: Keyring) -> tuple[list[str], Any, str, str]:
        vote = await _vote(session, runtime, assembly_id)
        made = await A.issue_codes(
            session, ring, vote, count, actor=_actor(), now=runtime.clock.now()
        )
        dong = await get_dong(session, vote.dong_id)
        centre = await centre_info(session, sheet_t.lang)
        return (
            made,
            vote,
            dong_name(dong, "ko") if dong else vote.dong_id,
            centre.phone if centre else "",
        )

    # Both files exist (empty, 0600) before any code is issued: a code is never issued
    # without a file to hold it, and nobody else can open the files meanwhile.
    created: list[Path] = []
    made: list[str] = []
    try:
        with create_private(out) as csv_file:
            created.append(out)
            with create_private(pdf_path) as pdf_file:
                created.append(pdf_path)
                made, vote, dong, phone = _call(work, assembly_id, keyring=True)
                csv_file.write(codes_csv(made, username).encode("utf-8"))
                pdf_file.write(
                    codes_pdf(
                        made,
                        title=title_of(vote, "ko"),
                        dong=dong,
                        bot_username=username,
                        t=sheet_t,
                        period=card_period(sheet_t, vote.opens_at, vote.closes_at),
                        phone=phone,
                    )
                )
    except FileExistsError as exc:
        for path in created:
            path.unlink(missing_ok=True)
        raise _fail(f"{exc.filename} exists; codes are never overwritten", 2) from None
    except BaseException:
        if not made:  # nothing issued: leave no empty files behind
            for path in created:
                path.unlink(missing_ok=True)
        raise
    typer.echo(f"wrote {len(made)} codes to {out} and {pdf_path}")


@assembly_app.command("onsite")
def onsite(
    assembly_id: Annotated[str, typer.Argument(help="The assembly's id.")],
    file: Annotated[
        Path | None, typer.Option(help="Paper totals: item,yes,no,abstain (or item,votes).")
    ] = None,
    mark: Annotated[
        list[str] | None, typer.Option(help="A code used to vote on site (repeat).")
    ] = None,
    mark_file: Annotated[
        Path | None, typer.Option(help="A file with one code per line used on site.")
    ] = None,
) -> None:
    """On-site paper voting: mark each on-site voter's code as used (they can then no longer
    vote online), and enter the paper totals, which the results add to the online ones."""
    from bot import assembly as A
    from bot.core.cli import _actor, _fail

    if file is None and not mark and mark_file is None:
        raise _fail("give --mark CODE, --mark-file FILE or --file TOTALS.csv", 2)
    codes_to_mark = list(mark or [])
    if mark_file is not None:
        if not mark_file.is_file():
            raise _fail(f"{mark_file}: no such file", 2)
        codes_to_mark += mark_file.read_text(encoding="utf-8").splitlines()
    totals_text = None
    if file is not None:
        if not file.is_file():
            raise _fail(f"{file}: no such file", 2)
        totals_text = file.read_text(encoding="utf-8-sig")

    async def work(runtime: Any, session: Any, ring: Keyring) -> list[str]:
        vote = await _vote(session, runtime, assembly_id)
        out: list[str] = []
        now = runtime.clock.now()
        if codes_to_mark:
            report = await A.mark_onsite(
                session, ring, vote, codes_to_mark, actor=_actor(), now=now
            )
            out.append(f"marked {report.marked} codes as used on site")
            out += [f"  {raw.strip()}: {why}" for raw, why in report.problems]
        if totals_text is not None:
            totals, problems = A.parse_onsite_csv(
                vote, await A.items_of(session, vote), totals_text
            )
            if problems:
                raise ValueError("\n".join(problems))
            await A.record_onsite_totals(session, vote, totals, actor=_actor(), now=now)
            out.append(f"recorded the paper totals of {len(totals)} items")
        return out

    try:
        lines = _call(work, assembly_id, keyring=True)
    except ValueError as exc:
        typer.echo(f"{file}: nothing was recorded:", err=True)
        for line in str(exc).splitlines():
            typer.echo(f"  {line}", err=True)
        raise typer.Exit(1) from None
    typer.echo("\n".join(lines))
    if any(line.startswith("  ") for line in lines):
        raise typer.Exit(1)


@assembly_app.command("results")
def results(
    assembly_id: Annotated[str, typer.Argument(help="The assembly's id.")],
    fmt: Annotated[Format, typer.Option("--format", help="csv or xlsx.")] = Format.csv,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write (default stdout for csv).")
    ] = None,
    lang: Annotated[
        str | None, typer.Option(help="xlsx headers and values: ko or en (DEFAULT_LANGUAGE).")
    ] = None,
) -> None:
    """The results after the close: online and on-site merged, per item counts, percentages
    and the approval rule."""
    from bot import assembly as A
    from bot.assembly import report
    from bot.core.cli import _fail, _settings
    from bot.core.i18n import Translator

    if lang not in (None, "ko", "en"):
        raise _fail("--lang: expected ko or en", 2)
    if fmt == Format.xlsx and out is None:
        raise _fail("xlsx needs --out FILE", 2)

    async def work(runtime: Any, session: Any, ring: Keyring) -> tuple[Any, list[str]]:
        vote = await _vote(session, runtime, assembly_id)
        outcome = await A.results(session, ring, vote, runtime.clock.now())
        t = Translator("en", runtime.settings.tz)
        return outcome, report.result_lines(outcome, t)

    outcome, lines = _call(work, assembly_id, keyring=True)
    if outcome.provisional:  # said on stderr too: stdout may be the CSV alone
        typer.echo(f"WARNING: {lines[0].removeprefix('⚠️ ')}", err=True)
    if fmt == Format.xlsx:
        assert out is not None
        settings = _settings()
        language = lang or settings.default_language
        out.write_bytes(report.results_xlsx(outcome, language, settings.tz))
    elif out is None:
        sys.stdout.write(report.results_csv(outcome))
        return
    else:
        out.write_text(report.results_csv(outcome), encoding="utf-8")
    typer.echo("\n".join(lines))
    typer.echo(f"wrote {out}")


@assembly_app.command("audit")
def audit(
    assembly_id: Annotated[str, typer.Argument(help="The assembly's id.")],
    ballots: Annotated[
        Path | None,
        typer.Option(help="After the close: write the opened ballots (sorted, no trackers)."),
    ] = None,
) -> None:
    """Recompute the tally from the stored ballots and check their integrity: every seal,
    tracker, the accumulator and its tag, the counts against the poll book, the stored
    tally. Exit status 1 when anything is wrong."""
    from bot import assembly as A
    from bot.core.cli import _fail

    async def work(runtime: Any, session: Any, ring: Keyring) -> tuple[Any, bool]:
        vote = await _vote(session, runtime, assembly_id)
        report = await A.audit(session, ring, vote)
        return report, A.status(vote, runtime.clock.now()) == A.Status.CLOSED

    report, closed = _call(work, assembly_id, keyring=True)
    if ballots is not None:
        if not closed:
            raise _fail("the opened ballots are published only after the close", 2)
        items = report.vote.item_ids or []
        lines = [",".join(["ballot", *items])]
        lines += [",".join([str(n), *choices]) for n, choices in enumerate(report.opened, 1)]
        ballots.write_text("\n".join(lines) + "\n", encoding="utf-8")
    typer.echo(
        f"{assembly_id}: {report.ballots} ballots stored, {report.counted} counted, "
        f"{report.superseded} replaced by a re-vote"
    )
    if closed and report.tally is not None:
        for item, counts in report.tally["items"].items():
            typer.echo(f"  {item}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    elif not closed:
        typer.echo("  (the tally is shown after the close)")
    if report.ok:
        typer.echo("OK: every ballot is intact and the tally matches")
        return
    typer.echo(f"TAMPERING OR DAMAGE: {len(report.problems)} problem(s):", err=True)
    for problem in report.problems:
        typer.echo(f"  {problem}", err=True)
    raise typer.Exit(1)
