"""Full-text search: the query language, relevance, and an index that follows every write."""

import pytest

from builders import fixture_event_body
from fixture_oracle import expected_ids, fixture_records, searchable_words
from problem_shape import assert_problem


def oracle(*alternatives: list[str], prefix: bool = False) -> list[str]:
    """Events (in date order) whose words contain, for every group, one of its phrases."""
    wanted = []
    events = {e["id"]: e for e in fixture_records()["events"]}
    for event_id in expected_ids():
        words = searchable_words(events[event_id])
        text = " " + " ".join(words) + " "
        needles = [[" " + phrase + ("" if prefix else " ") for phrase in g] for g in alternatives]
        if all(any(needle in text for needle in group) for group in needles):
            wanted.append(event_id)
    return wanted


def _ids(client, query: str) -> list[str]:
    response = client.get(f"/v1/events?limit=500&{query}")
    assert response.status_code == 200, response.get_json()
    return [event["id"] for event in response.get_json()["data"]]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("missiles", oracle(["missiles"])),
        ("MISSILES", oracle(["missiles"])),
        ("kirby sanctions", oracle(["kirby"], ["sanctions"])),
        ('"fateh 110"', oracle(["fateh 110"])),
        ("fateh-110", oracle(["fateh 110"])),
        ("shahed OR zolfaqar", oracle(["shahed", "zolfaqar"])),
        ("Tehran", oracle(["tehran"])),
        ("Revolutionary Guards", oracle(["revolutionary"], ["guards"])),
        ("Ùkráine", oracle(["ukraine"])),
        ("nosuchword", []),
    ],
)
def test_search_matches_words_phrases_and_alternatives(client, q, expected):
    assert q == "nosuchword" or expected, "the oracle found nothing: the case tests nothing"
    assert _ids(client, f"q={q}") == expected


@pytest.mark.parametrize(("prefix", "word"), [("missil", "missiles"), ("sanction", "sanctions")])
def test_a_prefix_matches_every_word_that_starts_with_it(client, prefix, word):
    expected = oracle([prefix], prefix=True)
    assert oracle([word]), "the oracle found nothing: the case tests nothing"
    assert set(expected) >= set(oracle([word]))
    assert _ids(client, f"q={prefix}*") == expected


def test_search_combines_with_every_other_filter(client):
    found = _ids(client, "q=missil*&type=shipment&actor=iran&role=supplier")
    assert found == [
        e
        for e in oracle(["missil"], prefix=True)
        if e in expected_ids(types=["shipment"], actors=["iran"], roles=["supplier"])
    ]
    assert found == ["2024-01-iran-ships-ballistic-missiles-to-russia"]


def test_relevance_puts_title_matches_first_and_pages_by_keyset(client):
    ranked = _ids(client, "q=kirby&sort=relevance")
    assert set(ranked) == set(oracle(["kirby"]))
    assert ranked[0] == "2024-02-22-kirby-sees-no-confirmation-of-missile-transfers-and-warns-iran"
    walked, url = [], "/v1/events?q=missil*&sort=relevance&limit=2"
    while url:
        assert len(walked) < 100, "the walk does not end"
        body = client.get(url).get_json()
        walked += [e["id"] for e in body["data"]]
        url = body["links"]["next"]
    assert walked == _ids(client, "q=missil*&sort=relevance")
    assert len(walked) == len(set(walked)) == len(oracle(["missil"], prefix=True))


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ('q="unclosed', "q"),
        ("q=OR", "q"),
        ("q=missiles OR", "q"),
        ("q=OR missiles", "q"),
        ("q=a OR OR b", "q"),
        ("q=*", "q"),
        ("q=mis*sile", "q"),
        ("q=!!!", "q"),
        ('q=""', "q"),
        ("q=drones -", "q"),
        ("q=" + "word " * 40, "q"),
        ("q=" + "x" * 501, "q"),
        ("sort=relevance", "sort"),
    ],
)
def test_malformed_searches_are_a_400(client, query, parameter):
    assert_problem(client.get(f"/v1/events?{query}"), 400, parameter)
    assert_problem(
        client.get(f"/v1/stats/histogram?{query}".replace("sort=relevance", 'q="x')), 400, "q"
    )


def test_the_index_follows_creates_edits_deletes_and_actor_aliases(client, admin_token):
    auth = {"Authorization": f"Bearer {admin_token}"}
    body = fixture_event_body(
        "2024-04",
        title="Zanzibarian drones reach the front",
        actors=[{"id": "iran", "role": "supplier"}],
        tags=["quokka"],
    )
    created = client.post("/v1/events", headers=auth, json=body)
    event_id = created.get_json()["id"]
    assert _ids(client, "q=zanzibarian") == [event_id]
    assert _ids(client, "q=quokka") == [event_id]
    patched = client.patch(
        created.headers["Location"],
        headers={**auth, "If-Match": created.headers["ETag"]},
        json={"title": "Wombat drones reach the front", "tags": []},
    )
    assert _ids(client, "q=zanzibarian") == []
    assert _ids(client, "q=quokka") == []
    assert _ids(client, "q=wombat") == [event_id]
    assert _ids(client, "q=wombat*") == [event_id]
    assert _ids(client, "q=womb") == []
    only_by_alias = "2022-03-russia-overtakes-iran-as-most-sanctioned-country"
    assert only_by_alias in _ids(client, "q=tehran")
    iran = client.get("/v1/actors/iran")
    client.patch(
        "/v1/actors/iran",
        headers={**auth, "If-Match": iran.headers["ETag"]},
        json={"aliases": ["Persia"]},
    )
    assert {event_id, only_by_alias} <= set(_ids(client, "q=persia"))
    assert only_by_alias not in _ids(client, "q=tehran")
    client.delete(
        created.headers["Location"], headers={**auth, "If-Match": patched.headers["ETag"]}
    )
    assert _ids(client, "q=wombat") == []
