"""Exports stream past the worker timeout: the worker reports alive as the chunks go out."""

import runpy

from api.http import streaming
from served import ROOT


def test_a_stream_beats_as_time_passes_and_passes_every_chunk_on(monkeypatch):
    beats = []
    clock = iter([0.0, 0.1, 0.25, 0.3, 0.9, 0.95])
    monkeypatch.setattr(streaming.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(streaming, "beat", lambda: beats.append(True))
    chunks = list(streaming.kept_alive(["a", "b", "c", "d", "e"]))
    assert chunks == ["a", "b", "c", "d", "e"]
    # 0.25 and 0.9 are each 0.2 s or more after the last beat; 0.1, 0.3 and 0.95 are not.
    assert len(beats) == 2


def test_gunicorn_hands_each_worker_heartbeat_to_the_streams(monkeypatch):
    monkeypatch.setattr(streaming, "beat", streaming.beat)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    class Worker:
        notified = 0

        def notify(self) -> None:
            self.notified += 1

    worker = Worker()
    config["post_fork"](None, worker)
    streaming.beat()
    assert worker.notified == 1
