"""Per-source build cache: a file built before, unchanged, is not read again.

What is cached is what :func:`qbank.pipeline.process_source` returns for one file (its
sha256, format, page count and the whole :class:`~qbank.extractors.Extraction`: records,
furniture removed, OCR corrections, reading order, OCR summary, warnings, issues), one
gzip'd JSON file per entry named by the hash of its key. A build hashes each input's
bytes, looks the key up and, on a hit, takes the stored result without opening the
document: no parsing, no Tesseract, no kiwipiepy, no langdetect (the pipeline warms
langdetect up only when some source has to be extracted).

**The key** (:meth:`SourceCache.key`, its parts computed in :mod:`qbank.cache_key`) is
everything that can change a source's output:

* the file's sha256 and its display path — records carry ``source.path`` and ids built
  from the file name (and warnings name the file). The path is *in the key* rather than
  re-stamped on load: re-stamping would have to find every place a name went (ids,
  corrections, reading order, messages), and a missed one would break byte-identity
  silently. A moved or renamed file is extracted once more, that is all;
* ``qbank.__version__``, a hash of the package's code (every ``.py`` of ``ingest``,
  ``extract``, ``store``, ``qbank`` and the JSON Schemas: the version is not bumped for
  every commit, and a cache must never hand back what older code extracted), a separate
  hash of the rule data ``extract/data/*.json``, the Python minor version and the
  versions of the libraries that shape output (kiwipiepy and its model, PyMuPDF,
  python-docx, tesserocr, ...: from the ``*.dist-info`` names on ``sys.path``, one
  listing, no import);
* the options that change extraction: OCR correction on/off, the OCR languages (None:
  OCR off) and, with OCR on, the Tesseract binary and language model files (path, size,
  mtime: installing or upgrading Tesseract or a model invalidates), and the limits of
  :mod:`ingest.limits` except those that cannot change a successful source's output:
  ``max_input_bytes`` (over it the source fails, and failures are not cached),
  ``timeout_per_source`` (likewise) and ``max_ocr_pages``, handled apart: it is the
  build's OCR budget *left* for the source, so it shifts whenever an earlier scanned
  source changes. An entry records the budget it was built with; it serves another
  budget when OCR was not capped by it and the source's scanned pages fit the new one.
  ``--jobs`` does not change output (pages are OCR'd independently) and is not in it.

**Trust**: an entry is used only when it decompresses (gzip's CRC catches a torn or
truncated file), parses, says it is a qbank cache entry of this layout, carries exactly
the key looked up, and has the shape an Extraction needs (records whose ``source`` names
this path and sha256). Anything else is a miss: the source is extracted and the entry
written again over it. Entries are written to a temp file and renamed (never half an
entry under its name); they are not fsync'd, since a torn entry after a power cut only
fails its CRC. Failed sources are never cached, nor a result whose sha256 is not the one
hashed for the key (the file changed while it was read). Records are not re-validated
against the schema on load (they were before they were stored; jsonschema would cost
half the budget of a cached rebuild).

**Bounds**: after a build, entries beyond ``max_bytes`` are deleted oldest first by
mtime, and a hit touches its entry: least recently used goes first. Only files named
like entries are ever deleted (``--cache-dir`` may be any folder). A cache folder that
cannot be created or written costs nothing but one warning (:attr:`SourceCache.warning`):
the build goes on without storing; hits are still served from a readable one.
"""
from __future__ import annotations

import base64
import dataclasses
import gzip
import hashlib
import json
import os
import re
import stat
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

import qbank
from extract.furniture import Removal
from ingest.limits import MB
from qbank.cache_key import (
    code_fingerprint,
    file_sha256,
    library_versions,
    options_fingerprint,
    rules_fingerprint,
)
from qbank.extractors import Extraction, Options

ENTRY_FORMAT = "qbank-source-cache"
#: layout of an entry file; bump when it changes (old entries then read as foreign)
ENTRY_LAYOUT = 1
DEFAULT_MAX_MB = 512
_ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.json\.gz")
_TMP_NAME = re.compile(r"\.[0-9a-f]{64}\.json\.gz\..+\.tmp")
#: a temp file older than this is what a killed build left: removed by eviction
_STALE_TMP_SECONDS = 3600


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/qbank``, else ``~/.cache/qbank`` (a relative XDG_CACHE_HOME is
    ignored, as the XDG spec says)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "qbank"


# -- entries -------------------------------------------------------------------------------

def encode_extraction(extraction: Extraction) -> dict[str, Any]:
    """Every field of an Extraction as JSON data (``removed`` as 4-item lists)."""
    data: dict[str, Any] = {}
    for item in dataclasses.fields(Extraction):
        value = getattr(extraction, item.name)
        if item.name == "removed":
            value = [[r.page, r.source_line, r.text, r.reason] for r in value]
        data[item.name] = value
    return data


def _is_list_of(value: Any, kind: type) -> bool:
    return isinstance(value, list) and all(isinstance(v, kind) for v in value)


