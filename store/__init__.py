"""Owns the records: schema, stable ids, validation, deterministic atomic writing, manifest."""
