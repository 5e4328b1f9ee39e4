"""The curated data set: every fact rests on a sentence of its source, every guess is said."""

import calendar
import re

import pytest

from fixture_oracle import FIXTURES, fixture_records, span

# The source article is part of the repository, beside the fixtures curated from it.
ARTICLE = FIXTURES / "article-iran-missiles-russia.txt"
EVENTS = fixture_records()["events"]
SOURCES = {source["id"]: source for source in fixture_records()["sources"]}
GAP = " […] "


def _normalized(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def article() -> str:
    if not ARTICLE.exists():
        pytest.fail(f"the seed article is missing at {ARTICLE}")
    return _normalized(ARTICLE.read_text(encoding="utf-8"))


def _event_id(event):
    return event["id"]


@pytest.mark.parametrize("event", EVENTS, ids=_event_id)
def test_every_quote_is_a_verbatim_passage_of_the_article(article, event):
    assert event["sources"], "every event cites at least one source"
    for citation in event["sources"]:
        assert citation.get("quote"), f"{citation['id']} is cited without its sentence"
        for passage in _normalized(citation["quote"]).split(GAP.strip()):
            assert passage.strip() in article, passage


@pytest.mark.parametrize("event", EVENTS, ids=_event_id)
def test_every_date_the_quotes_do_not_spell_out_has_a_note(article, event):
    quotes = " ".join(_normalized(c["quote"]) for c in event["sources"])
    written = _spelled_out(event["date"])
    if written is None or written not in quotes:
        assert event.get("note"), f"{event['date']} is not spelled out in its quotes: say why"


@pytest.mark.parametrize("event", EVENTS, ids=_event_id)
def test_a_year_the_article_never_prints_is_said_to_be_inferred(article, event):
    years = set(re.findall(r"\d{4}", event["date"]))
    missing = {year for year in years if year not in article}
    if missing:
        assert "inferred" in event.get("note", ""), f"year(s) {missing} are not in the article"


@pytest.mark.parametrize("event", EVENTS, ids=_event_id)
def test_ids_begin_with_the_first_day_or_month_of_the_date(event):
    first = event["date"].split("/")[0]
    assert event["id"].startswith(f"{first}-")
    assert span(event["date"])[0] <= span(event["date"])[1]


def test_attributed_claims_cite_the_outlet_beside_the_article():
    by_id = {event["id"]: event for event in EVENTS}
    shipment = by_id["2024-01-iran-ships-ballistic-missiles-to-russia"]
    assert {c["id"] for c in shipment["sources"]} == {
        "reuters-2024-02-21-iran-missiles-russia",
        "eurasiareview-iran-missile-shipments-russia",
    }
    assert shipment["date"] == "2024-01/2024-02-21"
    assert SOURCES["reuters-2024-02-21-iran-missiles-russia"]["publisher"] == "Reuters"


@pytest.mark.parametrize(
    ("event_id", "date"),
    [
        ("2022-02-24-russia-invades-ukraine", "2022-02-24"),
        ("2022-03-russia-overtakes-iran-as-most-sanctioned-country", "2022-03"),
        (
            "2023-07-russian-defense-ministry-journal-appears-to-confirm-geran-2-is-shahed-136",
            "2023-07",
        ),
        ("2023-09-shoigu-visits-irgc-weapons-exhibition-in-tehran", "2023-09"),
        ("2023-10-un-curbs-on-iran-missile-trade-expire", "2023-10"),
        ("2023-10-uk-and-eu-keep-missile-sanctions-on-iran", "2023-10"),
        (
            "2024-02-20-iranian-defense-ministry-says-russia-cooperation-unrelated-to-ukraine-war",
            "2024-02-20",
        ),
        ("2024-02-21-reuters-reports-iranian-missile-shipments-to-russia", "2024-02-21"),
        ("2024-02-22-us-announces-additional-sanctions-on-iran", "2024-02-22"),
        (
            "2024-02-21-us-state-department-calls-iran-russia-cooperation-a-concern",
            "2024-02-21/2024-02-22",
        ),
        (
            "2022-02-24-iran-denies-providing-drones-to-russia-for-use-against-ukraine",
            "2022-02-24/2024-02-22",
        ),
        ("2022-02-24-russia-rejects-reports-it-uses-iranian-drones", "2022-02-24/2024-02-22"),
    ],
)
def test_the_events_the_issue_names_are_present(event_id, date):
    assert {event["id"]: event["date"] for event in EVENTS}[event_id] == date


def _spelled_out(date: str) -> str | None:
    """Return how the article would write a day, month or year, or None for an interval."""
    if "/" in date:
        return None
    parts = [int(part) for part in date.split("-")]
    if len(parts) == 1:
        return str(parts[0])
    month = calendar.month_name[parts[1]]
    return f"{month} {parts[2]}, {parts[0]}" if len(parts) == 3 else f"{month} {parts[0]}"
