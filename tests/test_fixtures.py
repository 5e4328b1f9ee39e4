"""The curated data set: every fact rests on a sentence of its source, every guess is said."""

import calendar
import re

import pytest

from fixture_oracle import FIXTURES, fixture_records, span

# The source article is part of the repository, beside the fixtures curated from it: it is the
# only source whose text we hold, so every quote must be read in it.
ARTICLE = FIXTURES / "article-iran-missiles-russia.txt"
ARTICLE_SOURCE = "eurasiareview-iran-missile-shipments-russia"
EVENTS = fixture_records()["events"]
SOURCES = {source["id"]: source for source in fixture_records()["sources"]}
ACTORS = {actor["id"]: actor for actor in fixture_records()["actors"]}
# How a source's note marks it as known only through another source.
SECOND_HAND = "Known only second-hand"
GAP = " […] "


def _normalized(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    """The text of each source read here, by source id."""
    if not ARTICLE.exists():
        pytest.fail(f"the seed article is missing at {ARTICLE}")
    return {ARTICLE_SOURCE: _normalized(ARTICLE.read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def article(texts) -> str:
    return texts[ARTICLE_SOURCE]


def _event_id(event):
    return event["id"]


def _citations():
    return [
        pytest.param(event, citation, id=f"{event['id']}:{citation['id']}")
        for event in EVENTS
        for citation in event["sources"]
    ]


@pytest.mark.parametrize(("event", "citation"), _citations())
def test_every_quote_is_verbatim_in_the_source_it_was_read_in(texts, event, citation):
    # `via` names the source the quote was read in; without it, the cited source itself.
    read_in = citation.get("via") or citation["id"]
    assert read_in in texts, (
        f"{citation['id']} is quoted as read in {read_in!r}, whose text we do not hold: "
        "cite it via the source that reports it"
    )
    assert citation.get("quote"), f"{citation['id']} is cited without its sentence"
    for passage in _normalized(citation["quote"]).split(GAP.strip()):
        assert passage.strip() in texts[read_in], passage


@pytest.mark.parametrize("source", SOURCES.values(), ids=lambda source: source["id"])
def test_a_source_we_hold_no_text_of_says_it_is_second_hand_and_invents_nothing(texts, source):
    if source["id"] in texts:
        assert SECOND_HAND not in source.get("note", "")
        return
    assert source.get("note", "").startswith(SECOND_HAND), source["id"]
    assert not source.get("url"), "a second-hand source's URL would be invented"
    # A title the citing text does not give is a description, marked as supplied.
    assert source["title"].startswith("[")
    assert source["title"].endswith("]")


@pytest.mark.parametrize(("event", "citation"), _citations())
def test_a_second_hand_source_is_never_cited_without_via(event, citation):
    if SOURCES[citation["id"]].get("note", "").startswith(SECOND_HAND):
        assert citation.get("via"), f"{citation['id']} is known only second-hand"
        assert citation["via"] in SOURCES
    assert citation.get("via") != citation["id"]


@pytest.mark.parametrize("source", SOURCES.values(), ids=lambda source: source["id"])
def test_a_published_date_has_a_note_saying_where_it_comes_from(source):
    if source.get("published"):
        assert source.get("note"), f"{source['id']}: say where {source['published']} comes from"


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


def test_the_claims_credited_to_reuters_cite_it_the_same_way_via_the_article():
    credited = {
        event["id"]: citation
        for event in EVENTS
        for citation in event["sources"]
        if citation["id"] == "reuters-2024-02-21-iran-missiles-russia"
    }
    assert set(credited) == {
        "2024-01-iran-ships-ballistic-missiles-to-russia",
        "2024-02-21-reuters-reports-iranian-missile-shipments-to-russia",
    }
    assert len({(c["via"], _normalized(c["quote"])) for c in credited.values()}) == 1
    assert {c["via"] for c in credited.values()} == {ARTICLE_SOURCE}
    assert SOURCES["reuters-2024-02-21-iran-missiles-russia"]["publisher"] == "Reuters"


def _by_id():
    return {event["id"]: event for event in EVENTS}


def _roles(event_id: str) -> dict[str, set[str]]:
    roles: dict[str, set[str]] = {}
    for actor in _by_id()[event_id]["actors"]:
        roles.setdefault(actor["role"], set()).add(actor["id"])
    return roles


def _related(event_id: str) -> set[tuple[str, str]]:
    return {(r["id"], r["relation"]) for r in _by_id()[event_id].get("related", [])}


def test_the_statement_reported_with_the_expiry_ends_no_later_than_the_expiry():
    statement = _by_id()["2023-10-uk-and-eu-keep-missile-sanctions-on-iran"]
    expiry = _by_id()["2023-10-un-curbs-on-iran-missile-trade-expire"]
    assert span(statement["date"])[1] <= span(expiry["date"])[1]
    assert "/" in statement["date"], "the article does not date the statement itself"
    assert "no later than" in statement["note"]


def test_roles_and_types_say_only_what_the_article_says():
    milestone = "2022-03-russia-overtakes-iran-as-most-sanctioned-country"
    assert "subject" not in _roles(milestone), "nobody speaks in a ranking"
    assert "initiator" not in _roles("2023-10-un-curbs-on-iran-missile-trade-expire")
    north_korean = "2022-02-24-russia-uses-north-korean-missiles-in-the-war"
    assert _by_id()[north_korean]["type"] != "shipment"
    assert not {"supplier", "recipient"} & set(_roles(north_korean))
    assert _by_id()[north_korean]["status"] == "confirmed", "the article says it in its own voice"
    remark = "2024-02-20-iranian-defense-ministry-says-russia-cooperation-unrelated-to-ukraine-war"
    assert _by_id()[remark]["type"] == "denial"
    assert ("2022-02-24-iran-supplies-shahed-drones-to-russia", "denies") in _related(remark)
    assert ("2023-10-un-curbs-on-iran-missile-trade-expire", "follows") in _related(
        "2024-01-iran-ships-ballistic-missiles-to-russia"
    )


def test_spans_up_to_the_article_end_on_one_day():
    """One rule for "no later than the article": the latest day it names, which nothing passes."""
    article_day = span("2024-02-22")[1]
    bounded = [e for e in EVENTS if "no later than the article" in _normalized(e.get("note", ""))]
    assert len(bounded) >= 8
    assert {event["date"].split("/")[-1] for event in bounded} == {"2024-02-22"}
    assert all(span(event["date"])[1] <= article_day for event in EVENTS)
    assert "February 22, 2024" in _normalized(SOURCES[ARTICLE_SOURCE]["note"])


@pytest.mark.parametrize(
    ("actor_id", "name_in_article"),
    [
        ("john-krzyzaniak", "John Krzyzaniak"),
        ("wisconsin-project-on-nuclear-arms-control", "Wisconsin Project on Nuclear Arms Control"),
        ("nicole-grajewski", "Nicole Grajewski"),
        (
            "carnegie-endowment-for-international-peace",
            "Carnegie Endowment for International Peace",
        ),
    ],
)
def test_the_people_and_bodies_the_article_names_are_actors(article, actor_id, name_in_article):
    assert name_in_article in article
    assert name_in_article in [ACTORS[actor_id]["name"], *ACTORS[actor_id].get("aliases", [])]


def test_rfe_rl_has_its_full_name_as_an_alias():
    assert "Radio Free Europe/Radio Liberty" in ACTORS["rfe-rl"]["aliases"]


@pytest.mark.parametrize(
    ("event_id", "date"),
    [
        ("2022-02-24-russia-invades-ukraine", "2022-02-24"),
        ("2022-02-24-western-sanctions-swiftly-hit-russia", "2022-02-24/2022-03"),
        ("2022-03-russia-overtakes-iran-as-most-sanctioned-country", "2022-03"),
        ("2023-02-reports-of-iran-finalizing-su-35-deal-with-russia", "2023-02/2024-02-22"),
        (
            "2023-07-russian-defense-ministry-journal-appears-to-confirm-geran-2-is-shahed-136",
            "2023-07",
        ),
        ("2023-09-shoigu-visits-irgc-weapons-exhibition-in-tehran", "2023-09"),
        ("2023-10-un-curbs-on-iran-missile-trade-expire", "2023-10"),
        ("2023-10-uk-and-eu-keep-missile-sanctions-on-iran", "2023/2023-10"),
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
            "2024-02-21-krzyzaniak-says-iranian-missile-deliveries-would-be-a-game-changer",
            "2024-02-21/2024-02-22",
        ),
        (
            "2024-02-21-grajewski-says-iranian-missile-deliveries-would-be-seen-as-an-escalation",
            "2024-02-21/2024-02-22",
        ),
        (
            "2022-02-24-iran-denies-providing-drones-to-russia-for-use-against-ukraine",
            "2022-02-24/2024-02-22",
        ),
        ("2022-02-24-russia-rejects-reports-it-uses-iranian-drones", "2022-02-24/2024-02-22"),
    ],
)
def test_the_events_the_issues_name_are_present(event_id, date):
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
