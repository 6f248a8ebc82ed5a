"""The shipped voice: replies start with sound, not with the model's lead-in silence."""

import numpy as np

from presence.speech.tts import LEAD_KEEP_SAMPLES, LEAD_THRESHOLD, trim_leading_silence


def test_leading_silence_is_trimmed_to_a_few_ms():
    """Near-silent samples before the first sound are dropped, keeping 5 ms in front of it."""
    audio = np.concatenate([np.full(1000, 0.001, np.float32), np.full(500, 0.3, np.float32)])
    out = trim_leading_silence(audio)
    assert len(out) == 500 + LEAD_KEEP_SAMPLES
    assert out[LEAD_KEEP_SAMPLES] == np.float32(0.3)


def test_silent_audio_is_left_alone():
    """All-quiet audio has no onset to find and is returned whole."""
    audio = np.zeros(800, np.float32)
    assert len(trim_leading_silence(audio)) == 800


def test_fillers_and_acknowledgements_start_within_ten_ms(models):
    """Real Piper speech said the instant a turn ends starts with sound, not lead-in silence."""
    engine = models.engine
    for _, audio in [*engine.fillers, (None, engine._cached_speech("Let me work that out."))]:
        first = int(np.flatnonzero(np.abs(audio) > LEAD_THRESHOLD)[0])
        assert first <= 160


def test_steady_speech_is_the_same_every_time(models):
    """synthesize_steady (for generated scenarios) gives identical audio; the normal voice varies."""
    tts = models.engine.tts
    first, again = tts.synthesize_steady("Set a timer."), tts.synthesize_steady("Set a timer.")
    assert len(first) == len(again) and np.array_equal(first, again)
