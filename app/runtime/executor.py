"""Where model work runs: one inference worker, so model state is touched by one thread only.

Two executors with the same interface:
- ThreadExecutor (live and real-time replay): a worker thread; results come back as they are made.
- VirtualTimeExecutor (`replay --fast`): a simulated worker on a logical clock. Jobs are
  generators; each step runs for real and its measured compute time advances the worker's
  clock, and a result is released only when the runner's logical time reaches it. A job cancelled
  meanwhile stops at its next step, as on the thread. So a fast replay places output where a live
  run would have produced it, without waiting for it.

A job that raises ends with a JobError item (the runner shows it, and a failed reply is followed by
a short spoken notice). SystemExit raised inside a job is treated the same way, not as the end of the
worker; anything else that is not an Exception and stops the worker's thread (supervised in
ThreadExecutor._work) is reported as a JobError too and the worker goes on with the next job.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
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


class _YieldPoint:
    """What a job yields between small units of work (a model token): nothing to deliver, only a
    point where the virtual-time worker can stop and notice a cancellation, as the live one does
    at every token. Without it a discarded speculative reply was charged a whole sentence."""

    def __repr__(self) -> str:
        return "YIELD_POINT"


YIELD_POINT = _YieldPoint()


def _steps(job: Job, token: CancelToken, name: str) -> Iterator[Any]:
    """The job's results one by one; an exception becomes a final JobError item."""
    try:
        for item in job(token) or ():
            if token.cancelled:
                return
            yield item
    except (Exception, SystemExit) as exc:  # a model failure (or a library's sys.exit) must not kill the worker
        yield JobError(name, f"{type(exc).__name__}: {exc}")


class ThreadExecutor:
    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Job, CancelToken, str] | None] = queue.Queue()
        self._results: queue.Queue[Any] = queue.Queue()
        self.restarts = 0  # times the worker was stopped by something other than an Exception and restarted
        self._thread = threading.Thread(target=self._work, name="inference", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        """The worker, supervised: whatever stops a job's thread (not only an Exception) is reported
        as that job's JobError, and the worker is restarted for the next job."""
        while True:
            name = "worker"
            try:
                while (entry := self._jobs.get()) is not None:
                    job, token, name = entry
                    if not token.cancelled:
                        for item in _steps(job, token, name):
                            if item is not YIELD_POINT:
                                self._results.put(item)
                return
            except BaseException as exc:  # supervised: reported, then the worker goes on
                self.restarts += 1
                self._results.put(JobError(name, f"the worker was stopped by {type(exc).__name__}: {exc}; "
                                                 "it was restarted"))

    def submit(self, job: Job, now_ms: int, name: str = "job") -> CancelToken:
        token = CancelToken()
        self._jobs.put((job, token, name))
        return token

    def new_lane(self) -> ThreadExecutor:
        """A second worker beside this one (the listening lane): its jobs never wait behind ours."""
        return ThreadExecutor()

    def ready(self, now_ms: int) -> list[Any]:
        out = []
        while True:
            try:
                out.append(self._results.get_nowait())
            except queue.Empty:
                return out

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=5)


class VirtualTimeExecutor:
    def __init__(self) -> None:
        self._queue: deque[tuple[Job, CancelToken, str, int]] = deque()
        self._current: tuple[Iterator[Any], CancelToken] | None = None
        self._clock_ms = 0.0  # how far the simulated worker has got
        self._pending: list[tuple[float, CancelToken, Any]] = []

    def submit(self, job: Job, now_ms: int, name: str = "job") -> CancelToken:
        token = CancelToken()
        self._queue.append((job, token, name, now_ms))
        return token

    def _next_job(self) -> bool:
        while self._queue:
            job, token, name, submitted_ms = self._queue.popleft()
            if not token.cancelled:
                self._clock_ms = max(self._clock_ms, float(submitted_ms))
                self._current = (_steps(job, token, name), token)
                return True
        return False

    def new_lane(self) -> VirtualTimeExecutor:
        """A second simulated worker with its own clock: its jobs never wait behind ours."""
        return VirtualTimeExecutor()

    def ready(self, now_ms: int) -> list[Any]:
        """Run the worker up to now_ms of logical time and release what it finished by then."""
        while self._clock_ms < now_ms:
            if self._current is None and not self._next_job():
                break
            if self._clock_ms >= now_ms or self._current is None:
                break
            steps, token = self._current
            t0 = time.perf_counter()
            item = next(steps, StopIteration)
            self._clock_ms += (time.perf_counter() - t0) * 1000.0
            if item is StopIteration or token.cancelled:
                self._current = None
                continue
            if item is not YIELD_POINT:
                self._pending.append((self._clock_ms, token, item))
        due = [item for t, token, item in self._pending if t <= now_ms and not token.cancelled]
        self._pending = [p for p in self._pending if p[0] > now_ms and not p[1].cancelled]
        return due

    def close(self) -> None:
        self._queue.clear()
        self._pending.clear()
        self._current = None
