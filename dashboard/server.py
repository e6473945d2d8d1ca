"""Start and stop `streamlit run dashboard/app.py` on a free loopback port (for the benchmark, the
screenshot script and the browser tests)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AtlasServer:
    """The dashboard with ATLAS_ARTICLES_DIR/ATLAS_DATA_DIR set, offline tiles unless ``env`` says otherwise;
    ``unset`` names variables of this process not to pass on. Output goes to ``log``. Raises RuntimeError
    (with the log's tail) when Streamlit exits or is not healthy within ``timeout`` seconds."""

    def __init__(self, articles: Path, data: Path, log: Path, env: dict | None = None,
                 unset: tuple[str, ...] = (), timeout: float = 90):
        self.articles, self.data, self.log_path = articles, data, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        full_env = dict(os.environ, ATLAS_ARTICLES_DIR=str(articles), ATLAS_DATA_DIR=str(data),
                        ATLAS_TILES="offline", PYTHONUNBUFFERED="1")
        for name in unset:
            full_env.pop(name, None)
        full_env.update(env or {})
        self._log = open(log, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=REPO, env=full_env, stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_healthy(timeout)

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._log.close()
                raise RuntimeError(f"streamlit exited ({self.proc.returncode}), see {self.log_path}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit not healthy after {timeout} s, see {self.log_path}:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text()[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if not self._log.closed:
            self._log.close()
