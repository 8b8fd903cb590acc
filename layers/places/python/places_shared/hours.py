"""Opening hours in the OSM `opening_hours` syntax: parse, is it open at a moment, when does that change.

The subset French open data uses (IRVE `horaires`, DATAtourisme, OpenStreetMap):

- `24/7`; `open`, `off` and `closed` (same as `off`) alone or after the selectors;
- months: `Jan`, `Jan-Mar`, `Nov-Feb` (wraps around the year), lists `Jan,Jul-Aug`;
- weekdays: `Sa`, `Mo-Fr`, `Fr-Mo` (wraps around the week), lists `Mo,We,Fr`, and `PH` (French public holidays,
  `places_shared.holidays`) alone or in the list (`Mo-Fr,PH`);
- time spans `08:00-12:00,14:00-18:30`, `24:00` as an end, spans past midnight (`22:00-02:00`, or `22:00-26:00`);
  an `H:MM` hour is read as `0H:MM`, a colon between the days and the times (`Mo-Fr: 08:00-12:00`) is tolerated;
- rules separated by `;` (a later rule replaces what earlier rules said of the days it names), `,` before a new
  selector (an additional rule: it adds to the days it names instead of replacing) and `||` (a fallback rule: it
  applies only to the days no earlier rule named);
- comments in double quotes, ignored (kept in `Hours.text`).

Evaluation is on the wall clock of Europe/Paris (summer time included): `Mo 22:00-02:00` is open from Monday 22:00
to Tuesday 02:00. The night after a day belongs to that day: a later rule for Tuesday (`Tu off`, `PH off`) does
not cut it. A rule `off` with times (`We 12:00-14:00 off`) closes those times only; without times it closes the
whole day it names. On the last Sunday of October the hour 02:00-03:00 passes twice: both passes read the same
(`Su 02:00-02:30` is open during both); on the last Sunday of March it does not exist (`Su 02:30-05:00` opens at
03:00).

Refused with `HoursError` (a `ValueError` whose message says why, in French): anything else (dates and years,
`week`, `SH` school holidays, `easter`, nth weekday `Mo[1]`, sunrise/sunset, open ends `08:00+`, repeated
intervals `/`, points in time, the `unknown` state, a rule made only of a comment), malformed text, more than
`MAX_LENGTH` characters or `MAX_RULES` rules. `open_now` turns all of that into None: unknown, never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from places_shared.holidays import is_holiday
from poche_common.clock import PARIS

__all__ = ["MAX_LENGTH", "MAX_RULES", "NEXT_CHANGE_HORIZON", "Hours", "HoursError", "Rule", "open_now", "parse"]

MAX_LENGTH = 500
MAX_RULES = 50
NEXT_CHANGE_HORIZON = dt.timedelta(days=8)

DAY = 1440  # minutes
WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAY_INDEX = {name.lower(): index for index, name in enumerate(WEEKDAYS)}
_MONTH_INDEX = {name.lower(): index for index, name in enumerate(MONTHS, start=1)}
_MODIFIERS = {"open": True, "off": False, "closed": False}
_REFUSED_WORDS = {
    "sh": "les vacances scolaires (SH) ne sont pas prises en charge",
    "unknown": "l'état « unknown » n'est pas pris en charge",
    "week": "les numéros de semaine (week) ne sont pas pris en charge",
    "easter": "les dates liées à Pâques (easter) ne sont pas prises en charge",
    "sunrise": "les heures solaires (sunrise, sunset, dawn, dusk) ne sont pas prises en charge",
    "sunset": "les heures solaires (sunrise, sunset, dawn, dusk) ne sont pas prises en charge",
    "dawn": "les heures solaires (sunrise, sunset, dawn, dusk) ne sont pas prises en charge",
    "dusk": "les heures solaires (sunrise, sunset, dawn, dusk) ne sont pas prises en charge",
}
_KNOWN_WORDS = {*_WEEKDAY_INDEX, *_MONTH_INDEX, *_MODIFIERS, "ph"}
_FRENCH_DAYS = {"lu", "ma", "me", "je", "ve", "di", "lun", "mar", "mer", "jeu", "ven", "sam", "dim"}
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"})
_TOKEN = re.compile(
    r"""(?P<space>\s+)
    |(?P<comment>"[^"]*")
    |(?P<always>24/7)
    |(?P<time>[0-9]{1,2}:[0-9]{2}(?![0-9]))
    |(?P<number>[0-9]+)
    |(?P<word>[A-Za-z]+)
    |(?P<fallback>\|\|)
    |(?P<punct>[-,;:+/\[\]()])""",
    re.VERBOSE,
)

Separator = Literal["normal", "additional", "fallback"]
_SEPARATOR_TEXT: dict[Separator, str] = {"normal": "; ", "additional": ", ", "fallback": " || "}


class HoursError(ValueError):
    """Opening hours that are malformed or outside the supported subset (the message says which, in French)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: the days it names (months, weekdays, PH; None: any) and what it says of their times."""

    separator: Separator  # how it joins the rules before it ("normal" for the first)
    months: frozenset[int] | None  # 1-12
    weekdays: frozenset[int] | None  # 0 = Monday
    holiday: bool  # PH named among the weekdays
    spans: tuple[tuple[int, int], ...] | None  # minutes from the day's midnight, end > start (up to 2880)
    open: bool
    text: str

    def names(self, day: dt.date) -> bool:
        if self.months is not None and day.month not in self.months:
            return False
        if self.weekdays is None and not self.holiday:
            return True
        return (self.weekdays is not None and day.weekday() in self.weekdays) or (self.holiday and is_holiday(day))


_Intervals = list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Hours:
    """Parsed opening hours (`parse`): `text` is the normalised source."""

    text: str
    rules: tuple[Rule, ...]

    def open_at(self, moment: dt.datetime) -> bool:
        """Whether it is open at `moment` (timezone-aware; read on the wall clock of Europe/Paris)."""
        local = _paris(moment)
        owned = self._owned(local.date() - dt.timedelta(days=1), local.date())
        return _open_on_wall(owned, local)

    def next_change(self, moment: dt.datetime) -> dt.datetime | None:
        """When it next opens or closes after `moment` (Europe/Paris), within 8 days; None if it does not."""
        local = _paris(moment)
        horizon = moment + NEXT_CHANGE_HORIZON
        first, last = local.date() - dt.timedelta(days=1), horizon.astimezone(PARIS).date()
        owned = self._owned(first, last)
        state = _open_on_wall(owned, local)
        candidates: set[dt.datetime] = set(_offset_changes(local.date(), last))
        day = first
        while day <= last:
            midnight = dt.datetime.combine(day, dt.time())
            for start, end in owned[day]:
                for minutes in (start, end):
                    wall = midnight + dt.timedelta(minutes=minutes)
                    candidates.update(wall.replace(tzinfo=PARIS, fold=fold).astimezone(dt.UTC) for fold in (0, 1))
            day += dt.timedelta(days=1)
        for candidate in sorted(c for c in candidates if moment < c <= horizon):
            at = candidate.astimezone(PARIS)
            if _open_on_wall(owned, at) != state:
                return at
        return None

    def _owned(self, first: dt.date, last: dt.date) -> dict[dt.date, _Intervals]:
        """Open intervals of each day of [first, last], in minutes from its midnight (past 1440: the night after).

        A rule `off` with times acts on the day before and after too, so the rules run over one more day each side.
        """
        days = [first + dt.timedelta(days=n) for n in range(-1, (last - first).days + 2)]
        owned: dict[dt.date, _Intervals] = {day: [] for day in days}
        named: set[dt.date] = set()
        for rule in self.rules:
            for day in days:
                if not rule.names(day) or (rule.separator == "fallback" and day in named):
                    continue
                named.add(day)
                if rule.open:
                    spans = list(rule.spans or ((0, DAY),))
                    owned[day] = [*owned[day], *spans] if rule.separator == "additional" else spans
                elif rule.spans is None:
                    owned[day] = []
                else:
                    for shift in (-1, 0, 1):
                        near = day + dt.timedelta(days=shift)
                        if near in owned:
                            owned[near] = _subtract(owned[near], rule.spans, -shift * DAY)
        return owned


def parse(text: str) -> Hours:
    """Parse `opening_hours` text (see the module docstring for the subset); HoursError if it cannot."""
    if not isinstance(text, str):
        raise HoursError(f"les horaires doivent être un texte, pas {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise HoursError(f"horaires trop longs : {len(text)} caractères (au plus {MAX_LENGTH})")
    return _parse(text.translate(_DASHES))


def open_now(text: str | None, moment: dt.datetime) -> bool | None:
    """Whether it is open at `moment`; None when there are no hours or they cannot be read (unknown, not a guess).

    A naive `moment` is a programming error (ValueError), not an unknown.
    """
    if text is None or not text.strip():
        return None
    try:
        hours = parse(text)
    except HoursError:
        return None
    return hours.open_at(moment)


# ---------------------------------------------------------------- evaluation


def _paris(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: opening hours are evaluated at a timezone-aware moment")
    local = moment.astimezone(PARIS)
    if not 2 <= local.year <= 9997:
        raise ValueError(f"moment {moment.isoformat()} out of the supported range (years 2 to 9997)")
    return local


def _open_on_wall(owned: dict[dt.date, _Intervals], local: dt.datetime) -> bool:
    day = local.date()
    minute = local.hour * 60 + local.minute + local.second / 60
    return any(start <= minute < end for start, end in owned[day]) or any(
        start <= minute + DAY < end for start, end in owned[day - dt.timedelta(days=1)]
    )


def _subtract(intervals: _Intervals, spans: tuple[tuple[int, int], ...], shift: int) -> _Intervals:
    for span_start, span_end in spans:
        cut_start, cut_end = span_start + shift, span_end + shift
        kept: _Intervals = []
        for start, end in intervals:
            if start < min(end, cut_start):
                kept.append((start, min(end, cut_start)))
            if max(start, cut_end) < end:
                kept.append((max(start, cut_end), end))
        intervals = kept
    return intervals


def _offset_changes(first: dt.date, last: dt.date) -> list[dt.datetime]:
    """The instants (UTC) where Europe/Paris changes its offset (summer time) during the days [first, last]."""
    changes: list[dt.datetime] = []
    day = first
    while day <= last:
        start = dt.datetime.combine(day, dt.time(), PARIS).astimezone(dt.UTC)
        offset = start.astimezone(PARIS).utcoffset()
        for hour in range(1, 26):
            instant = start + dt.timedelta(hours=hour)
            if instant.astimezone(PARIS).utcoffset() != offset:
                changes.append(instant)
                break
        day += dt.timedelta(days=1)
    return changes


# ---------------------------------------------------------------- parsing


class _Token:
    __slots__ = ("kind", "position", "value")

    def __init__(self, kind: str, value: str, position: int) -> None:
        self.kind = kind
        self.value = value
        self.position = position  # 1-based


def _excerpt(value: str, limit: int = 30) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            char = text[position]
            if char == '"':
                raise HoursError(f"commentaire non fermé en position {position + 1}")
            raise HoursError(f"caractère inattendu « {char} » en position {position + 1}")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(), position + 1))
        position = match.end()
    return tokens


@lru_cache(maxsize=512)
def _parse(text: str) -> Hours:
    if not text.strip():
        raise HoursError("horaires vides")
    parser = _Parser(_tokenize(text))
    rules: list[Rule] = []
    separator: Separator = "normal"
    while True:
        if parser.peek_kind() == "punct" and parser.peek() == ";" and separator == "normal":
            parser.advance()  # an empty rule (`;;`, a trailing `;`): tolerated
        elif parser.at_end():
            if separator != "normal" or not rules:
                raise HoursError("règle vide en fin d'horaires" if rules else "horaires vides")
            break
        else:
            rules.append(parser.rule(separator))
            if len(rules) > MAX_RULES:
                raise HoursError(f"trop de règles (au plus {MAX_RULES})")
            if parser.at_end():
                break
            separator = parser.separator(rules[-1])
    text = rules[0].text + "".join(_SEPARATOR_TEXT[rule.separator] + rule.text for rule in rules[1:])
    return Hours(text=text, rules=tuple(rules))


class _Parser:
    """A cursor over the tokens; one method per part of a rule, in the order the syntax allows them."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def at_end(self) -> bool:
        return self.index >= len(self.tokens)

    def peek(self, ahead: int = 0) -> str:
        index = self.index + ahead
        return self.tokens[index].value if index < len(self.tokens) else ""

    def peek_kind(self, ahead: int = 0) -> str:
        index = self.index + ahead
        return self.tokens[index].kind if index < len(self.tokens) else "end"

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, message: str | None = None) -> HoursError:
        if self.at_end():
            return HoursError(f"{message or 'horaires incomplets'} : le texte s'arrête trop tôt")
        token = self.tokens[self.index]
        if message is None:
            return HoursError(f"« {_excerpt(token.value)} » inattendu en position {token.position}")
        return HoursError(f"{message} : « {_excerpt(token.value)} » en position {token.position}")

    def is_word(self, table: dict[str, int], ahead: int = 0) -> bool:
        return self.peek_kind(ahead) == "word" and self.peek(ahead).lower() in table

    def is_day_item(self, ahead: int = 0) -> bool:
        return self.is_word(_WEEKDAY_INDEX, ahead) or (
            self.peek_kind(ahead) == "word" and self.peek(ahead).upper() == "PH"
        )

    def is_punct(self, value: str, ahead: int = 0) -> bool:
        return self.peek_kind(ahead) == "punct" and self.peek(ahead) == value

    # ---- rule

    def rule(self, separator: Separator) -> Rule:
        parts: list[str] = []
        months: frozenset[int] | None = None
        weekdays: frozenset[int] | None = None
        holiday = False
        spans: tuple[tuple[int, int], ...] | None = None
        self._refuse_unsupported()
        if self.peek_kind() == "always":
            self.advance()
            parts.append("24/7")
            spans = ((0, DAY),)
        else:
            if self.is_word(_MONTH_INDEX):
                months, text = self.months()
                parts.append(text)
                self._refuse_unsupported()
            if self.is_day_item():
                weekdays, holiday, text = self.weekdays()
                parts.append(text)
                self._refuse_unsupported()
            if parts and self.is_punct(":") and self.peek_kind(1) == "time":
                self.advance()  # `Mo-Fr: 08:00-12:00`: tolerated
            if self.peek_kind() == "time":
                spans, text = self.spans()
                parts.append(text)
        selectors = bool(parts)
        is_open = True
        if self.peek_kind() == "word" and self.peek().lower() in _MODIFIERS:
            is_open = _MODIFIERS[self.advance().value.lower()]
            parts.append("open" if is_open else "off")
        elif selectors:
            self._refuse_unsupported()
        if self.peek_kind() == "comment":
            comment = self.advance().value
            if not parts:
                raise HoursError(f"règle faite d'un seul commentaire ({_excerpt(comment)}) : horaires inconnus")
            parts.append(comment)
        if not parts:
            self._refuse_unsupported()
            raise self.fail("règle vide" if self.is_punct(";") or self.peek_kind() == "fallback" else None)
        return Rule(separator, months, weekdays, holiday, spans, is_open, " ".join(parts))

    def separator(self, previous: Rule) -> Separator:
        token = self.advance()
        if token.kind == "fallback":
            return "fallback"
        if token.value == ";":
            return "normal"
        if token.value == "," and (previous.spans is not None or not previous.open or previous.text.endswith('"')):
            return "additional"
        self.index -= 1
        self._refuse_unsupported()
        raise self.fail()

    def _refuse_unsupported(self) -> None:
        """Raise a precise message for the parts of the syntax that are known but not supported."""
        kind, value = self.peek_kind(), self.peek()
        if kind == "word":
            lowered = value.lower()
            if lowered in _REFUSED_WORDS:
                raise self.fail(_REFUSED_WORDS[lowered])
            if lowered not in _KNOWN_WORDS:
                if lowered in _FRENCH_DAYS:
                    raise self.fail(f"jour inconnu (attendu : {' '.join(WEEKDAYS)} ou PH)")
                raise self.fail("mot inconnu")
        elif kind == "number":
            raise self.fail("les dates et les années ne sont pas prises en charge")
        elif kind == "punct" and value in "[(":
            raise self.fail("les jours numérotés (Mo[1]) et les heures variables ne sont pas pris en charge")

    # ---- selectors

    def months(self) -> tuple[frozenset[int], str]:
        chosen: set[int] = set()
        texts: list[str] = []
        while True:
            first = _MONTH_INDEX[self.advance().value.lower()]
            if self.is_punct("-"):
                self.advance()
                if not self.is_word(_MONTH_INDEX):
                    self._refuse_unsupported()
                    raise self.fail("mois attendu après « - »")
                last = _MONTH_INDEX[self.advance().value.lower()]
                chosen.update(_cycle(first, last, 1, 12))
                texts.append(f"{MONTHS[first - 1]}-{MONTHS[last - 1]}")
            else:
                chosen.add(first)
                texts.append(MONTHS[first - 1])
            if not (self.is_punct(",") and self.is_word(_MONTH_INDEX, 1)):
                break
            self.advance()
        if self.is_punct(","):
            raise self.fail("virgule inattendue après les mois")
        return frozenset(chosen), ",".join(texts)

    def weekdays(self) -> tuple[frozenset[int] | None, bool, str]:
        chosen: set[int] = set()
        holiday = False
        texts: list[str] = []
        while True:
            word = self.advance().value
            if word.upper() == "PH":
                holiday = True
                texts.append("PH")
                if self.is_punct("-") or self.is_punct("["):
                    raise self.fail("PH ne peut pas commencer une plage de jours")
            else:
                first = _WEEKDAY_INDEX[word.lower()]
                if self.is_punct("-"):
                    self.advance()
                    if not self.is_word(_WEEKDAY_INDEX):
                        self._refuse_unsupported()
                        raise self.fail("jour attendu après « - »")
                    last = _WEEKDAY_INDEX[self.advance().value.lower()]
                    chosen.update(_cycle(first, last, 0, 6))
                    texts.append(f"{WEEKDAYS[first]}-{WEEKDAYS[last]}")
                else:
                    chosen.add(first)
                    texts.append(WEEKDAYS[first])
            if not (self.is_punct(",") and self.is_day_item(1)):
                break
            self.advance()
        if self.is_punct(","):
            raise self.fail("virgule inattendue après les jours")
        return (frozenset(chosen) if chosen else None), holiday, ",".join(texts)

    def spans(self) -> tuple[tuple[tuple[int, int], ...], str]:
        spans: list[tuple[int, int]] = []
        texts: list[str] = []
        while True:
            start_token = self.advance()
            start = _minutes(start_token, latest=DAY - 1)
            if self.is_punct("+"):
                raise self.fail("les heures de fin ouvertes (08:00+) ne sont pas prises en charge")
            if not self.is_punct("-"):
                raise HoursError(
                    f"heure « {start_token.value} » sans heure de fin en position {start_token.position} "
                    "(attendu : une plage comme 08:00-12:00)"
                )
            self.advance()
            if self.peek_kind() != "time":
                self._refuse_unsupported()
                raise self.fail("heure de fin attendue")
            end_token = self.advance()
            written_end = _minutes(end_token, latest=2 * DAY)
            if written_end == start:
                raise HoursError(
                    f"plage vide « {start_token.value}-{end_token.value} » en position {start_token.position}"
                )
            end = written_end + DAY if written_end < start else written_end  # past midnight
            if self.is_punct("+") or self.is_punct("/"):
                raise self.fail(
                    "les heures de fin ouvertes (+) et les intervalles répétés (/) ne sont pas pris en charge"
                )
            spans.append((start, end))
            texts.append(f"{_clock(start)}-{_clock(written_end)}")
            if not (self.is_punct(",") and self.peek_kind(1) == "time"):
                break
            self.advance()
        return tuple(spans), ",".join(texts)


def _cycle(first: int, last: int, low: int, high: int) -> list[int]:
    """first..last, wrapping around after high (Fr-Mo, Nov-Feb)."""
    if first <= last:
        return list(range(first, last + 1))
    return [*range(first, high + 1), *range(low, last + 1)]


def _minutes(token: _Token, latest: int) -> int:
    hour_text, minute_text = token.value.split(":", 1)
    hour, minute = int(hour_text), int(minute_text)
    value = hour * 60 + minute
    if minute > 59 or value > latest:
        limit = "23:59" if latest < DAY else "48:00"
        raise HoursError(f"heure « {token.value} » invalide en position {token.position} (au plus {limit})")
    return value


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
