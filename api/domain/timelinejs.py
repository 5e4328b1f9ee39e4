"""TimelineJS3 slides: dates only as precise as the event's, sources credited in the text."""

import calendar
import html
from collections.abc import Mapping

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


def credit(citation: dict, publishers: Mapping[str, str]) -> str:
    """Name who a citation is credited to: "Reuters", or "Reuters, via Eurasia Review"."""
    if citation["via"] is None:
        return citation["publisher"]
    return f"{citation['publisher']}, via {publishers.get(citation['via'], citation['via'])}"


def slide(event: dict, publishers: Mapping[str, str]) -> dict:
    """Turn an event (as GET shows it) into a TimelineJS slide.

    `publishers` names the sources the event's citations were read in (`via`), by id.
    """
    first, _, last = event["date"].partition("/")
    credits = (credit(citation, publishers) for citation in event["sources"])
    sources = "; ".join(dict.fromkeys(credits))
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


def timeline(events: list[dict], publishers: Mapping[str, str]) -> dict:
    """Return a TimelineJS3 document of these events; `publishers` as for `slide`."""
    return {
        "title": {
            "text": {
                "headline": "Timeline",
                "text": f"{len(events)} event(s), with their sources.",
            }
        },
        "events": [slide(event, publishers) for event in events],
    }
