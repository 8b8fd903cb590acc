"""places_shared.hours: the OSM `opening_hours` subset, open_at / next_change in Europe/Paris, refusals."""

from __future__ import annotations

import contextlib
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from places_shared.hours import MAX_LENGTH, MAX_RULES, Hours, HoursError, open_now, parse

PARIS = ZoneInfo("Europe/Paris")
# The reference week: Monday 5 to Sunday 11 January 2026, no public holiday.
MO, TU, WE, TH, FR, SA, SU = (f"2026-01-{day:02d}" for day in range(5, 12))


def at(day: str, clock: str = "12:00", fold: int = 0) -> dt.datetime:
    """An aware moment on the wall clock of Paris."""
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=PARIS, fold=fold)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def is_open(text: str, day: str, clock: str = "12:00") -> bool:
    return parse(text).open_at(at(day, clock))


# ---------------------------------------------------------------- each feature alone


def test_24_7() -> None:
    hours = parse("24/7")
    assert hours.text == "24/7"
    assert all(hours.open_at(at(day, clock)) for day in (MO, SU, "2026-05-01") for clock in ("00:00", "12:00", "23:59"))
    assert hours.next_change(at(MO)) is None


def test_weekday_range_and_span_boundaries() -> None:
    text = "Mo-Fr 08:00-18:00"
    assert is_open(text, MO, "08:00")
    assert not is_open(text, MO, "07:59:59")
    assert is_open(text, FR, "17:59:59")
    assert not is_open(text, FR, "18:00")
    assert not is_open(text, SA, "12:00")
    assert not is_open(text, SU, "12:00")


def test_weekday_list() -> None:
    text = "Mo,We,Fr 10:00-12:00"
    assert [is_open(text, day, "11:00") for day in (MO, TU, WE, TH, FR, SA, SU)] == [
        True, False, True, False, True, False, False,
    ]  # fmt: skip


def test_weekday_range_wrapping_around_the_week() -> None:
    text = "Fr-Mo 10:00-12:00"
    assert [is_open(text, day, "11:00") for day in (MO, TU, WE, TH, FR, SA, SU)] == [
        True, False, False, False, True, True, True,
    ]  # fmt: skip


def test_a_day_without_times_is_open_all_day() -> None:
    text = "Sa"
    assert is_open(text, SA, "00:00")
    assert is_open(text, SA, "23:59:59")
    assert not is_open(text, SU, "00:00")
    assert not is_open(text, FR, "23:59")


def test_times_without_days_apply_every_day() -> None:
    assert all(is_open("10:00-18:00", day, "10:00") for day in (MO, TU, WE, TH, FR, SA, SU))
    assert not is_open("10:00-18:00", SU, "18:00")


def test_several_spans_a_day() -> None:
    text = "Mo-Fr 08:00-12:00,14:00-18:30"
    assert is_open(text, TU, "11:59")
    assert not is_open(text, TU, "12:00")
    assert not is_open(text, TU, "13:59")
    assert is_open(text, TU, "14:00")
    assert is_open(text, TU, "18:29:59")
    assert not is_open(text, TU, "18:30")


def test_24_00_as_the_end() -> None:
    text = "Mo 08:00-24:00"
    assert is_open(text, MO, "23:59:59")
    assert not is_open(text, TU, "00:00")
    assert parse(text).text == "Mo 08:00-24:00"


@pytest.mark.parametrize("text", ["Fr 22:00-02:00", "Fr 22:00-26:00"])
def test_span_past_midnight_crosses_the_day_boundary(text: str) -> None:
    assert not is_open(text, FR, "21:59")
    assert is_open(text, FR, "22:00")
    assert is_open(text, FR, "23:59:59")
    assert is_open(text, SA, "00:00")
    assert is_open(text, SA, "01:59:59")
    assert not is_open(text, SA, "02:00")
    assert not is_open(text, FR, "01:00")  # Thursday night is not Friday's
    assert parse(text).next_change(at(FR, "23:00")) == at(SA, "02:00")


def test_span_past_midnight_at_the_end_of_the_year() -> None:
    text = "Dec 22:00-02:00"
    assert is_open(text, "2026-12-31", "23:00")
    assert is_open(text, "2027-01-01", "01:00")  # December's last night runs into January
    assert not is_open(text, "2027-01-01", "23:00")


