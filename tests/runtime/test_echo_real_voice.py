"""Echo cancellation on our real voice: a filter started on a short filler guards the next sentence."""

import numpy as np
import pytest
from helpers import echo_ticks_let_through, room_echo

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("filler", ["Um.", "Hmm."])
@pytest.mark.parametrize("sentence", ["I'm sorry for any misunderstanding, but I can help.",
                                      "Seven times eight is fifty six."])
def test_a_sentence_after_a_filler_does_not_interrupt_itself(models, filler, sentence):
    """The path is found on a filler's few hundred ms; the reply that follows has other sounds,
    which that filter misses at first: none of its echo may pass for the user (measured: it did in
    four of nine such pairs while the guard credited the filter with up to 30 dB)."""
    tts = models.engine.tts
    played = np.concatenate([np.zeros(16000, np.float32), tts.synthesize_steady(filler),
                             np.zeros(12800, np.float32), tts.synthesize_steady(sentence)])
    assert echo_ticks_let_through(played, room_echo(played, 960, 0.5, False), 0) == []


@pytest.fixture(scope="module")
def our_voices(models):
    from presence.evaluation.echo_ab import voices

    return voices(models.engine.tts.synthesize_steady)


@pytest.mark.parametrize("gain,delay_ms", [(0.5, 60), (0.8, 120)])
def test_echo_ab_on_our_voice_in_a_room(models, our_voices, gain, delay_ms):
    """A/B on our real voice echoed through a room with reverb, the user talking over it: our NLMS
    filter keeps every word of the user (Whisper hears them all) and removes the echo alone; AEC3
    removes that echo almost entirely (measured 45-73 dB, against 13-26 dB) but takes words off the
    user (it recalled 50-100 %); the guard with both takes no echo for the user and hears the user
    in the tick they begin, 4 s into the reply or 0.6 s."""
    from presence.evaluation.echo_ab import echo_ab
    from presence.speech.vad import SileroVad

    ab = echo_ab(our_voices, SileroVad, asr=models.engine.asr, rooms=[(gain, delay_ms)])
    row = ab.rows[0]
    assert row["nlms_erle_db"] >= 10.0, row
    assert row["aec3_erle_db"] >= 30.0, row
    assert row["nlms_recall"] == 1.0 and row["nlms_user_sdr_db"] >= 10.0, row
    assert row["false_ticks"] == 0 and row["early_false_ticks"] == 0, row
    assert row["heard_after_ticks"] == 0 and row["early_heard_after_ticks"] == 0, row
    no_path = ab.rows[-1]
    assert no_path["no_path_suppressed_ticks"] == 0 and no_path["no_path_heard_after_ticks"] == 0, no_path
