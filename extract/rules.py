"""Loading of the language/source rule tables kept as data files in ``extract/data``."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=None)
def load_rules(name: str) -> dict[str, Any]:
    """Read ``extract/data/<name>.json`` (shipped inside the package)."""
    text = resources.files("extract").joinpath("data", f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=None)
def compiled(name: str, key: str) -> re.Pattern[str]:
    """The regex stored under ``key`` of rule file ``name``, compiled case-insensitively."""
    return re.compile(load_rules(name)[key], re.IGNORECASE)
