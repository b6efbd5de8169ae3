"""Helpers for the browser tests: a Streamlit server on a free port, Debian's Chromium, and
waiting for a script run to finish (never sleeping)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def streamlit_server(crm_url: str, *, timeout_s: float = 60) -> Iterator[str]:
    """``streamlit run app.py`` on a free port with CRM_DATABASE_URL set; yields its base URL
    once ``/_stcore/health`` answers, and stops it (by its own pid) afterwards. The server's
    output is kept in test-artifacts/ when the block fails."""
    port = free_port()
    env = {**os.environ, "CRM_DATABASE_URL": crm_url, "PYTHONUNBUFFERED": "1"}
    log = (ROOT / "test-artifacts").joinpath(f"streamlit-{port}.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "app.py",
                "--server.headless", "true",
                "--server.port", str(port),
                "--server.address", "127.0.0.1",
                "--server.fileWatcherType", "none",
                "--browser.gatherUsageStats", "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"streamlit did not answer on {base} within {timeout_s}s")
                time.sleep(0.1)  # polling the health endpoint, not waiting for the page
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    log.unlink(missing_ok=True)  # reached only when the block succeeded: a failure keeps the log


def wait_ready(page, timeout_ms: float = 60_000) -> None:  # noqa: ANN001 - playwright Page
    """Wait until the app has finished its current script run (and has rendered something)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector("[data-testid='stApp']");
            return app && app.getAttribute('data-test-script-state') === 'notRunning'
                && !document.querySelector("[data-testid='stSkeleton']");
        }""",
        timeout=timeout_ms,
    )
    page.wait_for_selector(READY, timeout=timeout_ms)
