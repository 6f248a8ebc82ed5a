"""Our scorer's time-aware rules on hand-made assistant tracks: several timers, cancelling, repeated and decoy cues."""

import numpy as np

from presence.evaluation.score import score, spoken_segments, summarize


def _segs(ms: int, talk: list[tuple[int, int]]):
    x = np.zeros(ms * 16, np.float32)
    for a, b in talk:
        x[a * 16:b * 16] = 0.3 * np.sin(np.arange((b - a) * 16) * 0.3)
    return spoken_segments(x)


def _truth(kind: str, **fields) -> dict:
    return {"kind": kind, "user_end_ms": 2000, "duration_ms": 20_000,
            "segments": [{"kind": "speech", "start_ms": 500, "end_ms": 2000}], **fields}


ACK = (2400, 4000)


def test_several_timers_each_on_time_pass_and_a_late_one_fails():
    """Two timers both within 0.5 s pass; one 700 ms late, or one missing, fails."""
    truth = _truth("timer", due_ms=[8000, 12_000])
    row = score(truth, _segs(20_000, [ACK, (8100, 9500), (12_200, 13_500)]))
    assert row["ok"] and row["timer_errors_ms"] == [100, 200]
    assert not score(truth, _segs(20_000, [ACK, (8100, 9500), (12_700, 13_500)]))["ok"]
    assert not score(truth, _segs(20_000, [ACK, (8100, 9500)]))["ok"]


def test_speech_between_timers_fails():
    """Talking between two due times (neither the ack nor a timer) fails the scenario."""
    row = score(_truth("timer", due_ms=[8000, 14_000]), _segs(20_000, [ACK, (8100, 9000), (11_000, 11_500),
                                                                       (14_100, 15_000)]))
    assert not row["ok"] and row["strays_ms"] == [11_000]


def test_cue_said_twice_needs_two_reactions_within_a_second():
    """Each cue word gets its own reaction within 1 s; a late second reaction fails."""
    truth = _truth("cue", cue_ms=[8000, 11_000], sentence_end_ms=13_000)
    assert score(truth, _segs(20_000, [ACK, (8600, 9000), (11_700, 12_100)]))["ok"]
    row = score(truth, _segs(20_000, [ACK, (8600, 9000), (12_200, 12_600)]))
    assert not row["ok"] and row["cue_latencies_ms"] == [600, 1200]


def test_reacting_to_a_decoy_word_fails():
    """Speech right after 'pineapple' (before 'apple' is said) fails, and is reported as such."""
    truth = _truth("cue", cue_ms=10_000, decoy_ms=7000, sentence_end_ms=12_000)
    assert score(truth, _segs(20_000, [ACK, (10_500, 11_000)]))["ok"]
    row = score(truth, _segs(20_000, [ACK, (7500, 8000), (10_500, 11_000)]))
    assert not row["ok"] and row["decoy_reacted"]


def test_cancelled_timer_is_acknowledged_and_stays_quiet():
    """A cancel is acknowledged in words; speech when the cancelled timer was due fails."""
    truth = _truth("timer_cancel", cancel_end_ms=7000, due_ms=14_000, ack_words=["cancel"])
    said = [(7400, "okay, i cancelled your timers.")]
    assert score(truth, _segs(20_000, [ACK, (7400, 9000)]), said)["ok"]
    assert not score(truth, _segs(20_000, [ACK, (7400, 9000), (14_100, 15_000)]), said)["ok"]
    assert not score(truth, _segs(20_000, [ACK, (7400, 9000)]), [(7400, "okay.")])["ok"]
    assert not score(truth, _segs(20_000, [ACK]), said)["ok"]


def test_summary_lists_every_timer_error_and_cue_latency():
    """Rows with several timers or cues contribute each of their figures to the summary."""
    rows = {"a": {"kind": "timer", "ok": True, "timer_error_ms": 200, "timer_errors_ms": [100, 200]},
            "b": {"kind": "timer", "ok": True, "timer_error_ms": -50},
            "c": {"kind": "cue", "ok": True, "cue_latency_ms": 700, "cue_latencies_ms": [500, 700]}}
    s = summarize(rows)
    assert s["timer_errors_ms"] == [100, 200, -50] and s["cue_latencies_ms"] == [500, 700]


def test_deep_task_needs_a_spoken_acknowledgement_within_half_a_second():
    """A task passes when its acknowledgement is said within 0.5 s; a filler alone or a late one fails."""
    truth = _truth("task", ack_words=["work that out"])
    segs = _segs(20_000, [(2200, 2500), (2450, 4000)])
    ok = score(truth, segs, [(2200, "hmm."), (2450, "let me work that out.")])
    assert ok["ok"] and ok["ack_ms"] == 450
    assert not score(truth, segs, [(2200, "hmm."), (2700, "let me work that out.")])["ok"]
    assert not score(truth, segs, [(2200, "hmm.")])["ok"]
