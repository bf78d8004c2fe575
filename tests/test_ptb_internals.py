"""The private parts of python-telegram-bot that bot/ptb_internals.py relies on still exist, in
the version they were read from: an upgrade must re-read them, not find out in production."""

from __future__ import annotations

import importlib

import telegram
from telegram.ext import Application

from bot import ptb_internals


def test_ptb_is_the_version_the_private_names_were_read_from():
    assert telegram.__version__ == ptb_internals.PINNED_VERSION, (
        f"python-telegram-bot {telegram.__version__} is installed; bot/ptb_internals.py was checked "
        f"against {ptb_internals.PINNED_VERSION}: re-read its private names, then update PINNED_VERSION")


def test_every_private_name_used_still_exists():
    application = Application.builder().token("123:TEST").updater(None).build()
    instances = {"telegram.Bot": application.bot, "telegram.ext.Application": application}
    for owner, names in ptb_internals.PRIVATE_NAMES.items():
        for name in names:
            assert hasattr(instances[owner], name), f"{owner}.{name} is gone"
    assert importlib.import_module("telegram._utils.defaultvalue").DEFAULT_NONE is ptb_internals.DEFAULT_NONE


def test_without_a_persistence_layer_ptb_notes_nobody_to_save():
    application = Application.builder().token("123:TEST").updater(None).build()
    ptb_internals.keep_nothing_for_persistence(application)
    application.mark_data_for_update_persistence(chat_ids=5, user_ids=[7, 8])
    application.migrate_chat_data(old_chat_id=5, new_chat_id=6)
    assert not application._chat_ids_to_be_updated_in_persistence  # noqa: SLF001
    assert not application._user_ids_to_be_updated_in_persistence  # noqa: SLF001
