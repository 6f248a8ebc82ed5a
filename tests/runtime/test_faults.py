"""The fault matrix, through the real runner with fakes around it: a tick that raises is skipped and
reported once, a failing reply ends with a short spoken notice, a worker hit by SystemExit goes on,
and a fan heard as endless speech ends the turn at 30 s."""

from __future__ import annotations

import threading
import time

import numpy as np
from fakes import FakeEnergyVad, FakeEngine, FakeSilentVad, FakeTts
from helpers import quiet, talk, wait_for

from presence.core.types import TICK_SAMPLES, ReplyChunk, ReplyDone, UserText
from presence.devices.fakes import PngFolderScreen, RecordingSpeaker, WavMicrophone
from presence.runtime.executor import JobError, ThreadExecutor, VirtualTimeExecutor
from presence.runtime.faults import MAX_UTTERANCE_MS
from presence.runtime.notices import REPLY_FAILED
from presence.runtime.runner import Runner
from presence.screen.reader import InlineReader
from presence.screen.watch import ScreenWatcher


def _of(events, kind):
    return [e for e in events if e.type == kind]


# --- any exception in a tick -----------------------------------------------------------------------

def test_a_zero_byte_png_frame_is_skipped_logged_once_and_the_session_goes_on(tmp_path, caplog):
    """Push-to-observe over a 0-byte PNG: the screen part fails each time it reads the frame; one error
    (and one log record), every tick still writes its audio, and typed text is still answered."""
    (tmp_path / "0.png").write_bytes(b"")
    events: list = []
    speaker = RecordingSpeaker()
    engine = FakeEngine()
    runner = Runner(WavMicrophone(np.zeros(16000 * 6, np.float32)), speaker, FakeSilentVad(), engine,
                    VirtualTimeExecutor(), events.append, screen=PngFolderScreen(tmp_path),
                    screen_watch=ScreenWatcher(InlineReader(lambda crop: [], instant=True)))
    for _ in range(3):
        runner.observe_screen()
        runner.run(max_ticks=runner.tick + 5)
    runner.submit_text("hello")
    runner.run()
    errors = [e.fields for e in _of(events, "error")]
    assert len(errors) == 1 and errors[0]["source"] == "screen" and "skipped" in errors[0]["message"]
    assert runner.faults.counts[("screen", "UnidentifiedImageError")] >= 3
    assert len([r for r in caplog.records if "screen failed" in r.getMessage()]) == 1
    assert runner.tick == 30 and len(speaker.audio()) == 30 * TICK_SAMPLES
    assert "one two three four five six" in [e.fields["text"] for e in _of(events, "assistant_text")]


def test_a_failure_outside_the_guards_skips_that_tick_only():
    """The listening part raises once: that tick is skipped (its audio is silence, time moves on)."""
    events: list = []
    speaker = RecordingSpeaker()
    runner = Runner(WavMicrophone(np.zeros(TICK_SAMPLES * 10, np.float32)), speaker, FakeSilentVad(), FakeEngine(),
                    VirtualTimeExecutor(), events.append)
    clean, calls = runner.listening.clean, []

    def flaky(chunk):
        calls.append(1)
        if len(calls) == 4:
            raise ValueError("a broken frame")
        return clean(chunk)

    runner.listening.clean = flaky
    runner.run()
    assert runner.tick == 10 and len(speaker.audio()) == 10 * TICK_SAMPLES
    assert [e.fields["source"] for e in _of(events, "error")] == ["tick"]


# --- a reply job raises ------------------------------------------------------------------------------

class FlakyEngine(FakeEngine):
    """The first `failures` reply jobs raise (as a crashing ASR, model or voice would); later ones answer.
    Two failures: the speculative reply at the pause, then the one started as the turn ends."""

    def __init__(self, exc: BaseException, failures: int = 2) -> None:
        super().__init__()
        self.exc, self.failures, self.tts, self.calls = exc, failures, FakeTts(level=0.1, samples=1600), 0

    def reply_to_audio(self, rid, audio, token):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.exc
        yield from super().reply_to_audio(rid, audio, token)


def _two_turns(engine) -> list:
    user = np.concatenate([quiet(400), talk(1000), quiet(6000), talk(1000), quiet(6000)])
    events: list = []
    Runner(WavMicrophone(user), RecordingSpeaker(), FakeEnergyVad(), engine, VirtualTimeExecutor(), events.append).run()
    return events


def test_a_reply_job_that_raises_ends_with_a_short_spoken_notice_and_we_listen_again():
    events = _two_turns(FlakyEngine(RuntimeError("the model crashed")))
    errors = [e for e in _of(events, "error") if e.fields["source"].startswith("reply-")]
    assert len(errors) == 2 and all("the model crashed" in e.fields["message"] for e in errors)
    error = errors[-1]  # the reply the user was waiting for
    done = [e.fields for e in _of(events, "reply_done")]
    assert done[:2] == [{"reply_id": 1, "reason": "error"}, {"reply_id": 2, "reason": "error"}]
    assert REPLY_FAILED in [e.fields["message"] for e in _of(events, "notice")]
    said = [e.fields["text"] for e in _of(events, "assistant_text")]
    assert said[0] == REPLY_FAILED and _of(events, "spoken_notice")
    after = events[events.index(error):]
    states = [e.fields["state"] for e in after if e.type == "state"]
    assert "listening" in states  # back to listening
    assert "one two three four five six" in said  # and the next turn is answered