def test_off_and_closed() -> None:
    for text in ("off", "closed"):
        hours = parse(text)
        assert hours.text == "off"
        assert not hours.open_at(at(MO))
        assert hours.next_change(at(MO)) is None
    assert parse("open").open_at(at(SU, "03:00"))


def test_month_ranges() -> None:
    text = "Apr-Sep Mo-Su 10:00-18:00"
    assert is_open(text, "2026-04-01", "10:00")
    assert is_open(text, "2026-09-30", "17:00")
    assert not is_open(text, "2026-03-31", "12:00")
    assert not is_open(text, "2026-10-15", "12:00")
    assert parse("Jan-Mar").open_at(at("2026-02-15", "03:00"))
    assert not parse("Jan-Mar").open_at(at("2026-04-15", "03:00"))


def test_month_range_wrapping_around_the_year_and_month_lists() -> None:
    text = "Nov-Feb 10:00-16:00; Mar-Oct 09:00-19:00"
    assert not is_open(text, "2026-12-10", "09:30")
    assert is_open(text, "2026-01-15", "10:30")
    assert is_open(text, "2026-07-15", "09:30")
    assert not is_open(text, "2026-02-28", "16:30")
    listed = "Jan,Jul-Aug 10:00-12:00"
    assert [is_open(listed, f"2026-{month:02d}-15", "11:00") for month in range(1, 13)] == [
        True, False, False, False, False, False, True, True, False, False, False, False,
    ]  # fmt: skip


def test_comments_are_ignored_but_kept_in_the_text() -> None:
    hours = parse('Mo-Fr 08:00-12:00 "sur rendez-vous; appeler avant"')
    assert hours.open_at(at(MO, "09:00"))
    assert not hours.open_at(at(SA, "09:00"))
    assert hours.text == 'Mo-Fr 08:00-12:00 "sur rendez-vous; appeler avant"'
    assert not parse('Sa off "travaux"').open_at(at(SA))


# ---------------------------------------------------------------- several rules


def test_a_later_rule_replaces_what_earlier_rules_said_of_its_days() -> None:
    text = "Mo-Fr 08:00-18:00; We 10:00-12:00"
    assert is_open(text, TU, "09:00")
    assert not is_open(text, WE, "09:00")
    assert is_open(text, WE, "11:00")
    assert not is_open(text, WE, "15:00")
    assert not is_open("Mo-Su 08:00-18:00; Su off", SU, "12:00")
    assert is_open("Mo-Su 08:00-18:00; Su off", SA, "12:00")


def test_order_matters() -> None:
    assert not is_open("Mo-Fr 09:00-12:00; Mo-Fr off", MO, "10:00")
    assert is_open("Mo-Fr off; Mo-Fr 09:00-12:00", MO, "10:00")


def test_off_with_times_closes_those_times_only() -> None:
    text = "Mo-Fr 08:00-18:00; We 12:00-14:00 off"
    assert is_open(text, WE, "11:00")
    assert not is_open(text, WE, "13:00")
    assert is_open(text, WE, "14:00")
    assert is_open(text, TU, "13:00")


def test_additional_rule_adds_to_the_day() -> None:
    text = "Mo-Fr 08:00-12:00, We 14:00-18:00"
    assert is_open(text, WE, "09:00")
    assert is_open(text, WE, "15:00")
    assert not is_open(text, TU, "15:00")
    assert parse(text).text == "Mo-Fr 08:00-12:00, We 14:00-18:00"
    assert not is_open("Mo-Fr 08:00-12:00; We 14:00-18:00", WE, "09:00")


def test_fallback_rule_applies_to_the_days_no_rule_named() -> None:
    text = "Mo-Fr 08:00-18:00 || 10:00-12:00"
    assert is_open(text, MO, "17:00")
    assert is_open(text, SA, "11:00")
    assert not is_open(text, SA, "13:00")
    assert parse("Mo-Fr 08:00-18:00 || off").text == "Mo-Fr 08:00-18:00 || off"


