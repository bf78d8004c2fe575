"""Building and running the bot: the builder, start-up and shutdown; `bot.wiring` registers
every handler."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ParseMode
from telegram.request import BaseRequest
from telegram.error import BadRequest, InvalidToken, NetworkError
from telegram.ext import Application, Defaults

from app import roles
from app.desk import remember_awaited
from app.directory import load_directory_seeds, unverified
from app.guidance import load_seeds
from app.privacy import FloodGuard, housekeeping
from app.startup import Begun, begin_start_up
from bot.context import SERVICES, Services
from bot.inbox import POLL_TIMEOUT, Inbox, Poller
from bot.processor import ChatOrderedProcessor
from bot.ptb_internals import keep_nothing_for_persistence
from bot.reminders import draft_care
from bot.sending import PatientRateLimiter
from bot.transport import LeanRequest, ProxyRefused
from bot.wiring import COMMANDS, wire
from core.config import LANGUAGES, Settings
from core.i18n import compile_catalogs, t
from db.database import Database
from flows.regions import default_gazetteer

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


def prepare_database(settings: Settings, begun: Begun | None = None) -> Database:
    """Catalogs compiled, migrations applied, guidance seeded: everything start-up needs
    (`begun`: its first steps, if run_bot.main took them before loading this module)."""
    begun = begun or begin_start_up(settings)
    compile_catalogs()
    default_gazetteer()  # a mistake in seeds/regions.toml stops start-up with its reason
    begun.migrating.wait()
    db = Database(settings.database_url)
    added = db.run_sync(load_seeds) + db.run_sync(load_directory_seeds)
    if added:
        log.info("loaded %d guidance texts, missions and regions from seeds", added)
    if begun.exposed:
        log.warning("readable by other users of this server: %s; the database files are now 0600, chmod 600 anything else"
                    " and check copies made while they were open (run_bot.py check lists what else is open)",
                    ", ".join(str(path) for path in begun.exposed))
    hidden = db.run_sync(unverified)
    if hidden:
        # Admins see this list in /guidance too; families never see these details.
        log.warning("contact details not verified by an admin, hidden from families: %s", ", ".join(f"{key}.{name}" for key, name in hidden))
    return db


async def register_commands(application: Application) -> None:
    settings = application.bot_data[SERVICES].settings
    for language in (*LANGUAGES, None):
        commands = [BotCommand(c, t(language or settings.default_language, f"command.{c}")) for c in COMMANDS]
        await application.bot.set_my_commands(commands, language_code=language)
    db = application.bot_data[SERVICES].db
    people = db.read_sync(lambda session: roles.all_roles(session, settings))
    for telegram_id, role, _where in people:
        # Staff and admins see their commands in their own chat; a family is never offered them.
        extra = roles.commands_beyond_families(role)
        commands = [BotCommand(c, t(settings.default_language, f"command.{c}")) for c in (*COMMANDS, *extra)]
        try:
            await application.bot.set_my_commands(commands, scope=BotCommandScopeChat(telegram_id))
        except BadRequest:
            log.info("%s %s has not opened the bot yet: their command list is set at the next start", role, telegram_id)


def build_application(settings: Settings, db: Database, requests: tuple[BaseRequest, BaseRequest] | None = None) -> Application:
    """`requests` (for calls, for getUpdates): how Bot API calls travel; tests answer them in
    memory. By default, over HTTP."""
    proxy = settings.telegram_proxy_url
    request, polling_request = requests or (LeanRequest(proxy), LeanRequest(proxy, max_connections=2, read_timeout=POLL_TIMEOUT + 10))
    inbox = Inbox(db)
    processor = ChatOrderedProcessor(inbox)
    application = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .rate_limiter(PatientRateLimiter())
        .concurrent_updates(processor)
        .updater(None)  # our Poller stores updates before confirming them
        .request(request)
        .get_updates_request(polling_request)
        .post_init(register_commands)
        .build()
    )
    processor.application = application
    keep_nothing_for_persistence(application)
    services = Services(settings, db, inbox, processor, FloodGuard(settings.flood_messages, settings.flood_seconds))
    application.bot_data[SERVICES] = services
    wire(application, services)
    return application


async def serve(application: Application, poller: Poller, until: asyncio.Future | None = None) -> None:
    """Run until SIGINT/SIGTERM (or `until` completes), then finish what is in hand."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, poller.stop)
        except (NotImplementedError, RuntimeError):
            pass
    await _initialize_patiently(application)
    menus = None
    try:
        await application.start()
        # What start-up built (modules, seeds, tables, keyboards) lives as long as the process:
        # set aside from the collector, which then only walks what the surge creates, and runs
        # its full collections often enough that cyclic garbage does not pile up in a surge.
        gc.collect()
        gc.freeze()
        app = application.bot_data[SERVICES]
        await app.db.run(remember_awaited)
        polling = asyncio.create_task(poller.run())
        if application.post_init:  # PTB calls it only from run_polling, which we do not use
            # The command menus (four calls and more) are not worth holding the first poll for.
            menus = asyncio.create_task(application.post_init(application))
            menus.add_done_callback(_report_menus)
        stop_requested = asyncio.create_task(poller.stopped())
        housekeeping_done = asyncio.Event()
        purging = asyncio.create_task(housekeeping(app.db, app.settings, housekeeping_done))
        caring = asyncio.create_task(draft_care(application.bot, app.db, app.settings, housekeeping_done))
        waiters = [polling, stop_requested] + ([until] if until is not None else [])
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            poller.stop()
            housekeeping_done.set()
            background = [purging, caring]
            if menus is not None:
                menus.cancel()  # a Telegram slow to answer them does not hold up the stop
                background.append(menus)
            await asyncio.gather(*background, return_exceptions=True)
            stop_requested.cancel()
            polling.cancel()  # a long poll in flight is abandoned: unconfirmed updates come again
            await asyncio.gather(polling, return_exceptions=True)
            await application.stop()
        if polling.done() and not polling.cancelled() and polling.exception():
            raise polling.exception()
    finally:
        await application.shutdown()


def _report_menus(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("the command menus were not set (%s): they are set again at the next start", type(task.exception()).__name__)


async def _initialize_patiently(application: Application) -> None:
    """getMe at start-up: a bad token or a proxy that refuses fails at once, an unreachable
    Telegram is waited for."""
    request = application.bot.request  # the one given in build_application
    delay = 1.0
    while True:
        try:
            await request.initialize()
            # Straight through our request, past the rate limiter's retries: a refusal is said at once.
            await request.post(f"{application.bot.base_url}/getMe")
            await application.initialize()
            return
        except NetworkError as exc:
            if isinstance(exc, (InvalidToken, ProxyRefused)):  # waiting would not mend either
                await request.shutdown()  # its connections closed: the process ends with one line
                raise
            log.warning("Telegram is unreachable at start-up (%s); retrying in %.0f s", type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30)


def new_poller(application: Application):
    """Long polling, or the webhook receiver when WEBHOOK_URL is set: both store before confirming."""
    app = application.bot_data[SERVICES]
    settings = app.settings
    if settings.webhook_url:
        from bot.webhook import WebhookReceiver  # tornado is loaded only by webhook deployments

        return WebhookReceiver(application, app.inbox, settings.webhook_url, settings.webhook_secret,
                               settings.webhook_listen, settings.webhook_port, ALLOWED_UPDATES)
    return Poller(application, app.inbox, ALLOWED_UPDATES, settings.conflict_grace_seconds)
