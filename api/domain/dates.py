"""Imprecise dates: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` and `A/B` intervals of those (EDTF style)."""

import calendar
import datetime as dt
import re
from typing import NamedTuple

# What a pattern can say: year 0001-9999, month 01-12, day 01-31 (the calendar checks the rest).
PARTIAL_DATE_PATTERN = (
    r"([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
    r"(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?"
)
EDTF_PATTERN = rf"{PARTIAL_DATE_PATTERN}(/{PARTIAL_DATE_PATTERN})?"
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)


class DateSpan(NamedTuple):
    """The earliest and latest day a written date can mean, and how precise it is."""

    start: dt.date
    end: dt.date
    precision: str


class InvalidDate(ValueError):
    """A written date that is malformed or names no real day."""


def parse_partial_date(text: str) -> DateSpan:
    """Parse `YYYY`, `YYYY-MM` or `YYYY-MM-DD` into the span of days it covers."""
    match = _PARTIAL_DATE.fullmatch(text)
    if match is None:
        raise InvalidDate(f"{text!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(part) if part else None for part in match.groups())
    if year == 0:
        raise InvalidDate(f"{text!r} is not a date: year must be 0001-9999")
    if month is None:
        return DateSpan(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")
    if not 1 <= month <= 12:
        raise InvalidDate(f"{text!r} is not a date: month must be 01-12")
    last_day = calendar.monthrange(year, month)[1]
    if day is None:
        return DateSpan(dt.date(year, month, 1), dt.date(year, month, last_day), "month")
    if not 1 <= day <= last_day:
        raise InvalidDate(
            f"{text!r} is not a date: day must be 01-{last_day:02d} in {year:04d}-{month:02d}"
        )
    day_date = dt.date(year, month, day)
    return DateSpan(day_date, day_date, "day")


def parse_event_date(text: str) -> DateSpan:
    """Parse an event date as written: a partial date, or an interval `A/B` of two."""
    if "/" not in text:
        return parse_partial_date(text)
    first, _, last = text.partition("/")
    if "/" in last:
        raise InvalidDate(f"{text!r} is not a date: an interval has exactly one '/'")
    start = parse_partial_date(first)
    end = parse_partial_date(last)
    if end.end < start.start:
        raise InvalidDate(f"{text!r} is not a date: the interval ends before it starts")
    return DateSpan(start.start, end.end, "interval")


# The longest span, in days after the first day, of each span class; the last has no bound.
SPAN_CLASS_DAYS = (0, 31, 366, 1096)


def span_class(start: dt.date, end: dt.date) -> int:
    """Classify how long a date span is: 0 one day, 1 a month, 2 a year, 3 three years, 4 more.

    Queries use it to bound how far before a range an overlapping event can start.
    """
    days = (end - start).days
    for index, bound in enumerate(SPAN_CLASS_DAYS):
        if days <= bound:
            return index
    return len(SPAN_CLASS_DAYS)


def days_before(day: dt.date, days: int) -> dt.date:
    """Return the day `days` before `day`, or the calendar's first day if that is earlier."""
    if (day - dt.date.min).days <= days:
        return dt.date.min
    return day - dt.timedelta(days=days)


def is_last_of_month(day: dt.date) -> bool:
    """Tell whether `day` is the last day of its month (9999-12-31 included)."""
    return day.day == calendar.monthrange(day.year, day.month)[1]
