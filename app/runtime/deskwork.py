"""The runner's side of background work: hand deep tasks over, weave results back in.

The desk (presence.runtime.desk.BackgroundDesk) keeps the transcript log, the worker and the
delivery policy; this decides when a delivered result is spoken and gives it back to the policy
if the user starts talking before any of it was heard.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from presence.core import tools
from presence.core.playback import Playback
from presence.core.ports import Speaker
from presence.runtime.context import Emitter, Hearing
from presence.runtime.replyflow import ReplyFlow

REQUEUE_WITHIN_MS = 1000  # a result heard for longer is being answered, not missed


class DeskWork:
    def __init__(self, desk: Any, flow: ReplyFlow, playback: Playback, speaker: Speaker, engine: Any,
                 hearing: Hearing, emit: Emitter, screen_text: Callable[[], str]) -> None:
        self.desk, self.flow, self.playback, self.speaker, self.engine = desk, flow, playback, speaker, engine
        self.hearing, self.emit, self._screen_text = hearing, emit, screen_text
        self._delivering: dict[int, Any] = {}  # reply id -> background result being spoken
        self._started_ms: dict[int, int] = {}

    @property
    def _now_ms(self) -> int:
        return self.emit.clock.now_ms

    def _emit_all(self, events: list[Any]) -> None:
        for ev in events:
            self.emit.event(ev)

    # --- the conversation, as the desk's transcript log sees it -----------------------------
    def heard(self, text: str) -> None:
        if self.desk is not None:
            self.desk.heard_user(self._now_ms, text)

    def said(self, reply_id: int, text: str) -> None:
        if self.desk is None:
            return
        if reply_id in self._delivering:
            self._started_ms.setdefault(reply_id, self._now_ms)
        self.desk.said(self._now_ms, text)

    # --- tasks ------------------------------------------------------------------------------
    def accept(self, intent: Any) -> bool:
        """Start or cancel background work; False when the intent is not background work."""
        if self.desk is None or not isinstance(intent, tools.DeepTask | tools.CancelTask):
            return False
        if isinstance(intent, tools.DeepTask):
            _, events = self.desk.start(intent.request, intent.kind, self._now_ms, screen_text=self._screen_text())
            self._emit_all(events)
        else:
            self.cancel(None)
        return True

    def cancel(self, task_id: int | None) -> int:
        """Cancel one task (a panel's Cancel button) or all of them ("never mind"); how many were."""
        if self.desk is None:
            return 0
        ids, events = self.desk.cancel(task_id)
        self._emit_all(events)
        for rid, d in list(self._delivering.items()):
            if task_id is None or d.task_id in ids or d.task_id == task_id:
                self._delivering.pop(rid)
                self._stop_delivery(rid, d.task_id)
        return len(ids)

    def _stop_delivery(self, reply_id: int, task_id: int) -> None:
        """A cancelled task's result stops being spoken, mid-sentence if need be."""
        if self.playback.current_reply == reply_id:
            self.speaker.clear()
        self.playback.stop_reply(reply_id)
        reply = self.flow.slot.wanted
        if reply is not None and reply.id == reply_id:
            reply.stop()
        self.emit("delivery_stopped", task_id=task_id, reply_id=reply_id)

    def tick(self) -> None:
        """Drain finished work; speak a due result when the policy says now."""
        if self.desk is None:
            return
        slot = self.flow.slot
        busy = self.playback.audible or slot.in_flight or slot.holding
        events, deliveries = self.desk.tick(user_talking=self.hearing.talking, assistant_busy=busy,
                                            now_ms=self._now_ms)
        self._emit_all(events)
        for d in deliveries:
            if d.speak:
                reply = self.flow.start(self._speak_result(d.text))
                self._delivering[reply.id] = d
                reply.mark_heard()  # speech from now on is a new turn, not the rest of the last one

    def _speak_result(self, text: str) -> Callable[[int, Any], Any]:
        return lambda rid, tok: self.engine.speak_result(rid, text, tok)

    def requeue_unheard(self) -> None:
        """The user spoke before (most of the first sentence of) a result was heard: the result waits
        for the next quiet moment instead of being talked over or lost."""
        rid = self.flow.slot.wanted_id
        if rid is None or rid not in self._delivering:
            return
        started = self._started_ms.get(rid)
        d = self._delivering.pop(rid)
        if started is not None and self._now_ms - started > REQUEUE_WITHIN_MS:
            return  # heard enough: the user is answering it, not missing it
        self._started_ms.pop(rid, None)
        self.playback.drop_reply(rid)
        self.playback.interrupt()
        self.flow.discard("user started talking")
        self.desk.policy.requeue(d)
        self.emit("task_requeued", task_id=d.task_id)
