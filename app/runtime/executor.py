"""Where model work runs: one inference worker, so model state is touched by one thread only.

Two executors with the same interface:
- ThreadExecutor (live and real-time replay): a worker thread; results come back as they are made.
- VirtualTimeExecutor (`replay --fast`): runs each job at once but stamps every result with the
  compute time it really took, and releases it only when logical time reaches that stamp. So a
  fast replay still places output at the time it would have been produced.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

Job = Callable[["CancelToken"], Iterable[Any] | None]


@dataclass
class CancelToken:
    _flag: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self._flag.set()

    @property
    def cancelled(self) -> bool:
        return self._flag.is_set()


@dataclass(frozen=True)
class JobError:
    """A job raised; the runner turns this into a spoken/visible message, never a traceback."""

    name: str
    message: str


def _drain(job: Job, token: CancelToken, name: str, emit: Callable[[Any], None]) -> None:
    try:
        items = job(token)
        for item in items or ():
            if token.cancelled:
                return
            emit(item)
    except Exception as exc:  # a model failure must not kill the worker
        emit(JobError(name, f"{type(exc).__name__}: {exc}"))


class ThreadExecutor:
    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Job, CancelToken, str] | None] = queue.Queue()
        self._results: queue.Queue[Any] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="inference", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while (entry := self._jobs.get()) is not None:
            job, token, name = entry
            if not token.cancelled:
                _drain(job, token, name, self._results.put)

    def submit(self, job: Job, now_ms: int, name: str = "job") -> CancelToken:
        token = CancelToken()
        self._jobs.put((job, token, name))
        return token

    def ready(self, now_ms: int) -> list[Any]:
        out = []
        while True:
            try:
                out.append(self._results.get_nowait())
            except queue.Empty:
                return out

    def idle(self) -> bool:
        return self._jobs.empty() and self._results.empty()

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=5)


class VirtualTimeExecutor:
    def __init__(self) -> None:
        self._pending: list[tuple[float, CancelToken, Any]] = []
        self._busy_until_ms = 0.0

    def submit(self, job: Job, now_ms: int, name: str = "job") -> CancelToken:
        token = CancelToken()
        start_ms = max(float(now_ms), self._busy_until_ms)
        t0 = time.perf_counter()

        def stamp(item: Any) -> None:
            self._pending.append((start_ms + (time.perf_counter() - t0) * 1000.0, token, item))

        _drain(job, token, name, stamp)
        self._busy_until_ms = start_ms + (time.perf_counter() - t0) * 1000.0
        return token

    def ready(self, now_ms: int) -> list[Any]:
        due = [item for t, token, item in self._pending if t <= now_ms and not token.cancelled]
        self._pending = [p for p in self._pending if p[0] > now_ms and not p[1].cancelled]
        return due

    def idle(self) -> bool:
        return not self._pending

    def close(self) -> None:
        self._pending.clear()
