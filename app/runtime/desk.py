"""The runner's one object for background work: transcript log + worker + delivery policy + panels.

When to speak a result is decided by DeliveryPolicy, a pure, tick-driven object: silent (show
only), when idle (the user not talking and the assistant not speaking or thinking for N ticks),
or interrupt (as soon as the user is not talking). Results that arrive after the user has moved
on are introduced as such ("About your earlier question: ..."). Each task also has a progress
panel (presence.core.task_panels), and panels the model wrote into its result are validated and
shown (or reported as a `panel_error`).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

from presence.core import events
from presence.core.events import Event
from presence.core.panel_fence import block_event
from presence.core.task_panels import TaskPanels
from presence.runtime.background import (
    FAILED,
    BackgroundWorker,
    TaskCancelled,
    TaskFailed,
    TaskProgress,
    TaskResult,
    TaskStarted,
    TaskToolCall,
)
from presence.runtime.taskprompt import BACKGROUND_SERVER_PROMPT, BACKGROUND_SYSTEM_PROMPT, TranscriptLog

EARLIER = "About your earlier question: "


class DeliveryMode(StrEnum):
    SILENT = "silent"  # show in the panel and captions, never speak
    WHEN_IDLE = "when_idle"  # speak when the user is not talking and the assistant is quiet
    INTERRUPT = "interrupt"  # speak as soon as the user is not talking, cutting the assistant's own speech


@dataclass(frozen=True)
class Delivery:
    task_id: int
    text: str  # what to say (or show), introduced as earlier-topic when late
    speak: bool
    late: bool
    failed: bool = False


def introduce(text: str, late: bool) -> str:
    return f"{EARLIER}{text}" if late else text


class DeliveryPolicy:
    """Pure and tick-driven: the runner tells it about turns and results, and asks it each tick.

    - submitted(task_id) when a task is handed over (after the request's own user turn);
    - user_turn() at every user turn end: a result that comes after one is "late";
    - add(item) for TaskResult / TaskFailed; forget(task_id) when a task is cancelled;
    - step(user_talking, assistant_busy) once per tick -> deliveries due now (at most one spoken);
    - requeue(delivery) if a spoken delivery was dropped before any of it was heard.
    """

    def __init__(self, mode: DeliveryMode | str = DeliveryMode.WHEN_IDLE, idle_ticks: int = 1) -> None:
        self.mode = DeliveryMode(mode)
        self.idle_ticks = max(1, idle_ticks)
        self._turns = 0
        self._turns_at: dict[int, int] = {}
        self._pending: deque[Delivery] = deque()
        self._has_pending = threading.Event()  # mirrors bool(_pending) for other threads (see WorkSignal)
        self._idle = 0

    @property
    def pending(self) -> list[Delivery]:
        return list(self._pending)

    @property
    def pending_flag(self) -> threading.Event:
        """Set while a delivery waits; any thread may read it (only this policy sets or clears it)."""
        return self._has_pending

    def _synced(self) -> None:
        if self._pending:
            self._has_pending.set()
        else:
            self._has_pending.clear()

    def submitted(self, task_id: int) -> None:
        self._turns_at[task_id] = self._turns

    def user_turn(self) -> None:
        self._turns += 1

    def forget(self, task_id: int) -> None:
        self._turns_at.pop(task_id, None)
        self._pending = deque(d for d in self._pending if d.task_id != task_id)
        self._synced()

    def add(self, item: TaskResult | TaskFailed) -> Delivery:
        late = self._turns > self._turns_at.pop(item.task_id, self._turns)
        speak = self.mode is not DeliveryMode.SILENT
        if isinstance(item, TaskFailed):
            d = Delivery(item.task_id, introduce(FAILED, late), speak, late, failed=True)
        else:
            d = Delivery(item.task_id, introduce(item.text, late), speak, late)
        self._pending.append(d)
        self._synced()
        return d

    def requeue(self, delivery: Delivery) -> None:
        self._pending.appendleft(delivery)
        self._synced()

    def step(self, user_talking: bool, assistant_busy: bool) -> list[Delivery]:
        self._idle = 0 if (user_talking or assistant_busy) else self._idle + 1
        if not self._pending:
            return []
        if self.mode is DeliveryMode.SILENT:
            out = list(self._pending)
            self._pending.clear()
            self._synced()
            return out
        ready = not user_talking if self.mode is DeliveryMode.INTERRUPT else self._idle >= self.idle_ticks
        if not ready:
            return []
        self._idle = 0  # the assistant is about to speak
        delivery = self._pending.popleft()
        self._synced()
        return [delivery]


class WorkSignal:
    """Is there background work (tasks running, or results waiting to be delivered)? Read-only and
    safe from any thread: the inference thread holds this (ReplyEngine.has_background_work, to word
    the cancel acknowledgment), never the desk, which is runner-thread only.

    Reads only thread-safe state: the worker's task list (under the worker's lock) and the policy's
    pending flag (a threading.Event the policy keeps in step with its queue).
    """

    __slots__ = ("_active", "_pending")

    def __init__(self, active: Callable[[], Sequence[int]], pending: threading.Event) -> None:
        self._active = active
        self._pending = pending

    def __call__(self) -> bool:
        return self._pending.is_set() or bool(self._active())


# --- the runner's one object --------------------------------------------------------------------

class BackgroundDesk:
    """Transcript log + worker + delivery policy + task panels behind the few calls the runner makes.

    Runner thread only (the worker's own thread never calls this; other threads get `work_signal`).
    Each call returns the events to emit, so the event log shows every tool call, progress step,
    result, delivery and panel.
    """

    def __init__(self, worker: BackgroundWorker, policy: DeliveryPolicy | None = None,
                 log: TranscriptLog | None = None, panels: TaskPanels | None = None) -> None:
        self.worker = worker
        self.policy = policy or DeliveryPolicy()
        self.log = log or TranscriptLog()
        self.panels = panels or TaskPanels()
        self._ticks = 0

    def set_delivery(self, mode: str) -> None:
        """The user's "Background results" setting; an unknown value keeps the current mode."""
        if mode in DeliveryMode.__members__.values():
            self.policy.mode = DeliveryMode(mode)

    def heard_user(self, t_ms: int, text: str) -> None:
        """A user turn's final text (typed or transcribed)."""
        self.log.add(t_ms, "user", text)
        self.policy.user_turn()

    def said(self, t_ms: int, text: str) -> None:
        """A sentence the assistant began to speak."""
        self.log.add(t_ms, "assistant", text)

    @property
    def busy(self) -> bool:
        return bool(self.worker.active())

    @cached_property
    def work_signal(self) -> WorkSignal:
        """What other threads may know of this desk's work (the engine's has_background_work)."""
        return WorkSignal(self.worker.active, self.policy.pending_flag)

    def has_work(self) -> bool:
        """Running tasks or results waiting to be delivered (other threads read `work_signal` instead)."""
        return self.work_signal()

    def start(self, request: str, kind: str, now_ms: int, screen_text: str = "") -> tuple[int, list[Event]]:
        """Hand a request over; its progress panel appears at once."""
        pkg = self.log.package(request, kind, now_ms, screen_text)
        task_id = self.worker.submit(pkg, now_ms)
        self.policy.submitted(task_id)
        call = events.ToolCall(tool="deep_task", task_id=task_id, kind=kind, request=request,
                               transcript_lines=len(pkg.transcript), screen_chars=len(pkg.screen_text))
        return task_id, [call, *self.panels.submitted(task_id, kind, request)]

    def cancel(self, task_id: int | None = None) -> tuple[list[int], list[Event]]:
        """Cancel one task or (None) all running and queued ones, and drop their results still waiting
        to be delivered; their panels close."""
        pending = [d.task_id for d in self.policy.pending if task_id is None or d.task_id == task_id]
        ids = sorted(set(self.worker.cancel(task_id) + pending))
        out: list[Event] = [events.ToolCall(tool="cancel_task", cancelled=ids)]
        for t in ids:
            self.policy.forget(t)
            out += self.panels.cancelled(t)
        return ids, out

    def dismissed(self, panel_id: str) -> bool:
        """The user closed a panel; a task panel gets no more updates (the task itself goes on)."""
        return self.panels.dismissed(panel_id)

    def tick(self, user_talking: bool, assistant_busy: bool,
             now_ms: int | None = None) -> tuple[list[Event], list[Delivery]]:
        """Drain the worker and ask the policy; call once per tick (now_ms: the runner's logical time)."""
        self._ticks += 1
        t_ms = now_ms if now_ms is not None else self._ticks * 200
        out: list[Event] = []
        for item in self.worker.poll(now_ms):
            if isinstance(item, TaskStarted):
                out.append(events.TaskStarted(task_id=item.task_id, kind=item.kind))
                out += self.panels.started(item.task_id)
            elif isinstance(item, TaskProgress):
                out.append(events.TaskProgress(task_id=item.task_id, chars=item.chars, text=item.text))
                out += self.panels.progress(item.task_id, item.text, t_ms)
            elif isinstance(item, TaskToolCall):
                out.append(events.ToolCall(tool=item.tool, task_id=item.task_id, arguments=item.arguments,
                                           result=item.result))
            elif isinstance(item, TaskResult):
                out.append(events.TaskResult(task_id=item.task_id, kind=item.kind, text=item.text,
                                             elapsed_s=round(item.elapsed_s, 2)))
                out += self.panels.finished(item.task_id, item.text, item.elapsed_s)
                out += [block_event(block) for block in item.panels]
                self.policy.add(item)
            elif isinstance(item, TaskFailed):
                out.append(events.TaskFailed(task_id=item.task_id, message=item.message))
                out += self.panels.failed(item.task_id, f"{FAILED} ({item.message})")
                self.policy.add(item)
            elif isinstance(item, TaskCancelled):
                out.append(events.TaskCancelled(task_id=item.task_id))
                out += self.panels.cancelled(item.task_id)
                self.policy.forget(item.task_id)
        deliveries = self.policy.step(user_talking, assistant_busy)
        for d in deliveries:
            out.append(events.TaskDelivered(task_id=d.task_id, text=d.text, spoken=d.speak, late=d.late))
        return out, deliveries

    def close(self) -> None:
        self.worker.close()


def build_desk(spec: Any = None, delivery: DeliveryMode | str = DeliveryMode.WHEN_IDLE,
               on_fallback: Callable[[Exception], None] | None = None, max_tokens: int = 320) -> BackgroundDesk:
    """The background desk for a backend spec (presence.models.backends.BackendSpec; None = embedded).

    The model opens lazily on the worker thread at the first task: a second embedded session
    (1 thread, ~66 MB more memory; the weights are shared through the page cache), the user's GGUF,
    or a server with the embedded model behind it. Model tools and the panel vocabulary are offered
    only to servers (the embedded fallback behind a server keeps its short prompt).
    """
    from presence.core.tools import MODEL_TOOLS
    from presence.models.backends import BackendSpec, open_with_fallback

    spec = spec or BackendSpec()

    def open_model() -> Any:
        return open_with_fallback(spec, on_fallback, threads=1, system_prompt=BACKGROUND_SYSTEM_PROMPT,
                                  server_system_prompt=BACKGROUND_SERVER_PROMPT, first_token_timeout_s=spec.timeout_s)

    worker = BackgroundWorker(open_model, max_tokens=max_tokens, tools=MODEL_TOOLS)
    return BackgroundDesk(worker, DeliveryPolicy(delivery))
