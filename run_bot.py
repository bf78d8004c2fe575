#!/usr/bin/env python3
"""Homeward: run the bot, or look after its database and catalogs.

    python run_bot.py            run the bot (against Telegram with TELEGRAM_BOT_TOKEN; otherwise
                                 the local preview: a terminal chat with the same bot)
    python run_bot.py preview    the local preview, even with a token set
    python run_bot.py migrate    apply database migrations and load guidance seeds
    python run_bot.py compile    compile the message catalogs
    python run_bot.py check      what stands between this install and families (exit 1: a launch is blocked)
"""

from __future__ import annotations

import argparse
import getpass
import asyncio
import logging
import os
import sys
from datetime import date
from pathlib import Path

from core.config import LANGUAGES, PROJECT_ROOT, ConfigError, load_settings

# PTB loads its own webhook server (tornado) with telegram.ext when tornado is installed, which it
# is for bot.webhook. Neither polling (bot.inbox) nor our receiver uses PTB's: 0.1 s of start-up
# and 3 MB of memory for nothing. PTB imports it under `try`, and goes on without it.
sys.modules.setdefault("telegram.ext._utils.webhookhandler", None)  # type: ignore[assignment]

log = logging.getLogger("homeward")
PACKAGES = ("app", "bot", "core", "db", "flows")  # what the bot runs, as pyproject.toml installs it
EXIT_LOCK_LOST = 4  # not 2 (bad settings) or 3 (a second copy on SQLite): systemd restarts it


