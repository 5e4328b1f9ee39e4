"""The page at `/` in a real browser (Playwright driving Debian's Chromium).

Its histogram must draw the totals the API gives, follow the filters, and show an event with
its sources on click; actors are picked by type-ahead, dragging across the histogram sets the
range, and a network panel draws the API's links. It works on 100k generated events too (its
load time is printed, not judged). Screenshots are saved to artifacts/.
"""

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from fixture_oracle import expected_ids
from served import ROOT, TIMELINE, create_token, request, seeded_sqlite, serving

CHROMIUM = os.environ.get("TIMELINE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_or_skip() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("TIMELINE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"Chromium is required here but {CHROMIUM} does not exist")
    pytest.skip("no Chromium on this machine (CI installs it and never skips)")


@pytest.fixture(scope="module")
def served_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    database_url, env = seeded_sqlite(folder, "page")
    with serving(database_url, folder / "gunicorn.log", workers=2) as base:
        yield base, env


@pytest.fixture(scope="module")
def site(served_site):
    """The base URL of the server over the fixtures."""
    return served_site[0]


@pytest.fixture(scope="module")
def browser():
    executable = _chromium_or_skip()
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only this module needs it

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def api(site: str, path: str) -> dict:
    status, _, body = request(site, "GET", path)
    assert status == 200, body
    return json.loads(body)


DRAWN_TOTAL = """() => document.getElementById('histogram').data
    .reduce((sum, trace) => sum + trace.y.reduce((a, b) => a + b, 0), 0)"""


def _wait_ready(page) -> None:
    page.wait_for_selector("body[data-state=ready]", timeout=30_000)


def _wait_total_changes(page, old_total) -> None:
    # Playwright's own matchers: a predicate given as a string is eval'd in the page, which
    # the page's Content-Security-Policy refuses.
    expect(page.locator("#histogram-total")).not_to_have_text(str(old_total), timeout=30_000)
    _wait_ready(page)


def test_the_page_draws_what_the_api_counts_follows_filters_and_shows_sources(site, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 1500})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda req: errors.append(f"failed: {req.url}"))
    page.goto(f"{site}/")
    _wait_ready(page)

    everything = api(site, "/v1/stats/histogram?interval=year&group_by=type")
    assert everything["total"] > 0
    assert page.evaluate(DRAWN_TOTAL) == everything["total"]
    assert page.inner_text("#histogram-total") == str(everything["total"])
    count = api(site, "/v1/events?count=true&limit=1")["meta"]["total"]
    assert count == len(expected_ids())
    assert page.inner_text("#timeline-count") == str(count)
    assert page.inner_text("#timeline-total") == str(count)
    assert page.is_hidden("#timeline-hint"), "every event is drawn: nothing to narrow"
    network = api(site, "/v1/stats/network?limit=60")
    assert 0 < int(page.get_attribute("#network", "data-links")) == len(network["links"])

    page.check("#types input[value=shipment]")
    _wait_total_changes(page, everything["total"])
    shipments = api(site, "/v1/stats/histogram?interval=year&group_by=type&type=shipment")
    assert 0 < page.evaluate(DRAWN_TOTAL) == shipments["total"] < everything["total"]
    assert page.inner_text("#timeline-count") == str(shipments["total"])

    page.fill("#q", "missil*")
    page.click("button[type=submit]")
    _wait_total_changes(page, shipments["total"])
    searched = api(site, "/v1/stats/histogram?interval=year&group_by=type&type=shipment&q=missil*")
    assert page.evaluate(DRAWN_TOTAL) == searched["total"] > 0

    # Plotly listens on a drag layer above the bars: click where the first bar is drawn.
    box = page.locator("#timeline g.point path").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#details:not([hidden]) .sources li", timeout=10_000)
    details = page.inner_text("#details")
    assert "Sources" in details
    assert "missile" in details.lower()
    # A citation read in another source is credited "Publisher, via Relay" in the panel.
    shown = api(site, "/v1/events?type=shipment&q=missil*&sort=date&limit=1")["data"][0]
    assert shown["title"] in details
    relayed = [citation for citation in shown["sources"] if citation["via"]]
    assert relayed, "the event clicked should cite a source read in another"
    for citation in relayed:
        relay = api(site, f"/v1/sources/{citation['via']}")["publisher"]
        assert f"{citation['publisher']}, via {relay}" in details

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "timeline-page.png"), full_page=True)
    assert errors == []
    page.close()


