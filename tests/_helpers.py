"""Shared test helpers (import as ``from _helpers import ...``; tests/ is on sys.path)."""

from __future__ import annotations

import json
from typing import Any

import sixsigma as ss


def assert_round_trip(result: Any) -> Any:
    """Assert the JSON round trip of a result: same type, same payload, equal result.

    Returns the result read back.
    """
    payload = result.to_dict()
    text = json.dumps(payload, allow_nan=False)
    again = ss.from_dict(json.loads(text))
    assert type(again) is type(result)
    assert again.to_dict() == payload
    assert again == result
    return again
