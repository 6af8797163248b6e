"""The key of a build-cache entry (:mod:`qbank.cache`): everything that can change what a
source gives. The package's code and the rule data hashed, the versions of the libraries
that shape output, the options and the Tesseract installation, and the file's own sha256."""
from __future__ import annotations

import dataclasses
import glob
import hashlib
import os
import re
import shutil
import stat
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import qbank
from qbank.extractors import Options

#: limits left out of the key (see the module docstring)
_KEYLESS_LIMITS = frozenset({"max_input_bytes", "timeout_per_source", "max_ocr_pages"})
#: distributions whose version can change what a source gives
_LIBRARIES = ("kiwipiepy", "kiwipiepy_model", "pymupdf", "python_docx", "lxml", "tesserocr",
              "pytesseract", "pillow", "langdetect", "wordfreq", "rapidfuzz", "ftfy",
              "markdown_it_py", "pyyaml")
_PACKAGES = ("ingest", "extract", "store", "qbank")
_REPO = Path(qbank.__file__).resolve().parent.parent


def _hash_files(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            data = b"\0unreadable"
        digest.update(path.relative_to(_REPO).as_posix().encode("utf-8", "surrogateescape") + b"\0")
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 over the package's Python files and JSON Schemas (≈0.5 MB, ≈3 ms)."""
    files = [p for package in _PACKAGES for p in (_REPO / package).rglob("*")
             if p.suffix == ".py" or (p.suffix == ".json" and p.parent.name == "schemas")]
    return _hash_files(sorted(files))


@lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """sha256 over the rule data ``extract/data/*.json``: editing a rule invalidates."""
    return _hash_files(sorted((_REPO / "extract" / "data").glob("*.json")))


@lru_cache(maxsize=1)
def library_versions() -> dict[str, str | None]:
    """Versions of :data:`_LIBRARIES` from the ``NAME-VERSION.dist-info`` folders on
    ``sys.path`` (first one wins, as for imports): one listing per path entry, ≈1 ms,
    where ``importlib.metadata`` takes 20 ms and imports nothing either."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                project, _, version = name[:-len(".dist-info")].partition("-")
                found.setdefault(re.sub(r"[-_.]+", "_", project).lower(), version)
    return {name: found.get(name) for name in _LIBRARIES}


@lru_cache(maxsize=4)
def tesseract_fingerprint(models_dir: str | None) -> list[list[Any]]:
    """Path, size and mtime of the ``tesseract`` binary and of the language models: OCR
    output changes with them, and a file built while Tesseract (or a model) was missing
    must be read again once it is installed. Cheap stats, no ``tesseract`` run."""
    binary = shutil.which("tesseract")
    folders = [models_dir] if models_dir else sorted(
        glob.glob("/usr/share/tesseract-ocr/*/tessdata") + glob.glob("/usr/share/tessdata")
        + glob.glob("/usr/local/share/tessdata") + glob.glob("/opt/homebrew/share/tessdata"))
    files = ([binary] if binary else []) + [f for folder in folders
                                            for f in sorted(glob.glob(os.path.join(folder, "*.traineddata")))]
    stamps = []
    for name in files:
        try:
            st = os.stat(name)
        except OSError:
            continue
        stamps.append([name, st.st_size, st.st_mtime_ns])
    return stamps


def options_fingerprint(options: Options) -> dict[str, Any]:
    """The part of the key that the options and the installation decide."""
    limits = {name: value for name, value in sorted(dataclasses.asdict(options.limits).items())
              if name not in _KEYLESS_LIMITS}
    return {"ocr_correction": bool(options.ocr_correction), "ocr_lang": options.ocr_lang,
            "tesseract": tesseract_fingerprint(os.environ.get("TESSDATA_PREFIX"))
            if options.ocr_lang is not None else None,
            "limits": limits}


def file_sha256(path: Path, max_bytes: int) -> str | None:
    """sha256 of a regular file's bytes, streamed (the file is not held in memory); None
    when it is not a regular file, is over ``max_bytes`` (the build will fail it) or
    cannot be read — the source then goes to the reader, which says why."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        with open(os.open(path, flags), "rb") as handle:
            st = os.fstat(handle.fileno())
            if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
                return None
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None
