"""Extractors: work on :class:`ingest.Document` objects only (cleaning, structure, questions)."""
