"""Timers, reminders, cue words and changing or cancelling them, typed: the runner with the real reply
engine (fake voice and model). Typed requests count from the tick they came in, as spoken ones count
from their speech end: the same clock."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from fakes import FakeSilentVad, FakeTts

from presence.core.types import TICK_MS
from presence.devices.fakes import RecordingSpeaker, WavMicrophone
from presence.runtime.engine import ReplyEngine
from presence.runtime.executor import VirtualTimeExecutor
from presence.runtime.runner import Runner


class FakeChat:
    """A chat model that answers "Okay." (only what no rule understood reaches it)."""

    def __init__(self) -> None:
        self.history: list[tuple[str, str]] = []

    def checkpoint(self):
        return len(self.history)

    def rollback(self, point) -> None:
        del self.history[point:]

    def reset(self) -> None:
        self.history.clear()

    def add_user(self, text: str) -> None:
        self.history.append(("user", text))

    def add_assistant(self, text: str) -> None:
        self.history.append(("assistant", text))

    def stream_reply(self, max_tokens=120, should_stop=lambda: False):
        yield "Okay."


class Typed:
    """A runner on a silent microphone; `type(text)` at the current tick, `run(seconds)` on."""

    def __init__(self, seconds: float = 120.0, now: datetime | None = None) -> None:
        self.events: list = []
        engine = ReplyEngine(asr=None, llm=FakeChat(), tts=FakeTts(level=0.01, samples=1600),
                             now=(lambda: now) if now else datetime.now)
        self.runner = Runner(WavMicrophone(np.zeros(int(16000 * seconds), np.float32)), RecordingSpeaker(),
                             FakeSilentVad(), engine, VirtualTimeExecutor(), self.events.append)

    def run(self, seconds: float) -> None:
        self.runner.run(self.runner.tick + int(seconds * 1000) // TICK_MS)

    def type(self, text: str) -> int:
        """Submit typed text; it is handled at the next tick: returns that tick's time."""
        self.runner.submit_text(text)
        return self.runner.now_ms

    def of(self, kind: str) -> list:
        return [e for e in self.events if e.type == kind]


def test_typed_timer_fires_on_time_after_it_was_typed():
    """Typed "set a timer for ten seconds" 8 s into a silent session fires 10 s after it was typed (it
    counted from the last speech end, which never came, and fired after 2 s)."""
    s = Typed()
    s.run(8)
    asked = s.type("set a timer for ten seconds")
    s.run(15)
    [call] = [e for e in s.of("tool_call") if e.fields["tool"] == "timer"]
    [due] = s.of("timer_due")
    assert call.fields["due_ms"] == asked + 10_000
    assert abs(due.t_ms - (asked + 10_000)) <= TICK_MS and due.fields["text"] == "Ten seconds have passed."
    assert due.fields["id"] == call.fields["id"]


def test_typed_reminder_says_its_content():
    s = Typed()
    asked = s.type("Remind me in 5 seconds to call Sam.")
    s.run(8)
    [due] = s.of("timer_due")
    assert due.fields["text"] == "Time to call Sam." and abs(due.t_ms - (asked + 5000)) <= TICK_MS
    said = [e.fields["text"] for e in s.of("assistant_text")]
    assert said[0] == "Okay, I'll remind you in five seconds to call Sam." and "Time to call Sam." in said


def test_clock_reminder_is_due_at_that_time_of_day():
    """'at 5:30 pm' when the wall clock says 5:29:50 pm is due ten seconds after it was asked."""
    s = Typed(now=datetime(2024, 5, 1, 17, 29, 50))
    asked = s.type("at 5:30 pm remind me to take my pills")
    s.run(13)
    [due] = s.of("timer_due")
    assert due.fields["text"] == "Time to take your pills." and abs(due.t_ms - (asked + 10_000)) <= TICK_MS


def test_cue_says_its_response():
    s = Typed()
    s.type("whenever I say bingo, say bingo")
    s.run(1)
    s.runner.proactive.check_cues(7, "we played bingo all night")
    [heard] = s.of("cue_heard")
    assert heard.fields == {"text": "Bingo!", "word": "bingo"}


def test_cancel_by_description_leaves_the_others():
    s = Typed()
    s.type("set a laundry timer for 6 seconds")
    s.run(1)
    s.type("remind me in 5 seconds to call Sam")
    s.run(1)
    s.type("set a timer for 7 seconds")
    s.run(1)
    s.type("cancel the laundry timer")
    s.run(9)
    assert sorted(e.fields["text"] for e in s.of("timer_due")) == ["Seven seconds have passed.", "Time to call Sam."]
    assert [e.fields["id"] for e in s.of("item_cancelled")] == ["timer-1"]


def test_cancel_the_reminder_then_all_timers():
    s = Typed()
    s.type("remind me in 5 seconds to call Sam")
    s.run(1)
    s.type("set a timer for 6 seconds")
    s.run(1)
    s.type("forget the reminder to call Sam")
    s.run(1)
    assert [t.content for t in s.runner.time.timers] == [""]
    s.type("cancel all my timers")
    s.run(8)
    assert not s.of("timer_due") and s.of("tool_call")[-1].fields == {"tool": "cancel_timers", "cancelled": 1}


def test_change_the_latest_or_the_described_timer():
    """'make that 3 seconds' changes the latest timer from when it was said; 'add 2 seconds to the pasta
    timer' moves that one; a reminder keeps its words."""
    s = Typed()
    s.type("set a pasta timer for 4 seconds")
    s.run(1)
    asked = s.type("set a timer for 30 seconds")
    s.run(1)
    changed = s.type("make that 3 seconds")
    s.run(0.4)
    s.type("add 2 seconds to the pasta timer")
    s.run(8)
    due = {e.fields["text"]: e.t_ms for e in s.of("timer_due")}
    assert abs(due["Three seconds have passed."] - (changed + 3000)) <= TICK_MS
    assert abs(due["Your pasta timer is done."] - 6000) <= TICK_MS and asked < changed
    assert [e.fields.get("changed") for e in s.of("tool_call")] == [None, None, True, True]


def test_cancel_that_cancels_the_timer_just_set():
    s = Typed()
    s.type("set a timer for 5 seconds")
    s.run(1)
    s.type("cancel that")
    s.run(6)
    assert not s.of("timer_due") and s.of("tool_call")[-1].fields["tool"] == "cancel_timers"


def test_stop_listening_for_a_cue_word():
    s = Typed()
    s.type("every time I say apple, say ding")
    s.run(1)
    s.type("stop listening for apple")
    s.run(1)
    s.runner.proactive.check_cues(3, "an apple")
    assert not s.of("cue_heard") and not s.runner.time.cues


def test_the_model_chooses_only_where_the_rules_cannot_decide():
    """With a tool chooser set (off by default: the embedded model is too slow and no better), a request
    the rules leave undecided goes by the model's JSON; a decided one never asks it."""
    s = Typed()
    asked: list[str] = []

    def choose(text: str) -> dict:
        asked.append(text)
        return {"tool": "reminder", "seconds": 3, "content": "say hello"}

    s.runner.engine.choose_tool = choose
    s.type("in three seconds say hello")
    s.run(1)
    s.type("set a timer for two seconds")
    s.run(4)
    assert asked == ["in three seconds say hello"]
    assert sorted(e.fields["text"] for e in s.of("timer_due")) == ["Time to say hello.", "Two seconds have passed."]
