"""Real `python -m bot` processes in webhook mode against the stand-in, for tests that kill
them (SIGKILL, SIGTERM) and the soak test. Their logs go to files, read after the fact."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.conftest import TOKEN
from tests.standin import TelegramStandIn

ROOT = Path(__file__).resolve().parent.parent
SECRET = "instances-secret"
READY_LINE = "webhook server listening"  # logged once the webhook is registered


class BotProcess:
    """One bot instance on a fixed port: started, killed and started again there (so the
    webhook Telegram knows stays the same), its output appended to one log file."""

    def __init__(
        self,
        standin: TelegramStandIn,
        database_url: str,
        port: int,
        workdir: Path,
        **settings: str,
    ) -> None:
        self.port = port
        self.workdir = workdir
        self.log_path = workdir / "bot.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))},
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": standin.base_url,
            "DATABASE_URL": database_url,
            "WEBHOOK_URL": self.url,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_SECRET": SECRET,
            "PICTURE_CACHE_DIR": str(workdir / "pictures"),
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            **settings,
        }
        self.process: asyncio.subprocess.Process | None = None
        self._ready_before = 0
        workdir.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    async def start(self) -> None:
        self._ready_before = self.log().count(READY_LINE)
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=self.workdir,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )

    async def wait_ready(self, within: float = 60) -> None:
        """Wait until this start has registered its webhook (it logs that it listens)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while self.log().count(READY_LINE) <= self._ready_before:
            if not self.running:
                raise AssertionError(f"the bot exited early:\n{self.log()[-3000:]}")
            if loop.time() > deadline:
                raise AssertionError(f"the bot did not start in {within} s:\n{self.log()[-3000:]}")
            await asyncio.sleep(0.1)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def kill(self) -> None:
        """kill -9: no shutdown, no cleanup, as when a host or the OOM killer takes it."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def terminate(self, within: float = 60) -> int:
        """SIGTERM, as a deploy stops it; its exit code."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), within)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
