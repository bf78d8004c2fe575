"""Through a proxy: with TELEGRAM_PROXY_URL set, every call reaches Telegram by way of a real proxy
server (pproxy), whether it speaks HTTP CONNECT or SOCKS5, and a proxy that refuses is one line."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import time

import pytest
import telegram

from bot.transport import LeanRequest, ProxyRefused
from core.i18n import t
from standin import StandinThread
from tests.support.bots import BotProcess, database_url, run_bot

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

TOKEN = "123456:TEST-TOKEN-abcdef"
USER = 31337
# pproxy connects onwards from PROXY_HOST (its "/@host" option): the stand-in then sees calls
# that came through the proxy from 127.0.0.2, and any that bypassed it from 127.0.0.1.
PROXY_HOST = "127.0.0.2"
LOGIN = "homeward:p%40ss-w0rd-91c"  # "p@ss-w0rd-91c", escaped as a URL needs it


def free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def pproxy(scheme: str, *options: str):
    """A pproxy server that wants the user name and password in LOGIN; yields its port."""
    port = free_port(PROXY_HOST)
    listen = f"{scheme}://{PROXY_HOST}:{port}/@{PROXY_HOST}#homeward:p@ss-w0rd-91c"
    # pproxy switches itself to uvloop when it can import it, and then fails to start on Python
    # 3.11 (no current event loop): the proxy stays on asyncio's own loop.
    start = "import sys; sys.modules['uvloop'] = None; from pproxy.server import main; main()"
    process = subprocess.Popen([sys.executable, "-c", start, "-l", listen, *options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection((PROXY_HOST, port), timeout=1):
                break
            assert process.poll() is None and time.monotonic() < deadline, "pproxy did not start"
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def standin():
    with StandinThread() as server:
        server.user(USER, first_name="Gülnarə").send("/start")
        yield server


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 20))


@pytest.mark.parametrize("scheme", ["http", "socks5"])
def test_every_call_uploads_and_downloads_included_goes_through_the_proxy(standin, scheme):
    payload = "Ad;Soyad\nTahir;Abdullayev\n".encode() * 50

    async def main(proxy_url: str):
        bot = telegram.Bot(TOKEN, base_url=standin.base_url, base_file_url=standin.file_url,
                           request=LeanRequest(proxy_url), get_updates_request=LeanRequest(proxy_url))
        async with bot:  # getMe
            [update] = await bot.get_updates(timeout=0)
            await bot.send_message(update.effective_chat.id, "Salam, Gülnarə!")
            sent = await bot.send_document(USER, payload, filename="cases.csv")
            document = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
            return bytes(document)

    with pproxy(scheme) as port:
        assert run(main(f"{scheme}://{LOGIN}@{PROXY_HOST}:{port}")) == payload
    calls = [what for _, what in standin.server.peers]
    assert calls[:5] == ["getMe", "getUpdates", "sendMessage", "sendDocument", "getFile"] and len(calls) == 6
    assert {peer for peer, _ in standin.server.peers} == {PROXY_HOST}, "nothing went round the proxy"
    assert standin.sent_messages(USER)[0].text == "Salam, Gülnarə!"


def test_the_bot_answers_a_relative_with_every_call_through_a_socks5_proxy(standin, tmp_path):
    with pproxy("socks5") as port:
        bot = BotProcess(standin, database_url(tmp_path), tmp_path / "bot.log",
                         {"TELEGRAM_PROXY_URL": f"socks5://{LOGIN}@{PROXY_HOST}:{port}"}).start()
        try:
            mother = standin.user(USER + 1, first_name="Gulnara", language_code="ru")
            assert mother.ask("/start").text
        finally:
            bot.stop()
    assert t("ru", "command.start") in {c["description"] for c in standin.commands["ru"]}, "set at start-up"
    assert {peer for peer, _ in standin.server.peers} == {PROXY_HOST}, "polling and sending both went through it"
    assert "91c" not in bot.log()


def test_a_proxy_that_refuses_stops_start_up_with_one_line(standin, tmp_path):
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": standin.base_url,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
    nobody = free_port(PROXY_HOST)
    with pproxy("http") as port:
        wrong_password = run_bot(env={**env, "TELEGRAM_PROXY_URL": f"http://homeward:guess-7f3a@{PROXY_HOST}:{port}"})
    not_listening = run_bot(env={**env, "TELEGRAM_PROXY_URL": f"socks5://{LOGIN}@{PROXY_HOST}:{nobody}"})
    for result, port_named in ((wrong_password, port), (not_listening, nobody)):
        assert result.returncode == 2, result.stderr
        said = result.stderr.strip().splitlines()[-1]  # after the start-up log: migrations, seeds
        assert "Traceback" not in result.stderr and "ERROR" not in result.stderr, result.stderr
        assert said.startswith(f"Could not reach Telegram through TELEGRAM_PROXY_URL: the proxy {PROXY_HOST}:{port_named} refused")
        assert "7f3a" not in result.stderr and "91c" not in result.stderr
    assert standin.server.peers == [], "no call went round the proxy that refused"


def test_a_refusal_while_running_is_a_network_error_ptb_retries():
    async def main():
        async with LeanRequest(f"socks5://{PROXY_HOST}:{free_port(PROXY_HOST)}") as request:
            with pytest.raises(ProxyRefused) as refused:
                await request.do_request(f"https://api.telegram.org/bot{TOKEN}/getMe", "POST")
            assert isinstance(refused.value, telegram.error.NetworkError)

    run(main())


@pytest.mark.parametrize(("value", "says"), [
    ("ftp://proxy.example.org:21", "must start with http://, https:// or socks5://"),
    ("socks5://homeward:SECRET@proxy.example.org", "must name the proxy's host and port, e.g. "
                                                   "socks5://user:password@proxy.example.org:1080"),
])
def test_a_malformed_proxy_setting_is_one_line_without_the_password(value, says):
    result = run_bot("migrate", env={"TELEGRAM_PROXY_URL": value})
    assert result.returncode == 2
    assert result.stderr.strip() == f"Configuration error: TELEGRAM_PROXY_URL {says}.", result.stderr


def test_an_https_proxy_whose_certificate_nobody_vouches_for_is_refused(tmp_path):
    # TLS is verified against certifi's bundle, to the proxy too: a self-signed proxy is refused.
    cert, key = tmp_path / "proxy.pem", tmp_path / "proxy.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={PROXY_HOST}",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)

    async def main(port: int):
        async with LeanRequest(f"https://{LOGIN}@{PROXY_HOST}:{port}") as request:
            with pytest.raises(ProxyRefused, match="TLS failed: self-signed certificate"):
                await request.do_request(f"https://api.telegram.org/bot{TOKEN}/getMe", "POST")

    with pproxy("http+ssl", "--ssl", f"{cert},{key}") as port:
        run(main(port))
