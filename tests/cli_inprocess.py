"""Run the durand command line inside the test process (no interpreter start-up, no
imports repeated): the same entry point, arguments, exit codes and output text as a
subprocess, returned as a CompletedProcess. Keep a subprocess where the process itself
is under test (start-up imports, signals, the installed script)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path


def invoke(*args, cwd: Path | None = None, stdin: str = "") -> subprocess.CompletedProcess:
    from sim.cli.main import main

    argv = [str(a) for a in args]
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with (
            contextlib.chdir(cwd or os.getcwd()),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            try:
                main(argv)
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    finally:
        sys.stdin = old_stdin
    return subprocess.CompletedProcess(["durand", *argv], code, out.getvalue(), err.getvalue())
