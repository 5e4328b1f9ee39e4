"""Links and Location never carry the Host header: relative, or under TIMELINE_PUBLIC_URL."""

import pytest

EVIL = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}


def _carried(response) -> str:
    """Return everything of a response a cache would store: headers and body."""
    return f"{dict(response.headers)}{response.get_data(as_text=True)}"


@pytest.fixture
def public(app):
    """Serve with TIMELINE_PUBLIC_URL set."""
    app.config["PUBLIC_URL"] = "https://api.example.org/"
    return app


@pytest.mark.parametrize("base", ["", "https://api.example.org"])
def test_page_links_are_relative_or_under_the_public_url(app, client, base):
    app.config["PUBLIC_URL"] = base
    response = client.get("/v1/events?limit=2&actor=iran", headers=EVIL)
    body = response.get_json()
    assert body["links"]["self"] == f"{base}/v1/events?limit=2&actor=iran"
    assert body["links"]["next"].startswith(f"{base}/v1/events?limit=2&actor=iran&cursor=")
    assert response.headers["Link"] == f'<{body["links"]["next"]}>; rel="next"'
    assert "evil" not in _carried(response)
    assert client.get(body["links"]["next"].removeprefix(base)).status_code == 200


@pytest.mark.parametrize("base", ["", "https://api.example.org"])
def test_a_created_records_location_is_relative_or_under_the_public_url(
    app, client, write_token, base
):
    app.config["PUBLIC_URL"] = base
    body = {"id": "evil-check", "publisher": "Check", "title": "A check"}
    headers = {**EVIL, "Authorization": f"Bearer {write_token}"}
    response = client.post("/v1/sources", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"] == f"{base}/v1/sources/evil-check"
    assert "evil.example" not in _carried(response)


@pytest.mark.parametrize(
    ("path", "location"),
    [
        # An alias redirects to the canonical actor (our redirect).
        ("/v1/actors/Iran", "/v1/actors/iran"),
        # werkzeug merges doubled slashes with a redirect it builds from the Host header.
        ("/v1//event-types", "/v1/event-types"),
    ],
)
@pytest.mark.parametrize("base", ["", "https://api.example.org"])
def test_redirects_never_point_at_the_host_header(app, client, path, location, base):
    app.config["PUBLIC_URL"] = base
    response = client.get(path, headers=EVIL)
    assert response.status_code == 308
    assert response.headers["Location"] == f"{base}{location}"
    assert "evil" not in _carried(response)


@pytest.mark.parametrize("base", ["", "https://api.example.org"])
def test_the_change_feeds_links_are_relative_or_under_the_public_url(app, client, base):
    app.config["PUBLIC_URL"] = base
    response = client.get("/v1/changes?limit=1", headers=EVIL)
    links = response.get_json()["links"]
    assert links["self"] == f"{base}/v1/changes?limit=1"
    assert links["next"].startswith(f"{base}/v1/changes?limit=1&since=")
    assert "evil" not in _carried(response)
