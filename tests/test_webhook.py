"""Webhook mode: only Telegram (the secret) gets in, and an update is on disk before the 200."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

from app.texts import consent_text
from bot.webhook import MAX_BODY_BYTES
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


BIG = 50 * 1024 * 1024


def read_status(connection: socket.socket) -> int:
    head = b""
    while b"\r\n" not in head:
        piece = connection.recv(4096)
        if not piece:
            break
        head += piece
    return int(head.split(b" ")[1])


def push(connection: socket.socket, total: int, chunked: bool = False) -> int:
    """Send up to `total` bytes of body; how many the connection took before it was closed."""
    block = b"x" * 65536
    sent = 0
    try:
        while sent < total:
            connection.sendall(b"10000\r\n" + block + b"\r\n" if chunked else block)
            sent += len(block)
    except OSError:  # reset or broken pipe: the server closed the connection
        pass
    return sent


def peak_memory(pid: int) -> int:
    """The process's peak resident memory so far, in bytes (Linux)."""
    return int(next(line for line in open(f"/proc/{pid}/status") if line.startswith("VmHWM:")).split()[1]) * 1024


def test_webhook_judges_the_headers_before_reading_a_byte_of_the_body(standin, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    bot = BotProcess(standin, database_url(tmp_path), tmp_path / "bot.log",
                     {"WEBHOOK_URL": url, "WEBHOOK_SECRET": SECRET, "WEBHOOK_PORT": str(port)})
    bot.start(ready_when="setWebhook")

    def request(secret: str, framing: str, path: str = "/telegram") -> socket.socket:
        connection = socket.create_connection(("127.0.0.1", port), timeout=10)
        connection.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\n{framing}\r\n"
                           f"X-Telegram-Bot-Api-Secret-Token: {secret}\r\nContent-Type: application/json\r\n\r\n".encode())
        return connection

    try:
        peak_before = peak_memory(bot.process.pid)
        refused, taken = [], []
        for secret, framing, path in ((SECRET, f"Content-Length: {BIG}", "/telegram"),
                                      ("wrong-secret-000000000", f"Content-Length: {BIG}", "/telegram"),
                                      ("wrong-secret-000000000", "Transfer-Encoding: chunked", "/telegram"),
                                      (SECRET, f"Content-Length: {BIG}", "/elsewhere")):
            with request(secret, framing, path) as connection:
                refused.append(read_status(connection))  # answered while not one byte of the body was sent
                taken.append(push(connection, BIG))
        assert refused == [413, 403, 403, 404]
        with request(SECRET, "Transfer-Encoding: chunked") as connection:  # the size is learnt on the way
            taken.append(push(connection, BIG, chunked=True))
            assert read_status(connection) == 413
        # What a closed connection still took is the two kernels' socket buffers, not the bot.
        assert max(taken) < 8 * 1024 * 1024, f"the connections took {taken} bytes of 50 MB offered each"
        grown = peak_memory(bot.process.pid) - peak_before
        assert grown < 20 * 1024 * 1024, f"the bot's peak memory grew by {grown} bytes"
        assert bot.query("select count(*) from inbox_update")[0][0] == 0
        small = json.dumps({"update_id": 1, "message": {"message_id": 1, "date": 1795250000, "chat": {"id": 5, "type": "private"},
                                                        "text": "x" * (MAX_BODY_BYTES - 200)}})
        assert post(url, json.loads(small), SECRET) == 200, "an update just under 1 MB is taken"
    finally:
        bot.stop()
