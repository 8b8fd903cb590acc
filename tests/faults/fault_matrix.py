"""The fault matrix: every fault, what a connector must do under it, and which (connector, fault) cells exist.

A cell exists for every connector and every fault, unless the connector's descriptor says why that fault cannot
apply to its format (`Connector.not_applicable`): such a cell is listed in `exclusions()` with its reason and has
its own (passing, never skipped) test proving the reason is written down; `test_every_cell_is_tested_or_excused`
keeps the two lists complete.

What each kind of fault expects (see test_connector_fault_matrix.py for the assertions):
- `unusable`: the run is recorded as failed (FEED#<connector>/STATE last_run, one more RUN# item), the
  ConnectorRunFailed metric is 1, and nothing stored changes (the table equals the snapshot of the last good run but
  for the run records: RUN# items and STATE's last_run);
- `partial` (from an empty table): the run succeeds, RowsRejected counts the spoiled item (an over-long id may
  instead be hashed into its key: then it need not be rejected, only kept out of every key), every item of the good
  run lands but the spoiled one, and its hostile value (date, id) is stored nowhere but in the run's report;
- `contained` (from the last good run): the run is recorded whichever way it goes; failed, nothing changes;
  succeeded, every item of the good run is still there and nothing hostile (an expanded entity, a file's content)
  is stored;
- `redirect`: the other host never sees the credentials of the source URL; the run is recorded; nothing stored
  changes (the other host serves the same good data).
Every cell also checks that the source's password is neither logged nor stored, and the run's metrics (EMF).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import fault_formats as ff
import fault_servers as fs
from fault_connectors import CONNECTORS, Connector, Mutation, NotApplicable

CREDENTIALS = "poche-user:fault-s3cret"
FETCH_DEADLINE_S = 0.5  # forced on every fetch of the matrix (sources.fetch's `timeout`), so a timeout costs 0.5 s
HUGE_DEADLINE_S = 10.0  # a huge body must be refused for its size, not cut by the deadline
TIME_LIMIT_S = 2.5  # a held or dripping answer lasts fs.MAX_HOLD_S (3.5 s): a run ending later had no deadline


@dataclass(frozen=True)
class Fault:
    id: str
    expect: str  # unusable | partial | contained | redirect
    what: str
    mutator: str | None = None  # the Connector attribute that spoils the good sample for this fault


FAULTS: tuple[Fault, ...] = (
    Fault("timeout", "unusable", "the server accepts the request and never answers"),
    Fault("drip_feed", "unusable", "200, then one byte every 50 ms: every read is quick, the download endless"),
    Fault("http_5xx", "unusable", "503 with an HTML error page"),
    Fault("redirect_other_host", "redirect", "302 to another host (localhost:<other port>) serving the good sample"),
    Fault("empty_body", "unusable", "200 with an empty body"),
    Fault("truncated_body", "unusable", "Content-Length of the whole sample, connection closed at half (a line end)"),
    Fault("wrong_format", "unusable", "200 with an HTML maintenance page"),
    Fault("malformed_items", "partial", "one item malformed among good ones", "malformed"),
    Fault("dates_out_of_range", "partial", "one item dated year 0001 (OverflowError territory)", "out_of_range_date"),
    Fault("deep_nesting", "contained", "one item nested 100,000 levels deep", "deep_nesting"),
    Fault("huge_body", "unusable", "the good sample padded past the connector's max_bytes, streamed, no length"),
    Fault("decompression_bomb", "unusable", "~1 MiB on the wire inflating past every limit (gzip, or zip for GTFS)"),
    Fault("xml_entities", "contained", "a DOCTYPE with billion laughs and an external entity", "xml_entities"),
    Fault("over_long_ids", "partial", "one item whose id is 1,500 characters long", "over_long_id"),
)
FAULTS_BY_ID = {fault.id: fault for fault in FAULTS}


@dataclass(frozen=True)
class Cell:
    connector: Connector
    fault: Fault

    @property
    def id(self) -> str:
        return f"{self.connector.name}-{self.fault.id}"


@dataclass(frozen=True)
class Exclusion:
    connector: Connector
    fault: Fault
    why: NotApplicable

    @property
    def id(self) -> str:
        return f"{self.connector.name}-{self.fault.id}-not-applicable-{self.why.slug}"


def cells() -> list[Cell]:
    return [Cell(c, f) for c in CONNECTORS for f in FAULTS if f.id not in c.not_applicable]


def exclusions() -> list[Exclusion]:
    return [Exclusion(c, FAULTS_BY_ID[f], why) for c in CONNECTORS for f, why in c.not_applicable.items()]


# ---------------------------------------------------------------- what the servers answer, per fault


@dataclass
class Plan:
    source: str  # the POCHE_SOURCE_ value
    mutation: Mutation | None = None
    time_limit_s: float | None = None
    deadline_s: float = FETCH_DEADLINE_S
    path: str = ""  # the requests of this cell start with it (on either server)
    other_path: str = ""  # on `elsewhere`, for a redirect


def default_bomb(good: bytes, module: Any) -> tuple[bytes, dict[str, str]]:
    return ff.gzip_bomb(), {"Content-Type": "application/octet-stream", "Content-Encoding": "gzip"}


def plan(cell: Cell, servers: fs.Servers, good: bytes, module: Any) -> Plan:
    """Registers what the servers answer for this cell; returns how to point the connector at it."""
    connector, fault = cell.connector, cell.fault
    path = servers.path(cell.id)
    url = servers.origin.url(path + "feed", CREDENTIALS)
    result = Plan(connector.source(url), path=path)
    behaviour: fs.Behaviour
    if fault.mutator is not None:
        spoil: Callable[[bytes], Mutation] | None = getattr(connector, fault.mutator)
        assert spoil is not None, f"{connector.name} has no {fault.mutator} and no reason why"
        result.mutation = spoil(good)
        behaviour = fs.serve(result.mutation.payload, headers={"Content-Type": connector.content_type})
    elif fault.id == "timeout":
        behaviour = fs.hold()
        result.time_limit_s = TIME_LIMIT_S
    elif fault.id == "drip_feed":
        behaviour = fs.drip(good, connector.content_type)
        result.time_limit_s = TIME_LIMIT_S
    elif fault.id == "http_5xx":
        behaviour = fs.serve(ff.MAINTENANCE_PAGE, 503, {"Content-Type": "text/html", "Retry-After": "120"})
    elif fault.id == "redirect_other_host":
        other = servers.path(cell.id + "-elsewhere")
        servers.elsewhere.routes[other] = fs.serve(good, headers={"Content-Type": connector.content_type})
        behaviour = fs.redirect(servers.elsewhere.url(other + "feed"))
        result.other_path = other
    elif fault.id == "empty_body":
        behaviour = fs.serve(b"", headers={"Content-Type": connector.content_type})
    elif fault.id == "truncated_body":
        behaviour = fs.truncated(good, ff.truncation_point(good), connector.content_type)
    elif fault.id == "wrong_format":
        behaviour = fs.serve(ff.MAINTENANCE_PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
    elif fault.id == "huge_body":
        behaviour = fs.huge(good, connector.max_bytes + fs.CHUNK, connector.content_type)
        result.deadline_s = HUGE_DEADLINE_S
    elif fault.id == "decompression_bomb":
        body, headers = (connector.bomb or default_bomb)(good, module)
        behaviour = fs.serve(body, headers=headers)
    else:  # pragma: no cover - a fault added to FAULTS without its plan
        raise AssertionError(f"no plan for fault {fault.id}")
    servers.origin.routes[path] = behaviour
    return result
