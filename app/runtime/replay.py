"""`presence replay`: feed a WAV file as the microphone through the real tick loop.

Writes OUT/assistant.wav (time-aligned with the input) and OUT/events.jsonl.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from presence.core import events
from presence.core.events import Event
from presence.core.types import TICK_SAMPLES
from presence.devices.audio_files import read_wav_16k_mono, write_wav_16k_mono
from presence.devices.fakes import PngFolderScreen, RecordingSpeaker, WavMicrophone
from presence.runtime.build import Models, build_app
from presence.runtime.executor import ThreadExecutor, VirtualTimeExecutor


class ReplayError(RuntimeError):
    """Bad replay arguments; the message is shown as one line."""


@dataclass(frozen=True)
class ReplayOptions:
    audio: Path
    out: Path
    screen: Path | None = None
    echo_gain: float = 0.0
    echo_delay_ms: float = 0.0
    fast: bool = False
    tail_ms: int = 0  # extra silence after the input, so late replies are heard


def prepare_out(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise ReplayError(f"cannot write to output folder {out}: {exc.strerror or exc}") from exc


def replay(opts: ReplayOptions, models: Models) -> list[Event]:
    audio = read_wav_16k_mono(opts.audio)
    prepare_out(opts.out)
    screen = PngFolderScreen(opts.screen) if opts.screen else None
    speaker = RecordingSpeaker(latency_samples=TICK_SAMPLES)
    mic = WavMicrophone(audio, realtime=not opts.fast, echo_from=speaker, echo_gain=opts.echo_gain,
                        echo_delay_ms=opts.echo_delay_ms, tail_ms=opts.tail_ms)
    executor = VirtualTimeExecutor() if opts.fast else ThreadExecutor()
    log: list[Event] = []
    runner = build_app(models, mic, speaker, executor, log.append, screen=screen)
    try:
        runner.run()
    finally:
        executor.close()
        runner.close_workers()
    write_wav_16k_mono(opts.out / "assistant.wav", speaker.segment(0, max(len(audio), len(speaker))))
    with open(opts.out / "events.jsonl", "w", encoding="utf-8") as f:
        for e in log:
            if not isinstance(e, events.Level):  # the microphone meter, 5 times a second: for the window, not the log
                f.write(e.to_json() + "\n")
    return log


def summary_lines(log: list[Event]) -> list[str]:
    keep = (events.UserText, events.AssistantText, events.BargeIn, events.Error)
    return [f"{e.t_ms / 1000:7.2f}s {e.type}: {json.dumps(e.fields, ensure_ascii=False)}"
            for e in log if isinstance(e, keep)]