def test_night_of_the_day_before_is_not_cut_by_a_rule_for_the_next_day() -> None:
    text = "Fr 22:00-02:00; Sa off"
    assert is_open(text, SA, "01:00")  # Friday's night
    assert not is_open(text, SA, "10:00")


def test_off_with_times_cuts_the_night_of_the_day_before() -> None:
    text = "Mo-Su 20:00-04:00; Tu 01:00-02:00 off"
    assert is_open(text, TU, "00:30")
    assert not is_open(text, TU, "01:30")
    assert is_open(text, TU, "02:30")
    assert is_open(text, WE, "01:30")


# ---------------------------------------------------------------- public holidays


def test_ph_off_on_1_may() -> None:
    text = "Mo-Sa 09:00-19:00; PH off"
    assert is_open(text, "2026-04-30", "10:00")  # Thursday
    assert not is_open(text, "2026-05-01", "10:00")  # Friday, Fête du Travail
    assert is_open(text, "2026-05-02", "10:00")  # Saturday
    hours = parse(text)
    assert hours.next_change(at("2026-04-30", "20:00")) == at("2026-05-02", "09:00")


def test_ph_off_first_is_overridden_by_a_later_rule() -> None:
    assert is_open("PH off; Mo-Sa 09:00-19:00", "2026-05-01", "10:00")


def test_ph_as_a_day_and_in_a_list() -> None:
    assert is_open("PH 10:00-12:00", "2026-07-14", "11:00")
    assert not is_open("PH 10:00-12:00", "2026-07-13", "11:00")
    text = "Mo-Fr 08:00-18:00; Sa,PH 09:00-12:00"
    assert is_open(text, "2026-04-06", "10:00")  # Easter Monday: the PH rule comes last
    assert not is_open(text, "2026-04-06", "15:00")
    assert is_open(text, "2026-04-07", "15:00")


def test_night_before_a_holiday_and_holiday_night() -> None:
    text = "Mo-Su 20:00-02:00; PH off"
    assert is_open(text, "2026-05-01", "01:00")  # Thursday 30 April's night
    assert not is_open(text, "2026-05-01", "21:00")
    assert not is_open(text, "2026-05-02", "01:00")  # no night on 1 May


# ---------------------------------------------------------------- summer time


def test_spring_forward_sunday_29_march_2026() -> None:
    night = parse("Sa 22:00-03:00")
    assert night.open_at(utc("2026-03-28T21:00:00"))  # 22:00 CET
    assert night.open_at(utc("2026-03-29T00:59:59"))  # 01:59:59 CET
    assert not night.open_at(utc("2026-03-29T01:00:00"))  # 03:00 CEST: the hour 02:00-03:00 does not exist
    assert night.next_change(at("2026-03-28", "23:00")) == utc("2026-03-29T01:00:00")

    gap = parse("Su 02:30-05:00")  # opens in the missing hour: open from 03:00 CEST
    assert not gap.open_at(utc("2026-03-29T00:59:59"))
    assert gap.open_at(utc("2026-03-29T01:00:00"))
    change = gap.next_change(at("2026-03-29", "00:30"))
    assert change == utc("2026-03-29T01:00:00")
    assert change is not None and change.utcoffset() == dt.timedelta(hours=2)

    morning = parse("Mo-Su 08:00-12:00")
    assert morning.next_change(at("2026-03-28", "13:00")) == utc("2026-03-29T06:00:00")  # 08:00 CEST
    assert morning.next_change(at("2026-03-29", "09:00")) == utc("2026-03-29T10:00:00")  # 12:00 CEST


def test_fall_back_sunday_25_october_2026() -> None:
    night = parse("Sa 20:00-04:00")
    assert night.open_at(utc("2026-10-25T00:30:00"))  # 02:30 CEST, first time
    assert night.open_at(utc("2026-10-25T01:30:00"))  # 02:30 CET, second time
    assert night.open_at(utc("2026-10-25T02:59:59"))  # 03:59:59 CET
    assert not night.open_at(utc("2026-10-25T03:00:00"))  # 04:00 CET: a 9-hour night
    change = night.next_change(at("2026-10-24", "21:00"))
    assert change == utc("2026-10-25T03:00:00")
    assert change is not None and change.utcoffset() == dt.timedelta(hours=1)

    morning = parse("Mo-Su 08:00-12:00")
    assert morning.next_change(at("2026-10-24", "13:00")) == utc("2026-10-25T07:00:00")  # 08:00 CET
    assert parse("24/7").open_at(at("2026-10-25", "02:30", fold=1))


