"""The one helper that asserts an error response has the canonical problem+json shape."""

import http


def assert_problem(response, status: int, *fields: str, problem_type: str = "about:blank") -> dict:
    """Assert an RFC 9457 problem with this status, naming each of `fields` in `errors`."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["type"] == problem_type
    assert body["title"] == http.HTTPStatus(status).phrase
    assert body["status"] == status
    assert isinstance(body["detail"], str)
    assert body["detail"]
    for field in fields:
        messages = body.get("errors", {}).get(field)
        assert messages, f"{field!r} not named in {body}"
        assert all(isinstance(message, str) and message for message in messages)
    if fields:
        assert set(body["errors"]) == set(fields), body["errors"]
    return body