def test_actors_are_picked_by_type_ahead_and_the_histogram_zooms_to_a_range(site, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 1200})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{site}/")
    _wait_ready(page)
    everything = page.inner_text("#histogram-total")

    # "teh" is a prefix of Tehran, an alias of Iran.
    page.fill("#actor-search", "teh")
    page.wait_for_selector('#actor-options option[value="Iran (iran)"]', state="attached")
    page.fill("#actor-search", "Iran (iran)")
    page.wait_for_selector('#actors-chosen li[data-id="iran"]')
    _wait_total_changes(page, everything)
    iran = api(site, "/v1/stats/histogram?interval=year&group_by=type&actor=iran")
    assert page.evaluate(DRAWN_TOTAL) == iran["total"] > 0
    assert page.input_value("#actor-search") == ""

    # Dragging across the second and third bars asks for their years only.
    starts = iran["bucket_starts"]
    assert len(starts) >= 3
    page.evaluate("Plotly.relayout('histogram', {'xaxis.range[0]': 0.6, 'xaxis.range[1]': 2.4})")
    expect(page.locator("#from")).to_have_value(starts[1], timeout=30_000)
    _wait_ready(page)
    last = int(starts[2][:4])
    assert page.input_value("#to") == f"{last}-12-31"
    zoomed = api(
        site,
        f"/v1/stats/histogram?interval=year&group_by=type&actor=iran&from={starts[1]}"
        f"&to={last}-12-31",
    )
    expect(page.locator("#histogram-total")).to_have_text(str(zoomed["total"]), timeout=30_000)

    page.click('#actors-chosen li[data-id="iran"] button')
    page.wait_for_selector('#actors-chosen li[data-id="iran"]', state="detached")
    assert errors == []
    page.close()


@pytest.fixture(scope="module")
def large_site(tmp_path_factory):
    """A server over 100,000 generated events."""
    _chromium_or_skip()
    folder = tmp_path_factory.mktemp("browser-large")
    database_url = f"sqlite:///{folder / 'large.db'}"
    env = {**os.environ, "TIMELINE_DATABASE_URL": database_url, "TIMELINE_SECRET_KEY": "page"}
    for command in (["init-db"], ["generate", "--events", "100000", "--seed", "7"]):
        subprocess.run([*TIMELINE, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    with serving(database_url, folder / "gunicorn.log", workers=2) as base:
        yield base


def test_the_page_loads_filters_and_opens_an_event_on_100k_events(large_site, browser, capsys):
    page = browser.new_page(viewport={"width": 1300, "height": 1500})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    started = time.monotonic()
    page.goto(f"{large_site}/")
    _wait_ready(page)
    loaded = time.monotonic() - started
    record = f"page on 100,000 events: ready in {loaded:.2f} s"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-load-100k.txt").write_text(record + "\n")
    with capsys.disabled():
        print(f"\n{record}")

    total = api(large_site, "/v1/events?count=true&limit=1")["meta"]["total"]
    assert total == 100_000
    assert page.inner_text("#timeline-total") == str(total)
    drawn = int(page.inner_text("#timeline-count"))
    assert 0 < drawn < total
    assert page.is_visible("#timeline-hint")

    before = page.inner_text("#histogram-total")
    page.check("#types input[value=shipment]")
    _wait_total_changes(page, before)
    shipments = api(large_site, "/v1/stats/histogram?interval=year&group_by=type&type=shipment")
    assert page.evaluate(DRAWN_TOTAL) == shipments["total"]

    box = page.locator("#timeline g.point path").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#details:not([hidden]) .sources li", timeout=10_000)
    assert "Shipment" in page.inner_text("#details") or "shipment" in page.inner_text("#details")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "timeline-page-100k.png"), full_page=True)
    assert errors == []
    page.close()


def test_the_page_works_offline(site, browser):
    """Every request the page makes goes to the API's own host: no CDN."""
    page = browser.new_page()
    hosts = set()
    page.on("request", lambda req: hosts.add(req.url.split("/")[2]))
    page.goto(f"{site}/")
    _wait_ready(page)
    assert hosts == {site.split("/")[2]}
    page.close()


