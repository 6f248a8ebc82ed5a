"""Time-aware requests: timer and cue parsing, the Timekeeper, and cue words across a resumed turn."""

import time

import numpy as np
import pytest
from fakes import FakeEnergyVad, FakeSureEndpoint

from presence.core.intents import CancelTimers, CueRequest, TimerRequest, parse_durations, parse_intent
from presence.core.timekeeping import Timekeeper
from presence.core.types import TICK_SAMPLES, PartialText, ReplyChunk, ReplyDone, UserText
from presence.devices.fakes import RecordingSpeaker, WavMicrophone
from presence.runtime.executor import VirtualTimeExecutor
from presence.runtime.runner import Runner
from presence.speech.asr import max_tokens


@pytest.mark.parametrize("text, seconds", [("Tell me when one minute has passed.", 60.0),
                                           ("Set a timer for 1 minute.", 60.0),
                                           ("Set a timer for 2 minutes.", 120.0),
                                           ("Remind me in a minute and a half.", 90.0),
                                           ("Set a timer for one minute and thirty seconds.", 90.0)])
def test_timers_in_minutes(text, seconds):
    """Minutes, digits, 'a minute and a half' and 'one minute and thirty seconds' are one timer each."""
    intent = parse_intent(text)
    assert isinstance(intent, TimerRequest) and intent.seconds == seconds and intent.parts() == (intent,)


def test_several_timers_in_one_sentence():
    """'five seconds and another one for nine seconds' sets two timers, in the order said, with one short ack."""
    intent = parse_intent("Set a timer for five seconds and another one for nine seconds.")
    assert isinstance(intent, TimerRequest)
    assert [(p.seconds, p.due_text()) for p in intent.parts()] == [
        (5.0, "Five seconds have passed."), (9.0, "Nine seconds have passed.")]
    assert intent.ack() == "Okay, timers for five seconds and nine seconds."
    assert [d for d, _ in parse_durations("timers for 2 minutes, 5 minutes and an hour")] == [120.0, 300.0, 3600.0]


def test_timer_texts_agree_in_number():
    """'One minute has passed', 'a minute and a half has passed', 'ten seconds have passed'."""
    assert parse_intent("tell me when one minute has passed").due_text() == "One minute has passed."
    assert parse_intent("remind me in a minute and a half").due_text() == "A minute and a half has passed."
    assert parse_intent("set a timer for ten seconds").ack() == "Okay, I'll tell you when ten seconds have passed."


@pytest.mark.parametrize("text", ["Cancel the timer.", "Please cancel my timers.", "Stop the timer.",
                                  "cancelled the timer."])
def test_cancelling_timers(text):
    """'Cancel the timer' and its variants cancel timers; they set none."""
    intent = parse_intent(text)
    assert isinstance(intent, CancelTimers) and intent.what == "timer" and not intent.target


def test_cue_said_every_time():
    """'Every time I say apple, say ding' watches apple for good and answers 'Ding!'."""
    assert parse_intent("Every time I say apple, say ding.") == CueRequest("apple", "Ding!", repeat=True)


@pytest.mark.parametrize("text", ["Let me know when I change the word blue.", "Tell me when I said the word blue."])
def test_cue_word_is_found_when_the_verb_is_misheard(text):
    """Whisper may mishear "say" ("when I change the word blue"): "the word" still marks the cue."""
    assert parse_intent(text).word == "blue"


def test_when_i_without_the_word_is_no_cue():
    """'Let me know when I get home' watches no word."""
    assert parse_intent("Let me know when I get home.") is None


def test_timekeeper_fires_several_timers_in_due_order():
    """Timers added out of order fire at their own tick, earliest first; cancelled ones never fire."""
    keeper = Timekeeper()
    keeper.add_timer(9000, "nine", None)
    keeper.add_timer(5000, "five", None)
    assert keeper.due(4800) == [] and [s.text for s in keeper.due(5000)] == ["five"]
    assert [s.text for s in keeper.due(9000)] == ["nine"]
    keeper.add_timer(12_000, "twelve", None)
    assert keeper.cancel_timers() == 1 and keeper.due(20_000) == []


def test_cue_word_counts_each_occurrence_but_not_similar_words():
    """A repeated cue answers each new 'apple' once; 'pineapple' and 'applesauce' are other words."""
    keeper = Timekeeper()
    keeper.add_cue("apple", "Ding!", None, repeat=True)
    assert keeper.cue_hits(1, "I drank pineapple juice with applesauce") == []
    assert len(keeper.cue_hits(1, "I ate an apple")) == 1
    assert keeper.cue_hits(1, "I ate an apple in the morning") == []
    assert len(keeper.cue_hits(1, "I ate an apple in the morning and another apple")) == 1


def test_second_cue_word_is_heard_when_a_partial_drops_the_first():
    """Whisper's partials may lose an earlier 'apple': a later one further on is still new, and answered once."""
    keeper = Timekeeper()
    keeper.add_cue("apple", "Ding!", None, repeat=True)
    partials = ["I ain't in Apple.", "I ain't in Apple in the morning.", "I ate in the morning and then I had",
                "I ate in the morning and then I had another apple",
                "I ate in the morning and then I had another apple with my tea and",
                "I ate an apple in the morning and then I had another apple with my tea in the afternoon"]
    assert [len(keeper.cue_hits(1, text)) for text in partials] == [1, 0, 0, 1, 0, 0]


