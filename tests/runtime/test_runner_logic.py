"""The tick loop's logic with fake models (named fakes): barge-in, stale replies, alignment."""

import numpy as np
from fakes import FakeEnergyVad, FakeEngine, FakeSureEndpoint
from helpers import quiet, talk

from presence.core.turns import TurnSettings
from presence.core.types import TICK_SAMPLES, ReplyChunk, ReplyDone, UserText
from presence.devices.fakes import RecordingSpeaker, WavMicrophone
from presence.runtime.executor import VirtualTimeExecutor
from presence.runtime.runner import Runner


class FakeEndpoint:
    """smart-turn stand-in: every pause sounds unfinished."""

    def complete_probability(self, audio):
        return 0.05


def _run(user: np.ndarray, short_words: str = "mm-hm"):
    speaker = RecordingSpeaker(latency_samples=TICK_SAMPLES)
    events, engine = [], FakeEngine(short_words)
    runner = Runner(WavMicrophone(user), speaker, FakeEnergyVad(), engine, VirtualTimeExecutor(), events.append)
    runner.run()
    return events, speaker, engine


def test_reply_follows_turn_and_output_is_tick_aligned():
    """A turn is answered after the end-of-turn silence; one tick of output is written per tick."""
    events, speaker, _ = _run(np.concatenate([quiet(400), talk(1000), quiet(5000)]))
    types = [e.type for e in events]
    assert "user_turn_end" in types and "assistant_text" in types
    start = next(e.t_ms for e in events if e.type == "assistant_text")
    assert start >= 1400 + 600
    assert len(speaker) == 32 * TICK_SAMPLES + TICK_SAMPLES


def test_barge_in_stops_audio_in_the_same_tick_and_keeps_heard_words():
    """User speech over the reply clears playback at once; the context keeps only the heard part."""
    user = np.concatenate([quiet(400), talk(1000), quiet(4000), talk(800), quiet(3000)])
    events, speaker, engine = _run(user)
    paused = next(e for e in events if e.type == "barge_pending")
    barge = next(e for e in events if e.type == "barge_in")
    out = speaker.audio()
    before = out[paused.t_ms * 16 - TICK_SAMPLES: paused.t_ms * 16]
    after = out[paused.t_ms * 16: barge.t_ms * 16 + 2 * TICK_SAMPLES]  # from the first overlapping tick on
    assert np.abs(before).max() > 0.2 and np.abs(after).max() == 0.0
    assert engine.kept and engine.kept[0] != "one two three four five six"
    assert barge.fields["cut"]


def test_a_long_interruption_is_one_barge_in_answered_as_it_ends():
    """Two seconds over the reply: one pause, one barge-in (the rest of the words do not barge in on a
    reply already cut), and the turn ends after a short pause though smart-turn says 0.05."""
    user = np.concatenate([quiet(400), talk(1000), quiet(4000), talk(2000), quiet(4000)])
    speaker = RecordingSpeaker(latency_samples=TICK_SAMPLES)
    events = []
    Runner(WavMicrophone(user), speaker, FakeEnergyVad(), FakeEngine(), VirtualTimeExecutor(), events.append,
           endpoint=FakeEndpoint()).run()
    types = [e.type for e in events]
    assert types.count("barge_pending") == 1 and types.count("barge_in") == 1
    ends = [e.t_ms for e in events if e.type == "user_turn_end"]
    assert len(ends) == 2 and 7400 < ends[1] <= 7400 + 400


def _backchannel_run(words: str):
    user = np.concatenate([quiet(400), talk(1000), quiet(2600), talk(400), quiet(4000)])
    return _run(user, short_words=words)


def test_short_backchannel_pauses_then_resumes_the_reply():
    """'mm-hm' over the reply silences it for a moment, then the same reply goes on; nothing is cut."""
    events, speaker, engine = _backchannel_run("Mm-hm.")
    types = [e.type for e in events]
    assert "barge_pending" in types and "backchannel_heard" in types and "playback_resumed" in types
    assert "barge_in" not in types and not engine.kept
    resumed = next(e.t_ms for e in events if e.type == "playback_resumed")
    out = speaker.audio()
    assert np.abs(out[resumed * 16: resumed * 16 + 2 * TICK_SAMPLES]).max() > 0.2


def test_short_stop_is_a_barge_in_and_is_answered():
    """A short 'Stop.' over the reply ends it and gets its own reply."""
    events, _, engine = _backchannel_run("Stop.")
    types = [e.type for e in events]
    assert "barge_in" in types and engine.kept
    barge = types.index("barge_in")
    assert "user_text" in types[barge:]