# Collects what the Content-Security-Policy refuses, with the start of what was refused.
RECORD_VIOLATIONS = """document.addEventListener("securitypolicyviolation",
    (event) => (window.violations ||= []).push(`${event.violatedDirective} ${event.sample}`));
window.violations = [];"""
# A title that would be a live link if plotly read it as markup; short enough to show whole.
MALICIOUS_TITLE = 'Sanctions <a href="https://evil.example/">click</a>'


def test_the_page_is_locked_down_and_shows_titles_as_text(served_site, browser):
    site, env = served_site
    status, headers, _ = request(site, "GET", "/")
    assert status == 200
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"

    auth = {"Authorization": f"Bearer {create_token(env, 'browser-writer')}"}
    body = {
        "title": MALICIOUS_TITLE,
        "summary": "A title written to test that the page shows it as text.",
        "type": "statement",
        "date": "1990-01-01",
        "status": "reported",
        "actors": [{"id": "iran", "role": "speaker"}],
        "sources": [{"id": "eurasiareview-iran-missile-shipments-russia", "quote": "Text."}],
    }
    status, headers, raw = request(site, "POST", "/v1/events", body, auth)
    assert status == 201, raw
    try:
        page = browser.new_page(viewport={"width": 1300, "height": 1500})
        page.add_init_script(RECORD_VIOLATIONS)
        page.goto(f"{site}/")
        _wait_ready(page)
        # The earliest event is drawn: its title shows as text, and no link to evil exists.
        assert page.locator('#timeline a[href*="evil"]').count() == 0
        labels = page.locator("#timeline .ytick text").all_text_contents()
        assert MALICIOUS_TITLE in labels
        hovers = page.evaluate(
            "document.getElementById('timeline').data"
            ".flatMap((trace) => (trace.customdata || []).map((row) => row[0]))"
        )
        assert any(hover.startswith("Sanctions &#60;a href=") for hover in hovers)
        assert not any("<a" in hover for hover in hovers)
        # Clicking needs plotly's own rules, which the policy lets it add (an empty <style>).
        box = page.locator("#timeline g.point path").first.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_selector("#details:not([hidden]) .sources li", timeout=10_000)
        assert MALICIOUS_TITLE in page.inner_text("#details h3")
        # Refused: only the map stylesheet plotly carries (the page draws no map).
        refused = page.evaluate("window.violations")
        assert all(v.startswith("style-src-elem .maplibregl") for v in refused), refused
        page.close()
    finally:
        etag = request(site, "GET", headers["Location"])[1]["ETag"]
        request(site, "DELETE", headers["Location"], None, {**auth, "If-Match": etag})


def test_the_docs_run_swagger_ui_on_this_host_and_try_a_read(site, browser):
    """/docs draws every operation, runs a read in Swagger UI, and fetches nothing elsewhere."""
    page = browser.new_page(viewport={"width": 1300, "height": 1500})
    page.add_init_script(RECORD_VIOLATIONS)
    hosts, errors = set(), []
    page.on("request", lambda req: hosts.add(req.url.split("/")[2]))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{site}/docs")
    # Swagger UI names an operation's block operations-<tag>-<operationId>.
    listing = page.locator('[id$="-listEvents"]')
    expect(listing).to_be_visible(timeout=30_000)
    expect(listing.locator(".opblock-summary-path")).to_have_attribute("data-path", "/v1/events")

    listing.locator(".opblock-summary").click()
    listing.locator(".try-out__btn").click()
    listing.locator("button.execute").click()
    live = listing.locator(".live-responses-table tbody")
    expect(live.locator(".response-col_status")).to_have_text("200", timeout=30_000)
    expect(live.locator(".response-col_description")).to_contain_text('"data"')
    expect(listing.locator(".request-url")).to_contain_text(f"{site}/v1/events")

    # Writes need a token: Swagger UI offers no "Try it out" for them.
    creating = page.locator('[id$="-createEvent"]')
    creating.locator(".opblock-summary").click()
    expect(creating.locator(".opblock-body")).to_be_visible()
    assert creating.locator(".try-out__btn").count() == 0

    ARTIFACTS.mkdir(exist_ok=True)
    # The whole page is some 18,000 pixels tall: the screen that shows the read's answer.
    live.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "docs-page.png"))
    assert hosts == {site.split("/")[2]}
    assert page.evaluate("window.violations") == []
    assert errors == []
    page.close()
