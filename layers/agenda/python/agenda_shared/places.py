"""Reading an event's place, shared by the event connectors' parsers (`agenda-openagenda`, `agenda-datatourisme`).

Imported by the parsers only (not by the service `agenda`): `poche_common.communes` is already on the
connectors' import path, not on the service's.
"""

from __future__ import annotations

import re
from typing import Any

from poche_common import communes

INSEE_RE = re.compile(r"^([013-9][0-9]|2[AB1-9])[0-9]{3}\Z")
POSTCODE_RE = re.compile(r"^[0-9]{5}\Z")


def commune_of(insee: str | None, postcode: str | None) -> str | None:
    """The INSEE code of the event's commune: `insee` when well formed (upper case), else the one commune of a
    postcode (None when the postcode names none or several)."""
    if insee and INSEE_RE.match(insee.upper()):
        return insee.upper()
    if postcode and POSTCODE_RE.match(postcode):
        candidates = communes.search(postcode)
        if len(candidates) == 1:
            return candidates[0].insee
    return None


def bounded_number(value: Any, bound: float) -> float | None:
    """A number (or a string holding one) from -`bound` to `bound`; None for anything else (booleans too)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if -bound <= number <= bound else None


def scalar_text(value: Any) -> str | None:
    """A string as is, a number as its string; None for anything else (booleans, lists, objects, None)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else None