# ---------------------------------------------------------------- next_change


def test_next_change() -> None:
    hours = parse("Mo-Fr 08:00-12:00,14:00-18:30")
    assert hours.next_change(at(MO, "10:00")) == at(MO, "12:00")
    assert hours.next_change(at(MO, "12:00")) == at(MO, "14:00")  # strictly after the moment
    assert hours.next_change(at(FR, "19:00")) == at("2026-01-12", "08:00")
    change = hours.next_change(at(MO, "10:00"))
    assert change is not None and change.tzinfo is not None
    assert change.utcoffset() == dt.timedelta(hours=1)


def test_next_change_ignores_midnight_between_adjacent_spans() -> None:
    assert parse("Mo-Su 00:00-24:00").next_change(at(MO)) is None
    assert parse("Mo 08:00-24:00; Tu 00:00-10:00").next_change(at(MO, "20:00")) == at(TU, "10:00")


def test_next_change_within_8_days_only() -> None:
    weekly = parse("Mo 10:00-12:00")
    assert weekly.next_change(at(MO, "12:00")) == at("2026-01-12", "10:00")
    assert parse("Jan 10:00-12:00").next_change(at("2026-02-15")) is None
    assert parse("Jan 10:00-12:00").next_change(at("2026-12-28")) == at("2027-01-01", "10:00")
    assert parse("Jun").next_change(at("2026-01-15")) is None


