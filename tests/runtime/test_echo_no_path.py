"""No echo path, no echo guard: a user who interrupts a long reply is heard at once.

A replay without --echo-gain (a headset) once kept a spoken "stop" out as echo for 1.2 s: the
user's words, in a voice like ours, correlated with our reply by chance (0.16-0.17 over a second)
and made an "echo path" the guard then believed in (measured on these cases before the fix:
`echo_suppressed` in 12 of 27 stops, up to 7 ticks of one). The runner here is the real one with
the real VAD and canceller; only the reply is scripted (our real voice reading a long list), so
the test does not wait on the language model.
"""

import numpy as np
import pytest
from fakes import FakeEngine

from presence.core.types import TICK_MS, TICK_SAMPLES, PartialText, ReplyChunk, ReplyDone, UserText
from presence.devices.fakes import RecordingSpeaker, WavMicrophone
from presence.evaluation.scenarios import other_voice, trim
from presence.runtime.executor import VirtualTimeExecutor
from presence.runtime.runner import Runner
from presence.speech.echo import EchoCanceller

pytestmark = pytest.mark.slow

LIST_REPLY = ["Sure, here are ten fruits.",
              "Apple, banana, cherry, date, elderberry, fig, grape, honeydew, kiwi and lemon.",
              "Each of them is tasty and good for you."]


class ListEngine(FakeEngine):
    """Answers every turn with a long list read in our own voice; the words said over it are `barge_words`."""

    def __init__(self, sentences: list[tuple[str, np.ndarray]], barge_words: str) -> None:
        super().__init__(barge_words)
        self.sentences = sentences

    def reply_to_audio(self, rid, audio, token):
        yield UserText(rid, "List ten fruits.", len(audio) // 16)
        for text, speech in self.sentences:
            yield ReplyChunk(rid, text, speech)
        yield ReplyDone(rid)

    def partial_transcript(self, uid, audio):
        yield PartialText(uid, self.short_words)


@pytest.fixture(scope="module")
def list_reply(models):
    """Run the conversation: the question, our list, and the user's words (if any) from sample `at`."""
    tts = models.engine.tts
    question = trim(tts.synthesize_steady("List ten fruits."))
    sentences = [(s, tts.synthesize_steady(s)) for s in LIST_REPLY]

    def run(words: np.ndarray | None = None, at: int = 0, barge_words: str = ""):
        user = np.concatenate([np.zeros(12800, np.float32), question, np.zeros(16000 * 12, np.float32)])
        if words is not None:
            user[at:at + len(words)] += words
        events = []
        models.vad.reset()
        Runner(WavMicrophone(user), RecordingSpeaker(latency_samples=TICK_SAMPLES), models.vad,
               ListEngine(sentences, barge_words), VirtualTimeExecutor(), events.append,
               endpoint=models.endpoint, echo=EchoCanceller()).run()
        return events

    run.first_ms = next(e.t_ms for e in run() if e.type == "assistant_text")  # when the list starts playing
    return run


@pytest.mark.parametrize("voice,words,into_reply_ms", [
    (0.88, "Hold on, stop the list please.", 3000),  # before the fix: 7 ticks suppressed after the pause
    (1.15, "Wait, stop. Make it about a cat instead.", 600),
])
def test_an_interruption_without_echo_path_stops_the_reply_within_a_tick(models, list_reply, voice, words,
                                                                          into_reply_ms):
    """Our list plays; the user (no echo on the microphone) talks over it: the reply pauses in the tick
    the words begin or the next, and nothing the user says is ever suppressed as echo."""
    speech = trim(other_voice(models.engine.tts.synthesize_steady, voice)(words))
    at = (list_reply.first_ms + into_reply_ms) * 16 + 1000  # not on a tick boundary
    events = list_reply(speech, at, words)
    assert not [e for e in events if e.type == "echo_suppressed"]
    paused = [e.t_ms for e in events if e.type == "barge_pending"]
    onset_tick_end = (at // TICK_SAMPLES + 1) * TICK_MS  # the tick the words begin in is processed then
    assert paused and paused[0] <= onset_tick_end + TICK_MS, (paused, onset_tick_end)
    assert not [e for e in events if e.type == "playback_resumed"]
