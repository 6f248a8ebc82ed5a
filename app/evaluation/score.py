"""Score replay results against scenario truth, from the assistant's audio alone.

Rules (the behaviours the duplex issue asks for): a turn is answered within 4 s of its end
without talking over it; a mid-sentence pause is not taken (>= 1 s of speech in it); a
barge-in stops our speech within 600 ms and is answered; noise gets < 300 ms of speech.
Time-aware speech is held to the issue's targets, tighter than the public scorer's windows: a
timer speaks within 0.5 s of its due time and not in between (each of several timers); a cue
word is reacted to within 1 s, before the sentence ends, and not before it is said (each time
it is said; a decoy word such as "pineapple" for "apple" gets nothing); a cancelled timer is
acknowledged (its text says so) and stays quiet when it would have been due. A deep task is
acknowledged in words ("let me work that out") within 0.5 s of the request's end (taken from the
event log: the tick its audio starts).
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from presence.devices.audio_files import read_wav_16k_mono

FRAME_MS = 20
MERGE_GAP_MS = 400
MIN_SPEECH_MS = 120
TAKE_TURN_MS = 1000
NOISE_LIMIT_MS = 300
ANSWER_WINDOW_MS = 4000
WINDOW_MS = 1500  # an onset this close to a due time or after a cue word is the reaction to it
ACK_SPAN_MS = 3500  # onsets this soon after a request are still its acknowledgement
KINDS = ("turn", "pause", "interrupt", "noise_only", "timer", "cue", "timer_cancel", "task")


@dataclass(frozen=True)
class Limits:
    """How close time-aware speech must be to pass."""

    timer_ms: int = 500  # issue 5: timer error <= +-0.5 s
    cue_ms: int = 1000  # issue 5: cue word -> speech <= 1.0 s
    ack_ms: int = 500  # issue 5: a deep task is acknowledged <= 0.5 s after the user stops


TARGETS = Limits()


@dataclass(frozen=True)
class Spoken:
    start_ms: int
    end_ms: int


def spoken_segments(audio: np.ndarray) -> list[Spoken]:
    """Stretches of assistant speech by frame energy (our output is clean synthetic speech)."""
    hop = 16 * FRAME_MS
    n = len(audio) // hop
    if n == 0:
        return []
    rms = np.sqrt((audio[: n * hop].reshape(n, hop) ** 2).mean(axis=1))
    on = rms > max(0.005, 0.05 * float(np.percentile(rms, 99)))
    spans: list[list[int]] = []
    for i in np.flatnonzero(on):
        t = int(i) * FRAME_MS
        if spans and t - spans[-1][1] <= MERGE_GAP_MS:
            spans[-1][1] = t + FRAME_MS
        else:
            spans.append([t, t + FRAME_MS])
    return [Spoken(a, b) for a, b in spans if b - a >= MIN_SPEECH_MS]


def talk_within(segs: list[Spoken], lo: int, hi: int) -> int:
    return sum(max(0, min(s.end_ms, hi) - max(s.start_ms, lo)) for s in segs)


def first_start(segs: list[Spoken], lo: int, hi: int, exclude: int | None = None) -> int | None:
    return next((s.start_ms for s in segs if lo <= s.start_ms < hi and s.start_ms != exclude), None)


def _times(value: int | list[int]) -> list[int]:
    return value if isinstance(value, list) else [value]


def _strays(segs: list[Spoken], lo: int, hi: int, expected: list[tuple[int, int]], ack: int | None) -> list[int]:
    """Onsets in [lo, hi) that are neither the acknowledgement nor inside an expected window."""
    return [s.start_ms for s in segs if lo <= s.start_ms < hi and s.start_ms != ack
            and not any(a <= s.start_ms < b for a, b in expected)]


def _score_timer(truth: dict, segs: list[Spoken], end: int, answer: int | None, out: dict, limits: Limits) -> bool:
    dues = _times(truth["due_ms"])
    fired = [first_start(segs, d - WINDOW_MS, d + WINDOW_MS, exclude=answer) for d in dues]
    errors = [None if f is None else f - d for f, d in zip(fired, dues, strict=True)]
    strays = _strays(segs, end + ACK_SPAN_MS, dues[-1] + WINDOW_MS, [(d - WINDOW_MS, d + WINDOW_MS) for d in dues],
                     answer)
    out["timer_error_ms"] = max(errors, key=lambda e: abs(e) if e is not None else 10**9)
    if len(dues) > 1:
        out["timer_errors_ms"] = errors
    out["strays_ms"] = strays
    in_order = fired == sorted(f for f in fired if f is not None)
    return all(e is not None and abs(e) <= limits.timer_ms for e in errors) and not strays and in_order


def _score_cue(truth: dict, segs: list[Spoken], end: int, answer: int | None, out: dict, limits: Limits) -> bool:
    cues = _times(truth["cue_ms"])
    sentence_end = truth.get("sentence_end_ms", cues[-1] + 2000)
    reacted = [first_start(segs, c, min(c + 2000, sentence_end), exclude=answer) for c in cues]
    latencies = [None if r is None else r - c for r, c in zip(reacted, cues, strict=True)]
    strays = _strays(segs, end + ACK_SPAN_MS, cues[-1], [(c, c + 2000) for c in cues], answer)
    out["cue_latency_ms"] = max(latencies, key=lambda v: v if v is not None else 10**9)
    if len(cues) > 1:
        out["cue_latencies_ms"] = latencies
    if "decoy_ms" in truth:
        decoy = truth["decoy_ms"]
        out["decoy_reacted"] = first_start(segs, decoy, decoy + 2000, exclude=answer) is not None
    out["strays_ms"] = strays
    distinct = len({r for r in reacted if r is not None}) == len(cues)
    return all(v is not None and v <= limits.cue_ms for v in latencies) and distinct and not strays


def _score_cancel(truth: dict, segs: list[Spoken], answer: int | None, texts: list[tuple[int, str]] | None,
                  out: dict) -> bool:
    c_end = truth["cancel_end_ms"]
    ack = first_start(segs, c_end - 300, c_end + ANSWER_WINDOW_MS, exclude=answer)
    out["cancel_acked"] = ack is not None
    out["fired_anyway"] = first_start(segs, max(c_end + ACK_SPAN_MS, truth["due_ms"] - WINDOW_MS),
                                      truth["duration_ms"], exclude=ack) is not None
    ok = out["cancel_acked"] and not out["fired_anyway"]
    if texts is not None:  # what the acknowledgement said (from events.jsonl), when there is a log
        said = " ".join(t for at, t in texts if at >= c_end - 300)
        out["ack_words"] = any(w in said for w in truth.get("ack_words", []))
        ok = ok and out["ack_words"]
    return ok


def _score_task(truth: dict, end: int, texts: list[tuple[int, str]] | None, out: dict, limits: Limits) -> bool:
    if texts is None:
        return True  # no log: the audio checks alone
    acks = [at for at, t in texts if at >= end - 300 and any(w in t for w in truth["ack_words"])]
    out["ack_ms"] = acks[0] - end if acks else None
    return out["ack_ms"] is not None and out["ack_ms"] <= limits.ack_ms


def score(truth: dict, segs: list[Spoken], texts: list[tuple[int, str]] | None = None,
          limits: Limits = TARGETS) -> dict:
    kind = truth["kind"]
    out: dict = {"kind": kind}
    if kind == "noise_only":
        out["false_speech_ms"] = talk_within(segs, 0, truth["duration_ms"])
        out["ok"] = out["false_speech_ms"] < NOISE_LIMIT_MS
        return out
    end = truth["user_end_ms"]
    speech_start = min(s["start_ms"] for s in truth["segments"] if s["kind"] == "speech")
    over_user = talk_within(segs, speech_start, end - 300)
    if kind == "pause":
        over_user -= talk_within(segs, *truth["pause"])
    answer = first_start(segs, end - 300, end + ANSWER_WINDOW_MS)
    out.update(talked_over=over_user >= TAKE_TURN_MS, answered=answer is not None,
               latency_ms=None if answer is None else answer - end)
    ok = out["answered"] and not out["talked_over"]
    if kind == "pause":
        out["took_pause"] = talk_within(segs, *truth["pause"]) >= TAKE_TURN_MS
        ok = ok and not out["took_pause"]
    elif kind == "interrupt":
        b0, b1 = truth["barge"]
        playing = [s for s in segs if s.start_ms < b0 <= s.end_ms + 100]
        out["stop_ms"] = max(0, max(s.end_ms for s in playing) - b0) if playing else None
        answer_barge = first_start(segs, b1 - 300, b1 + ANSWER_WINDOW_MS)
        out["answered_barge"] = answer_barge is not None
        out["barge_reply_ms"] = None if answer_barge is None else answer_barge - b1
        out["latency_ms"] = None
        ok = bool(playing) and out["stop_ms"] is not None and out["stop_ms"] <= 600 and out["answered_barge"]
    elif kind == "timer":
        ok = _score_timer(truth, segs, end, answer, out, limits) and out["answered"]
    elif kind == "cue":
        ok = _score_cue(truth, segs, end, answer, out, limits) and out["answered"]
    elif kind == "timer_cancel":
        ok = _score_cancel(truth, segs, answer, texts, out) and out["answered"]
    elif kind == "task":
        ok = ok and _score_task(truth, end, texts, out, limits)
    out["ok"] = bool(ok)
    return out


def assistant_texts(events: Path) -> list[tuple[int, str]] | None:
    """(t_ms, lower-cased text) of what the assistant said, from a replay's events.jsonl (None: no log)."""
    if not events.exists():
        return None
    rows = [json.loads(line) for line in events.read_text().splitlines() if line.strip()]
    return [(int(e["t_ms"]), str(e.get("text", "")).lower()) for e in rows if e.get("type") == "assistant_text"]


