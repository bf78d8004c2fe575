"""Every handler, button, awaited message and observer, registered in one place: nothing is
wired by importing a module. Read top to bottom, this is what the bot answers to."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, TypeHandler, filters

from app.roles import ADMIN, ADMIN_COMMANDS, COMMANDS, STAFF, STAFF_COMMANDS
from bot import additions, admin, desk, handlers, privacy, reminders, staff, staff_export, status_news, threads
from bot.context import Services

__all__ = ["ADMIN_COMMANDS", "COMMANDS", "STAFF_COMMANDS", "wire"]  # the names are app.roles'; routed here

# Every command of a private chat; each checks who may use it on every use.
PRIVATE_COMMANDS = {
    "start": staff.on_start_or_open_case,
    "new": handlers.on_new,
    "status": handlers.on_status,
    "update": additions.on_update_command,
    "language": handlers.on_language,
    "help": handlers.on_help,
    "cancel": handlers.on_cancel,
    "delete": privacy.on_delete,
    "cases": staff.on_cases,
    "case": staff.on_case,
    "guidance": admin.on_guidance,
    "grant": staff.on_grant,
    "revoke": staff.on_revoke,
}
# Buttons by callback prefix (see `core.callbacks`); any other tap is the intake's.
BUTTONS = {
    r"^ad:": admin.on_admin_callback,
    r"^s[lcsxynfd]:": staff.on_staff_callback,
    r"^s[pk]:": status_news.on_news_callback,
    r"^x[fpr]:": staff_export.on_export_callback,
    r"^u[akd]:": additions.on_update_callback,
    r"^dl:(yes|no)$": privacy.on_delete_callback,
    r"^tw(:|$)": threads.on_write_callback,
    r"^t[prahg]:": threads.on_staff_callback,
    r"^dr:delete$": reminders.on_delete_draft,
}
# A message the bot waits for outside the intake, by kind: the role it needs (None: anyone,
# e.g. a family) and what handles it.
AWAITED = {
    "status": (STAFF, status_news.status_message),
    "note": (STAFF, staff.note_text),
    "contact": (ADMIN, admin.contact_text),
    "guidance": (ADMIN, admin.guidance_text),
    "addition": (None, additions.addition_message),
    "thread": (None, threads.family_message),
    "reply": (STAFF, threads.staff_reply),
}
# Told (context, case reference) once a new case's confirmation is sent.
ON_SUBMITTED = (staff.announce_case,)


def wire(application: Application, services: Services) -> None:
    services.desk = dict(AWAITED)
    services.on_submitted = ON_SUBMITTED
    private = filters.ChatType.PRIVATE
    application.add_handler(CallbackQueryHandler(handlers.on_tap_in_group), group=-3)  # a button in a group: nothing there
    application.add_handler(TypeHandler(Update, privacy.on_any_update), group=-2)  # one flooder waits, nobody else
    # First (group -1): a message the bot is waiting for outside the intake (an admin's edit, a
    # staff note, a family's addition) and its /cancel; everything else falls through.
    application.add_handler(MessageHandler(private & ~filters.COMMAND, desk.on_message), group=-1)
    application.add_handler(CommandHandler("cancel", desk.on_cancel, filters=private), group=-1)
    for name, callback in PRIVATE_COMMANDS.items():
        application.add_handler(CommandHandler(name, callback, filters=private))
    application.add_handler(CommandHandler("export", staff_export.on_export))  # in a group too: to refuse and say why
    for pattern, callback in BUTTONS.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern))
    application.add_handler(MessageHandler(private & filters.COMMAND, handlers.on_help))
    application.add_handler(MessageHandler(private & ~filters.COMMAND, handlers.on_message))
    application.add_handler(CallbackQueryHandler(handlers.on_callback))
    application.add_handler(MessageHandler(~private & filters.COMMAND, handlers.on_group))
    application.add_error_handler(handlers.on_error)