def test_own_backchannels_in_long_turns_only_when_enabled():
    """With backchannels on, a thinking pause in a long turn gets a short 'mm-hm'; off by default."""
    from presence.core.turns import TurnSettings

    user = np.concatenate([quiet(400), talk(5000), quiet(600), talk(1000), quiet(3000)])

    def run(settings):
        events = []
        runner = Runner(WavMicrophone(user), RecordingSpeaker(), FakeEnergyVad(), FakeEngine(), VirtualTimeExecutor(),
                        events.append, settings, endpoint=FakeEndpoint())
        runner.run()
        return [e for e in events if e.type == "backchannel"]

    assert not run(TurnSettings())
    said = run(TurnSettings(backchannel_every_ms=5000))
    assert len(said) == 1 and said[0].t_ms > 5400


def test_cutting_in_right_after_we_start_continues_the_users_turn():
    """Talking over a reply within early_barge_ms means it came too soon: it is forgotten, and the
    user's next words are answered together with the earlier ones."""
    user = np.concatenate([quiet(400), talk(1000), quiet(2400), talk(1200), quiet(4000)])
    events, _, engine = _run(user)
    types = [e.type for e in events]
    assert "barge_in" not in types
    assert any(e.type == "reply_discarded" and e.fields["reason"] == "user was not done" for e in events)
    assert engine.discarded and not engine.kept
    assert engine.heard_ms[-1] > engine.heard_ms[0] + 1000


def test_controller_commands_run_on_the_tick_thread():
    """Cancelling a timer, pausing the screen and applying settings from the GUI take effect at the next tick."""
    from presence.runtime.controls import turn_settings_from

    events = []
    runner = Runner(WavMicrophone(quiet(1000)), RecordingSpeaker(), FakeEnergyVad(), FakeEngine(),
                    VirtualTimeExecutor(), events.append)
    timer = runner.time.add_timer(5000, "Five seconds have passed.", np.zeros(10, np.float32))
    runner.cancel_item("timer", timer.timer_id)
    runner.set_screen_paused(True)
    runner.apply_settings({"backchannels": True, "backchannel_rate": "often", "barge_in_sensitivity": 100})
    assert runner.time.timers  # nothing happens until the tick thread runs
    runner.run()
    assert not runner.time.timers and runner.screen_paused
    assert runner.settings.backchannel_every_ms == 5000 and runner.settings.barge_confirm_ms == 300
    assert [e.fields["cancelled"] for e in events if e.type == "item_cancelled"] == [1]
    assert turn_settings_from({"backchannels": False}, runner.settings).backchannel_every_ms == 0


def test_speech_starting_late_in_a_tick_pauses_the_reply_at_that_tick():
    """Words that begin in a tick's last frame silence our reply at the end of that tick, not one later."""
    user = np.concatenate([quiet(400), talk(1000), quiet(3560), talk(1000), quiet(3000)])
    events, _, _ = _run(user)
    assert next(e.t_ms for e in events if e.type == "barge_pending") == 5000


def test_a_click_over_the_reply_pauses_it_for_a_tick_only():
    """A 40 ms click at a tick's end pauses the reply; at the next silent tick it goes on, uncut."""
    user = np.concatenate([quiet(400), talk(1000), quiet(3560), talk(40), quiet(3000)])
    events, speaker, engine = _run(user)
    types = [e.type for e in events]
    assert "barge_pending" in types and "barge_in" not in types and not engine.kept
    resumed = next(e.t_ms for e in events if e.type == "playback_resumed")
    assert resumed == 5200
    assert np.abs(speaker.audio()[resumed * 16: resumed * 16 + TICK_SAMPLES]).max() > 0.2


def test_a_new_utterance_carries_no_audio_from_before_the_last_one():
    """Audio from before an utterance is its pre-roll once only: the next utterance does not get it again."""
    before = np.full(400 * 16, 0.01, np.float32)  # quiet but marked
    user = np.concatenate([before, talk(1000), quiet(2000), talk(800), quiet(4000)])
    _, _, engine = _run(user)
    assert len(engine.heard_audio) == 2  # the first reply was dropped: the user went on
    assert np.count_nonzero(engine.heard_audio[-1] == np.float32(0.01)) == len(before)