def decode_extraction(data: Any, path: str, sha256: str) -> Extraction | None:
    """The Extraction an entry holds, or None when its shape is not one."""
    names = [item.name for item in dataclasses.fields(Extraction)]
    if not isinstance(data, dict) or sorted(data) != sorted(names):
        return None
    for name in ("questions", "knowledge", "corrections", "reading_order", "issues"):
        if not _is_list_of(data[name], dict):
            return None
    if not _is_list_of(data["warnings"], str) or not (data["ocr"] is None or isinstance(data["ocr"], dict)):
        return None
    for record in data["questions"] + data["knowledge"]:
        source = record.get("source")
        if not isinstance(source, dict) or source.get("path") != path or source.get("sha256") != sha256:
            return None
    removed = []
    for item in data["removed"]:
        if not (isinstance(item, list) and len(item) == 4 and isinstance(item[0], int)
                and isinstance(item[1], int) and isinstance(item[2], str) and isinstance(item[3], str)):
            return None
        removed.append(Removal(*item))
    return Extraction(**{**data, "removed": removed})


_MEDIA_PATH = re.compile(r"^media/([0-9a-f]{64})\.([a-z0-9]{2,5})$")


def _decode_media(data: Any) -> dict[str, bytes] | None:
    """path -> bytes of an entry's pictures, each checked against the hash its name
    carries; None when any is not what its name says."""
    if not isinstance(data, dict):
        return None
    files = {}
    for path, text in data.items():
        match = _MEDIA_PATH.match(path) if isinstance(path, str) else None
        if match is None or not isinstance(text, str):
            return None
        try:
            content = base64.b64decode(text, validate=True)
        except ValueError:
            return None
        if hashlib.sha256(content).hexdigest() != match.group(1):
            return None
        files[path] = content
    return files


def ocr_fits_budget(issues: list[dict[str, Any]], ocr: dict[str, Any] | None, budget: int) -> bool:
    """Would a source whose extraction gave these ``issues`` and this ``ocr`` summary give
    the same with ``budget`` OCR pages left? Yes when its OCR was not capped and its
    scanned pages fit ``budget`` (then every page was and would be OCR'd). Also decides
    whether a source read in parallel, before its allowance was known, stands
    (:mod:`qbank.batch`)."""
    if any(issue.get("flag") == "ocr_pages_capped" for issue in issues):
        return False
    pages = (ocr or {}).get("pages") or []
    return isinstance(pages, list) and len(pages) <= budget


def _fits_budget(entry: dict[str, Any], budget: int) -> bool:
    """Does the entry hold what a build with ``budget`` OCR pages left would give? Yes when
    it was built with that budget, or when :func:`ocr_fits_budget`."""
    if entry.get("ocr_budget") == budget:
        return True
    extraction = entry["result"]["extraction"]
    return ocr_fits_budget(extraction["issues"], extraction["ocr"], budget)


