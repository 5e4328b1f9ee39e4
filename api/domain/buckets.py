"""Calendar buckets for histograms: day, ISO week, month, quarter and year."""

import datetime as dt

INTERVALS = ("day", "week", "month", "quarter", "year")


def bucket_start(day: dt.date, interval: str) -> dt.date:
    """Return the first day of the bucket holding `day`."""
    if interval == "day":
        return day
    if interval == "week":
        return day - dt.timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    if interval == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return dt.date(day.year, 1, 1)


def next_bucket(start: dt.date, interval: str) -> dt.date:
    """Return the first day of the bucket after the one starting on `start`."""
    if interval == "day":
        return start + dt.timedelta(days=1)
    if interval == "week":
        return start + dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3}.get(interval, 12)
    month_index = start.year * 12 + start.month - 1 + months
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def bucket_label(start: dt.date, interval: str) -> str:
    """Label a bucket: 2023-10-05, 2023-W40 (ISO week), 2023-10, 2023-Q4 or 2023."""
    if interval == "day":
        return start.isoformat()
    if interval == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if interval == "month":
        return f"{start.year:04d}-{start.month:02d}"
    if interval == "quarter":
        return f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year:04d}"


def bucket_starts(first: dt.date, last: dt.date, interval: str, *, limit: int) -> list[dt.date]:
    """Return the starts of every bucket from the one holding `first` to the one holding `last`.

    Raises ValueError when there would be more than `limit` of them.
    """
    starts, current, end = [], bucket_start(first, interval), bucket_start(last, interval)
    while current <= end:
        if len(starts) == limit:
            raise ValueError(f"more than {limit} buckets")
        starts.append(current)
        try:
            current = next_bucket(current, interval)
        except (ValueError, OverflowError):  # past 9999-12-31
            break
    return starts
