"""PyMuPDF, imported without its layout analyser and its Markdown converter.

PyMuPDF 2 requires ``pymupdf_layout`` and ``pymupdf4llm`` and imports both with itself
when they are installed; they load an ONNX layout model with onnxruntime and numpy:
0.26 s of the 0.37 s ``import pymupdf`` costs, paid again by every worker process of a
parallel build. qbank reads pages with ``get_text`` and drawings and never asks for
layout analysis or Markdown (``Page.get_layout``, ``find_tables``, ``to_markdown``), so
the first import blocks those packages the way Python blocks a module (a ``None`` in
``sys.modules``): PyMuPDF takes its own path for a package that is not installed. The
blocks are lifted at once, so code of the same process that wants them can still import
them (``import pymupdf.layout`` activates the analyser).
"""
from __future__ import annotations

import sys
from types import ModuleType

#: imported by ``import pymupdf`` when installed, never used by qbank
OPTIONAL_PARTS = ("pymupdf.layout", "pymupdf4llm")


#: the module once loaded (and quieted) here
_loaded: ModuleType | None = None


def load_pymupdf() -> ModuleType:
    """The ``pymupdf`` module (imported without :data:`OPTIONAL_PARTS` if not imported
    yet), MuPDF's own messages off (:func:`quiet`). Called on every page read: after the
    first call, one global look-up."""
    global _loaded
    if _loaded is None:
        _loaded = sys.modules.get("pymupdf") or _import()
        quiet(_loaded)
    return _loaded


def _import() -> ModuleType:
    blocked = [name for name in OPTIONAL_PARTS if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import pymupdf
    finally:
        for name in blocked:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
    return pymupdf


def quiet(pymupdf: ModuleType) -> None:
    """MuPDF prints its errors and warnings on stderr as it meets them (``MuPDF error:
    zlib error: invalid distance too far back``, bytes of a broken content stream in
    them); qbank reports a broken file itself, in one line naming it, and a page it
    could not read as an issue. Until PyMuPDF was imported without pymupdf4llm, that
    package's import switched them off, as a side effect."""
    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
