"""Readers: turn an input file into a neutral :class:`~ingest.document.Document`.

Readers know nothing about questions; they only keep text with its provenance.
"""
from ingest.document import Document, Line, Page
from ingest.registry import IngestError, read_document

__all__ = ["Document", "Line", "Page", "IngestError", "read_document"]