def score_scenario(scenario: Path, result: Path, limits: Limits = TARGETS) -> dict:
    """Score one replay output folder against one scenario's truth."""
    truth = json.loads((scenario / "truth.json").read_text())
    wav = result / "assistant.wav"
    if not wav.exists():
        return {"kind": truth["kind"], "ok": False, "error": "no assistant.wav"}
    return score(truth, spoken_segments(read_wav_16k_mono(wav)), assistant_texts(result / "events.jsonl"), limits)


def score_folder(scenarios: Path, results: Path) -> tuple[dict[str, dict], dict]:
    """Score every scenario that has results; returns per-scenario rows and a summary."""
    rows: dict[str, dict] = {}
    for d in sorted(p for p in scenarios.iterdir() if (p / "truth.json").exists()):
        if json.loads((d / "truth.json").read_text())["kind"] in KINDS:
            rows[d.name] = score_scenario(d, results / d.name)
    return rows, summarize(rows)


def summarize(rows: dict[str, dict]) -> dict:
    def values(key: str, kinds: tuple[str, ...] | None = None) -> list[float]:
        return [r[key] for r in rows.values() if r.get(key) is not None and (kinds is None or r["kind"] in kinds)]

    def every(key: str, each: str) -> list[float]:
        """Every value of a figure: a row's list of them (several timers or cues), else its one value."""
        return [v for r in rows.values() for v in (r.get(each) or [r.get(key)]) if v is not None]

    lat = values("latency_ms", ("turn", "pause"))
    stops = values("stop_ms")
    return {
        "passed": sum(r.get("ok", False) for r in rows.values()), "total": len(rows),
        "turn_latency_p50_ms": statistics.median(lat) if lat else None,
        "turn_latency_max_ms": max(lat) if lat else None,
        "barge_in_stop_p50_ms": statistics.median(stops) if stops else None,
        "barge_replies_ms": values("barge_reply_ms"),
        "pause_takeovers": sum(bool(r.get("took_pause")) for r in rows.values()),
        "false_speech_ms": sum(r.get("false_speech_ms", 0) for r in rows.values()),
        "timer_errors_ms": every("timer_error_ms", "timer_errors_ms"),
        "cue_latencies_ms": every("cue_latency_ms", "cue_latencies_ms"),
        "task_acks_ms": values("ack_ms"),
        "quiet_when_cancelled": [not r["fired_anyway"] for r in rows.values() if "fired_anyway" in r],
    }
