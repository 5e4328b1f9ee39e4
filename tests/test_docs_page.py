"""The interactive documentation at `/docs`: our page and script, Swagger UI's files, locked down.

Swagger UI comes from the flask-swagger-ui package on PyPI; only its built files are served, by
name, and our own script starts it on the API's own document (the browser test runs it).
"""

import re
from html.parser import HTMLParser
from importlib import resources

import pytest

from api.views import CONTENT_SECURITY_POLICY

SWAGGER_UI = resources.files("flask_swagger_ui") / "dist"
JAVASCRIPT = {"text/javascript", "application/javascript"}


class References(HTMLParser):
    """Collects every src and href in a document, and the text of its script elements."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[tuple[str | None, str]] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        self.urls += [value for name, value in attrs if name in {"src", "href"} and value]
        if tag == "script":
            self.scripts.append((found.get("src"), ""))
            self._in_script = True
        if "style" in found or tag == "style":
            self.scripts.append((None, f"inline style in <{tag}>"))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            src, _ = self.scripts[-1]
            self.scripts[-1] = (src, data)


def _get(client, path: str):
    # Buffered: the client reads files whole and closes them (an open one is a warning, an error).
    return client.get(path, buffered=True)


def _references(html: str) -> References:
    parser = References()
    parser.feed(html)
    return parser


def test_the_docs_page_is_html_sent_with_the_pages_policy(empty_client):
    response = _get(empty_client, "/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert 'id="swagger-ui"' in response.text
    assert "token" in response.text, "the page says writes need a token"


def test_the_docs_page_loads_only_its_own_origins_files_and_no_inline_code(empty_client):
    found = _references(_get(empty_client, "/docs").text)
    assert found.urls
    elsewhere = [url for url in found.urls if re.match(r"(?i)([a-z][a-z0-9+.-]*:|//)", url)]
    assert elsewhere == ["data:,"], "only the empty icon may be a URL with a scheme"
    assert found.scripts
    assert all(src and not text for src, text in found.scripts), found.scripts
    for url in found.urls:
        if url.startswith(("/vendor/", "/page/")):
            assert _get(empty_client, url).status_code == 200, url


def test_the_timeline_page_links_the_docs(empty_client):
    assert "/docs" in _references(_get(empty_client, "/").text).urls


def test_the_docs_routes_stay_out_of_the_openapi_document(empty_client):
    paths = _get(empty_client, "/openapi.json").get_json()["paths"]
    assert paths
    assert not [path for path in paths if path.startswith(("/docs", "/vendor"))]


@pytest.mark.parametrize(
    ("name", "mimetypes"),
    [
        ("swagger-ui-bundle.js", JAVASCRIPT),
        ("swagger-ui.css", {"text/css"}),
    ],
)
def test_swagger_ui_files_are_served_from_the_package(empty_client, name, mimetypes):
    response = _get(empty_client, f"/vendor/swagger-ui/{name}")
    assert response.status_code == 200
    assert response.mimetype in mimetypes
    assert response.data == (SWAGGER_UI / name).read_bytes()
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


# Files beside dist/ in the package, and the project's own, must stay out of reach.
@pytest.mark.parametrize(
    "path",
    [
        "/vendor/swagger-ui/no-such-file.js",
        "/vendor/swagger-ui/",
        "/vendor/swagger-ui/..%2fsetup.cfg",
        "/vendor/swagger-ui/..%2fflask_swagger_ui.py",
        "/vendor/swagger-ui/%2e%2e%2f__init__.py",
        "/vendor/swagger-ui/..%5c__init__.py",
        "/vendor/swagger-ui/../flask_swagger_ui.py",
        "/vendor/swagger-ui/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fsetup.cfg",
        "/vendor/swagger-ui/__init__.py",
        "/vendor/swagger-ui/index.html",
    ],
)
def test_nothing_but_swagger_ui_files_is_served(empty_client, path):
    response = _get(empty_client, path)
    assert response.status_code == 404
    assert b"flask_swagger_ui" not in response.data
    assert b"importlinter" not in response.data


@pytest.mark.parametrize(
    ("setting", "why"),
    [
        (r'url: "/openapi\.json"', "the API's own document, same origin"),
        (r"validatorUrl: null", "no badge from validator.swagger.io"),
        (r"queryConfigEnabled: false", "no other document from the page's address"),
        (r'supportedSubmitMethods: \["get", "head"\]', "reads only: writes need a token"),
        (r'dom_id: "#swagger-ui"', "the element docs.html holds"),
    ],
)
def test_the_initializer_keeps_swagger_ui_on_this_origin(empty_client, setting, why):
    response = _get(empty_client, "/page/docs.js")
    assert response.status_code == 200
    assert response.mimetype in JAVASCRIPT
    assert re.search(setting, response.text), why
