"""Start-up stays quick and the bot at rest small: what only some installs need is loaded only
by them (benchmarks/surge.py measures the seconds and megabytes)."""

from __future__ import annotations

import subprocess
import sys

from core.config import PROJECT_ROOT
from tests.support.bots import BotProcess, database_url

ONLY_SOME_NEED = {
    "tornado": "webhook mode (bot.webhook); PTB's own webhook server is never used",
    "httpcore": "the first upload (staff exports), through PTB's httpx request",
    "python_socks": "TELEGRAM_PROXY_URL",
    "alembic": "the migrations, in a child that exits",
    "xlsxwriter": "an export",
}


def loaded_by_a_polling_bot(extra_env: dict[str, str] | None = None) -> set[str]:
    """The top-level packages a bot on long polling has loaded once its requests are built."""
    code = ("import sys, run_bot\n"
            "run_bot.parse_args(['run'])\n"
            "from bot.transport import LeanRequest\n"
            "import bot.app\n"
            "LeanRequest(run_bot.load_settings().telegram_proxy_url)\n"
            "print(' '.join(sorted({name.split('.')[0] for name in sys.modules})))\n")
    env = {"PATH": "/usr/bin:/bin", **(extra_env or {})}
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_a_polling_bot_loads_nothing_only_webhooks_uploads_proxies_or_migrations_need():
    loaded = loaded_by_a_polling_bot()
    assert {"telegram", "sqlalchemy"} <= loaded, "the check sees what is loaded"
    assert not loaded & ONLY_SOME_NEED.keys(), {name: ONLY_SOME_NEED[name] for name in loaded & ONLY_SOME_NEED.keys()}


def test_a_bot_behind_a_proxy_loads_the_proxy_library():
    assert "python_socks" in loaded_by_a_polling_bot({"TELEGRAM_PROXY_URL": "socks5://127.0.0.1:1080"})


def test_the_bot_runs_on_uvloop_and_answers(standin, tmp_path):
    """libuv's event loop, where it is installed (everywhere but Windows): every test that runs
    the bot as a process runs it there, the in-process tier on asyncio's own."""
    bot = BotProcess(standin, database_url(tmp_path), tmp_path / "bot.log").start()
    try:
        mother = standin.user(7_100_001, first_name="Gulnara", language_code="ru")
        assert mother.ask("/start").text
    finally:
        bot.stop()
    assert "Homeward is running on uvloop" in bot.log()
