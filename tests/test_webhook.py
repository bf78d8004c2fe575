"""Webhook mode: only Telegram (the secret) gets in, and an update is on disk before the 200."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

from app.texts import consent_text
from core.config import load_settings
from core.i18n import t
from tests.support.bots import BotProcess, database_url

SECRET = "s3cret-from-telegram-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post(url: str, update: dict, secret: str | None) -> int:
    request = urllib.request.Request(url, data=json.dumps(update).encode(), method="POST", headers={"Content-Type": "application/json"})
    if secret is not None:
        request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def message_update(update_id: int, user, text: str) -> dict:
    sender = {"id": user.id, "is_bot": False, "first_name": "Gulnara", "language_code": "ru"}
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
    return {"update_id": update_id, "message": {"message_id": update_id, "date": 1795250000, "chat": {"id": user.id, "type": "private", "first_name": "Gulnara"},
                                                 "from": sender, "text": text, "entities": entities}}


def test_webhook_rejects_strangers_and_stores_before_answering(standin, relative, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    bot = BotProcess(standin, database_url(tmp_path), tmp_path / "bot.log",
                     {"WEBHOOK_URL": url, "WEBHOOK_SECRET": SECRET, "WEBHOOK_PORT": str(port)})
    bot.start(ready_when="setWebhook")
    try:
        assert standin.requests("setWebhook")[-1]["url"] == url
        mother = relative("ru")
        mother.send("/help")  # the stand-in now knows her chat; in webhook mode nobody polls it
        update = message_update(7_000_001, mother, "/start")
        assert post(url, update, None) == 403  # setWebhook is called once the port listens
        assert post(url, update, "wrong-secret-000000000") == 403
        assert bot.query("select count(*) from inbox_update")[0][0] == 0, "a refused request is not stored"
        assert post(url, update, SECRET) == 200
        assert bot.query("select count(*) from inbox_update where update_id = 7000001")[0][0] == 1, "on disk before the 200"
        assert mother.next_message(timeout=15).text == consent_text("ru", load_settings())
        assert post(url, update, SECRET) == 200  # Telegram delivers it again: no second answer
        mother.expect_silence(1.0)
        post(url, message_update(7_000_002, mother, "/help"), SECRET)
        assert mother.next_message(timeout=15).text == t("ru", "help.text")
    finally:
        bot.stop()