def test_a_failed_speculative_reply_is_only_dropped_and_the_turn_end_starts_a_fresh_one():
    events = _two_turns(FlakyEngine(RuntimeError("the model crashed"), failures=1))
    assert _of(events, "reply_done")[0].fields == {"reply_id": 1, "reason": "error"}
    assert not _of(events, "spoken_notice") and not _of(events, "notice")
    assert [e.fields["text"] for e in _of(events, "assistant_text")][0] == "one two three four five six"


def test_system_exit_in_a_reply_job_is_told_and_the_worker_goes_on():
    events = _two_turns(FlakyEngine(SystemExit(3)))
    assert any("SystemExit" in e.fields["message"] for e in _of(events, "error"))
    said = [e.fields["text"] for e in _of(events, "assistant_text")]
    assert said[0] == REPLY_FAILED and "one two three four five six" in said


# --- a worker thread hit by a non-Exception ---------------------------------------------------------

class Stopped(BaseException):
    """Neither an Exception nor SystemExit: what would end a plain worker thread."""


def test_thread_worker_survives_system_exit_and_is_restarted_after_other_base_exceptions():
    executor = ThreadExecutor()
    try:
        def exits(_tok):
            raise SystemExit(2)
            yield

        def stops(_tok):
            raise Stopped("gone")
            yield

        executor.submit(exits, 0, name="reply-1")
        executor.submit(stops, 0, name="reply-2")
        executor.submit(lambda _tok: iter(["still here"]), 0, name="reply-3")
        got: list = []
        assert wait_for(lambda: got.extend(executor.ready(0)) or len(got) >= 3)
        assert isinstance(got[0], JobError) and got[0].name == "reply-1" and "SystemExit" in got[0].message
        assert isinstance(got[1], JobError) and got[1].name == "reply-2" and "restarted" in got[1].message
        assert got[2] == "still here" and executor.restarts == 1
        assert executor._thread.is_alive()
    finally:
        executor.close()


def test_the_runner_tells_the_user_when_the_live_worker_was_restarted():
    """Live (a real worker thread): the restarted worker's JobError ends the reply with the notice."""

    class Engine(FlakyEngine):
        def reply_to_text(self, rid, text, token):
            if text == "break":
                raise Stopped("worker killed")
            yield UserText(rid, text, 0)
            yield ReplyChunk(rid, "fine", np.full(1600, 0.1, np.float32))
            yield ReplyDone(rid)

    events: list = []
    lock = threading.Lock()

    def sink(ev):
        with lock:
            events.append(ev)

    class Silence:
        def read(self, n):
            time.sleep(0.005)
            return np.zeros(n, np.float32)

    executor = ThreadExecutor()
    runner = Runner(Silence(), RecordingSpeaker(), FakeSilentVad(), Engine(RuntimeError()), executor, sink)
    runner.submit_text("break")
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: any(e.type == "spoken_notice" for e in list(events)), 10)
        runner.submit_text("again")
        assert wait_for(lambda: "fine" in [e.fields.get("text") for e in list(events) if e.type == "assistant_text"],
                        10)
    finally:
        runner.stop()
        thread.join(5)
        executor.close()
    assert executor.restarts == 1


# --- a fan or a TV heard as endless speech -----------------------------------------------------------

def test_endless_speech_is_cut_at_30_s_then_ignored_until_it_stops():
    user = np.concatenate([quiet(400), talk(40_000), quiet(3000), talk(1000), quiet(5000)])
    events: list = []
    engine = FakeEngine()
    Runner(WavMicrophone(user), RecordingSpeaker(), FakeEnergyVad(), engine, VirtualTimeExecutor(),
           events.append).run()
    assert len(engine.heard_ms) == 2
    assert MAX_UTTERANCE_MS <= engine.heard_ms[0] <= MAX_UTTERANCE_MS + 1000  # the turn ended at the cap
    assert 1000 <= engine.heard_ms[1] <= 2000  # the user's words after the noise are a turn of their own
    ends = [e.t_ms for e in _of(events, "user_turn_end")]
    assert len(ends) == 2 and 30_000 <= ends[0] <= 31_000
    assert any("without a pause" in e.fields["message"] for e in _of(events, "notice"))
    # the rest of the noise neither starts a turn nor talks over our answer
    noise_end = 400 + 40_000
    assert not [e for e in events if e.type in ("barge_pending", "barge_in", "user_speech_start")
                and ends[0] < e.t_ms < noise_end]
