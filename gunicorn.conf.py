"""gunicorn settings for `timeline serve` and `make run`; TIMELINE_* variables override them."""

from api.http import server_errors
from api.settings import load_settings

_settings = load_settings()
server_errors.install()

wsgi_app = "api:create_app()"
bind = _settings["BIND"]
workers = _settings["WORKERS"]
worker_class = _settings["WORKER_CLASS"]
threads = _settings["THREADS"] if worker_class == "gthread" else 1
timeout = _settings["WORKER_TIMEOUT"]
graceful_timeout = 10
keepalive = 2
# gunicorn 27 shares one control socket per user by default; one instance exiting would
# delete it under another, so this server runs without one.
control_socket_disable = True
# The access log's address is the one rate limits count: behind TIMELINE_TRUSTED_PROXIES the
# client's that they forwarded (ProxyFix sets it in the request), otherwise the socket's.
accesslog = "-" if _settings["LOG_ACCESS"] else None
errorlog = "-"
loglevel = "info"


def post_fork(_server, worker) -> None:
    """Let long downloads tell the arbiter this worker is alive (api/http/streaming.py)."""
    from api.http import streaming  # noqa: PLC0415 - in the worker, after the fork

    streaming.beat = worker.notify
