"""Every time-aware intent through replay, spoken by our own voice: three phrasings each.

Timers fire on time (within 0.5 s of the speech end plus their length) and reminders say their words;
a clock reminder is due at its time of day (on a fixed wall clock); a cue word gets its response;
changed timers fire at their new time and cancelled ones never. Changed and cancelled timers are long
enough that a slow transcript (a busy machine) still arrives before they are due.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from presence.devices.audio_files import write_wav_16k_mono
from presence.evaluation.scenarios import trim
from presence.runtime.replay import ReplayOptions, replay

pytestmark = pytest.mark.slow

TOLERANCE_MS = 500


def _replay(models, tmp_path, pieces: list[str | float]) -> tuple[list, list[int]]:
    """Speak each string, wait each number of seconds; the events and each utterance's end (ms)."""
    say = models.engine.tts.synthesize_steady
    audio, ends, n = [np.zeros(12_800, np.float32)], [], 12_800
    for piece in pieces:
        chunk = np.zeros(int(piece * 16000), np.float32) if isinstance(piece, float | int) else trim(say(piece))
        audio.append(chunk)
        n += len(chunk)
        if isinstance(piece, str):
            ends.append(n * 1000 // 16000)
    write_wav_16k_mono(tmp_path / "user.wav", np.concatenate(audio))
    models.engine.reset()
    return replay(ReplayOptions(tmp_path / "user.wav", tmp_path / "out", fast=True), models), ends


def _trace(events) -> str:
    keep = ("user_text", "assistant_text", "tool_call", "timer_due", "cue_heard", "reply_discarded")
    return "\n".join(f"{e.t_ms} {e.type} {e.fields}" for e in events if e.type in keep)


def _due(events) -> list:
    return [e for e in events if e.type == "timer_due"]


@pytest.mark.parametrize("request_text, seconds", [
    ("Set a timer for four seconds.", 4),
    ("Tell me when five seconds have passed.", 5),
    ("Let me know in three seconds.", 3),
])
def test_timer_fires_on_time(models, tmp_path, request_text, seconds):
    events, [end] = _replay(models, tmp_path, [request_text, seconds + 3.0])
    due = _due(events)
    assert len(due) == 1, _trace(events)
    assert abs(due[0].t_ms - (end + seconds * 1000)) <= TOLERANCE_MS, _trace(events)


@pytest.mark.parametrize("request_text, seconds, words", [
    ("Remind me in six seconds to call Sam.", 6, "call sam"),
    ("In seven seconds, remind me to check the oven.", 7, "check the oven"),
    ("Remind me to stretch in six seconds.", 6, "stretch"),
])
def test_reminder_says_its_words_on_time(models, tmp_path, request_text, seconds, words):
    events, [end] = _replay(models, tmp_path, [request_text, seconds + 3.0])
    due = _due(events)
    assert len(due) == 1 and words in due[0].fields["text"].lower(), _trace(events)
    assert abs(due[0].t_ms - (end + seconds * 1000)) <= TOLERANCE_MS, _trace(events)
    said = [e for e in events if e.type == "assistant_text" and words in e.fields["text"].lower()]
    assert any(0 <= e.t_ms - due[0].t_ms <= TOLERANCE_MS for e in said), _trace(events)  # and said then


@pytest.mark.parametrize("request_text, words", [
    ("At 5:30 PM, remind me to call Sam.", "call sam"),
    ("Remind me at half past five to take my pills.", "take your pills"),
    ("Remind me to water the plants at 5:30.", "water the plants"),
])
def test_clock_reminder_is_due_at_its_time_of_day(models, tmp_path, monkeypatch, request_text, words):
    """The wall clock reads 5:29:50 PM: a reminder at 5:30 is due ten seconds after it was asked."""
    monkeypatch.setattr(models.engine, "_now", lambda: datetime(2024, 5, 1, 17, 29, 50))
    events, [end] = _replay(models, tmp_path, [request_text, 13.0])
    due = _due(events)
    assert len(due) == 1 and words in due[0].fields["text"].lower(), _trace(events)
    assert abs(due[0].t_ms - (end + 10_000)) <= TOLERANCE_MS, _trace(events)


@pytest.mark.parametrize("request_text, sentence, word, response", [
    ("Whenever I say bingo, say bingo.", "We played bingo last night.", "bingo", "Bingo!"),
    ("When I say marco, you say polo.", "Marco.", "marco", "Polo!"),
    ("Every time I say apple, say ding.", "I ate an apple today.", "apple", "Ding!"),
])
def test_cue_says_its_response(models, tmp_path, request_text, sentence, word, response):
    events, [_, said_end] = _replay(models, tmp_path, [request_text, 6.0, sentence, 3.0])
    heard = [e for e in events if e.type == "cue_heard"]
    assert heard and heard[0].fields["word"] == word and heard[0].fields["text"] == response, _trace(events)
    spoken = [e for e in events if e.type == "assistant_text" and e.fields["text"] == response]
    assert spoken and spoken[0].t_ms <= said_end + 1500, _trace(events)


@pytest.mark.parametrize("first, change, fires_after_change_s", [
    ("Set a timer for forty seconds.", "Make that ten seconds.", 10),
    ("Set an egg timer for forty seconds.", "Change the egg timer to ten seconds.", 10),
    ("Set a timer for thirty seconds.", "Actually, make it eight seconds.", 8),
])
def test_changed_timer_fires_at_its_new_time(models, tmp_path, first, change, fires_after_change_s):
    events, [_, end] = _replay(models, tmp_path, [first, 6.0, change, fires_after_change_s + 3.0])
    due = _due(events)
    assert len(due) == 1, _trace(events)
    assert abs(due[0].t_ms - (end + fires_after_change_s * 1000)) <= TOLERANCE_MS, _trace(events)


@pytest.mark.parametrize("pieces, fires", [
    (["Set a timer for thirty seconds.", 6.0, "Cancel the timer.", 27.0], []),
    (["Set a laundry timer for forty seconds.", 6.0, "Set a timer for thirty seconds.", 6.0,
      "Cancel the laundry timer.", 28.0], ["Thirty seconds have passed."]),
    (["Remind me in thirty seconds to call Sam.", 6.0, "Never mind, cancel that.", 27.0], []),
])
def test_cancelled_timer_never_fires(models, tmp_path, pieces, fires):
    events, _ = _replay(models, tmp_path, pieces)
    assert [e.fields["text"] for e in _due(events)] == fires, _trace(events)
    acks = [e.fields["text"].lower() for e in events if e.type == "assistant_text"]
    assert any("cancel" in a or a == "okay." for a in acks), _trace(events)  # "never mind" gets a plain "Okay."
