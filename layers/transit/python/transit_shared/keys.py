"""Keys of the transit table that its writers (the transit connectors) and readers (the service) must agree on.

`name_key` is the sort key of the `by_list` index for stops (`gsi2sk`), written by the `transit-gtfs` connector;
the service folds the `q` of a stop search the same way, so a prefix of a name finds it.

It is not `poche_common.text.fold`: that one lowers before decomposing, so letters whose compatibility form is a
capital (`№`, `™`, `ℌ`, `ᴬ`: 492 code points) are dropped there and kept here; stored keys are made this way.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def name_key(name: str) -> str:
    """Accent-, case- and punctuation-insensitive key: `Sées - Cathédrale` -> `sees cathedrale`."""
    name = name.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    bare = "".join(char for char in unicodedata.normalize("NFKD", name) if not unicodedata.combining(char))
    return _NOT_ALNUM.sub(" ", bare.lower()).strip()
