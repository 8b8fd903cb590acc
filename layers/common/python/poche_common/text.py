"""Text keys for matching what people type against what feeds say."""

from __future__ import annotations

import re
import unicodedata

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Accent-, case- and punctuation-insensitive key: `Hors-d'Œuvre ` -> `hors d oeuvre` (ligatures expanded,
    anything but letters and digits one space)."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    bare = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
    return _NOT_ALNUM.sub(" ", bare).strip()


def fold_decomposed(text: str) -> str:
    """`fold` with compatibility forms decomposed before lower-casing: `№ 2` -> `no 2`, `ᴬ` -> `a` (`fold` drops
    these 492 code points whose decomposition is a capital). The keys stored from names are made this way (canteen
    ids `x-<slug>`, stop names `name_key`): changing it would move them."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    bare = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
    return _NOT_ALNUM.sub(" ", bare.lower()).strip()
