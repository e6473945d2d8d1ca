"""`python -m geodata.check` (or `python -m geodata check`): the bad-input and fault matrix in one command.

Runs the tests marked ``reliability`` (``tests/test_reliability.py`` and the matrix cases of the unit
tests) against real builds: bad article files, output faults, overrides abuse, geocoder faults and
concurrent rebuilds. Extra arguments go to pytest (for example ``-x`` or ``-k symlink``).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    command = [sys.executable, "-m", "pytest", "-m", "reliability", "-q", str(REPO / "tests"), *argv]
    return subprocess.call(command, cwd=REPO)


if __name__ == "__main__":
    sys.exit(main())
