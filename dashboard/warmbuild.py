"""The dashboard's rebuilds through one warm build process (``python -m geodata build-worker``).

A rebuild after an upload or an edit parses one article; in a fresh ``python -m geodata build`` most of
its time is start-up (imports, spaCy's model, wordfreq's list). The dashboard keeps one worker process
(started at its first rebuild, or ahead with ``prestart()``), which has loaded all that once, and sends
each build to it; the worker runs exactly the build command (``geodata/buildworker.py``), in its own
process, so the dashboard still never runs the pipeline itself. ``ATLAS_WARM_BUILDS=0`` turns it off.

``WORKER.run(argv, on_line, timeout)`` returns (exit status, stdout lines, stderr lines), or None when
the worker is busy with another folder's build, cannot be started or died during the build: the caller
then runs the build in a fresh process as before (a dead worker is replaced at the next build).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Callable

from dashboard import settings

REPO = Path(__file__).resolve().parent.parent
DONE = "build-worker done"  # geodata.buildworker.DONE (the dashboard does not import the pipeline)
STDERR = "stderr "


def enabled() -> bool:
    return bool(settings.read("ATLAS_WARM_BUILDS"))


class WarmWorker:
    def __init__(self, command: list[str] | None = None):
        self._command = command or [sys.executable, "-m", "geodata", "build-worker"]
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()  # one build at a time in the worker

    def _start(self) -> subprocess.Popen | None:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            x for x in (str(REPO), os.environ.get("PYTHONPATH", "")) if x)}
        try:
            self._proc = subprocess.Popen(self._command, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=subprocess.DEVNULL, text=True, errors="replace", env=env,
                                          bufsize=1)
        except OSError:
            self._proc = None
        return self._proc

    def prestart(self) -> None:
        """Start the worker now (it loads spaCy while the user is still choosing files)."""
        if enabled() and self._lock.acquire(blocking=False):
            try:
                self._start()
            finally:
                self._lock.release()

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)

    def run(self, argv: list[str], on_line: Callable[[str], None], timeout: float
            ) -> tuple[int, list[str], list[str]] | None:
        if not self._lock.acquire(blocking=False):
            return None
        try:
            proc = self._start()
            if proc is None:
                return None
            timed_out = threading.Event()

            def stop() -> None:
                timed_out.set()
                self._stop()

            timer = threading.Timer(timeout, stop)
            timer.start()
            try:
                code, out, err = self._exchange(proc, argv, on_line)
            finally:
                timer.cancel()
            if code is None and timed_out.is_set():
                return -1, out, err  # stopped: not to be run again in a fresh process
            return None if code is None else (code, out, err)
        finally:
            self._lock.release()

    def _exchange(self, proc: subprocess.Popen, argv: list[str], on_line: Callable[[str], None]
                  ) -> tuple[int | None, list[str], list[str]]:
        out: list[str] = []
        err: list[str] = []
        try:
            settings_now = {k: v for k, v in os.environ.items() if k.startswith("ATLAS_")}
            proc.stdin.write(json.dumps({"argv": argv, "env": settings_now}) + "\n")
            proc.stdin.flush()
            for line in proc.stdout:
                line = line.rstrip("\n")
                if line.startswith(DONE):
                    return int(line.split()[-1]), out, err
                if line.startswith(STDERR):
                    err.append(line[len(STDERR):])
                else:
                    out.append(line)
                    on_line(line)
        except (OSError, ValueError):
            pass
        self._stop()  # it died or was stopped: the next build starts a new one
        return None, out, err


WORKER = WarmWorker()
