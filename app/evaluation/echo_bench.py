"""`presence bench` rows for the echo canceller and its guard (issue 14).

- From the duplex replays of a scenario set: false echo suppression with no echo path (every
  `echo_suppressed` in a replay without --echo-gain is one: there is no echo to suppress), the
  barge-in stop p50 / max without echo and with echo 0.5 / 60 ms, and the set with echo 0.3 / 120 ms.
- The A/B on our voice (presence.evaluation.echo_ab): ERLE and double-talk word recall of our NLMS
  filter and of WebRTC's AEC3, and the guard's mistakes, over 9 rooms.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

Row = tuple[str, str, str, bool | None]
TICK_MS = 200


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def suppressed_ms(results: Path) -> int:
    """Ticks reported as echo_suppressed in every replay under `results`, in ms."""
    n = 0
    for events in results.glob("*/events.jsonl"):
        n += sum(1 for line in events.read_text().splitlines() if '"echo_suppressed"' in line)
    return n * TICK_MS


def _stops(rows: dict[str, dict]) -> list[float]:
    return [r["stop_ms"] for r in rows.values() if r.get("stop_ms") is not None]


def _p50_max(stops: list[float]) -> tuple[float | None, float | None]:
    return (statistics.median(stops), max(stops)) if stops else (None, None)


def echo_guard_rows(clean_results: Path, clean: dict[str, dict], echo: dict[str, dict],
                    far_summary: dict) -> list[Row]:
    """clean/echo: per-scenario score rows without echo and with 0.5 / 60 ms; far: the 0.3 / 120 ms summary."""
    false_ms = suppressed_ms(clean_results)
    p50, worst = _p50_max(_stops(clean))
    e50, eworst = _p50_max(_stops(echo))
    return [
        ("false echo suppression, no echo path", f"{false_ms} ms", "0 ms", false_ms == 0),
        ("barge-in stop max", _ms(worst), "<= 400 ms", None if worst is None else worst <= 400),
        ("  with echo 0.5 / 60 ms: stop p50 / max", f"{_ms(e50)} / {_ms(eworst)}", "200 / 400",
         None if e50 is None or eworst is None else e50 <= 200 and eworst <= 400),
        ("  with echo 0.3 / 120 ms", f"{far_summary['passed']}/{far_summary['total']}", "all",
         far_summary["passed"] == far_summary["total"]),
    ]


def bench_echo(models: Any) -> list[Row]:
    """Both cancellers and the guard on our voice in 9 rooms (gain 0.3-0.8, 20-120 ms, reverb)."""
    from presence.evaluation.echo_ab import echo_ab, voices
    from presence.speech.aec_webrtc import open_webrtc_aec
    from presence.speech.vad import SileroVad

    if open_webrtc_aec() is None:
        return [("echo A/B (NLMS | AEC3)", "pywebrtc-audio is not installed", "-", None)]
    ab = echo_ab(voices(models.engine.tts.synthesize_steady), SileroVad, asr=models.engine.asr)
    rooms = [r for r in ab.rows if r["gain"] > 0]
    no_path = ab.rows[-1]
    false_ticks = sum(r["false_ticks"] + r["early_false_ticks"] for r in rooms)
    late = [t for r in rooms for t in (r["heard_after_ticks"], r["early_heard_after_ticks"])]
    missed = sum(t is None for t in late)
    worst = max((t for t in late if t is not None), default=None)
    ab_rows = [(key, f"{ab.median(f'nlms_{key}'):.1f} | {ab.median(f'aec3_{key}'):.1f}") for key in
               ("erle_first_db", "erle_db", "user_sdr_db")]
    return [
        ("echo A/B on our voice, 9 rooms (NLMS | AEC3)", "median", "-", None),
        ("  ERLE, first second of a reply", ab_rows[0][1] + " dB", "-", None),
        ("  ERLE, after it", ab_rows[1][1] + " dB", "-", None),
        ("  double talk: user's words recovered (worst)",
         f"{ab.least('nlms_recall'):.0%} | {ab.least('aec3_recall'):.0%}", "100 %", ab.least("nlms_recall") == 1.0),
        ("  double talk: user to residual", ab_rows[2][1] + " dB", "-", None),
        ("echo guard: echo ticks taken for the user", str(false_ticks), "0", false_ticks == 0),
        ("echo guard: user heard after (worst of 18)", "missed" if missed else f"{(worst or 0) * TICK_MS} ms",
         "<= 200 ms", not missed and (worst or 0) * TICK_MS <= 200),
        ("echo guard, no echo path: user ticks suppressed", str(no_path["no_path_suppressed_ticks"]), "0",
         no_path["no_path_suppressed_ticks"] == 0),
    ]

