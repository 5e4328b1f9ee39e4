"""TimelineJS3 slides: dates only as precise as the event's, sources credited in the text."""

import calendar
import html

from api.domain.vocabulary import EVENT_TYPES

_TYPE_LABELS = {term.slug: term.label for term in EVENT_TYPES}
EN_DASH = " \u2013 "


def _parts(written: str) -> dict:
    pieces = [int(piece) for piece in written.split("-")]
    return dict(zip(("year", "month", "day"), pieces, strict=False))


def _spoken(written: str) -> str:
    """Write a partial date for people: 2024, March 2024, 24 February 2024."""
    parts = _parts(written)
    if "day" in parts:
        return f"{parts['day']} {calendar.month_name[parts['month']]} {parts['year']}"
    if "month" in parts:
        return f"{calendar.month_name[parts['month']]} {parts['year']}"
    return str(parts["year"])


def slide(event: dict) -> dict:
    """Turn an event (as GET shows it) into a TimelineJS slide."""
    first, _, last = event["date"].partition("/")
    sources = "; ".join(dict.fromkeys(source["publisher"] for source in event["sources"]))
    text = f"<p>{html.escape(event['summary'])}</p><p><em>Sources: {html.escape(sources)}</em></p>"
    if event["note"]:
        text += f"<p><small>{html.escape(event['note'])}</small></p>"
    result = {
        "unique_id": event["id"],
        "start_date": _parts(first),
        "display_date": f"{_spoken(first)}{EN_DASH}{_spoken(last)}" if last else _spoken(first),
        "text": {"headline": html.escape(event["title"]), "text": text},
        "group": _TYPE_LABELS.get(event["type"], event["type"]),
    }
    if last:
        result["end_date"] = _parts(last)
    return result


def timeline(events: list[dict]) -> dict:
    """Return a TimelineJS3 document of these events."""
    return {
        "title": {
            "text": {
                "headline": "Timeline",
                "text": f"{len(events)} event(s), with their sources.",
            }
        },
        "events": [slide(event) for event in events],
    }
