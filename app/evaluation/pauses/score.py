"""Scoring the pause corpus: pause takeovers and the turn-end latency of complete turns.

presence.evaluation.score scores each item (a pause is taken when we talk >= 1 s inside it, as
the public scorer counts it). A corpus of short pauses needs more: a reply that begins in a 0.8 s
pause is cut by the user's next words before it fills a second, yet it answered half a question.
And a pause we waited out can still be lost: when the user goes on after a reply to the first
half was committed, the second half becomes a turn of its own and the first is thrown away. So a
pause counts as taken over when any of these holds: >= 1 s of our speech inside it; a sentence of
a reply (not a filler, id > 0) began between the pause's start and the end of the user's words;
or the turn we answered in the end does not hold both halves (from events.jsonl).
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from presence.evaluation.score import score_folder


def reply_starts(events: Path) -> list[tuple[int, str]]:
    """(t_ms, text) of each reply sentence that began to play (fillers and announcements excluded)."""
    if not events.exists():
        return []
    rows = [json.loads(line) for line in events.read_text().splitlines() if line.strip()]
    return [(int(e["t_ms"]), str(e.get("text", ""))) for e in rows
            if e.get("type") == "assistant_text" and int(e.get("reply_id") or 0) > 0]


def turn_end_ms(events: Path, user_end_ms: int) -> int | None:
    """When we decided the user's turn was over: the tick of the last end of turn after their last
    word, or, when that reply was then held for a longer silence (its transcript read unfinished),
    the tick it was released. None when it never was."""
    if not events.exists():
        return None
    rows = [json.loads(line) for line in events.read_text().splitlines() if line.strip()]
    ends = [int(e["t_ms"]) for e in rows if e.get("type") == "user_turn_end" and int(e["t_ms"]) >= user_end_ms - 300]
    if not ends:
        return None
    end = ends[-1]
    held = [int(e["t_ms"]) for e in rows if e.get("type") == "reply_held" and int(e["t_ms"]) >= end]
    if not held:
        return end
    released = [int(e["t_ms"]) for e in rows if e.get("type") == "reply_committed" and int(e["t_ms"]) >= held[0]]
    return released[0] if released else None


def released_in_pause(events: Path, truth: dict) -> bool:
    """We decided the turn was over inside the pause, its transcript came and was not held: the reply
    plays as soon as it is ready, so only a slow answer keeps it from taking the pause (a decision
    error, whatever the machine's speed). A hold released before the pause ends counts too."""
    if not events.exists():
        return False
    p0, p1 = truth["pause"]
    rows = [json.loads(line) for line in events.read_text().splitlines() if line.strip()]
    rows = [e for e in rows if p0 <= int(e["t_ms"]) < p1]  # up to the user going on
    ended, live = False, False
    for k, e in enumerate(rows):
        kind = e.get("type")
        if kind == "user_turn_end":
            ended = True
        elif kind == "user_text" and ended:
            live = not any(r.get("type") == "reply_held" and r["t_ms"] == e["t_ms"] for r in rows[k:])
        elif kind == "reply_committed" and live is False and ended and any(
                r.get("type") == "reply_held" for r in rows[:k]):
            live = True  # a hold ran out inside the pause
        elif kind in ("reply_held", "reply_discarded"):
            live = False
    return live


def _split(events: Path, truth: dict) -> bool:
    """The user's second half was answered on its own: the turn ended in the pause, and when the
    user went on, their words did not continue it (no reply was dropped as "user continued" or
    "user was not done"), so the first half was answered or thrown away by itself."""
    if not events.exists():
        return False
    p0, p1 = truth["pause"]
    rows = [json.loads(line) for line in events.read_text().splitlines() if line.strip()]
    ended = any(e.get("type") == "user_turn_end" and p0 <= int(e["t_ms"]) < p1 + 200 for e in rows)
    continued = any(e.get("type") == "reply_discarded" and p1 - 200 <= int(e["t_ms"]) <= truth["user_end_ms"] + 200
                    and e.get("reason") in ("user continued", "user was not done") for e in rows)
    return ended and not continued


def score_pauses(scenarios: Path, results: Path) -> tuple[dict[str, dict], dict]:
    """Per-item rows (the general scorer's, plus `taken` and `early_reply` for pauses) and a summary."""
    rows, _ = score_folder(scenarios, results)
    rows = {n: r for n, r in rows.items() if (results / n).is_dir()}
    for name, row in rows.items():
        truth = json.loads((scenarios / name / "truth.json").read_text())
        decided = turn_end_ms(results / name / "events.jsonl", truth["user_end_ms"])
        row["turn_end_ms"] = None if decided is None else decided - truth["user_end_ms"]
        if row["kind"] != "pause":
            continue
        p0, end = truth["pause"][0], truth["user_end_ms"]
        early = [(t, text) for t, text in reply_starts(results / name / "events.jsonl") if p0 <= t < end]
        row["early_reply"] = early[0] if early else None
        row["split"] = _split(results / name / "events.jsonl", truth)
        row["released"] = released_in_pause(results / name / "events.jsonl", truth)
        row["taken"] = bool(row.get("took_pause")) or bool(early) or row["split"]
        row["function_word"] = bool(truth.get("function_word"))
        row["pause_ms"] = truth["pause"][1] - truth["pause"][0]
    return rows, summarize(rows)


def summarize(rows: dict[str, dict]) -> dict:
    pauses = {n: r for n, r in rows.items() if r["kind"] == "pause"}
    turns = {n: r for n, r in rows.items() if r["kind"] == "turn"}
    lat = [r["latency_ms"] for r in turns.values() if r.get("latency_ms") is not None]
    ends = [r["turn_end_ms"] for r in turns.values() if r.get("turn_end_ms") is not None]
    return {
        "pauses": len(pauses), "turns": len(turns),
        "takeovers": sorted(n for n, r in pauses.items() if r.get("taken")),
        "released_in_pause": sorted(n for n, r in pauses.items() if r.get("released")),
        "pause_unanswered": sorted(n for n, r in pauses.items() if not r.get("answered")),
        "turn_failed": sorted(n for n, r in turns.items() if not r.get("ok")),
        # the end-of-turn decision (events) and the first sound of the answer (audio), after the last word
        "turn_end_p50_ms": statistics.median(ends) if ends else None,
        "turn_end_max_ms": max(ends) if ends else None,
        "turn_latency_p50_ms": statistics.median(lat) if lat else None,
        "turn_latency_max_ms": max(lat) if lat else None,
        "turn_latencies_ms": {n: r.get("latency_ms") for n, r in turns.items()},
    }
