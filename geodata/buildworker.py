"""`python -m geodata build-worker`: a build process kept warm between builds (for the dashboard).

A fresh ``python -m geodata build`` spends most of a one-article rebuild starting up: importing the
build, loading spaCy's model and wordfreq's English list (about 4 s of a 5 s rebuild). This process
loads them once (in a thread, as soon as it starts) and then runs builds one after another, each exactly
as the command would (``geodata.cli.build_main``: same arguments, same outputs, same cache).

Protocol, one line each way per build: the parent writes ``{"argv": [the build's arguments], "env":
{its ATLAS_* settings}}`` as JSON on stdin (the settings replace this process's ATLAS_* variables, so a
build sees the parent's settings of the moment, as a fresh process would); the worker writes what the command would print on stdout as it goes (``progress N M``
lines included), what it would print on stderr as lines starting with ``stderr ``, and ends the build
with ``build-worker done <exit status>``. It exits at the end of stdin (its parent gone) or on a line
it cannot read (after saying so, with ``done 2``).
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import threading

DONE = "build-worker done"
STDERR = "stderr "
SETTINGS_PREFIX = "ATLAS_"


def warm_up() -> None:
    """Load what the first parsed article would (spaCy's English model, wordfreq's English list)."""
    from geodata.evidence import word_zipf
    from geodata.recognize import load_nlp

    load_nlp()
    word_zipf("harbour")


def _warm_up_quietly() -> None:
    with contextlib.suppress(Exception):  # a build reports any real problem itself
        warm_up()


def run_one(argv: list[str], out=None) -> int:
    """One build (``python -m geodata build`` with ``argv``) in this process; stdout goes to ``out``
    as it is printed, stderr is collected and written after it, one ``stderr `` line each."""
    from geodata.cli import build_main

    out = out or sys.stdout
    err = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = build_main(argv)
    except SystemExit as exc:  # argparse: bad arguments
        code = exc.code if isinstance(exc.code, int) else 2
    except Exception as exc:  # noqa: BLE001 - the worker outlives a failed build; the parent gets why
        err.write(f"error: the build failed: {type(exc).__name__}: {exc}\n")
        code = 1
    for line in err.getvalue().splitlines():
        out.write(f"{STDERR}{line}\n")
    return code


def _request(line: str) -> tuple[list[str], dict[str, str]] | None:
    try:
        request = json.loads(line)
    except ValueError:
        return None
    argv, env = (request.get("argv"), request.get("env", {})) if isinstance(request, dict) else (None, None)
    if not (isinstance(argv, list) and all(isinstance(a, str) for a in argv) and isinstance(env, dict)
            and all(isinstance(k, str) and k.startswith(SETTINGS_PREFIX) and isinstance(v, str)
                    for k, v in env.items())):
        return None
    return argv, env


def _use_settings(env: dict[str, str]) -> None:
    for name in [n for n in os.environ if n.startswith(SETTINGS_PREFIX) and n not in env]:
        del os.environ[name]
    os.environ.update(env)


def main(argv: list[str] | None = None) -> int:
    if argv:
        print("usage: python -m geodata build-worker  (builds come on stdin, one JSON request a line)",
              file=sys.stderr)
        return 2
    threading.Thread(target=_warm_up_quietly, name="warm-up", daemon=True).start()
    for line in sys.stdin:
        request = _request(line)
        if request is None:
            print(f"{STDERR}error: not a build request: {line.strip()[:200]!r}")
            print(f"{DONE} 2", flush=True)
            return 2
        _use_settings(request[1])
        code = run_one(request[0])
        print(f"{DONE} {code}", flush=True)
    return 0
