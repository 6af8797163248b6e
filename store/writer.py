"""Deterministic, atomic output.

Records are sorted by a key that depends only on content and source order, serialized
with sorted-free but fixed key order (contract order), ``ensure_ascii=False`` (NFC UTF-8).

The corpus folder is replaced as a whole or not at all (:class:`CorpusFolder`): every
file of the new corpus (``audit/`` too) is written into a temp folder next to it, then
the two folders are switched in one step (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere
two renames, undone by the next build if interrupted between them). A crash, ``kill -9``
or a full disk at any moment leaves the previous corpus as it was: a reader never sees
half a corpus, nor a manifest describing other JSONL files than the ones beside it.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

#: What a corpus folder holds (anything else in ``--out`` is not ours to delete);
#: ``media/`` holds only files named by :data:`store.media.MEDIA_NAME`.
CORPUS_ENTRIES = frozenset({"questions.jsonl", "knowledge.jsonl", "manifest.json", "audit", "media"})
AUDIT_ENTRIES = frozenset({"furniture.jsonl", "ocr_corrections.jsonl", "reading_order.jsonl"})
#: temp files of the per-file writer of earlier versions (``.questions.jsonl.ab12cd.tmp``)
_FILE_TMP = re.compile(r"\.(?:questions\.jsonl|knowledge\.jsonl|manifest\.json|furniture\.jsonl"
                       r"|ocr_corrections\.jsonl)\..+\.tmp")
_SURROGATE = re.compile("[\ud800-\udfff]")


def record_sort_key(record: dict[str, Any]) -> tuple:
    source = record["source"]
    pages = source.get("pages") or [0]
    number = record.get("number")
    return (source["path"], pages[0], -1 if number is None else number, record["id"])


def _escape_surrogate(match: re.Match) -> str:
    code = ord(match.group())
    # a byte of a non-UTF-8 file name (surrogateescape) reads as Python's backslashreplace
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def escape_surrogates(text: str) -> str:
    """``text`` with lone surrogates (undecodable bytes of a file name) spelled out as
    ``\\xff``: what can be written as UTF-8."""
    return _SURROGATE.sub(_escape_surrogate, text) if _SURROGATE.search(text) else text


def _json_text(text: str) -> str:
    # JSON text: the escape's backslash must itself be escaped to stay a literal backslash
    return _SURROGATE.sub(lambda m: "\\" + _escape_surrogate(m), text) if _SURROGATE.search(text) else text


def dumps_line(record: dict[str, Any]) -> str:
    return _json_text(json.dumps(record, ensure_ascii=False, separators=(",", ":"))) + "\n"


def dumps_json(data: Any) -> str:
    return _json_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)) + "\n"


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


# -- the corpus folder, replaced as a whole --------------------------------------------

class OutputError(Exception):
    """``--out`` cannot be written (one line, naming it); nothing was read or changed."""


class OutputBusy(OutputError):
    """Another build holds the lock of the same ``--out``."""

    def __init__(self, message: str, pid: int | None):
        super().__init__(message)
        self.pid = pid


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
#: renameat2 answers these when the kernel or the file system cannot exchange
_NO_EXCHANGE = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}


@lru_cache(maxsize=1)
def _renameat2() -> Any:
    """libc's ``renameat2`` (glibc ≥ 2.28), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def exchange(a: Path, b: Path) -> bool:
    """Swap the folders ``a`` and ``b`` in one step; False when this system cannot."""
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _NO_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), str(b))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


#: lock descriptors a forked child must not keep (an OCR worker outliving a killed build
#: would otherwise hold its lock)
_HELD_LOCKS: set[int] = set()


def _close_locks_in_child() -> None:
    for fd in list(_HELD_LOCKS):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_locks_in_child)


def _strerror(exc: OSError) -> str:
    return exc.strerror or str(exc)


