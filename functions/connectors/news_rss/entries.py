"""The `news-rss` connector's source value: comma-separated `<tag>=<url>` entries, the tag being `general` (news of
the whole département) or the INSEE code of a commune of the territory:
`general=https://www.orne.fr/rss.xml,61001=https://www.alencon.fr/actualites/rss`. The word `bundled` stands for the
two samples: `general=bundled,61001=bundled`."""

from __future__ import annotations

import re
from pathlib import Path

from news_shared.keys import GENERAL
from poche_common import communes, sources

from .model import FeedSource

SAMPLE_DIR = Path(__file__).parent / "sample"
SAMPLES = {GENERAL: SAMPLE_DIR / "orne-actualites.xml", "61001": SAMPLE_DIR / "alencon-actualites.xml"}
_TAG_RE = re.compile(r"^[0-9a-z]{1,12}\Z")


class ConfigurationError(ValueError):
    """A source entry that cannot be used: its feed is skipped and reported."""


def expand(entries: list[str]) -> list[str]:
    """The configured entries, `bundled` replaced by one entry per sample."""
    expanded: list[str] = []
    for entry in entries:
        if entry.strip() == sources.BUNDLED:
            expanded += [f"{tag}={sources.BUNDLED}" for tag in SAMPLES]
        else:
            expanded.append(entry.strip())
    return expanded


def shown(entry: str) -> str:
    """An entry safe to log and store: the tag as given when it looks like one, the URL without credentials."""
    tag, separator, url = entry.partition("=")
    if separator and _TAG_RE.match(tag.strip().lower()):
        return f"{tag.strip().lower()}={sources.describe(url.strip())}"
    return sources.describe(entry)


def parse_entry(entry: str) -> FeedSource:
    """`<tag>=<url>` -> FeedSource; `ConfigurationError` (French reason) when unusable."""
    tag, separator, url = entry.partition("=")
    tag, url = tag.strip().lower(), url.strip()
    if not separator or not _TAG_RE.match(tag) or not url:
        raise ConfigurationError(
            f"Entrée de configuration « {shown(entry)} » invalide : attendu <étiquette>=<url>, l'étiquette étant "
            "« general » ou le code INSEE d'une commune."
        )
    commune = communes.get(tag) if tag != GENERAL else None
    if tag != GENERAL and commune is None:
        raise ConfigurationError(
            f"Étiquette « {tag} » inconnue : ni « general » ni le code INSEE d'une commune du territoire ; flux ignoré."
        )
    if url == sources.BUNDLED and tag not in SAMPLES:
        raise ConfigurationError(f"Aucun exemple embarqué pour l'étiquette « {tag} » ; flux ignoré.")
    tag = commune.insee if commune is not None else GENERAL
    return FeedSource(tag=tag, url=url, shown=f"{tag}={sources.describe(url)}")
