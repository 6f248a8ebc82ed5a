"""Our scorer on hand-made assistant tracks: it must fail what should fail."""

import numpy as np

from presence.evaluation.score import score, spoken_segments


def _track(ms: int, talk: list[tuple[int, int]]) -> np.ndarray:
    x = np.zeros(ms * 16, np.float32)
    for a, b in talk:
        x[a * 16:b * 16] = 0.3 * np.sin(np.arange((b - a) * 16) * 0.3)
    return x


TURN = {"kind": "turn", "user_end_ms": 2000, "segments": [{"kind": "speech", "start_ms": 500, "end_ms": 2000}]}


def test_segments_merge_short_gaps_and_drop_clicks():
    """Gaps under 400 ms merge; bursts under 120 ms are clicks."""
    segs = spoken_segments(_track(5000, [(1000, 1500), (1700, 2000), (3000, 3060)]))
    assert [(s.start_ms, s.end_ms) for s in segs] == [(1000, 2000)]


def test_turn_answered_in_time_passes_and_talking_over_fails():
    """A reply 500 ms after the question passes; 1.2 s of talk over the question fails."""
    assert score(TURN, spoken_segments(_track(6000, [(2500, 4000)])))["ok"]
    assert not score(TURN, spoken_segments(_track(6000, [(600, 1800), (2500, 4000)])))["ok"]
    assert not score(TURN, spoken_segments(_track(9000, [(6500, 7000)])))["ok"]


def test_slow_barge_in_stop_fails():
    """Speech that keeps going 800 ms into a barge-in is not a stop."""
    truth = {"kind": "interrupt", "user_end_ms": 2000, "barge": [6000, 7000],
             "segments": [{"kind": "speech", "start_ms": 500, "end_ms": 2000}]}
    fast = score(truth, spoken_segments(_track(12000, [(2500, 6150), (7500, 9000)])))
    slow = score(truth, spoken_segments(_track(12000, [(2500, 6800), (7500, 9000)])))
    assert fast["ok"] and abs(fast["stop_ms"] - 150) <= 20
    assert not slow["ok"]
    assert abs(fast["barge_reply_ms"] - 500) <= 20  # the reply to the barge-in, after the user finished it


def test_noise_only_speech_fails():
    """Half a second of speech while only noise plays is a false alarm."""
    truth = {"kind": "noise_only", "duration_ms": 8000, "segments": []}
    assert score(truth, [])["ok"]
    assert not score(truth, spoken_segments(_track(8000, [(3000, 3500)])))["ok"]
