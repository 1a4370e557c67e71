"""The ``maeul`` command line (typer)."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from bot import __version__
from bot.assembly.cli import assembly_app
from bot.core.cli import _actor, _fail, _settings, _with_db
from bot.core.config import ConfigError, Settings
from bot.events.announce_cli import announce_command
from bot.events.cli import events_app
from bot.features import register_live_votes
from bot.proposals.cli import proposals_app
from bot.qa.cli import ask_command, unanswered_command
from bot.reminders.cli import reminders_app

T = TypeVar("T")

# `maeul ask` on the database answers about a vote as it stands (bot/qa/live.py): the
# composition registers the assembly feature's votes with the Q&A feature, as the bot does.
register_live_votes()

app = typer.Typer(
    help="Maeul (마을): a Telegram assistant for village communities and resident councils.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
kb_app = typer.Typer(
    help="The knowledge base (grants, FAQ, events, assemblies).", no_args_is_help=True
)
admin_app = typer.Typer(help="Administration.", no_args_is_help=True)
role_app = typer.Typer(help="Give Telegram users roles.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(kb_app, name="kb")
app.add_typer(admin_app, name="admin")
admin_app.add_typer(role_app, name="role")
app.add_typer(proposals_app, name="proposals")
app.add_typer(assembly_app, name="assembly")
app.add_typer(events_app, name="events")
app.add_typer(reminders_app, name="reminders")
app.command("ask")(ask_command)
app.command("announce")(announce_command)
kb_app.command("unanswered")(unanswered_command)
privacy_app = typer.Typer(
    help="Personal data: retention, one person's data (README, Privacy).", no_args_is_help=True
)
app.add_typer(privacy_app, name="privacy")


def _run(make: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(make())  # type: ignore[arg-type]


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(f"maeul {__version__}")


@app.command()
def run(
    webhook: Annotated[
        bool,
        typer.Option(
            "--webhook",
            help="Serve Telegram's webhook (WEBHOOK_URL, WEBHOOK_SECRET, WEBHOOK_LISTEN, "
            "WEBHOOK_PORT) with /healthz and /metrics, instead of long polling.",
        ),
    ] = False,
) -> None:
    """Start the bot: long-poll Telegram with BOT_TOKEN, or the local console without one."""
    settings = _settings()
    from bot.runner import logging_for, serve, webhook_settings

    if settings.bot_token is None:
        if webhook:
            raise _fail("configuration error: BOT_TOKEN: required with --webhook", 2)
        typer.echo("BOT_TOKEN is not set: starting the local console.", err=True)
        _console(settings, language_code="ko", files_dir=Path("console-files"))
        return
    if webhook:
        try:
            webhook_settings(settings)
        except ConfigError as exc:
            raise _fail(f"configuration error: {exc}", 2) from None
    logging_for(settings)
    from telegram.error import InvalidToken, NetworkError

    where = settings.telegram_base_url or "Telegram"
    try:
        _run(lambda: serve(settings, webhook=webhook))
    except InvalidToken:
        raise _fail(f"BOT_TOKEN was refused by {where}", 2) from None
    except NetworkError as exc:
        raise _fail(f"cannot reach {where}: {exc}", 1) from None


def _console(settings: Settings, language_code: str | None, files_dir: Path) -> None:
    from bot.console import run_console

    code = _run(lambda: run_console(settings, language_code=language_code, files_dir=files_dir))
    raise typer.Exit(code)


@app.command()
def console(
    language_code: Annotated[
        str, typer.Option(help="The Telegram app language of the console user ('' for none).")
    ] = "ko",
    files_dir: Annotated[
        Path, typer.Option(help="Where photos and documents the bot sends are saved.")
    ] = Path("console-files"),
) -> None:
    """Chat with the bot in this terminal through the local Bot API emulator.

    Type text or /commands; press an inline button by typing its number (\\N sends the
    number as text). Reads until end of input, so it can be scripted:
    printf '/start\\n' | maeul console
    """
    _console(_settings(), language_code or None, files_dir)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Migrate the database to the newest schema (or REVISION)."""
    _migrate(revision, down=False)


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="Target revision, or 'base'.")) -> None:
    """Migrate the database back to REVISION."""
    _migrate(revision, down=True)