@pytest.mark.parametrize(
    "text",
    [
        "Mo-Fr 08:00-12:00,14:00-18:30; PH off",
        "Sa 22:00-03:00; Su 02:30-05:00",
        "Mo-Su 20:00-04:00; Tu 01:00-02:00 off; PH off",
        "Fr 22:00-26:00, Sa 10:00-12:00 || Su 02:15-02:45",
        "Mar,Oct Sa,Su 01:45-03:15",
        "Mo 08:00-24:00; Tu 00:00-10:00",
    ],
)
@pytest.mark.parametrize(
    "start", ["2026-03-27T09:10:00+00:00", "2026-04-28T23:55:00+00:00", "2026-10-23T20:00:00+00:00"]
)
def test_next_change_is_the_first_change_seen_minute_by_minute(text: str, start: str) -> None:
    hours = parse(text)
    moment = dt.datetime.fromisoformat(start)
    state = hours.open_at(moment)
    expected = None
    # every boundary of these hours falls on a quarter of an hour in UTC: probe each one
    probe = moment.replace(minute=moment.minute // 15 * 15) + dt.timedelta(minutes=15)
    while probe <= moment + dt.timedelta(days=8):
        if hours.open_at(probe) is not state:
            expected = probe
            break
        probe += dt.timedelta(minutes=15)
    assert hours.next_change(moment) == expected


# ---------------------------------------------------------------- text, refusals, open_now


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("mo-fr 8:00-12:00 , 14:00-18:00", "Mo-Fr 08:00-12:00,14:00-18:00"),
        ("Mo-Fr: 08:00-12:00", "Mo-Fr 08:00-12:00"),
        ("Mo–Fr 08:00–12:00; PH closed;", "Mo-Fr 08:00-12:00; PH off"),
        ("  Mo-Fr 08:00-12:00 ;; Sa 10:00-12:00  ", "Mo-Fr 08:00-12:00; Sa 10:00-12:00"),
        ("apr-sep mo-su 10:00-18:00", "Apr-Sep Mo-Su 10:00-18:00"),
        ("Mo-Fr 22:00-26:00", "Mo-Fr 22:00-26:00"),
    ],
)
def test_normalised_text(text: str, normalised: str) -> None:
    assert parse(text).text == normalised
    assert parse(normalised).text == normalised


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "horaires vides"),
        ("   ", "horaires vides"),
        (";", "horaires vides"),
        ("Mo-Fr 08:00-12:00 ||", "règle vide en fin d'horaires"),
        ("Lu-Ve 08:00-12:00", "jour inconnu (attendu : Mo Tu We Th Fr Sa Su ou PH) : « Lu » en position 1"),
        ("Mo-Fr 08:00+", "les heures de fin ouvertes (08:00+) ne sont pas prises en charge : « + » en position 12"),
        ("Mo-Fr 10:00-16:00/01:30", "les intervalles répétés (/) ne sont pas pris en charge"),
        ("Mo 10:00", "heure « 10:00 » sans heure de fin en position 4"),
        ('"sur rendez-vous"', "règle faite d'un seul commentaire"),
        ('Mo-Fr 08:00-12:00 || "sur rendez-vous"', "règle faite d'un seul commentaire"),
        ("Dec 25 off", "les dates et les années ne sont pas prises en charge : « 25 » en position 5"),
        ("2026 Mo-Fr 08:00-12:00", "les dates et les années ne sont pas prises en charge"),
        ("Mo[1] off", "les jours numérotés (Mo[1])"),
        ("sunrise-sunset", "les heures solaires"),
        ("Mo (sunrise+01:00)-18:00", "les heures variables"),
        ("SH off", "les vacances scolaires (SH) ne sont pas prises en charge"),
        ("week 01-10 Mo 10:00-12:00", "les numéros de semaine (week)"),
        ("easter off", "Pâques (easter)"),
        ("Mo-Fr 08:00-12:00 unknown", "l'état « unknown » n'est pas pris en charge"),
        ("Mo 25:00-26:00", "heure « 25:00 » invalide en position 4 (au plus 23:59)"),
        ("Mo 10:00-49:00", "heure « 49:00 » invalide en position 10 (au plus 48:00)"),
        ("Mo 10:60-11:00", "heure « 10:60 » invalide"),
        ("Mo 10:00-10:00", "plage vide « 10:00-10:00 »"),
        ("Mo-Fr, 10:00-12:00", "virgule inattendue après les jours"),
        ("Jan, 10:00-12:00", "virgule inattendue après les mois"),
        ("Mo-Fr 10:00-12:00 Sa", "« Sa » inattendu en position 19"),
        ("Mo-Fr 10:00-12:00 foo", "mot inconnu : « foo » en position 19"),
        ("Mo- 10:00-12:00", "jour attendu après « - »"),
        ("Jan- 10:00-12:00", "mois attendu après « - »"),
        ("PH-Mo off", "PH ne peut pas commencer une plage de jours"),
        ("Mo 10:00-", "heure de fin attendue : le texte s'arrête trop tôt"),
        ("Mo-", "jour attendu après « - » : le texte s'arrête trop tôt"),
        ('Mo "ouvert', "commentaire non fermé en position 4"),
        ("Mo 10h00-12h00", "« 10 » en position 4"),
        ("Mo 08:00-12:00 ; Tu @", "caractère inattendu « @ » en position 21"),
        ("Mo 08:00-12:00 Tu", "« Tu » inattendu"),
        ("Sa off Su", "« Su » inattendu"),
    ],
)
def test_refused_with_their_message(text: str, message: str) -> None:
    with pytest.raises(HoursError) as caught:
        parse(text)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_bounded_input() -> None:
    too_long = "Mo 08:00-12:00; " * 40
    assert len(too_long) > MAX_LENGTH
    with pytest.raises(HoursError, match="horaires trop longs"):
        parse(too_long)
    fifty = "; ".join(["Mo"] * MAX_RULES)
    assert len(parse(fifty).rules) == MAX_RULES
    with pytest.raises(HoursError, match=f"trop de règles \\(au plus {MAX_RULES}\\)"):
        parse(fifty + "; Tu")


def test_not_a_text() -> None:
    with pytest.raises(HoursError, match="doivent être un texte"):
        parse(12)  # type: ignore[arg-type]


def test_naive_moment_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="naive"):
        parse("24/7").open_at(dt.datetime(2026, 1, 5, 12, 0))


