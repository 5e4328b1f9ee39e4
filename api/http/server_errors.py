"""Problem+json for the errors gunicorn answers itself, before the app sees the request."""

import json

from gunicorn import util

from api.http.problems import problem_body

_HEAD = (
    "HTTP/1.1 {status} {reason}\r\n"
    "Connection: close\r\n"
    "Content-Type: application/problem+json\r\n"
    "Content-Length: {length}\r\n"
    "Cache-Control: no-store\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "\r\n"
)


def write_problem(sock, status_int: int, reason: str, mesg: str) -> None:
    """Write an over-long request line (414), oversized headers (431) and the like as a problem."""
    body = json.dumps(problem_body(status_int, mesg)).encode()
    head = _HEAD.format(status=status_int, reason=reason, length=len(body))
    util.write_nonblock(sock, head.encode("latin-1") + body)


def install() -> None:
    """Make gunicorn's own error responses problem+json instead of HTML."""
    # gunicorn writes these through util.write_error; replacing it is the only hook it offers.
    util.write_error = write_problem
