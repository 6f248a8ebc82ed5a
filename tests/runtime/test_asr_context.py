"""The decoder hears the conversation's context: the question we asked, pending timers, watched cue words.

The runner's tick thread publishes an immutable AsrContext whenever it changes; the engine's
transcribing threads read it whole and pass its prompt to the recognizer.
"""

from __future__ import annotations

import numpy as np
from fakes import FakeEngine, FakeSilentVad, FakeTts

from presence.core.types import TICK_SAMPLES, ReplyChunk, ReplyDone
from presence.devices.fakes import RecordingSpeaker, WavMicrophone
from presence.runtime.engine import ReplyEngine
from presence.runtime.executor import CancelToken, VirtualTimeExecutor
from presence.runtime.runner import Runner
from presence.speech.asr import AsrContext, Transcript


def test_the_prompt_reads_like_previous_text():
    assert AsrContext().prompt() == ""
    ctx = AsrContext("How long should the timer be?", ("Time to drain the pasta.",), ("orange", "lemon"))
    assert ctx.prompt() == "How long should the timer be? Time to drain the pasta. Orange, Lemon."
    assert AsrContext(cues=("apple",)).prompt() == "Apple."


class AskingEngine(FakeEngine):
    """Says the text it is given as its reply, and records every context the runner publishes."""

    def __init__(self) -> None:
        super().__init__()
        self.contexts: list[AsrContext] = []

    def hear_in_context(self, context: AsrContext) -> None:
        self.contexts.append(context)

    def reply_to_text(self, rid, text, token):
        yield ReplyChunk(rid, text, np.full(1600, 0.1, np.float32))
        yield ReplyDone(rid)


def _runner(engine: AskingEngine) -> Runner:
    mic = WavMicrophone(np.zeros(TICK_SAMPLES * 60, np.float32))
    return Runner(mic, RecordingSpeaker(), FakeSilentVad(), engine, VirtualTimeExecutor(), lambda e: None)


def test_the_runner_publishes_the_question_timers_and_cues_when_they_change():
    engine = AskingEngine()
    runner = _runner(engine)
    runner.submit_text("How long should the timer be?")  # the fake says what it is given
    runner.run(max_ticks=10)
    assert engine.contexts[-1] == AsrContext("How long should the timer be?")
    runner.time.add_timer(600_000, "Time to drain the pasta.", None)
    runner.time.add_cue("orange", "Orange!", None, repeat=False)
    runner.run(max_ticks=12)
    assert engine.contexts[-1] == AsrContext("How long should the timer be?", ("Time to drain the pasta.",),
                                             ("orange",))
    published = len(engine.contexts)
    runner.run(max_ticks=20)
    assert len(engine.contexts) == published  # nothing changed, nothing published
    runner.submit_text("Okay, ten minutes.")  # a reply that asks nothing: no question is being answered now
    runner.time.cancel_timers()
    runner.run(max_ticks=30)
    assert engine.contexts[-1] == AsrContext(cues=("orange",))


class RecordingAsr:
    def __init__(self, text: str = "") -> None:
        self.text, self.calls = text, []

    def transcribe(self, audio, partial=False, **kwargs):
        self.calls.append((partial, kwargs))
        return Transcript(self.text, 0.9, -1.0)


def test_the_engine_decodes_with_the_latest_context_and_plain_without_one():
    asr, listen = RecordingAsr(), RecordingAsr("orange")
    engine = ReplyEngine(asr, None, FakeTts(), listen_asr=listen)
    list(engine.reply_to_audio(1, np.zeros(16000, np.float32), CancelToken()))
    assert asr.calls == [(False, {})]  # no context known: the recognizer is called as before
    engine.hear_in_context(AsrContext("Which fruit?", cues=("orange",)))
    list(engine.partial_transcript(7, np.zeros(16000, np.float32)))
    list(engine.reply_to_audio(2, np.zeros(16000, np.float32), CancelToken()))
    assert listen.calls == [(True, {"context": "Which fruit? Orange."})]
    assert asr.calls[-1] == (False, {"context": "Which fruit? Orange."})
