import datetime as dt

import pytest

from api.domain.dates import InvalidDate, parse_event_date, parse_partial_date

D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("2022-02-24", D(2022, 2, 24), D(2022, 2, 24), "day"),
        ("2023-10", D(2023, 10, 1), D(2023, 10, 31), "month"),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "month"),
        ("2023-02", D(2023, 2, 1), D(2023, 2, 28), "month"),
        ("1900-02", D(1900, 2, 1), D(1900, 2, 28), "month"),
        ("2000-02-29", D(2000, 2, 29), D(2000, 2, 29), "day"),
        ("2023", D(2023, 1, 1), D(2023, 12, 31), "year"),
        ("0001", D(1, 1, 1), D(1, 12, 31), "year"),
        ("9999-12-31", D(9999, 12, 31), D(9999, 12, 31), "day"),
        ("2024-01/2024-02-21", D(2024, 1, 1), D(2024, 2, 21), "interval"),
        ("2022-02-24/2024-02-22", D(2022, 2, 24), D(2024, 2, 22), "interval"),
        ("2023/2024", D(2023, 1, 1), D(2024, 12, 31), "interval"),
        ("2024-02-10/2024-02", D(2024, 2, 10), D(2024, 2, 29), "interval"),
        ("2023-10/2023-10", D(2023, 10, 1), D(2023, 10, 31), "interval"),
    ],
)
def test_event_dates_cover_every_day_they_can_mean(text, start, end, precision):
    assert parse_event_date(text) == (start, end, precision)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2023-02-30", "day must be 01-28"),
        ("2024-02-30", "day must be 01-29"),
        ("2023-04-31", "day must be 01-30"),
        ("2023-13", "month must be 01-12"),
        ("2023-00", "month must be 01-12"),
        ("2023-01-00", "day must be 01-31"),
        ("0000", "year must be 0001-9999"),
        ("2024-02/2024-01", "ends before it starts"),
        ("2024-02-22/2024-02-21", "ends before it starts"),
        ("2023/2024/2025", "exactly one '/'"),
        ("2023/", "not a date"),
        ("/2023", "not a date"),
        ("23", "not a date"),
        ("2023-1", "not a date"),
        ("2023-10-1", "not a date"),
        ("20230102", "not a date"),
        (" 2023", "not a date"),
        ("2023-10-01T00:00", "not a date"),
        ("2023-10-01\n", "not a date"),
        ("\uff12\uff10\uff12\uff13", "not a date"),  # full-width digits
        ("", "not a date"),
    ],
)
def test_invalid_event_dates_are_rejected_with_the_reason(text, reason):
    with pytest.raises(InvalidDate, match=reason):
        parse_event_date(text)


def test_a_query_bound_cannot_be_an_interval():
    with pytest.raises(InvalidDate, match="not a date"):
        parse_partial_date("2023/2024")