def parse_args(argv: list[str]) -> argparse.Namespace:
    from app.exports import FORMATS, PROFILES
    from app.roles import ROLES
    from app.staff import STATUSES

    parser = argparse.ArgumentParser(
        prog="run_bot.py",
        description="Homeward: a Telegram bot for families of missing Azerbaijani migrant workers.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="run the bot (the default): Telegram with a token, else the local preview")
    preview = commands.add_parser("preview", help="chat with the bot in this terminal through a local Bot API stand-in")
    preview.add_argument("--language", choices=LANGUAGES, default=None, help="your Telegram app's language")
    preview.add_argument("--admin", action="store_true", help="be an admin in the preview (/guidance, /cases, /export)")
    commands.add_parser("check", help="what stands between this install and families; exit code 1 while something blocks a launch")
    commands.add_parser("migrate", help="apply database migrations and load guidance seeds")
    commands.add_parser("compile", help="compile the message catalogs (locales/*.po → .mo) and the code (.pyc)")
    guidance = commands.add_parser("guidance", help="export or import guidance texts as files, for translators")
    guidance.add_argument("action", choices=("export", "import"))
    guidance.add_argument("folder", help="folder of TOML files, one per section")
    export = commands.add_parser("export", help="export reports to a file (audited)")
    export.add_argument("--format", choices=FORMATS, required=True)
    export.add_argument("--profile", choices=PROFILES, default="full")
    export.add_argument("--since", type=date.fromisoformat, help="YYYY-MM-DD: reports received on or after")
    export.add_argument("--until", type=date.fromisoformat, help="YYYY-MM-DD: reports received on or before")
    export.add_argument("--status", choices=STATUSES)
    export.add_argument("--language", choices=LANGUAGES)
    export.add_argument("--out", required=True, help="the file to write")
    people = commands.add_parser("roles", help="list, grant or revoke staff and admin rights")
    people.add_argument("action", choices=("list", "grant", "revoke"))
    people.add_argument("telegram_id", nargs="?", type=int, help="the numeric Telegram id")
    people.add_argument("role", nargs="?", choices=ROLES)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2

    from app.startup import begin_start_up
    from core.logs import configure_logging

    command = args.command or "run"
    if command == "compile":
        import compileall

        from core.i18n import compile_catalogs

        for path in compile_catalogs():
            print(f"compiled {path.relative_to(PROJECT_ROOT)}")
        # Every start then reads the code compiled, also where the service may not write beside
        # it or PYTHONDONTWRITEBYTECODE is set: a sixth of start-up on a slow machine.
        for package in PACKAGES:
            compileall.compile_dir(PROJECT_ROOT / package, quiet=1)
        return 0
    if command == "preview" or (command == "run" and not settings.telegram_bot_token):
        from bot.preview import run_preview

        configure_logging("WARNING", filename=str(PROJECT_ROOT / "data" / "preview.log"))
        return run_preview(settings, getattr(args, "language", None), getattr(args, "admin", False))
    if command == "check":
        return launch_check(settings)
    if command == "export" and not Path(args.out).parent.is_dir():  # said before anything is opened
        print(f"{Path(args.out).parent}: no such folder; create it first, or give --out a file in an existing folder", file=sys.stderr)
        return 2

    configure_logging(settings.log_level)
    try:
        if command == "run":
            lock = become_the_active_copy(settings.database_url)  # held for the life of the process
            if lock is None:
                print("Another copy of Homeward is already running on this database: stop it first.", file=sys.stderr)
                return 3
        # Migrations run in a child from here on, while this process loads the rest of the bot.
        begun = begin_start_up(settings)
        from bot.app import prepare_database

        db = prepare_database(settings, begun)
    except Exception as exc:  # noqa: BLE001 - one line, no traceback: the usual causes are a wrong URL or a stopped server
        print(f"Database error: could not prepare {settings.database_url.split('@')[-1]}: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    try:
        if command == "migrate":
            print("database is up to date")
            return 0
        if command == "guidance":
            return guidance_files(db, args.action, Path(args.folder))
        if command == "export":
            return export_file(db, args)
        if command == "roles":
            return manage_roles(db, settings, args)
    finally:
        if command != "run":
            db.close()
    return run_telegram(settings, db)


def launch_check(settings) -> int:
    """One line per finding, in English; nothing is created or migrated on the way."""
    from app.launch_check import run_checks
    from bot.launch import token_findings
    from core.i18n import compile_catalogs

    compile_catalogs()
    findings = run_checks(settings, asyncio.run(token_findings(settings)))
    for finding in findings:
        print(f"{'BLOCKS ' if finding.blocks else 'warning'}  {finding.text('en')}")
    blocking = sum(finding.blocks for finding in findings)
    print(f"{blocking} of these block a launch." if blocking else "Nothing blocks a launch.")
    return 1 if blocking else 0


def become_the_active_copy(database_url: str):
    """The lock, taken before anything touches the database (migrations included). On
    PostgreSQL a second copy stands by until the active one stops, then takes over; on SQLite
    it refuses (None)."""
    from db.lease import InstanceLock

    lock = InstanceLock(database_url)
    if not lock.acquire():
        if lock.is_sqlite:
            return None
        log.info("standing by: another copy is active on this database; this one takes over when it stops")
        try:
            lock.wait()
        except KeyboardInterrupt:
            sys.exit(0)
        log.info("taking over: the active copy stopped")
    lock.watch(stop_at_once)
    return lock


def stop_at_once(reason: str) -> None:
    """The lock is gone, so a standby may be taking over: not one more reply or write from
    this copy. What is in hand is redone by the next active copy from the durable inbox, as
    after a crash; a non-zero exit has systemd start this one again, as a standby."""
    log.error("lost the lock on the database (%s): stopping at once", reason)
    os._exit(EXIT_LOCK_LOST)


def guidance_files(db, action: str, folder: Path) -> int:
    from app.guidance_files import export, import_folder

    if action == "export":
        for path in db.run_sync(lambda session: export(session, folder)):
            print(f"wrote {path}")
        return 0
    if not folder.is_dir():
        print(f"{folder}: no such folder", file=sys.stderr)
        return 2

    def apply(session):
        report = import_folder(session, folder)
        if report.errors:
            session.rollback()  # nothing half-imported
        return report

    report = db.run_sync(apply)
    if report.errors:
        print("Nothing was imported. Problems:", file=sys.stderr)
        for error in report.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    for line in report.changed:
        print(f"updated {line}")
    for line in report.outdated:
        print(f"now outdated (update or confirm in /guidance): {line}")
    print(f"{len(report.changed)} changed, {report.unchanged} unchanged")
    return 0


def export_file(db, args) -> int:
    from app.exports import Filters, run_export

    out = Path(args.out)
    filters = Filters(since=args.since, until=args.until, status=args.status, language=args.language)
    actor = f"cli:{getpass.getuser()}"
    try:
        count = run_export(db, args.format, args.profile, filters, out, None, actor, "cli")
    except OSError as exc:  # no permission, a full disk: one line, no traceback
        print(f"{out}: could not write the export: {exc.strerror or type(exc).__name__}", file=sys.stderr)
        return 2
    print(f"wrote {count} rows to {args.out} (audited as {actor})")
    return 0


def manage_roles(db, settings, args) -> int:
    from app import roles

    if args.action == "list":
        for telegram_id, role, source in db.run_sync(lambda s: roles.all_roles(s, settings)):
            print(f"{telegram_id}\t{role}\t{source}")
        return 0
    if args.telegram_id is None or (args.action == "grant" and args.role is None):
        print("usage: run_bot.py roles grant ID staff|admin, or roles revoke ID", file=sys.stderr)
        return 2
    if args.action == "grant":
        db.run_sync(lambda s: roles.grant(s, args.telegram_id, args.role, None))
        print(f"{args.telegram_id} is now {args.role}")
        return 0
    if args.telegram_id in settings.admin_ids:
        print(f"{args.telegram_id} is an admin through ADMIN_IDS: remove it there", file=sys.stderr)
        return 2
    removed = db.run_sync(lambda s: roles.revoke(s, args.telegram_id))
    print(f"{args.telegram_id} {'no longer has rights' if removed else 'had no granted role'}")
    return 0


def run_telegram(settings, db) -> int:
    from telegram.error import InvalidToken

    from bot.app import build_application, new_poller, serve
    from bot.inbox import SecondInstance
    from bot.transport import ProxyRefused

    application = build_application(settings, db)
    try:
        import uvloop

        run, loop_name = uvloop.run, "uvloop"
    except ImportError:  # not built for this system (Windows)
        run, loop_name = asyncio.run, "asyncio"
    try:
        log.info("Homeward is running on %s; press Ctrl+C to stop", loop_name)
        run(serve(application, new_poller(application)))
    except InvalidToken:
        print("Telegram rejected TELEGRAM_BOT_TOKEN: check the token @BotFather gave you.", file=sys.stderr)
        return 2
    except ProxyRefused as exc:
        print(f"Could not reach Telegram through TELEGRAM_PROXY_URL: {exc}. Check its address, port, "
              "user name and password.", file=sys.stderr)
        return 2
    except SecondInstance:
        print("Another copy of this bot is already polling Telegram with the same token: stop it first.", file=sys.stderr)
        return 3
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