def test_decoder_loop_counts_as_one_cue_word():
    """A Whisper loop repeating 'and apple juice this morning' is one apple, and a later real one is still new."""
    keeper = Timekeeper()
    keeper.add_cue("apple", "Ding!", None, repeat=True)
    loop = "I drank some pineapple juice " + "this morning and apple juice " * 6 + "this morning and apple"
    assert len(keeper.cue_hits(1, loop)) == 1
    assert len(keeper.cue_hits(1, "I drank some pineapple juice this morning and apple juice then another apple")) == 1


def test_asr_budget_follows_the_audio_length():
    """A 3 s partial may decode 40 tokens, not 120: a decoder loop ends early; 30 s keeps the full 120."""
    assert max_tokens(3 * 16_000) == 40 and max_tokens(30 * 16_000) == 120


def test_resumed_utterance_does_not_repeat_answered_cues():
    """When the next utterance repeats the previous one's audio, its earlier cue words are not new."""
    keeper = Timekeeper()
    keeper.add_cue("apple", "Ding!", None, repeat=True)
    assert len(keeper.cue_hits(1, "I ate an apple,")) == 1
    keeper.continue_utterance(1, 2)
    assert keeper.cue_hits(2, "I ate an apple, and then") == []
    assert len(keeper.cue_hits(2, "I ate an apple, and then another apple")) == 1


class _SlowEngine:
    """Hears 'I ate an apple' in any audio; its reply takes 1.5 s, so the user goes on before hearing it."""

    def reply_to_audio(self, rid, audio, token):
        yield UserText(rid, "I ate an apple", len(audio) // 16)
        time.sleep(1.5 if rid == 1 else 0.0)  # charged to the logical clock by the virtual-time executor
        yield ReplyChunk(rid, "Nice.", np.full(8000, 0.3, np.float32))
        yield ReplyDone(rid)

    def discard_reply(self, rid):
        pass

    def partial_transcript(self, uid, audio):
        yield PartialText(uid, "I ate an apple" + (" and then" if len(audio) > 32_000 else ""))


def test_cue_before_a_pause_is_answered_once_when_the_user_goes_on():
    """A cue word heard before a pause is not answered again by the transcript of the resumed turn."""
    talk, quiet = np.full(16_000, 0.5, np.float32), np.zeros(8000, np.float32)
    events = []
    runner = Runner(WavMicrophone(np.concatenate([quiet, talk, quiet, talk, np.zeros(64_000, np.float32)])),
                    RecordingSpeaker(latency_samples=TICK_SAMPLES), FakeEnergyVad(), _SlowEngine(),
                    VirtualTimeExecutor(), events.append, endpoint=FakeSureEndpoint())
    runner.time.add_cue("apple", "Ding!", np.full(3200, 0.3, np.float32), repeat=True)
    runner.run()
    types = [e.type for e in events]
    assert types.count("user_speech_start") == 2 and "reply_discarded" in types  # the pause was resumed
    assert types.count("cue_heard") == 1


class _LongReplyEngine(_SlowEngine):
    """A 5 s reply whose job goes on working (4 s) after its audio is out; 'apple' only in the second utterance."""

    def reply_to_audio(self, rid, audio, token):
        yield UserText(rid, "tell me a story", len(audio) // 16)
        yield ReplyChunk(rid, "Once upon a time.", np.full(80_000, 0.3, np.float32))
        time.sleep(4.0 if rid == 1 else 0.0)
        yield ReplyDone(rid)

    def keep_heard(self, heard):
        pass

    def partial_transcript(self, uid, audio):
        yield PartialText(uid, "wait an apple" if uid == 2 else "tell me")


def test_cue_word_is_caught_in_a_barge_in_while_the_cut_reply_is_still_working():
    """Talking over a reply whose job has not finished still gets cue words answered while the user talks."""
    talk = np.full(16_000, 0.5, np.float32)
    user = np.concatenate([np.zeros(8000, np.float32), talk, np.zeros(40_000, np.float32), talk, talk,
                           np.zeros(48_000, np.float32)])
    events = []
    runner = Runner(WavMicrophone(user), RecordingSpeaker(latency_samples=TICK_SAMPLES), FakeEnergyVad(),
                    _LongReplyEngine(), VirtualTimeExecutor(), events.append, endpoint=FakeSureEndpoint())
    runner.time.add_cue("apple", "Ding!", np.full(3200, 0.3, np.float32), repeat=True)
    runner.run()
    barge = next(e.t_ms for e in events if e.type == "barge_in")
    assert not [e for e in events if e.type == "reply_done" and e.t_ms <= barge]  # the cut reply was still working
    second_start = [e.t_ms for e in events if e.type == "user_speech_start"][1]
    second_end = [e.t_ms for e in events if e.type == "user_turn_end"][1]
    cues = [e.t_ms for e in events if e.type == "cue_heard"]
    assert cues and second_start < cues[0] < second_end


def test_announcement_survives_a_barge_in_on_the_reply_before_it():
    """A timer due while a reply plays is queued behind it; the user cutting the reply does not drop it."""
    from presence.core.playback import Playback

    playback = Playback(TICK_SAMPLES)
    playback.enqueue(1, "A long answer.", np.full(16_000, 0.3, np.float32))
    playback.next_tick()
    playback.announce(-1, "Ten seconds have passed.", np.full(3200, 0.3, np.float32))
    assert playback.interrupt() is not None
    _, started = playback.next_tick()
    assert [s.text for s in started] == ["Ten seconds have passed."]
