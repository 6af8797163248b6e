"""Deterministic, atomic output.

Records are sorted by a key that depends only on content and source order, serialized
with sorted-free but fixed key order (contract order), ``ensure_ascii=False`` (NFC UTF-8),
and written to a temporary file in the target folder that is renamed into place: a reader
never sees half a corpus, and a crash leaves the previous corpus intact.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def record_sort_key(record: dict[str, Any]) -> tuple:
    source = record["source"]
    pages = source.get("pages") or [0]
    number = record.get("number")
    return (source["path"], pages[0], -1 if number is None else number, record["id"])


def dumps_line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temp file + rename (same folder, same device)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, data: Any) -> None:
    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n")