class SourceCache:
    """One cache folder, for one build (counts, the first warning)::

        key = cache.key(path, name, options)          # None: not cacheable, extract it
        fields = cache.load(key, options) if key else None
        ...
        cache.store(key, result, options)
        cache.evict()                                 # after the build
    """

    def __init__(self, directory: Path, max_bytes: int = DEFAULT_MAX_MB * MB):
        self.directory = Path(directory)
        self.max_bytes = max(0, int(max_bytes))
        self.hits = self.misses = self.stored = self.evicted = 0
        #: the first thing that went wrong writing the cache (said once, by the caller)
        self.warning: str | None = None
        self._writable: bool | None = None

    def key(self, path: Path, name: str, options: Options, media: bool = True) -> dict[str, Any] | None:
        """``media``: the build keeps pictures (records name ``media/`` files, which the
        entry then holds too)."""
        sha = file_sha256(path, options.limits.max_input_bytes)
        if sha is None:
            return None
        return {"format": ENTRY_FORMAT, "layout": ENTRY_LAYOUT, "qbank": qbank.__version__,
                "python": "%d.%d" % sys.version_info[:2], "code": code_fingerprint(),
                "rules": rules_fingerprint(), "libraries": library_versions(),
                "options": options_fingerprint(options), "media": media, "path": name, "sha256": sha}

    def entry_path(self, key: dict[str, Any]) -> Path:
        text = json.dumps(key, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
        return self.directory / f"{hashlib.sha256(text.encode('ascii')).hexdigest()}.json.gz"

    def load(self, key: dict[str, Any], options: Options) -> dict[str, Any] | None:
        """``sha256``, ``format``, ``pages`` and ``extraction`` of a trusted entry, or None."""
        fields = self._read(self.entry_path(key), key, options.limits.max_ocr_pages)
        if fields is None:
            self.misses += 1
        else:
            self.hits += 1
        return fields

    def _read(self, path: Path, key: dict[str, Any], budget: int) -> dict[str, Any] | None:
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
            entry = json.loads(gzip.decompress(raw).decode("utf-8", "surrogatepass"))
        except (OSError, EOFError, zlib.error, UnicodeError, ValueError, RecursionError):
            return None  # missing, unreadable, torn, truncated, not gzip, not JSON
        del raw
        try:
            if (entry.get("format") != ENTRY_FORMAT or entry.get("layout") != ENTRY_LAYOUT
                    or entry.get("key") != key or not _fits_budget(entry, budget)):
                return None
            result = entry["result"]
            if not (isinstance(result.get("format"), str) and isinstance(result.get("pages"), int)
                    and result.get("sha256") == key["sha256"]):
                return None
            extraction = decode_extraction(result.get("extraction"), key["path"], key["sha256"])
        except (AttributeError, KeyError, TypeError):
            return None
        if extraction is None:
            return None
        media = _decode_media(result.get("media", {}))
        if media is None:
            return None
        try:
            os.utime(path)  # least recently used goes first
        except OSError:
            pass
        return {"sha256": result["sha256"], "format": result["format"], "pages": result["pages"],
                "extraction": extraction, "media_files": media}

    def store(self, key: dict[str, Any] | None, result: Any, options: Options,
              media: dict[str, bytes] | None = None) -> None:
        """Write ``result`` (a SourceResult) under ``key``, with the bytes of the ``media/``
        files its records name: not when it failed, nor when its sha256 is not the key's
        (the file changed while it was read)."""
        if key is None or result.error or result.sha256 != key["sha256"] or not self._can_write():
            return
        entry = {"format": ENTRY_FORMAT, "layout": ENTRY_LAYOUT, "key": key,
                 "ocr_budget": options.limits.max_ocr_pages,
                 "result": {"sha256": result.sha256, "format": result.format, "pages": result.pages,
                            "extraction": encode_extraction(result.extraction),
                            "media": {path: base64.b64encode(data).decode("ascii")
                                      for path, data in sorted((media or {}).items())}}}
        try:
            text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError):  # a field that is not JSON data: not cacheable
            return
        data = gzip.compress(text.encode("utf-8", "surrogatepass"), compresslevel=1, mtime=0)
        del text
        if self._write(self.entry_path(key), data):
            self.stored += 1

    def load_blob(self, key: dict[str, Any]) -> Any:
        """JSON data stored by :meth:`store_blob` under exactly ``key``, or None (missing,
        damaged, or another key's)."""
        path = self.entry_path(key)
        try:
            with open(path, "rb") as handle:
                entry = json.loads(gzip.decompress(handle.read()).decode("utf-8", "surrogatepass"))
        except (OSError, EOFError, zlib.error, UnicodeError, ValueError, RecursionError):
            return None
        if not isinstance(entry, dict) or entry.get("key") != key or "data" not in entry:
            return None
        try:
            os.utime(path)
        except OSError:
            pass
        return entry["data"]

    def store_blob(self, key: dict[str, Any], data: Any) -> None:
        """Keep JSON ``data`` under ``key`` (a result computed from the whole corpus: the
        enrichment), beside the source entries and evicted with them."""
        if not self._can_write():
            return
        try:
            text = json.dumps({"key": key, "data": data}, ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError):
            return
        self._write(self.entry_path(key),
                    gzip.compress(text.encode("utf-8", "surrogatepass"), compresslevel=1, mtime=0))

    def _write(self, target: Path, data: bytes) -> bool:
        """``data`` into ``target`` atomically (temp file, rename); False when not written."""
        if len(data) > self.max_bytes:
            return False
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=self.directory)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            self._fail(f"cannot write to {self.directory}: {exc.strerror or exc}")
            return False
        return True

    def _can_write(self) -> bool:
        if self._writable is None:
            try:
                self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._writable = True
            except OSError as exc:
                self._fail(f"cannot create {self.directory}: {exc.strerror or exc}")
        return bool(self._writable)

    def _fail(self, why: str) -> None:
        self._writable = False  # no second try, no second warning
        if self.warning is None:
            self.warning = f"cache: {why}; building without storing results (--no-cache to silence)"

    def evict(self) -> None:
        """Delete entries, least recently used first, until they fit ``max_bytes``; and
        temp files killed builds left (older than an hour)."""
        entries = []
        now = time.time()
        try:
            with os.scandir(self.directory) as listing:
                for item in listing:
                    try:
                        if _ENTRY_NAME.fullmatch(item.name):
                            st = item.stat(follow_symlinks=False)
                            if stat.S_ISREG(st.st_mode):
                                entries.append((st.st_mtime_ns, item.name, st.st_size))
                        elif _TMP_NAME.fullmatch(item.name) and now - item.stat().st_mtime > _STALE_TMP_SECONDS:
                            os.unlink(item.path)
                    except OSError:
                        continue
        except OSError:
            return
        total = sum(size for _, _, size in entries)
        for _, name, size in sorted(entries):
            if total <= self.max_bytes:
                break
            try:
                os.unlink(self.directory / name)
            except FileNotFoundError:
                pass
            except OSError:
                continue
            total -= size
            self.evicted += 1
