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