def _migrate(revision: str, *, down: bool) -> None:
    """Upgrade (or downgrade) the database to ``revision`` and say where it is now."""
    settings = _settings()
    from bot.core import migrate
    from bot.core.db import create_engine

    async def go() -> str | None:
        engine = create_engine(settings.database_url)
        try:
            await (migrate.downgrade if down else migrate.upgrade)(engine, revision)
            return await migrate.current_revision(engine)
        finally:
            await engine.dispose()

    typer.echo(f"database at revision {_run(go)}")


@kb_app.command("import")
def kb_import(path: Path = typer.Argument(..., help="A knowledge-base YAML file.")) -> None:
    """Validate the whole file, then import it (upsert by id; missing records archived)."""
    settings = _settings()
    from bot.kb import records as kb

    if not path.is_file():
        raise _fail(f"{path}: no such file", 2)
    notes: list[str] = []
    parsed, problems = kb.load_and_validate(path, notes, portable=True)
    for note in notes:
        typer.echo(f"{path}: note: {note}", err=True)
    if parsed is None:
        typer.echo(f"{path}: {len(problems)} problem(s); nothing was imported:", err=True)
        for problem in problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1)

    async def work(runtime: Any) -> kb.ImportReport:
        async with runtime.sessionmaker() as session, session.begin():
            return await kb.import_kb(session, parsed, runtime.clock.utcnow())

    report = _with_db(settings, work)
    typer.echo(f"imported {path}")
    typer.echo(report.summary())


@kb_app.command("export")
def kb_export(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write (default stdout).")
    ] = None,
) -> None:
    """Write the knowledge base back out in the import format."""
    settings = _settings()
    from bot.kb import records as kb

    async def work(runtime: Any) -> str:
        async with runtime.sessionmaker() as session:
            return kb.dump_yaml(await kb.export_kb(session))

    try:
        text = _with_db(settings, work)
    except LookupError:
        raise _fail("the knowledge base is empty; import one first", 1) from None
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")


TelegramIdArg = Annotated[int, typer.Argument(help="The user's numeric Telegram id.")]
RoleArg = Annotated[str, typer.Argument(help="activist, staff or admin.")]
RoleDongOption = Annotated[
    str | None, typer.Option("--dong", help="The dong (id or name), for the staff role.")
]


@role_app.command("add")
def role_add(telegram_id: TelegramIdArg, role: RoleArg, dong: RoleDongOption = None) -> None:
    """Give a Telegram user a role (recorded in the audit log)."""
    _change_role("add", telegram_id, role, dong)


@role_app.command("remove")
def role_remove(telegram_id: TelegramIdArg, role: RoleArg, dong: RoleDongOption = None) -> None:
    """Take a role away from a Telegram user (recorded in the audit log)."""
    _change_role("remove", telegram_id, role, dong)


def _change_role(action: str, telegram_id: int, role: str, dong: str | None) -> None:
    settings = _settings()
    from bot.core import users
    from bot.core.dongs import UnknownDong, list_dongs, resolve_dong_id

    async def work(runtime: Any) -> tuple[bool, str | None]:
        async with runtime.sessionmaker() as session, session.begin():
            now = runtime.clock.utcnow()
            dong_id = await resolve_dong_id(session, dong)
            if action == "add":
                known = {d.id for d in await list_dongs(session)}
                return await users.grant_role(
                    session,
                    telegram_id,
                    role,
                    dong_id=dong_id,
                    actor=_actor(),
                    now=now,
                    known_dongs=known,
                ), dong_id
            return await users.revoke_role(
                session, telegram_id, role, dong_id=dong_id, actor=_actor(), now=now
            ), dong_id

    try:
        changed, dong = _with_db(settings, work)
    except (users.RoleError, UnknownDong) as exc:
        raise _fail(str(exc), 2) from None
    where = f" of {dong}" if dong else ""
    if action == "add":
        said = "is now" if changed else "already is"
    else:
        said = "is no longer" if changed else "was not"
    typer.echo(f"{telegram_id} {said} {role}{where}")


@role_app.command("list")
def role_list(
    role: Annotated[str | None, typer.Option(help="Only this role.")] = None,
) -> None:
    """List everyone who has a role."""
    settings = _settings()
    from bot.core import users

    async def work(runtime: Any) -> list[users.RoleRow]:
        async with runtime.sessionmaker() as session:
            return await users.list_roles(session, role)

    rows = _with_db(settings, work)
    extra = sorted(settings.admin_ids) if role in (None, "admin") else []
    if not rows and not extra:
        typer.echo("nobody has a role yet")
    for row in rows:
        dong = f" {row.dong_id}" if row.dong_id else ""
        typer.echo(
            f"{row.telegram_id}\t{row.role}{dong}\t{row.name or ''}\t"
            f"granted {row.granted_at:%Y-%m-%d} by {row.granted_by or '?'}"
        )
    for telegram_id in extra:
        typer.echo(f"{telegram_id}\tadmin\t(ADMIN_IDS)")


