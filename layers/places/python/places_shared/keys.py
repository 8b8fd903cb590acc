"""The key layout of the places table, in one place for its writers (the places connectors) and its readers (the
places service, the tile projections). No I/O, no boto3.

    pk = PLACE#<place id>   sk = PLACE        a place (`<source>:<source id>`): category, name, commune, lat/lon,
                                              address, hours, contact, accessibility, source, licence, digest;
                                              index `by_cell` (gsi1pk = CELL#<geohash 5>, gsi1sk = <category>#<id>),
                                              index `by_area` (gsi2pk = AREA#<geohash 4>, same sort key): the places
                                              near a point, small and large radii; index `by_commune` (gsi3pk =
                                              COMMUNE#<INSEE>, gsi3sk = <category>#<name key>#<id>); index
                                              `by_origin` (gsi4pk = ORIGIN#<connector>, gsi4sk = <id>): a
                                              connector's own places, for its diff
    pk = PLACE#<place id>   sk = LIVE         its live availability (bikes and docks, free places, chargers), with
                                              `observed_at` and `expires_at` (TTL): past it, there is none
    pk = FEED#<connector>   sk = STATE | RUN#...   the feed state (`poche_common.feeds`)
    pk = OUTBOX             sk = <event id>        the domain's outbox (`poche_common.outbox`)
"""

from __future__ import annotations

import unicodedata

PLACE = "PLACE"
LIVE = "LIVE"
BY_CELL_INDEX, BY_AREA_INDEX, BY_COMMUNE_INDEX = "by_cell", "by_area", "by_commune"
BY_CELL_PK, BY_CELL_SK = "gsi1pk", "gsi1sk"
BY_AREA_PK, BY_AREA_SK = "gsi2pk", "gsi2sk"
BY_COMMUNE_PK, BY_COMMUNE_SK = "gsi3pk", "gsi3sk"
BY_ORIGIN_INDEX = "by_origin"
BY_ORIGIN_PK, BY_ORIGIN_SK = "gsi4pk", "gsi4sk"
CELL_PRECISION = 5  # geohash cells of about 3.2 x 4.9 km at the Orne's latitude
AREA_PRECISION = 4  # ... and of about 26 x 19.5 km, for the larger radii


def place_pk(place_id: str) -> str:
    return f"PLACE#{place_id}"


def place_id(source: str, source_id: str) -> str:
    """A place's public id: `<source>:<source id>` (e.g. `finess:610000051`, `gbfs-alencon:st-12`)."""
    return f"{source}:{source_id}"


def cell_gsi(cell: str) -> str:
    return f"CELL#{cell}"


def area_gsi(area: str) -> str:
    return f"AREA#{area}"


def commune_gsi(insee: str) -> str:
    return f"COMMUNE#{insee}"


def category_sk(category: str, place_id: str) -> str:
    return f"{category}#{place_id}"


def name_key(name: str) -> str:
    """Accent- and case-insensitive sort key of a name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(ascii_name.lower().split())


def origin_gsi(connector: str) -> str:
    return f"ORIGIN#{connector}"


def commune_sk(category: str, name: str, place_id: str) -> str:
    return f"{category}#{name_key(name)}#{place_id}"
