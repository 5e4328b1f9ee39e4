"""Long streams and the worker timeout: a streaming response tells the arbiter it is alive.

gunicorn's sync workers report that they are alive only between requests, so a download
longer than the worker timeout (30 s) would be killed mid-stream. `gunicorn.conf.py` hands
each worker's `notify` to `beat`; outside gunicorn it does nothing. A stream is still bounded:
its database work by TIMELINE_EXPORT_TIMEOUT_S.
"""

import time
from collections.abc import Callable, Iterable, Iterator


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
