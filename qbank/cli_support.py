"""What every ``qbank`` command shares: exit codes, one-line errors, option parsing,
writing to a stdout that may close (see :mod:`qbank.cli` for what each code means)."""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_NOTHING, EXIT_BUSY, EXIT_INTERRUPTED = 0, 1, 2, 3, 75, 130


def _error(message: str) -> None:
    print(f"qbank: {message}", file=sys.stderr)


def _positive(kind: type, minimum: float, what: str) -> "Callable[[str], Any]":
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not value >= minimum or value != value or value == float("inf"):
            raise argparse.ArgumentTypeError(f"{text!r}: must be at least {minimum:g}")
        return value
    return parse


class StdoutClosed(Exception):
    """stdout cannot take more (a closed pipe, a full disk): one line, no traceback."""


@contextlib.contextmanager
def _stdout_errors() -> Iterator[None]:
    """Writes to stdout inside the block: an OSError is a closed or full stdout."""
    try:
        yield
    except OSError as exc:
        _silence_stdout()
        why = "closed (broken pipe)" if isinstance(exc, BrokenPipeError) else f"not writable: {exc.strerror or exc}"
        raise StdoutClosed(f"cannot write the output: stdout {why}") from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
