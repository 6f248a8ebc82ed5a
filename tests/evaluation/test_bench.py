"""`presence bench`'s table: which duplex sets it scores and how their figures are judged."""

from __future__ import annotations

import json

from presence.bench import Row, duplex_rows, format_table, public_scenarios


def _summary(**over) -> dict:
    s = {"passed": 12, "total": 12, "turn_latency_p50_ms": 280.0, "turn_latency_max_ms": 482,
         "barge_in_stop_p50_ms": 1.0, "barge_replies_ms": [347], "pause_takeovers": 0, "false_speech_ms": 0,
         "timer_errors_ms": [120], "cue_latencies_ms": [700], "task_acks_ms": [], "quiet_when_cancelled": []}
    return s | over


def test_public_set_is_found_beside_the_checkout(tmp_path):
    """A ../shared/duplex/public folder with scenarios is benched; an absent or empty one is not."""
    repo = tmp_path / "main"
    repo.mkdir()
    assert public_scenarios(repo) is None
    scenario = tmp_path / "shared" / "duplex" / "public" / "turn_math"
    scenario.mkdir(parents=True)
    assert public_scenarios(repo) is None
    (scenario / "truth.json").write_text(json.dumps({"kind": "turn"}))
    assert public_scenarios(repo) == tmp_path / "shared" / "duplex" / "public"


def test_duplex_rows_name_the_set_and_flag_missed_goals():
    """Each set's rows say which set they are; a figure past its goal is marked NO."""
    rows = {r.figure: r for r in duplex_rows("public", _summary(turn_latency_max_ms=682, pause_takeovers=1),
                                             _summary(passed=11))}
    assert rows["duplex scenarios passed (public)"].ok is True
    assert rows["  with echo 0.5 / 60 ms"].value == "11/12" and rows["  with echo 0.5 / 60 ms"].ok is False
    assert rows["turn latency p50 (TML 400, Moshi 265)"].ok is True
    assert rows["turn latency max"].ok is False and rows["pause takeovers (Moshi 98 %)"].ok is False
    assert rows["cue word -> speech (worst)"].ok is True
    assert rows["deep task acknowledged (worst)"].value == "-"
    assert rows["deep task acknowledged (worst)"].ok is None  # a set without such scenarios is not judged
    assert rows["cancelled timer stays quiet"].ok is None


def test_table_marks_only_judged_rows():
    """The printed table has a yes/NO column only for figures with a target."""
    lines = format_table([Row("tick p99", "2.8 ms", "<= 50 ms", True), Row("model load", "4.4 s", "-", None),
                          Row("echo", "19/20", "all", False)]).splitlines()
    assert lines[2].endswith("yes") and lines[3].rstrip().endswith("-") and lines[4].endswith("NO")