@privacy_app.command("purge")
def privacy_purge() -> None:
    """Delete what is older than its retention period (RETENTION_* settings). The
    dispatcher also does it once a day; running it again is harmless."""
    settings = _settings()
    from bot.core import privacy
    from bot.features import register_privacy

    async def work(runtime: Any) -> dict[str, int]:
        async with runtime.sessionmaker() as session, session.begin():
            return await privacy.purge(
                session, runtime.settings, runtime.clock.now(), register_privacy()
            )

    counts = _with_db(settings, work)
    for table, n in sorted(counts.items()):
        typer.echo(f"{table}\t{n} deleted")


@privacy_app.command("export")
def privacy_export(
    telegram_id: int = typer.Argument(..., help="The person's numeric Telegram id."),
    out: Annotated[Path | None, typer.Option("--out", "-o", help="JSON file to write.")] = None,
) -> None:
    """Everything stored about one person, as /mydata's JSON (for a request by letter)."""
    settings = _settings()
    from bot.core import privacy
    from bot.core.centre import centre_info
    from bot.features import register_privacy

    async def work(runtime: Any) -> bytes:
        t = runtime.translator()
        async with runtime.sessionmaker() as session:
            subject = await privacy.subject_for(session, telegram_id, t)
            report = await privacy.export_user(
                session, subject, runtime.clock.now(), register_privacy()
            )
            centre = await centre_info(session, t.lang)
        controller = {"name": centre.name, "contact": centre.phone} if centre else {}
        return report.as_json(controller)

    data = _with_db(settings, work)
    if out is None:
        sys.stdout.write(data.decode("utf-8") + "\n")
    else:
        out.write_bytes(data)
        typer.echo(f"wrote {out}")


@privacy_app.command("forget")
def privacy_forget(
    telegram_id: int = typer.Argument(..., help="The person's numeric Telegram id."),
    yes: Annotated[bool, typer.Option("--yes", help="Do it (without: say what would go).")] = False,
) -> None:
    """Delete one person's data as /forget does (for a request by letter or phone)."""
    settings = _settings()
    from bot.core import audit, privacy
    from bot.features import register_privacy

    async def work(runtime: Any) -> privacy.Forgotten:
        now = runtime.clock.now()
        async with runtime.sessionmaker() as session:
            subject = await privacy.subject_for(session, telegram_id, runtime.translator())
            done = await privacy.forget_user(session, subject, now, register_privacy())
            if not yes:
                await session.rollback()
                return done
            # the deletion is recorded (who, when, how much), never whose data it was
            await audit.record(
                session, at=now, actor=_actor(), action="privacy.forget",
                target_type="user", target_id="-", details={"deleted": done.deleted},
            )  # fmt: skip
            await session.commit()
            return done

    done = _with_db(settings, work)
    verb = "deleted" if yes else "would delete"
    for table, n in sorted(done.deleted.items()):
        if n:
            typer.echo(f"{table}\t{n} {verb}")
    for table, n in sorted(done.anonymised.items()):
        if n:
            typer.echo(f"{table}\t{n} anonymised")
    for table, n in sorted(done.kept.items()):
        if n:
            typer.echo(f"{table}\t{n} kept")
    if not yes:
        typer.echo("nothing was changed; add --yes to do it")


def main() -> None:
    try:
        app()
    except ConfigError as exc:  # pragma: no cover - settings are read through _settings
        typer.echo(f"maeul: configuration error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()


@reminders_app.command("run")
def reminders_run() -> None:
    """Send due reminders without polling for updates (a second instance beside
    ``maeul run``, or a worker); stops cleanly on SIGINT/SIGTERM."""
    from bot.core import migrate
    from bot.core.runtime import Runtime
    from bot.runner import logging_for, run_worker

    settings = _settings()
    if not settings.bot_token:
        raise _fail("BOT_TOKEN is not set", 2)
    logging_for(settings)

    async def go() -> None:
        runtime = Runtime.create(settings)
        try:
            await migrate.upgrade(runtime.engine)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await run_worker(runtime, stop)
        finally:
            await runtime.close()

    asyncio.run(go())
