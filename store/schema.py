"""The JSON Schemas shipped with the package, and validation against them.

Every record is validated before it is written: a record that breaks the contract is a
bug in an extractor, and it must stop that source's output, not reach a quiz app.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

SCHEMAS = {"question": "question.schema.json", "knowledge": "knowledge.schema.json"}


class RecordInvalid(ValueError):
    """A record does not match its JSON Schema."""


@lru_cache(maxsize=None)
def load_schema(kind: str) -> dict[str, Any]:
    text = resources.files("store").joinpath("schemas", SCHEMAS[kind]).read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=None)
def _validator(kind: str):  # jsonschema is imported only when records are written
    from jsonschema import Draft202012Validator

    schema = load_schema(kind)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def validate(kind: str, record: dict[str, Any]) -> None:
    """Raise :class:`RecordInvalid` naming the record and the first problem."""
    error = next(iter(_validator(kind).iter_errors(record)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(record)"
        raise RecordInvalid(f"{kind} record {record.get('id')!r}: {where}: {error.message}")
