"""The traffic table's key layout, spelled once: the connector writes these keys (`traffic_datex2/store.py`), the
service and the tile projections read them (`reader.py`).

- `EVENT#<situation id>#<record id>` / `PROFILE`: the whole event;
- `EVENT#...` / `IX#COMMUNE#<insee>`, `IX#CELL#<geohash>`, `IX#ALL`: index entries (small summaries), found by
  `by_area` (`gsi2pk` = `COMMUNE#<insee>` or `ALL`) and `by_cell` (`gsi1pk` = `CELL#<geohash>`);
- `FEED#traffic-datex2` / `STATE` and `RUN#...`: the connector's run log (`poche_common.feeds`).
"""

from __future__ import annotations

CONNECTOR = "traffic-datex2"
PROFILE = "PROFILE"
ALL = "ALL"  # the by_area partition holding every event of the département
BY_AREA, BY_CELL = "by_area", "by_cell"
AREA_PK, AREA_SK = "gsi2pk", "gsi2sk"  # the attributes of the `by_area` index (sort key: the event id)
CELL_PK, CELL_SK = "gsi1pk", "gsi1sk"  # ... and of the `by_cell` index


def event_pk(situation_id: str, record_id: str) -> str:
    return f"EVENT#{situation_id}#{record_id}"


def commune_partition(insee: str) -> str:
    """`gsi2pk` of the events touching a commune (index `by_area`)."""
    return f"COMMUNE#{insee}"


def cell_partition(cell: str) -> str:
    """`gsi1pk` of the events crossing a geohash cell (index `by_cell`)."""
    return f"CELL#{cell}"


def index_sk(partition: str) -> str:
    """The sort key of an event's index entry in `partition` (`IX#COMMUNE#61001`, `IX#CELL#u0b2c`, `IX#ALL`)."""
    return f"IX#{partition}"