class CorpusFolder:
    """The corpus folder ``--out``, replaced as a whole or not at all::

        with CorpusFolder(out) as folder:   # checked, locked, recovered: before any input is read
            folder.write("questions.jsonl", text)   # into .{name}.qbank-tmp-<pid> beside it
            folder.commit()                          # the switch, in one step

    Leaving the block without :meth:`commit` (an error, Ctrl-C) removes the temp folder
    and leaves ``out`` as it was. Beside ``out`` live ``.{name}.qbank-lock`` (an
    ``flock``: a second build of the same folder refuses at once; the kernel releases it
    when the holder dies, even by ``kill -9``), the temp folder while a build writes, and
    ``.{name}.qbank-old`` for a moment where folders cannot be exchanged in one step.
    Temp folders of dead builds are removed, and an interrupted two-rename switch undone,
    by the next build.
    """

    def __init__(self, out: Path):
        self.given = Path(out)
        self.path = Path(os.path.realpath(out))  # a symlinked --out: replace its target
        self.parent = self.path.parent
        self.name = self.path.name
        self.tmp = self.parent / f".{self.name}.qbank-tmp-{os.getpid()}"
        self.old = self.parent / f".{self.name}.qbank-old"
        self.lock_path = self.parent / f".{self.name}.qbank-lock"
        self._lock_fd: int | None = None
        self.committed = False

    # -- before anything is read ------------------------------------------------------

    def __enter__(self) -> "CorpusFolder":
        self._check()
        self._lock()
        try:
            self._recover()
            self._make_tmp()
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(self, *exc_info: Any) -> None:
        try:
            if not self.committed:
                shutil.rmtree(self.tmp, ignore_errors=True)
        finally:
            self._unlock()

    def _fail(self, why: str) -> OutputError:
        return OutputError(f"--out {self.given}: {why}")

    def _check(self) -> None:
        if not self.name:
            raise self._fail("cannot replace the root folder")
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            st = None
        except NotADirectoryError:
            raise self._fail("a parent on its path is not a folder") from None
        except OSError as exc:
            raise self._fail(_strerror(exc)) from None
        if st is not None and not stat.S_ISDIR(st.st_mode):
            raise self._fail("exists and is not a folder")
        try:
            self.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise self._fail(f"{self.parent} is not a folder") from None
        except OSError as exc:
            raise self._fail(f"cannot create {self.parent}: {_strerror(exc)}") from None
        if not os.access(self.parent, os.W_OK | os.X_OK):
            raise self._fail(f"cannot write in {self.parent} (permission denied)")
        if st is not None:
            if not os.access(self.path, os.R_OK | os.W_OK | os.X_OK):
                raise self._fail("folder is not writable (permission denied)")
            foreign = self._foreign_entries()
            if foreign:
                raise self._fail(f"holds {foreign[0]!r}, which is not part of a qbank corpus; the "
                                 "corpus folder is replaced as a whole: use a new or empty folder")

    def _foreign_entries(self) -> list[str]:
        try:
            names = sorted(os.listdir(self.path))
        except OSError as exc:
            raise self._fail(f"cannot list: {_strerror(exc)}") from None
        foreign = [n for n in names if n not in CORPUS_ENTRIES and not _FILE_TMP.fullmatch(n)]
        audit = self.path / "audit"
        if "audit" in names:
            if not audit.is_dir() or audit.is_symlink():
                foreign.append("audit")
            else:
                foreign.extend(f"audit/{n}" for n in sorted(os.listdir(audit))
                               if n not in AUDIT_ENTRIES and not _FILE_TMP.fullmatch(n))
        media = self.path / "media"
        if "media" in names:
            from store.media import MEDIA_NAME

            if not media.is_dir() or media.is_symlink():
                foreign.append("media")
            else:
                foreign.extend(f"media/{n}" for n in sorted(os.listdir(media)) if not MEDIA_NAME.fullmatch(n))
        return [escape_surrogates(n) for n in foreign]

    def _lock(self) -> None:
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError as exc:
            raise self._fail(f"cannot create the lock {self.lock_path}: {_strerror(exc)}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = None
            try:
                holder = int(os.pread(fd, 32, 0).decode("ascii").strip() or "x")
            except (OSError, ValueError):
                pass
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                who = f"pid {holder}" if holder else "another process"
                raise OutputBusy(f"--out {self.given}: another qbank build is writing it ({who}, "
                                 f"lock {self.lock_path.name}); try again when it is done", holder) from None
            raise self._fail(f"cannot lock {self.lock_path}: {_strerror(exc)}") from None
        self._lock_fd = fd
        _HELD_LOCKS.add(fd)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        except OSError:
            pass  # the pid is only for the message of a second build

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            _HELD_LOCKS.discard(self._lock_fd)
            os.close(self._lock_fd)  # releases the flock; the lock file stays (no unlink race)
            self._lock_fd = None

    def _recover(self) -> None:
        """Under the lock: undo a switch interrupted between its two renames, drop what
        dead builds left (their temp folders, legacy per-file temp files)."""
        if self.old.is_dir() and not self.old.is_symlink():
            if not os.path.lexists(self.path):
                os.rename(self.old, self.path)  # the previous corpus, back in place
            else:
                shutil.rmtree(self.old, ignore_errors=True)
        stale = re.compile(rf"\.{re.escape(self.name)}\.qbank-tmp-\d+")
        for entry in os.listdir(self.parent):
            candidate = self.parent / entry
            if stale.fullmatch(entry) and candidate.is_dir() and not candidate.is_symlink():
                shutil.rmtree(candidate, ignore_errors=True)
        for folder in (self.path, self.path / "audit"):
            if folder.is_dir():
                for entry in os.listdir(folder):
                    if _FILE_TMP.fullmatch(entry):
                        (folder / entry).unlink(missing_ok=True)

    def _make_tmp(self) -> None:
        try:
            os.mkdir(self.tmp)
            if self.path.is_dir():  # the new folder keeps the old one's permissions
                os.chmod(self.tmp, stat.S_IMODE(os.stat(self.path).st_mode))
        except OSError as exc:
            raise self._fail(f"cannot create {self.tmp.name} in {self.parent}: {_strerror(exc)}") from None

    # -- writing and the switch -------------------------------------------------------

    @property
    def has_corpus(self) -> bool:
        """Does ``out`` hold a corpus (that an empty build must not replace)?"""
        try:
            return any(name in CORPUS_ENTRIES for name in os.listdir(self.path))
        except OSError:
            return False

    def write(self, relative: str, text: str) -> None:
        """Write one file of the new corpus into the temp folder (flushed to disk)."""
        target = self.tmp / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())

    def read_bytes(self, relative: str) -> bytes:
        """A file already written into the new corpus (a picture, for the build cache)."""
        return (self.tmp / relative).read_bytes()

    def write_bytes(self, relative: str, data: bytes) -> None:
        """Write one binary file of the new corpus (a picture in ``media/``) into the
        temp folder (flushed to disk)."""
        target = self.tmp / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    def remove(self, relative: str) -> None:
        """Remove a file written into the temp folder (one the corpus no longer needs)."""
        target = self.tmp / relative
        target.unlink(missing_ok=True)
        if target.parent != self.tmp:
            try:
                target.parent.rmdir()  # the last one out: no empty media/ folder
            except OSError:
                pass

    def commit(self) -> None:
        """Put the new corpus in place of ``out`` in one step, then delete the old one."""
        for folder in sorted({p.parent for p in self.tmp.rglob("*")} | {self.tmp}, reverse=True):
            _fsync_dir(folder)
        if not os.path.lexists(self.path):
            os.rename(self.tmp, self.path)
            self.committed = True
            _fsync_dir(self.parent)
            return
        if exchange(self.tmp, self.path):
            self.committed = True
            _fsync_dir(self.parent)
            shutil.rmtree(self.tmp, ignore_errors=True)  # now the old corpus
            return
        # no exchange here: two renames; a crash between them is undone by the next build
        os.rename(self.path, self.old)
        try:
            os.rename(self.tmp, self.path)
        except BaseException:
            os.rename(self.old, self.path)
            raise
        self.committed = True
        _fsync_dir(self.parent)
        shutil.rmtree(self.old, ignore_errors=True)
