"""Settings: every `TIMELINE_*` environment variable, declared once with its default."""

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


def _comma_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"{text!r} is not a boolean (use true or false)")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(f"{text!r} is not a positive integer")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(f"{text!r} is not a count (0 or more)")
    return value


def _worker_class(text: str) -> str:
    if text not in {"sync", "gthread"}:
        raise ValueError(f"{text!r} is not a worker class (use sync or gthread)")
    return text


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, default, parser and meaning."""

    name: str
    default: str
    parse: Callable[[str], Any]
    help: str

    @property
    def env_var(self) -> str:
        """Return the environment variable that sets this setting."""
        return f"TIMELINE_{self.name}"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        "sqlite:///instance/timeline.db",
        str,
        "Database to use: sqlite:///relative.db, sqlite:////absolute.db or postgresql://...",
    ),
    Setting(
        "SQLITE_BUSY_TIMEOUT_MS",
        "5000",
        _positive_int,
        "How long a SQLite connection waits for a lock before failing, in milliseconds.",
    ),
    Setting(
        "SQLITE_CACHE_MB",
        "32",
        _positive_int,
        "SQLite page cache of each connection, in megabytes (each worker thread holds one).",
    ),
    Setting(
        "QUERY_TIMEOUT_MS",
        "2000",
        _positive_int,
        "Database work a read may do, in milliseconds; past it the read is a 503 "
        "(query-timeout) and the worker goes on.",
    ),
    Setting(
        "EXPORT_TIMEOUT_S",
        "600",
        _positive_int,
        "Database work an export (/v1/events/export) may do, in seconds; past it the stream "
        "ends unfinished, so that clients see it is incomplete.",
    ),
    Setting(
        "SECRET_KEY",
        "",
        str,
        "Key that signs pagination cursors. Empty: read or create instance/secret_key. "
        "Hosts that serve the same database must share it.",
    ),
    Setting(
        "CACHE_CONTROL",
        "public, max-age=60",
        str,
        "Cache-Control header of successful GET responses.",
    ),
    Setting(
        "CORS_ORIGINS",
        "*",
        _comma_list,
        "Origins allowed to read the API from a browser: * or a comma-separated list.",
    ),
    Setting(
        "PUBLIC_URL",
        "",
        str,
        "Where clients reach the API (https://api.example.org): links and Location start with "
        "it. Empty: they are relative. The Host header never appears in a response.",
    ),
    Setting(
        "TRUSTED_PROXIES",
        "0",
        _count,
        "How many proxies in front of the app to trust (1 behind one nginx): their "
        "X-Forwarded-For and X-Forwarded-Proto give the client's address (rate limits, logs) "
        "and scheme. 0: forwarded headers are ignored.",
    ),
    Setting("BIND", "127.0.0.1:8000", str, "Address gunicorn listens on (timeline serve)."),
    Setting("WORKERS", "2", _positive_int, "Number of gunicorn worker processes."),
    Setting(
        "WORKER_CLASS",
        "gthread",
        _worker_class,
        "gunicorn worker class: gthread (threads per worker; a slow client holds one thread) "
        "or sync (one connection at a time per worker: only behind a buffering proxy).",
    ),
    Setting(
        "WORKER_TIMEOUT",
        "30",
        _positive_int,
        "Seconds a gunicorn worker may go without reporting alive before it is restarted "
        "(exports report as they stream).",
    ),
    Setting(
        "THREADS",
        "8",
        _positive_int,
        "Threads per worker with the gthread worker class (each holds its own connection).",
    ),
    Setting(
        "FIXTURES",
        "fixtures",
        str,
        "Folder of fixture files that `timeline seed` loads when given no path.",
    ),
    Setting(
        "CORS_WRITE_ORIGINS",
        "",
        _comma_list,
        "Origins allowed to write from a browser (CORS preflight), comma-separated; empty: none.",
    ),
    Setting(
        "REQUIRE_READ_TOKEN",
        "false",
        _boolean,
        "Whether reads of /v1 also need a token (any scope).",
    ),
    Setting(
        "MAX_BODY",
        "1048576",
        _positive_int,
        "Largest request body accepted, in bytes; larger ones get 413.",
    ),
    Setting("RATE_LIMIT_ENABLED", "true", _boolean, "Whether rate limits apply."),
    Setting(
        "RATE_LIMIT_READ",
        "1200 per minute",
        str,
        "Reads allowed per client address, in limits notation (such as 1200 per minute).",
    ),
    Setting(
        "RATE_LIMIT_WRITE",
        "120 per minute",
        str,
        "Writes allowed per client address, in limits notation (such as 120 per minute).",
    ),
    Setting(
        "RATE_LIMIT_STORAGE",
        "memory://",
        str,
        "Where rate-limit counters live: memory:// (one process) or redis://host:port.",
    ),
    Setting(
        "LOG_ACCESS",
        "true",
        _boolean,
        "Whether gunicorn writes an access log line per request to standard output.",
    ),
)


def load_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read every declared setting from the environment, falling back to its default."""
    environ = os.environ if environ is None else environ
    values = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env_var, setting.default)
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as error:
            raise ValueError(f"{setting.env_var}: {error}") from error
    return values