class FakeFillerEngine(FakeEngine):
    """FakeEngine with a 0.8 s filler, as the real engine has, whose answers take 0.8 s to start."""

    fillers = [("Hmm.", np.full(12800, 0.2, np.float32))]

    def reply_to_audio(self, rid, audio, token):
        import time

        time.sleep(0.8)  # charged on the replay's logical clock: the filler is due first
        yield from super().reply_to_audio(rid, audio, token)


def test_going_on_over_our_filler_stops_it_without_a_barge_in_check():
    """A filler said into what was a pause just stops when the user goes on; their whole turn is then
    answered after the usual short silence (no barge-in check, no longer wait)."""
    user = np.concatenate([quiet(400), talk(1000), quiet(800), talk(1000), quiet(3000)])
    events, engine = [], FakeFillerEngine()
    runner = Runner(WavMicrophone(user), RecordingSpeaker(), FakeEnergyVad(), engine, VirtualTimeExecutor(),
                    events.append, endpoint=FakeSureEndpoint())
    runner.run()
    types = [e.type for e in events]
    assert "filler" in types and "filler_stopped" in types and "barge_in" not in types
    ends = [e.t_ms for e in events if e.type == "user_turn_end"]
    assert ends[-1] <= 3200 + 400  # the user stopped at 3200
    assert engine.heard_ms[-1] >= 2800


