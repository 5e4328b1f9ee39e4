"""Long streams: bounded from their first chunk to their last, and never cut by the worker timeout.

A stream's database work runs after its view has returned and the request's own hooks have
ended, so `streamed` bounds it itself (TIMELINE_EXPORT_TIMEOUT_S), from the first chunk, made
before the response is returned so that an error up to there is still a problem+json answer,
to the last. An error after the first chunk ends the chunked stream without its terminating
chunk: every HTTP/1.1 client sees an incomplete body, never a clean end of a partial file.

gunicorn's sync workers report that they are alive only between requests, so a download
longer than the worker timeout (30 s) would be killed mid-stream. `gunicorn.conf.py` hands
each worker's `notify` to `beat`; outside gunicorn it does nothing.
"""

import time
from collections.abc import Callable, Iterable, Iterator

from flask import Response, stream_with_context

from api.domain.errors import QueryTimeout
from api.storage.connection import begin_request, past_deadline


def _outside_gunicorn() -> None:
    """Report to nobody: no arbiter watches this process."""


# Set by gunicorn's post_fork hook to the worker's heartbeat.
beat: Callable[[], None] = _outside_gunicorn
BEAT_EVERY_SECONDS = 0.2


def kept_alive(chunks: Iterable) -> Iterator:
    """Yield the chunks, telling the arbiter the worker is alive five times a second."""
    last = time.monotonic()
    for chunk in chunks:
        yield chunk
        now = time.monotonic()
        if now - last >= BEAT_EVERY_SECONDS:
            beat()
            last = now


def _within_budget(chunks: Iterable, milliseconds: int) -> Iterator:
    end = begin_request(milliseconds)
    try:
        for chunk in chunks:
            yield chunk
            # SQLite looks at the clock only inside long statements; a stream of short ones
            # is stopped here, between chunks.
            if past_deadline():
                raise QueryTimeout(milliseconds)
    except BaseException as error:  # GeneratorExit too: a client that left ends the hold
        end(error)
        raise
    end(None)


def _first_then_rest(first, rest: Iterator) -> Iterator:
    try:
        yield first
        yield from rest
    finally:
        rest.close()


def streamed(chunks: Iterable, *, budget_ms: int, mimetype: str) -> Response:
    """Stream `chunks` as a response, their database work bounded by `budget_ms` in all."""
    stream = kept_alive(_within_budget(chunks, budget_ms))
    try:
        first = next(stream)
    except StopIteration:
        return Response(b"", mimetype=mimetype)
    return Response(stream_with_context(_first_then_rest(first, stream)), mimetype=mimetype)
