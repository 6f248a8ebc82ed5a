"""The runner's side of background work: hand deep tasks over, weave results back in.

A mixin of Runner. The desk (presence.runtime.desk.BackgroundDesk) keeps the transcript log,
the worker and the delivery policy; this decides when a delivered result is spoken and gives it
back to the policy if the user starts talking before any of it was heard.
"""

from __future__ import annotations

from typing import Any

from presence.core import tools


class DeskMixin:
    """Needs the Runner's desk (or None), playback, reply state, engine and emit()."""

    desk: Any

    def _emit_all(self, events: list[tuple[str, dict[str, Any]]]) -> None:
        for type_, fields in events:
            self.emit(type_, **fields)

    def _desk_heard(self, text: str) -> None:
        if self.desk is not None:
            self.desk.heard_user(self.now_ms, text)

    def _desk_said(self, text: str) -> None:
        if self.desk is not None:
            self.desk.said(self.now_ms, text)

    def _desk_accept(self, intent: Any) -> bool:
        """Start or cancel background work; False when the intent is not background work."""
        if self.desk is None or not isinstance(intent, tools.DeepTask | tools.CancelTask):
            return False
        if isinstance(intent, tools.DeepTask):
            _, events = self.desk.start(intent.request, intent.kind, self.now_ms, screen_text=self._screen_text())
            self._emit_all(events)
        else:
            self._desk_cancel(None)
        return True

    def _desk_cancel(self, task_id: int | None) -> int:
        """Cancel one task (a panel's Cancel button) or all of them ("never mind"); how many were."""
        ids, events = self.desk.cancel(task_id)
        self._emit_all(events)
        for rid, d in list(self._delivering.items()):
            if task_id is None or d.task_id in ids or d.task_id == task_id:
                self._delivering.pop(rid)
                self._stop_delivery(rid, d.task_id)
        return len(ids)

    def _stop_delivery(self, reply_id: int, task_id: int) -> None:
        """A cancelled task's result stops being spoken, mid-sentence if need be."""
        if self._playback.current_reply == reply_id:
            self.speaker.clear()
        self._playback.stop_reply(reply_id)
        if reply_id == self._reply_id:
            if self._reply_token is not None:
                self._reply_token.cancel()
            self._reply_token, self._reply_id = None, None
        self.emit("delivery_stopped", task_id=task_id, reply_id=reply_id)

    def _screen_text(self) -> str:
        return getattr(self, "screen_text", "")

    def _desk_tick(self) -> None:
        """Drain finished work; speak a due result when the policy says now."""
        if self.desk is None:
            return
        busy = self._playback.audible or self._reply_token is not None or self._held is not None
        events, deliveries = self.desk.tick(user_talking=self._utterance is not None, assistant_busy=busy,
                                            now_ms=self.now_ms)
        self._emit_all(events)
        for d in deliveries:
            if d.speak:
                self._start_reply(lambda rid, tok, t=d.text: self.engine.speak_result(rid, t, tok))
                self._delivering[self._reply_id] = d
                self._reply_heard = True  # speech from now on is a new turn, not the rest of the last one

    def _delivery_started(self, reply_id: int) -> None:
        if reply_id in self._delivering:
            self._delivery_started_ms.setdefault(reply_id, self.now_ms)

    def _requeue_unheard_delivery(self) -> None:
        """The user spoke before (most of the first sentence of) a result was heard: the result waits
        for the next quiet moment instead of being talked over or lost."""
        rid = self._reply_id
        if rid not in self._delivering:
            return
        started = self._delivery_started_ms.get(rid)
        if started is not None and self.now_ms - started > 1000:
            self._delivering.pop(rid)  # heard enough: the user is answering it, not missing it
            return
        d = self._delivering.pop(rid)
        self._delivery_started_ms.pop(rid, None)
        self._playback.drop_reply(rid)
        self._playback.interrupt()
        self._discard_reply("user started talking")
        self.desk.policy.requeue(d)
        self.emit("task_requeued", task_id=d.task_id)
