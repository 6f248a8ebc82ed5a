"""`presence bench`: speed and memory of the real chain, printed as a table beside the targets."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from presence.core.types import TICK_MS
from presence.devices.fakes import RecordingSpeaker, WavMicrophone
from presence.runtime.build import Models, build_app, load_models
from presence.runtime.executor import VirtualTimeExecutor

Say = Callable[[str], None]


@dataclass(frozen=True)
class Row:
    figure: str
    value: str
    target: str
    ok: bool | None


def _silence_ticks(models: Models, seconds: float, realtime: bool) -> tuple[list[float], float, float]:
    """Run the real runner on silence; per-tick compute ms, CPU seconds and wall seconds."""
    mic = WavMicrophone(np.zeros(int(seconds * 16000), np.float32), realtime=realtime)
    runner = build_app(models, mic, RecordingSpeaker(), VirtualTimeExecutor(), lambda e: None)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    runner.run()
    return [s.compute_ms for s in runner.stats], time.process_time() - cpu0, time.perf_counter() - wall0


def bench_ticks(models: Models, seconds: float) -> list[Row]:
    ms, _, _ = _silence_ticks(models, seconds, realtime=False)
    p50, p99 = float(np.percentile(ms, 50)), float(np.percentile(ms, 99))
    dropped = sum(m > TICK_MS for m in ms)
    return [
        Row("tick compute p50 (silence)", f"{p50:.2f} ms", "-", None),
        Row("tick compute p99 (silence)", f"{p99:.2f} ms", "<= 50 ms", p99 <= 50),
        Row(f"dropped ticks ({len(ms)} ticks, {seconds:.0f} s)", str(dropped), "0", dropped == 0),
    ]


def bench_idle_cpu(models: Models, seconds: float = 10.0) -> list[Row]:
    _, cpu_s, wall_s = _silence_ticks(models, seconds, realtime=True)
    pct = 100.0 * cpu_s / wall_s
    return [Row("idle listening CPU (one core)", f"{pct:.1f} %", "<= 10 %", pct <= 10)]


def bench_models(models: Models) -> list[Row]:
    engine = models.engine
    t0 = time.perf_counter()
    speech = engine.tts.synthesize("What is the capital of France?")
    tts_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    engine.asr.transcribe(speech)
    asr_s = time.perf_counter() - t0
    rtf = asr_s / (len(speech) / 16000)
    llm = engine.llm
    llm.reset()
    llm.add_user("Tell me about the moon.")
    t0 = time.perf_counter()
    first, n = None, 0
    for _ in llm.stream_reply(64):
        n += 1
        if first is None:
            first = time.perf_counter() - t0
    total = time.perf_counter() - t0
    tps = (n - 1) / max(1e-6, total - (first or 0.0))
    llm.reset()
    return [
        Row("ASR real-time factor (2 s question)", f"{rtf:.3f} ({asr_s * 1000:.0f} ms)", "-", None),
        Row("LLM time to first token", f"{(first or 0) * 1000:.0f} ms", "<= 150 ms", (first or 1) <= 0.15),
        Row("LLM tokens/s", f"{tps:.0f}", ">= 60", tps >= 60),
        Row("TTS first chunk (one sentence)", f"{tts_first * 1000:.0f} ms", "-", None),
    ]


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


_REPO = Path(__file__).resolve().parents[1]


def _within(value: float | None, limit: float) -> bool | None:
    """A worst case judged against its goal; None (not judged) when the set has no such scenario."""
    return None if value is None else value <= limit


def public_scenarios(repo: Path = _REPO) -> Path | None:
    """The shared public duplex set beside a checkout (`../shared/duplex/public`), when there is one:
    the bench then reports the anchors' comparison on it too."""
    public = repo.parent / "shared" / "duplex" / "public"
    return public if any(public.glob("*/truth.json")) else None


def bench_duplex(models: Models, scenarios: Path | None) -> list[Row]:
    """Replay a scenario set (None: our generated one) through the runner, fast with compute time
    charged, and score it; the rows name the set."""
    import tempfile

    from presence.evaluation.run import evaluate
    from presence.evaluation.scenarios import build_all

    with tempfile.TemporaryDirectory() as tmp:
        if scenarios is None:
            scenarios = Path(tmp) / "own set"
            build_all(models.engine.tts.synthesize_steady, scenarios)
        clean_rows, s = evaluate(models, scenarios, Path(tmp) / "results")
        echo_rows, echo = evaluate(models, scenarios, Path(tmp) / "echo", echo_gain=0.5, echo_delay_ms=60)
        _, far = evaluate(models, scenarios, Path(tmp) / "echo far", echo_gain=0.3, echo_delay_ms=120)
        from presence.evaluation.echo_bench import echo_guard_rows

        guard = [Row(*r) for r in echo_guard_rows(Path(tmp) / "results", clean_rows, echo_rows, far)]
        return duplex_rows(scenarios.name, s, echo) + guard


