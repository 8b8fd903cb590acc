"""Cinema sessions CSV (FORMAT.md) -> `Session`s.

Read as every CSV feed is (`poche_common.csvfeed`: UTF-16 with BOM, UTF-8 or Windows-1252, the separator of the
header line, quoted fields, errors in French). A header missing a required column is a `FeedFormatError` too
(nothing stored changes). A bad row is rejected with its (first) line number and reason; the others are kept:
among others a start outside 2000..2100 (`poche_common.bounds`; `0001-01-01 00:00` used to raise OverflowError and
stop the run). Names and titles are plain text (`poche_common.plaintext.plain`: no markup, even escaped, no control
character); too long, the row is rejected. Values quoted in a reason are cut (`poche_common.bounds.excerpt`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from poche_common import communes, csvfeed
from poche_common.bounds import check_moment, excerpt
from poche_common.clock import PARIS
from poche_common.plaintext import plain

REQUIRED = ("cinema_id", "cinema_name", "commune_insee", "film_title", "start", "version")
OPTIONAL = ("accessibility", "duration_min", "rating")
VERSIONS = ("VF", "VOST", "VO")
ACCESSIBILITY = ("audiodescription", "sous_titres_sourds", "pmr")
RATINGS = ("tous publics", "-10", "-12", "-16", "-18")
CINEMA_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}\Z")
START_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}\Z")
MAX_TITLE = 200
MAX_NAME = 120


@dataclass(frozen=True)
class Cinema:
    cinema_id: str
    name: str
    commune: str  # INSEE code


@dataclass(frozen=True)
class Session:
    cinema_id: str
    film_title: str
    start: dt.datetime  # aware, Europe/Paris
    version: str  # VF | VOST | VO
    accessibility: tuple[str, ...]  # codes of ACCESSIBILITY, sorted
    duration_min: int | None
    rating: str | None  # one of RATINGS

    @property
    def paris_date(self) -> dt.date:
        return self.start.astimezone(PARIS).date()


@dataclass
class Feed:
    cinemas: dict[str, Cinema] = field(default_factory=dict)
    sessions: list[Session] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    read: int = 0
    # The (cinema id, Paris date) of rejected rows, None when a rejected row does not say: those days keep
    # what is stored (a rejected row never deletes a session).
    unsure_days: set[tuple[str, dt.date] | None] = field(default_factory=set)


def _day_of(row: dict[str, str]) -> tuple[str, dt.date] | None:
    """What a rejected row still tells: its cinema and day, if both can be read."""
    try:
        cinema_id = row.get("cinema_id", "").strip().lower()
        start = parse_start(row.get("start", "").strip())
    except ValueError:
        return None
    return (cinema_id, start.astimezone(PARIS).date()) if cinema_id else None


def parse_start(raw: str) -> dt.datetime:
    if not START_RE.match(raw):
        raise ValueError(f"start « {excerpt(raw, 40)} » : attendu AAAA-MM-JJ HH:MM")
    try:
        naive = dt.datetime.strptime(raw, "%Y-%m-%d %H:%M")
    except ValueError:
        raise ValueError(f"start « {raw} » n'est pas une date et heure valide") from None
    moment = naive.replace(tzinfo=PARIS)
    utc = check_moment(moment, f"start « {raw} »")
    if utc.astimezone(PARIS).replace(tzinfo=None) != naive:
        raise ValueError(f"start « {raw} » n'existe pas à Paris (changement d'heure)")
    return moment


def parse_row(row: dict[str, str]) -> tuple[Cinema, Session]:
    """One row; ValueError with a reason for people when it cannot be used."""
    cinema_id = row["cinema_id"].lower()
    if not CINEMA_ID_RE.match(cinema_id):
        raise ValueError(
            f"cinema_id « {excerpt(row['cinema_id'], 40)} » : lettres minuscules, chiffres, - ou _, 32 au plus"
        )
    name = plain(row["cinema_name"], MAX_NAME + 1).strip()
    if not name or len(name) > MAX_NAME:
        raise ValueError("cinema_name vide ou trop long")
    commune = row["commune_insee"].upper()
    if communes.get(commune) is None:
        raise ValueError(f"commune_insee « {excerpt(row['commune_insee'], 20)} » n'est pas une commune du territoire")
    title = plain(re.sub(r"\s+", " ", row["film_title"][: MAX_TITLE * 4]), MAX_TITLE + 1).strip()
    if not title or len(title) > MAX_TITLE:
        raise ValueError("film_title vide ou trop long")
    start = parse_start(row["start"])
    version = row["version"].upper()
    if version not in VERSIONS:
        raise ValueError(f"version « {excerpt(row['version'], 20)} » : VF, VOST ou VO")
    codes = [c.strip().lower() for c in re.split(r"[;|]", row.get("accessibility", "")) if c.strip()]
    unknown = [c for c in codes if c not in ACCESSIBILITY]
    if unknown:
        shown = excerpt(", ".join(unknown), 60)
        raise ValueError(f"accessibility « {shown} » inconnu ; valeurs : {', '.join(ACCESSIBILITY)}")
    raw_duration = row.get("duration_min", "")
    duration: int | None = None
    if raw_duration:
        if not re.fullmatch(r"[0-9]{1,3}", raw_duration) or not 1 <= int(raw_duration) <= 600:
            raise ValueError(f"duration_min « {excerpt(raw_duration, 20)} » : minutes, de 1 à 600")
        duration = int(raw_duration)
    rating = row.get("rating", "").lower() or None
    if rating is not None and rating not in RATINGS:
        raise ValueError(f"rating « {excerpt(row['rating'], 20)} » : {', '.join(RATINGS)}")
    session = Session(cinema_id, title, start, version, tuple(sorted(set(codes))), duration, rating)
    return Cinema(cinema_id, name, commune), session


def parse_feed(data: bytes) -> Feed:
    csv_file = csvfeed.CsvFile(data)
    header = [h.strip().lower() for h in csv_file.header]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise csvfeed.missing_columns(missing, csv_file.header)
    feed = Feed()
    for line, values in csv_file.rows:
        feed.read += 1
        if len(values) != len(header):
            feed.rejected.append((line, f"{len(values)} colonnes au lieu de {len(header)}"))
            feed.unsure_days.add(None)
            continue
        row = {name: value.strip() for name, value in zip(header, values, strict=True)}
        try:
            cinema, session = parse_row(row)
        except ValueError as exc:
            feed.rejected.append((line, str(exc)))
            feed.unsure_days.add(_day_of(row))
            continue
        known = feed.cinemas.get(cinema.cinema_id)
        if known is not None and known != cinema:
            feed.rejected.append((line, f"cinema_id « {cinema.cinema_id} » déjà décrit autrement plus haut"))
            feed.unsure_days.add((cinema.cinema_id, session.paris_date))
            continue
        feed.cinemas[cinema.cinema_id] = cinema
        feed.sessions.append(session)
    return feed