def test_open_now() -> None:
    moment = at(MO, "10:00")
    assert open_now("Mo-Fr 08:00-12:00", moment) is True
    assert open_now("Sa 08:00-12:00", moment) is False
    assert open_now(None, moment) is None
    assert open_now("", moment) is None
    assert open_now("  ", moment) is None
    assert open_now("sur rendez-vous", moment) is None
    assert open_now("Mo-Fr sunrise-sunset", moment) is None
    assert open_now("24/7", moment.astimezone(dt.UTC)) is True


# ---------------------------------------------------------------- properties


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=MAX_LENGTH))
def test_parse_raises_only_hours_error_on_any_text(text: str) -> None:
    try:
        hours = parse(text)
    except HoursError:
        return
    assert isinstance(hours, Hours)


_FRAGMENTS = st.sampled_from(
    [
        "Mo", "Tu", "Sa", "Su", "Mo-Fr", "Fr-Mo", "PH", "Jan", "Apr-Sep", "Nov-Feb", "08:00", "12:00", "22:00",
        "02:00", "24:00", "26:00", "24/7", "off", "closed", "open", '"x"', "-", ",", ";", "||", ":", " ", "+", "/",
        "[1]", "SH", "sunrise", "10", "–",
    ]
)  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_FRAGMENTS, max_size=40).map(" ".join))
def test_parse_raises_only_hours_error_on_near_syntax(text: str) -> None:
    with contextlib.suppress(HoursError):
        parse(text)


_SPAN = st.tuples(st.integers(0, 23), st.sampled_from([0, 15, 30, 59]), st.integers(0, 48), st.sampled_from([0, 30]))


@st.composite
def _rules(draw: st.DrawFn) -> str:
    parts: list[str] = []
    if draw(st.booleans()):
        first, last = draw(st.sampled_from(["Jan", "Mar", "Jun", "Oct", "Dec"])), draw(st.sampled_from(["Feb", "Sep"]))
        parts.append(f"{first}-{last}")
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(["Mo-Fr", "Sa,Su", "Fr-Mo", "PH", "Mo-Sa,PH", "We", "Su"])))
    spans = []
    for start_h, start_m, end_h, end_m in draw(st.lists(_SPAN, max_size=3)):
        end = min(end_h * 60 + end_m, 2880)
        if end != start_h * 60 + start_m:
            spans.append(f"{start_h:02d}:{start_m:02d}-{end // 60:02d}:{end % 60:02d}")
    if spans:
        parts.append(",".join(spans))
    modifier = draw(st.sampled_from(["", "", "off", "open"]))
    if modifier or not parts:
        parts.append(modifier or "24/7")
    return " ".join(parts)


@st.composite
def _hours_texts(draw: st.DrawFn) -> str:
    rules = draw(st.lists(_rules(), min_size=1, max_size=6))
    text = rules[0]
    for rule in rules[1:]:
        text += draw(st.sampled_from(["; ", "; ", " || ", ", "])) + rule
    return text


_MOMENTS_2026 = st.datetimes(
    min_value=dt.datetime(2026, 1, 1),
    max_value=dt.datetime(2026, 12, 31, 23, 59, 59),
    timezones=st.sampled_from([PARIS, dt.UTC, ZoneInfo("America/Cayenne"), ZoneInfo("Pacific/Kiritimati")]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_hours_texts(), _MOMENTS_2026)
def test_open_at_and_next_change_never_raise_in_2026(text: str, moment: dt.datetime) -> None:
    try:
        hours = parse(text)
    except HoursError:
        return  # e.g. an additional rule after a rule of days only
    assert parse(hours.text).text == hours.text
    state = hours.open_at(moment)
    assert isinstance(state, bool)
    change = hours.next_change(moment)
    if change is not None:
        assert moment < change <= moment + dt.timedelta(days=8)
        assert hours.open_at(change) is not state
        assert change.tzinfo is PARIS or change.utcoffset() in (dt.timedelta(hours=1), dt.timedelta(hours=2))


@settings(max_examples=60, deadline=None)
@given(_hours_texts())
def test_open_at_every_hour_of_2026(text: str) -> None:
    try:
        hours = parse(text)
    except HoursError:
        return
    moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    while moment.year == 2026:
        hours.open_at(moment)
        moment += dt.timedelta(hours=7, minutes=13)