def duplex_rows(name: str, s: dict, echo: dict) -> list[Row]:
    """The duplex figures of one scored set (and its echo run) beside the goals and anchors."""
    p50, worst, stop = s["turn_latency_p50_ms"], s["turn_latency_max_ms"], s["barge_in_stop_p50_ms"]
    timer = max((abs(e) for e in s["timer_errors_ms"]), default=None)
    cue = max(s["cue_latencies_ms"], default=None)
    quiet = s["quiet_when_cancelled"]
    ack = max(s["task_acks_ms"], default=None)
    barge_reply = max(s["barge_replies_ms"], default=None)
    return [
        Row(f"duplex scenarios passed ({name})", f"{s['passed']}/{s['total']}", "all",
            s["passed"] == s["total"]),
        Row("  with echo 0.5 / 60 ms", f"{echo['passed']}/{echo['total']}", "all", echo["passed"] == echo["total"]),
        Row("turn latency p50 (TML 400, Moshi 265)", _ms(p50), "<= 300 ms", p50 is not None and p50 <= 300),
        Row("turn latency max", _ms(worst), "<= 600 ms", worst is not None and worst <= 600),
        Row("barge-in stop p50", _ms(stop), "<= 200 ms", stop is not None and stop <= 200),
        Row("reply after a barge-in (worst)", _ms(barge_reply), "<= 500 ms", _within(barge_reply, 500)),
        Row("pause takeovers (Moshi 98 %)", str(s["pause_takeovers"]), "0", s["pause_takeovers"] == 0),
        Row("false speech under noise", _ms(s["false_speech_ms"]), "0 ms", s["false_speech_ms"] == 0),
        Row("timer error (worst)", _ms(timer), "<= 500 ms", _within(timer, 500)),
        Row("cue word -> speech (worst)", _ms(cue), "<= 1000 ms", _within(cue, 1000)),
        Row("deep task acknowledged (worst)", _ms(ack), "<= 500 ms", _within(ack, 500)),
        Row("cancelled timer stays quiet", f"{sum(quiet)}/{len(quiet)}" if quiet else "-", "all",
            all(quiet) if quiet else None),
    ]


def bench_pauses(models: Models) -> list[Row]:
    """The pause corpus (presence.evaluation.pauses), both halves: mid-sentence pauses we must not
    take, complete turns we must end at once. The held-out half is the one the goals judge."""
    import shutil
    import tempfile

    from presence.evaluation.pauses.run import evaluate_half

    if shutil.which("espeak-ng") is None:
        return [Row("pause corpus", "espeak-ng is not installed", "-", None)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for half in ("tuning", "heldout"):
            _, s = evaluate_half(models, half, Path(tmp))
            taken, end = len(s["takeovers"]), s["turn_end_p50_ms"]
            rows += [
                Row(f"pause takeovers (pause corpus {half}, {s['pauses']} pauses)", str(taken), "0", taken == 0),
                Row(f"  turn-end latency p50 ({s['turns']} complete turns)", _ms(end), "<= 300 ms",
                    end is not None and end <= 300),
                Row("  turn-end latency max", _ms(s["turn_end_max_ms"]), "-", None),
                Row("  answer onset p50 / max", f"{_ms(s['turn_latency_p50_ms'])} / {_ms(s['turn_latency_max_ms'])}",
                    "-", None),
            ]
    return rows


def format_table(rows: list[Row]) -> str:
    w = max(len(r.figure) for r in rows)
    v = max(len(r.value) for r in rows)
    lines = [f"{'figure':{w}}  {'value':>{v}}  {'target':10}  ok", "-" * (w + v + 18)]
    for r in rows:
        mark = "" if r.ok is None else ("yes" if r.ok else "NO")
        lines.append(f"{r.figure:{w}}  {r.value:>{v}}  {r.target:10}  {mark}")
    return "\n".join(lines)


def run_bench(say: Say, replay_s: float = 300.0, scenarios: list[str] | None = None) -> int:
    """Every figure, as one table. Duplex sets: those given, else our own and the public one if found."""
    t0 = time.perf_counter()
    models = load_models()
    rows = [Row("model load (all)", f"{time.perf_counter() - t0:.2f} s", "-", None)]
    rows += bench_ticks(models, replay_s)
    rows += bench_models(models)
    rows += bench_idle_cpu(models)
    sets: list[Path | None] = [Path(d) for d in scenarios] if scenarios else [None]
    if not scenarios and (public := public_scenarios()) is not None:
        sets.append(public)
    for folder in sets:
        rows += bench_duplex(models, folder)
    if not scenarios:
        rows += bench_pauses(models)
    if not scenarios:  # the echo canceller A/B on our voice and its guard (issue 14)
        from presence.evaluation.echo_bench import bench_echo

        rows += [Row(*r) for r in bench_echo(models)]
    from presence.screen.bench import bench_screen

    rows += [Row(*r) for r in bench_screen()]
    if not scenarios:  # the generalization corpus (issue 13): held-out half against the goals, then tuning
        from presence.evaluation.corpus_bench import bench_corpus

        rows += [Row(*r) for r in bench_corpus(models)]
    if not scenarios:  # the text question set (issue 13): spoken answers, held-out half then tuning
        from presence.evaluation.answers_bench import bench_answers

        rows += [Row(*r) for r in bench_answers(models)]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(Row("peak RSS", f"{rss_mb:.0f} MB", "-", None))
    say(format_table(rows))
    return 0

