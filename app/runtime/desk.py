"""The runner's one object for background work: transcript log + worker + delivery policy + panels.

When to speak a result is decided by DeliveryPolicy, a pure, tick-driven object: silent (show
only), when idle (the user not talking and the assistant not speaking or thinking for N ticks),
or interrupt (as soon as the user is not talking). Results that arrive after the user has moved
on are introduced as such ("About your earlier question: ..."). Each task also has a progress
panel (presence.core.task_panels), and panels the model wrote into its result are validated and
shown (or reported as a `panel_error`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

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
        self._idle = 0

    @property
    def pending(self) -> list[Delivery]:
        return list(self._pending)

    def submitted(self, task_id: int) -> None:
        self._turns_at[task_id] = self._turns

    def user_turn(self) -> None:
        self._turns += 1

    def forget(self, task_id: int) -> None:
        self._turns_at.pop(task_id, None)
        self._pending = deque(d for d in self._pending if d.task_id != task_id)

    def add(self, item: TaskResult | TaskFailed) -> Delivery:
        late = self._turns > self._turns_at.pop(item.task_id, self._turns)
        speak = self.mode is not DeliveryMode.SILENT
        if isinstance(item, TaskFailed):
            d = Delivery(item.task_id, introduce(FAILED, late), speak, late, failed=True)
        else:
            d = Delivery(item.task_id, introduce(item.text, late), speak, late)
        self._pending.append(d)
        return d

    def requeue(self, delivery: Delivery) -> None:
        self._pending.appendleft(delivery)

    def step(self, user_talking: bool, assistant_busy: bool) -> list[Delivery]:
        self._idle = 0 if (user_talking or assistant_busy) else self._idle + 1
        if not self._pending:
            return []
        if self.mode is DeliveryMode.SILENT:
            out = list(self._pending)
            self._pending.clear()
            return out
        ready = not user_talking if self.mode is DeliveryMode.INTERRUPT else self._idle >= self.idle_ticks
        if not ready:
            return []
        self._idle = 0  # the assistant is about to speak
        return [self._pending.popleft()]


# --- the runner's one object --------------------------------------------------------------------

DeskEvent = tuple[str, dict[str, Any]]  # (event type, fields) for Runner.emit(type, **fields)


class BackgroundDesk:
    """Transcript log + worker + delivery policy + task panels behind the few calls the runner makes.

    Runner thread only (the worker's own thread never calls this). Each call returns the events to
    emit, so the event log shows every tool call, progress step, result, delivery and panel.
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

    def has_work(self) -> bool:
        """Running tasks or results waiting to be delivered. Safe to call from the inference thread
        (the engine uses it to word the cancel acknowledgment)."""
        return bool(self.worker.active()) or len(self.policy._pending) > 0

    def start(self, request: str, kind: str, now_ms: int, screen_text: str = "") -> tuple[int, list[DeskEvent]]:
        """Hand a request over; its progress panel appears at once."""
        pkg = self.log.package(request, kind, now_ms, screen_text)
        task_id = self.worker.submit(pkg, now_ms)
        self.policy.submitted(task_id)
        call = ("tool_call", {"tool": "deep_task", "task_id": task_id, "kind": kind, "request": request,
                              "transcript_lines": len(pkg.transcript), "screen_chars": len(pkg.screen_text)})
        return task_id, [call, *self.panels.submitted(task_id, kind, request)]

    def cancel(self, task_id: int | None = None) -> tuple[list[int], list[DeskEvent]]:
        """Cancel one task or (None) all running and queued ones, and drop their results still waiting
        to be delivered; their panels close."""
        pending = [d.task_id for d in self.policy.pending if task_id is None or d.task_id == task_id]
        ids = sorted(set(self.worker.cancel(task_id) + pending))
        events: list[DeskEvent] = [("tool_call", {"tool": "cancel_task", "cancelled": ids})]
        for t in ids:
            self.policy.forget(t)
            events += self.panels.cancelled(t)
        return ids, events

    def dismissed(self, panel_id: str) -> bool:
        """The user closed a panel; a task panel gets no more updates (the task itself goes on)."""
        return self.panels.dismissed(panel_id)

    def tick(self, user_talking: bool, assistant_busy: bool,
             now_ms: int | None = None) -> tuple[list[DeskEvent], list[Delivery]]:
        """Drain the worker and ask the policy; call once per tick (now_ms: the runner's logical time)."""
        self._ticks += 1
        t_ms = now_ms if now_ms is not None else self._ticks * 200
        events: list[DeskEvent] = []
        for item in self.worker.poll(now_ms):
            if isinstance(item, TaskStarted):
                events.append(("task_started", {"task_id": item.task_id, "kind": item.kind}))
                events += self.panels.started(item.task_id)
            elif isinstance(item, TaskProgress):
                events.append(("task_progress", {"task_id": item.task_id, "chars": item.chars, "text": item.text}))
                events += self.panels.progress(item.task_id, item.text, t_ms)
            elif isinstance(item, TaskToolCall):
                events.append(("tool_call", {"tool": item.tool, "task_id": item.task_id, "arguments": item.arguments,
                                             "result": item.result}))
            elif isinstance(item, TaskResult):
                events.append(("task_result", {"task_id": item.task_id, "kind": item.kind, "text": item.text,
                                               "elapsed_s": round(item.elapsed_s, 2)}))
                events += self.panels.finished(item.task_id, item.text, item.elapsed_s)
                events += [block_event(block) for block in item.panels]
                self.policy.add(item)
            elif isinstance(item, TaskFailed):
                events.append(("task_failed", {"task_id": item.task_id, "message": item.message}))
                events += self.panels.failed(item.task_id, f"{FAILED} ({item.message})")
                self.policy.add(item)
            elif isinstance(item, TaskCancelled):
                events.append(("task_cancelled", {"task_id": item.task_id}))
                events += self.panels.cancelled(item.task_id)
                self.policy.forget(item.task_id)
        deliveries = self.policy.step(user_talking, assistant_busy)
        for d in deliveries:
            events.append(("task_delivered", {"task_id": d.task_id, "text": d.text, "spoken": d.speak,
                                              "late": d.late}))
        return events, deliveries

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
