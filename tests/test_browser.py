"""The page at `/` in a real browser (Playwright driving Debian's Chromium).

Its histogram must draw the totals the API gives, follow the filters, and show an event with
its sources on click. A screenshot is saved to artifacts/timeline-page.png.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from fixture_oracle import expected_ids
from served import ROOT, TIMELINE, request, serving

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
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    database_url = f"sqlite:///{folder / 'page.db'}"
    env = {**os.environ, "TIMELINE_DATABASE_URL": database_url, "TIMELINE_SECRET_KEY": "page"}
    for command in (["init-db"], ["seed"]):
        subprocess.run([*TIMELINE, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    with serving(database_url, folder / "gunicorn.log", workers=2) as base:
        yield base


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


def _wait_total_changes(page, old_total: int) -> None:
    total = "document.getElementById('histogram-total').textContent"
    page.wait_for_function(f"{total} !== '{old_total}'", timeout=30_000)
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

    page.check("#types input[value=shipment]")
    page.wait_for_function(
        f"document.getElementById('histogram-total').textContent !== '{everything['total']}'"
    )
    _wait_ready(page)
    shipments = api(site, "/v1/stats/histogram?interval=year&group_by=type&type=shipment")
    assert 0 < page.evaluate(DRAWN_TOTAL) == shipments["total"] < everything["total"]
    assert page.inner_text("#timeline-count") == str(shipments["total"])

    page.fill("#q", "missil*")
    page.click("button[type=submit]")
    page.wait_for_function(
        f"document.getElementById('histogram-total').textContent !== '{shipments['total']}'"
    )
    _wait_ready(page)
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


def test_the_page_works_offline(site, browser):
    """Every request the page makes goes to the API's own host: no CDN."""
    page = browser.new_page()
    hosts = set()
    page.on("request", lambda req: hosts.add(req.url.split("/")[2]))
    page.goto(f"{site}/")
    _wait_ready(page)
    assert hosts == {site.split("/")[2]}
    page.close()
