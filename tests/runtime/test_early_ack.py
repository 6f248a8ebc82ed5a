"""A long request is acknowledged the moment it ends, from the words transcribed while it was said."""

import time

import numpy as np
from fakes import FakeEnergyVad, FakeEngine, FakeSureEndpoint, FakeTts
from helpers import quiet, talk

from presence.core.types import PartialText, ReplyChunk, ReplyDone, UserText
from presence.devices.fakes import RecordingSpeaker, WavMicrophone
from presence.runtime.engine import ReplyEngine
from presence.runtime.executor import VirtualTimeExecutor
from presence.runtime.runner import Runner

ACK = "Let me work that out."


def test_engine_acknowledges_deep_work_from_partial_words_only():
    """'Write a short plan for my' asks for deep work; a question or a story does not."""
    engine = ReplyEngine(asr=None, llm=None, tts=FakeTts(level=0.1, samples=1600))
    text, audio = engine.early_acknowledgement("Write a short plan for my")
    assert text == ACK and len(audio)
    assert engine.early_acknowledgement("What is the capital of") is None
    assert engine.early_acknowledgement("Tell me a long story about a") is None


class FakeTaskEngine(FakeEngine):
    """Hears a plan request in partial transcripts and acknowledges it in its reply (a fake)."""

    def partial_transcript(self, uid, audio):
        yield PartialText(uid, "Write a short plan for my")

    def early_acknowledgement(self, words):
        return (ACK, np.full(8000, 0.25, np.float32)) if "plan" in words else None

    def reply_to_audio(self, rid, audio, token):
        self.heard_ms.append(len(audio) // 16)
        time.sleep(0.3)  # transcribing takes a while: the reply is not ready as the turn ends
        yield UserText(rid, "Write a short plan for my week.", len(audio) // 16)
        yield ReplyChunk(rid, ACK, np.full(8000, 0.25, np.float32))
        yield ReplyDone(rid)


def test_a_long_request_is_acknowledged_as_it_ends_and_only_once():
    """The acknowledgement plays at the turn's end (no filler first) and the reply does not repeat it."""
    user = np.concatenate([quiet(400), talk(2000), quiet(4000)])
    events = []
    runner = Runner(WavMicrophone(user), RecordingSpeaker(), FakeEnergyVad(), FakeTaskEngine(),
                    VirtualTimeExecutor(), events.append, endpoint=FakeSureEndpoint())
    runner.run()
    end = next(e.t_ms for e in events if e.type == "user_turn_end")
    early = next(e for e in events if e.type == "early_ack")
    assert early.t_ms == end and "filler" not in [e.type for e in events]
    assert [e.t_ms for e in events if e.type == "assistant_text" and e.fields["text"] == ACK] == [end]


def test_short_utterances_are_not_transcribed_while_they_are_said():
    """Below partial_after_ms (and with no cue watched) no partial transcript runs; the same request said
    for longer is transcribed while it is said and acknowledged (the control)."""

    def while_said(talk_ms: int) -> list[str]:
        events = []
        runner = Runner(WavMicrophone(np.concatenate([quiet(400), talk(talk_ms), quiet(3000)])), RecordingSpeaker(),
                        FakeEnergyVad(), FakeTaskEngine(), VirtualTimeExecutor(), events.append,
                        endpoint=FakeSureEndpoint())
        runner.run()
        return [e.type for e in events
                if e.type == "early_ack" or (e.type == "user_partial_text" and "complete" not in e.fields)]

    long = while_said(2000)
    assert "user_partial_text" in long and "early_ack" in long
    assert while_said(800) == []