class FakeActingEngine(FakeEngine):
    """FakeEngine whose replies set a one-minute timer (a request acted on)."""

    def reply_to_audio(self, rid, audio, token):
        from presence.core.intents import TimerRequest
        from presence.core.types import IntentAccepted

        self.heard_ms.append(len(audio) // 16)
        yield UserText(rid, "set a timer for a minute", len(audio) // 16)
        yield ReplyChunk(rid, "Okay, one minute.", np.full(48000, 0.3, np.float32))
        yield IntentAccepted(rid, TimerRequest(60.0, "one minute"), "One minute has passed.", None)
        yield ReplyDone(rid)


def test_talking_right_after_a_request_was_acted_on_is_a_new_turn():
    """Words right after we acknowledged a timer do not undo it as 'not done': it is a barge-in."""
    user = np.concatenate([quiet(400), talk(1000), quiet(2400), talk(1200), quiet(4000)])
    events, engine = [], FakeActingEngine()
    Runner(WavMicrophone(user), RecordingSpeaker(), FakeEnergyVad(), engine, VirtualTimeExecutor(),
           events.append).run()
    assert not any(e.type == "reply_discarded" and e.fields["reason"] == "user was not done" for e in events)
    assert any(e.type == "barge_in" for e in events)


class FakeGappyEngine(FakeEngine):
    """Replies in two sentences with a 4.5 s wait between them (a slow model)."""

    def reply_to_audio(self, rid, audio, token):
        import time

        self.heard_ms.append(len(audio) // 16)
        yield UserText(rid, "tell me a story", len(audio) // 16)
        yield ReplyChunk(rid, "Once upon a time.", np.full(16000, 0.3, np.float32))
        time.sleep(4.5)  # virtual time: the next sentence comes 4.5 s later
        yield ReplyChunk(rid, "There was a dragon.", np.full(16000, 0.3, np.float32))
        yield ReplyDone(rid)


def test_talking_between_two_sentences_of_a_reply_is_a_barge_in():
    """Speech in the gap between our sentences stops the reply: the next sentence is never played over it."""
    user = np.concatenate([quiet(400), talk(1000), quiet(3600), talk(1500), quiet(5000)])
    events, engine = [], FakeGappyEngine()
    speaker = RecordingSpeaker()
    Runner(WavMicrophone(user), speaker, FakeEnergyVad(), engine, VirtualTimeExecutor(), events.append).run()
    barge = next(e for e in events if e.type == "barge_in")
    assert barge.fields["heard"] == "Once upon a time." and engine.kept == ["Once upon a time."]
    talk_start_ms = 400 + 1000 + 3600
    assert next(e.t_ms for e in events if e.type == "barge_pending") == talk_start_ms + 200  # its first tick
    out = speaker.audio()
    assert np.abs(out[talk_start_ms * 16:(talk_start_ms + 1500) * 16]).max() == 0.0  # nothing over the user


class FakeUnfinishedEngine(FakeEngine):
    """FakeEngine whose transcripts all read unfinished ("...")."""

    def reply_to_audio(self, rid, audio, token):
        self.heard_ms.append(len(audio) // 16)
        yield UserText(rid, "So what I was thinking is...", len(audio) // 16)
        yield ReplyChunk(rid, "one two three", np.full(16000, 0.3, np.float32))
        yield ReplyDone(rid)


def _first_reply_ms(events) -> int:
    return min(e.t_ms for e in events if e.type == "assistant_text" and e.fields["reply_id"] > 0)


def test_a_reply_to_words_that_read_unfinished_waits_for_the_user_to_go_on():
    """smart-turn ended the turn, but its transcript trails off: the reply waits, the user's next words
    continue the same turn, and a trailing-off turn is answered only after the long silence."""
    user = np.concatenate([quiet(400), talk(1000), quiet(1200), talk(800), quiet(4000)])
    events, engine = [], FakeUnfinishedEngine()
    Runner(WavMicrophone(user), RecordingSpeaker(), FakeEnergyVad(), engine, VirtualTimeExecutor(), events.append,
           endpoint=FakeSureEndpoint()).run()
    assert [e.fields["reason"] for e in events if e.type == "reply_discarded"] == ["user continued"]
    assert engine.heard_ms[-1] >= 3000  # the second answer covers both parts
    speech_end = 400 + 1000 + 1200 + 800
    assert _first_reply_ms(events) >= speech_end + TurnSettings().unfinished_silence_ms


class FakeQuestionMarkEngine(FakeEngine):
    """Whisper's '?' on half a question ("How far is it from?"), then the whole of it."""

    def reply_to_audio(self, rid, audio, token):
        self.heard_ms.append(len(audio) // 16)
        text = "How far is it from?" if len(audio) // 16 < 2500 else "How far is it from here to Paris?"
        yield UserText(rid, text, len(audio) // 16)
        yield ReplyChunk(rid, "one two three", np.full(16000, 0.3, np.float32))
        yield ReplyDone(rid)


def test_half_a_question_waits_out_a_long_pause_whatever_its_question_mark():
    """smart-turn is sure and Whisper wrote '?', but the words stop on a preposition: a 2.7 s thinking
    pause is waited out, and the user's second half continues the same turn (answered once, whole)."""
    user = np.concatenate([quiet(400), talk(1000), quiet(2700), talk(800), quiet(4500)])
    events, engine = [], FakeQuestionMarkEngine()
    Runner(WavMicrophone(user), RecordingSpeaker(), FakeEnergyVad(), engine, VirtualTimeExecutor(), events.append,
           endpoint=FakeSureEndpoint()).run()
    resumed_ms = 400 + 1000 + 2700
    assert all(e.t_ms > resumed_ms + 800 for e in events if e.type == "assistant_text" and e.fields["reply_id"] > 0)
    assert [e.fields["reason"] for e in events if e.type == "reply_discarded"] == ["user continued"]
    assert engine.heard_ms[-1] >= 1000 + 800 + 400  # the answer covers both halves (not the whole pause)


def test_a_reply_to_words_that_read_finished_is_not_held():
    """The same turn with a transcript that gives no reason to wait is answered at once."""
    user = np.concatenate([quiet(400), talk(1000), quiet(4000)])
    events, engine = [], FakeEngine()
    Runner(WavMicrophone(user), RecordingSpeaker(), FakeEnergyVad(), engine, VirtualTimeExecutor(), events.append,
           endpoint=FakeSureEndpoint()).run()
    assert "reply_held" not in [e.type for e in events] and _first_reply_ms(events) <= 1400 + 800


def _short_barge_end_ms(words: str) -> tuple[list, int]:
    user = np.concatenate([quiet(400), talk(1000), quiet(2600), talk(300), quiet(4000)])
    events = []
    Runner(WavMicrophone(user), RecordingSpeaker(), FakeEnergyVad(), FakeEngine(words), VirtualTimeExecutor(),
           events.append, endpoint=FakeSureEndpoint()).run()
    ends = [e.t_ms for e in events if e.type == "user_turn_end"]
    return events, ends[1] - 4300  # the words over us stopped at 4300 ms


def test_a_finished_word_over_us_is_answered_without_the_long_wait():
    """"No." over our reply, with smart-turn sure, ends once its words read finished: not after the
    full second of silence that keeps longer interruptions in one piece."""
    events, end_after_ms = _short_barge_end_ms("No.")
    assert "barge_in" in [e.type for e in events] and end_after_ms < TurnSettings().mid_end_silence_ms


def test_an_unfinished_word_over_us_waits_for_the_rest():
    """"Sorry," over our reply keeps the long wait: the user is still building the sentence."""
    _, end_after_ms = _short_barge_end_ms("Sorry,")
    assert end_after_ms >= TurnSettings().mid_end_silence_ms
