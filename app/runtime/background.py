"""Background work: deep tasks run by a separate chat session in a one-worker thread pool.

The foreground hands over a ContextPackage (presence.runtime.taskprompt); the BackgroundWorker
streams TaskStarted / TaskProgress / TaskToolCall and finally TaskResult (or TaskFailed) into a
thread-safe queue that the runner drains each tick with poll(). Cancelling a task drops everything
it would still send, at once. Panels the model writes as ```panel blocks are taken out of the
text (never spoken, never shown as progress) and travel with the result as blocks.

When and how a result reaches the user is the desk's business (presence.runtime.desk).
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from presence.core.panel_fence import FencedBlock, split_panels, visible_text
from presence.core.tools import openai_tools, run_tool
from presence.runtime.executor import CancelToken
from presence.runtime.taskprompt import ContextPackage, build_prompt, tidy

NOT_SURE = "I couldn't work that out. A bigger model can be configured in settings."
FAILED = "Sorry, I couldn't finish that."
SHOWN = "It's on the screen."  # a result that is all panel and no words


# --- what comes back --------------------------------------------------------------------------

@dataclass(frozen=True)
class TaskStarted:
    task_id: int
    kind: str
    request: str


@dataclass(frozen=True)
class TaskProgress:
    task_id: int
    text: str  # the result so far (for the progress panel)
    chars: int


@dataclass(frozen=True)
class TaskToolCall:
    task_id: int
    tool: str
    arguments: dict[str, Any] | None
    result: str


@dataclass(frozen=True)
class TaskResult:
    task_id: int
    kind: str
    request: str
    text: str  # speakable: panel blocks taken out
    elapsed_s: float
    panels: tuple[FencedBlock, ...] = ()  # ```panel blocks the model wrote, not yet validated


@dataclass(frozen=True)
class TaskFailed:
    task_id: int
    request: str
    message: str


@dataclass(frozen=True)
class TaskCancelled:
    task_id: int


TaskItem = TaskStarted | TaskProgress | TaskToolCall | TaskResult | TaskFailed | TaskCancelled
_FINAL = (TaskResult, TaskFailed, TaskCancelled)


class BackgroundWorker:
    """Runs deep tasks one at a time on a pool thread with its own chat backend.

    backend: a ChatModel (presence.core.ports), or a zero-argument factory called on the worker thread at the first task
    (so loading the model never blocks the foreground). Only the worker thread touches it.
    """

    def __init__(self, backend: Any, max_tokens: int = 320, progress_interval_s: float = 0.5,
                 tools: Sequence[str] = (), max_tool_rounds: int = 3, task_timeout_s: float = 180.0,
                 now: Callable[[], datetime] = datetime.now, clock: Callable[[], float] = time.monotonic) -> None:
        self._backend_source = backend
        self._backend: Any = None if callable(backend) and not hasattr(backend, "stream_reply") else backend
        self.max_tokens = max_tokens
        self.progress_interval_s = progress_interval_s
        self.tools = tuple(tools)
        self.max_tool_rounds = max_tool_rounds
        self.task_timeout_s = task_timeout_s
        self._now, self._clock = now, clock
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="background")
        self._items: queue.Queue[tuple[int, TaskItem]] = queue.Queue()
        self._lock = threading.Lock()
        self._tokens: dict[int, CancelToken] = {}  # tasks submitted and not yet finished (as polled)
        self._ids = itertools.count(1)

    # --- foreground side (any thread) ----------------------------------------------------------
    def submit(self, package: ContextPackage, now_ms: int = 0) -> int:
        """Queue a task; returns at once. now_ms (logical time) matters only in virtual time."""
        task_id = next(self._ids)
        token = CancelToken()
        with self._lock:
            self._tokens[task_id] = token
        self._pool.submit(self._run, task_id, package, token)
        return task_id

    def cancel(self, task_id: int | None = None) -> list[int]:
        """Cancel one task or (None) all unfinished ones. Their TaskCancelled comes with the next poll;
        nothing else they would send is ever returned."""
        with self._lock:
            ids = [t for t, tok in self._tokens.items() if (task_id is None or t == task_id) and not tok.cancelled]
            for t in ids:
                self._tokens[t].cancel()
                self._items.put((t, TaskCancelled(t)))
        return ids

    def active(self) -> list[int]:
        """Tasks submitted, not finished and not cancelled."""
        with self._lock:
            return [t for t, tok in self._tokens.items() if not tok.cancelled]

    def poll(self, now_ms: int | None = None) -> list[TaskItem]:
        """Everything that arrived since the last poll (never blocks). now_ms: see VirtualTimeBackgroundWorker."""
        out: list[TaskItem] = []
        while True:
            try:
                task_id, item = self._items.get_nowait()
            except queue.Empty:
                return out
            with self._lock:
                token = self._tokens.get(task_id)
                if token is None or (token.cancelled and not isinstance(item, TaskCancelled)):
                    continue  # cancelled (or already finished): drop it
                if isinstance(item, _FINAL):
                    del self._tokens[task_id]
            out.append(item)

    def wait_idle(self, timeout_s: float) -> bool:
        """For tests and shutdown: wait until the worker has nothing running (bounded)."""
        done = self._pool.submit(lambda: None)
        try:
            done.result(timeout=timeout_s)
            return True
        except TimeoutError:
            return False

    def close(self) -> None:
        self.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)

    # --- worker thread -------------------------------------------------------------------------
    def _put(self, task_id: int, item: TaskItem) -> None:
        self._items.put((task_id, item))

    def _run(self, task_id: int, pkg: ContextPackage, token: CancelToken) -> None:
        for _ in self._steps(task_id, pkg, token):
            pass

    def _steps(self, task_id: int, pkg: ContextPackage, token: CancelToken) -> Generator[None, None, None]:
        """One task as steps (one per streamed piece), so a virtual-time worker can interleave it."""
        if token.cancelled:
            return
        t0 = self._clock()
        self._put(task_id, TaskStarted(task_id, pkg.kind, pkg.request))
        yield
        try:
            text = yield from self._work(task_id, pkg, token, t0)
        except Exception as exc:  # a failing model must not kill the worker or the app
            self._put(task_id, TaskFailed(task_id, pkg.request, f"{type(exc).__name__}: {exc}"))
            return
        if token.cancelled:
            return
        spoken, panels = split_panels(text)
        spoken = tidy(spoken) or (SHOWN if panels else NOT_SURE)
        self._put(task_id, TaskResult(task_id, pkg.kind, pkg.request, spoken, self._clock() - t0, panels))

    def _work(self, task_id: int, pkg: ContextPackage, token: CancelToken, t0: float) -> Generator[None, None, str]:
        if self._backend is None:
            self._backend = self._backend_source()
            yield
        backend = self._backend
        backend.reset()
        backend.add_user(build_prompt(pkg))
        deadline = t0 + self.task_timeout_s

        def should_stop() -> bool:
            return token.cancelled or self._clock() > deadline

        use_tools = bool(self.tools) and bool(getattr(backend, "supports_tools", False))
        kwargs: dict[str, Any] = {"tools": openai_tools(self.tools)} if use_tools else {}
        text = ""
        last_progress = float("-inf")
        for _round in range(self.max_tool_rounds + 1):
            pieces: list[str] = []
            for piece in backend.stream_reply(self.max_tokens, should_stop, **kwargs):
                pieces.append(piece)
                now = self._clock()
                if now - last_progress >= self.progress_interval_s:
                    last_progress = now
                    so_far = visible_text("".join(pieces)).strip()  # never a half-written panel
                    self._put(task_id, TaskProgress(task_id, so_far, len(so_far)))
                yield
            text = "".join(pieces)
            calls = list(getattr(backend, "last_tool_calls", []) or []) if use_tools else []
            if not calls or should_stop():
                break
            for call in calls:
                args = call.args()
                result = run_tool(call.name, args, self._now())
                self._put(task_id, TaskToolCall(task_id, call.name, args, result))
                backend.add_tool_result(call, result)
            yield
        return text


class VirtualTimeBackgroundWorker(BackgroundWorker):
    """For `replay --fast` (next to VirtualTimeExecutor): a simulated background thread on a logical
    clock. poll(now_ms) runs queued tasks step by step (one streamed piece per step) until the
    worker's clock reaches now_ms; each step's measured compute time advances that clock, and what a
    step sends is released only when logical time reaches it. A task cancelled meanwhile stops at
    its next step. The foreground executor's clock is separate: the two run in parallel, as live.
    Single-threaded: call it from the runner thread only.
    """

    def __init__(self, backend: Any, **kwargs: Any) -> None:
        super().__init__(backend, **kwargs)
        self._clock = lambda: self._clock_ms / 1000.0  # deadlines and progress pacing in worker time
        self._clock_ms = 0.0
        self._step_t0 = 0.0
        self._waiting: deque[tuple[int, ContextPackage, CancelToken, int]] = deque()
        self._current: tuple[Generator[None, None, None], CancelToken] | None = None
        self._stamped: list[tuple[float, int, TaskItem]] = []

    def submit(self, package: ContextPackage, now_ms: int = 0) -> int:
        task_id = next(self._ids)
        token = CancelToken()
        with self._lock:
            self._tokens[task_id] = token
        self._waiting.append((task_id, package, token, now_ms))
        return task_id

    def _put(self, task_id: int, item: TaskItem) -> None:
        produced_ms = self._clock_ms + (time.perf_counter() - self._step_t0) * 1000.0
        self._stamped.append((produced_ms, task_id, item))

    def _advance(self, now_ms: int) -> None:
        while self._clock_ms < now_ms:
            if self._current is None:
                if not self._waiting:
                    return
                task_id, pkg, token, submitted_ms = self._waiting[0]
                if token.cancelled:
                    self._waiting.popleft()
                    continue
                if submitted_ms >= now_ms:
                    return
                self._waiting.popleft()
                self._clock_ms = max(self._clock_ms, float(submitted_ms))
                self._current = (self._steps(task_id, pkg, token), token)
            steps, token = self._current
            self._step_t0 = time.perf_counter()
            finished = next(steps, StopIteration) is StopIteration
            self._clock_ms += (time.perf_counter() - self._step_t0) * 1000.0
            if finished or token.cancelled:
                if not finished:
                    steps.close()
                self._current = None

    def poll(self, now_ms: int | None = None) -> list[TaskItem]:
        if now_ms is not None:
            self._advance(now_ms)
            due = [e for e in self._stamped if e[0] <= now_ms]
            self._stamped = [e for e in self._stamped if e[0] > now_ms]
            for _, task_id, item in due:
                self._items.put((task_id, item))
        return super().poll(now_ms)

    def wait_idle(self, timeout_s: float) -> bool:
        return self._current is None and not self._waiting

    def close(self) -> None:
        self.cancel()
        if self._current is not None:
            self._current[0].close()
        self._current, self._stamped = None, []
        self._waiting.clear()
        self._pool.shutdown(wait=False)

