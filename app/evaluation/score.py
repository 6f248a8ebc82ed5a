"""Score replay results against scenario truth, from the assistant's audio alone.

Rules (the behaviours the duplex issue asks for): a turn is answered within 4 s of its end
without talking over it; a mid-sentence pause is not taken (>= 1 s of speech in it); a
barge-in stops our speech within 600 ms and is answered; noise gets < 300 ms of speech; a
timer speaks within 1.5 s of its due time and not before; a cue word is reacted to within
2 s, before the sentence ends, and not before it is said.
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


def score(truth: dict, segs: list[Spoken]) -> dict:
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
        out["answered_barge"] = first_start(segs, b1 - 300, b1 + ANSWER_WINDOW_MS) is not None
        out["latency_ms"] = None
        ok = bool(playing) and out["stop_ms"] is not None and out["stop_ms"] <= 600 and out["answered_barge"]
    elif kind == "timer":
        due = truth["due_ms"]
        fired = first_start(segs, due - 1500, due + 1500, exclude=answer)
        early = first_start(segs, end + 3500, due - 1500, exclude=answer)
        out["timer_error_ms"] = None if fired is None else fired - due
        ok = out["answered"] and fired is not None and early is None
    elif kind == "cue":
        cue = truth["cue_ms"]
        reacted = first_start(segs, cue, min(cue + 2000, truth.get("sentence_end_ms", cue + 2000)), exclude=answer)
        early = first_start(segs, end + 3500, cue, exclude=answer)
        out["cue_latency_ms"] = None if reacted is None else reacted - cue
        ok = out["answered"] and reacted is not None and early is None
    out["ok"] = bool(ok)
    return out


def score_folder(scenarios: Path, results: Path) -> tuple[dict[str, dict], dict]:
    """Score every scenario that has results; returns per-scenario rows and a summary."""
    rows: dict[str, dict] = {}
    for d in sorted(p for p in scenarios.iterdir() if (p / "truth.json").exists()):
        truth = json.loads((d / "truth.json").read_text())
        if truth["kind"] not in ("turn", "pause", "interrupt", "noise_only", "timer", "cue"):
            continue
        wav = results / d.name / "assistant.wav"
        if not wav.exists():
            rows[d.name] = {"kind": truth["kind"], "ok": False, "error": "no assistant.wav"}
            continue
        rows[d.name] = score(truth, spoken_segments(read_wav_16k_mono(wav)))
    return rows, summarize(rows)


def summarize(rows: dict[str, dict]) -> dict:
    def values(key: str, kinds: tuple[str, ...] | None = None) -> list[float]:
        return [r[key] for r in rows.values() if r.get(key) is not None and (kinds is None or r["kind"] in kinds)]

    lat = values("latency_ms", ("turn", "pause"))
    stops = values("stop_ms")
    return {
        "passed": sum(r.get("ok", False) for r in rows.values()), "total": len(rows),
        "turn_latency_p50_ms": statistics.median(lat) if lat else None,
        "turn_latency_max_ms": max(lat) if lat else None,
        "barge_in_stop_p50_ms": statistics.median(stops) if stops else None,
        "pause_takeovers": sum(bool(r.get("took_pause")) for r in rows.values()),
        "false_speech_ms": sum(r.get("false_speech_ms", 0) for r in rows.values()),
        "timer_errors_ms": values("timer_error_ms"),
        "cue_latencies_ms": values("cue_latency_ms"),
    }
