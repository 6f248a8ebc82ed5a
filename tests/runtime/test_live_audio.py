"""Live audio path: a spoken question into the virtual microphone, a spoken reply out of the speaker.

Needs the PulseAudio null sinks that .ci/pulse-setup.sh creates (micsink -> mic, speaker).
"""

import queue
import shutil
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from presence.devices.audio_files import write_wav_16k_mono
from presence.evaluation.scenarios import other_voice, trim

pytestmark = [pytest.mark.slow, pytest.mark.audio]


def _sinks() -> str:
    if not shutil.which("pactl"):
        return ""
    r = subprocess.run(["pactl", "list", "short", "sinks"], capture_output=True, text=True)
    return r.stdout if r.returncode == 0 else ""


@pytest.fixture
def virtual_devices():
    sinks = _sinks()
    if "micsink" not in sinks or "speaker" not in sinks:
        pytest.skip("virtual PulseAudio devices are not running (start them with .ci/pulse-setup.sh start)")


@pytest.fixture
def speaker_echo(virtual_devices):
    """The speaker's output played back into the microphone at half volume, as from laptop speakers."""
    module = subprocess.run(["pactl", "load-module", "module-loopback", "source=speaker.monitor", "sink=micsink",
                             "latency_msec=60", "source_dont_move=true", "sink_dont_move=true"],
                            capture_output=True, text=True, check=True).stdout.strip()
    try:
        inputs = subprocess.run(["pactl", "list", "short", "sink-inputs"], capture_output=True, text=True).stdout
        for line in inputs.splitlines():
            fields = line.split()
            if len(fields) > 3 and fields[3] == "module-loopback.c":  # the loopback's stream: half amplitude
                subprocess.run(["pactl", "set-sink-input-volume", fields[0], "-6dB"], check=True)
        yield
    finally:
        subprocess.run(["pactl", "unload-module", module], check=False)


class LiveApp:
    """`presence run --headless` on the virtual devices, its output lines timed as they come, the
    speaker recorded with parec."""

    def __init__(self, tmp_path, seconds: float) -> None:
        self.tmp_path = tmp_path
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        self.seen: list[tuple[float, str]] = []
        self.proc = subprocess.Popen([sys.executable, "-m", "presence.cli", "run", "--headless", "--seconds",
                                      str(seconds)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        self._recording = (tmp_path / "speaker.raw").open("wb")  # a file, not a pipe: a full pipe stalls parec
        self._rec = subprocess.Popen(["parec", "--device=speaker.monitor", "--raw", "--format=s16le", "--rate=16000",
                                      "--channels=1"], stdout=self._recording)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put((time.monotonic(), line.rstrip("\n")))

    def wait_for(self, predicate, timeout_s: float) -> float | None:
        """The time of the first output line (seen before or coming) that satisfies predicate."""
        for t, line in self.seen:
            if predicate(line):
                return t
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            try:
                t, line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append((t, line))
            if predicate(line):
                return t
        return None

    def say(self, wav) -> float:
        t = time.monotonic()
        subprocess.run(["paplay", "--device=micsink", str(wav)], check=True, timeout=30)
        return t

    def finish(self, interrupt: bool = False) -> tuple[str, np.ndarray, int]:
        """Stop (Ctrl+C, or let --seconds run out): (all output, heard audio, exit status)."""
        try:
            if interrupt:
                self.proc.send_signal(signal.SIGINT)
            self.proc.wait(timeout=60)
        finally:
            self.proc.kill()
            self._rec.terminate()
            self._rec.wait(timeout=10)
            self._recording.close()
        self.wait_for(lambda line: False, 0.5)  # the last lines
        heard = np.frombuffer((self.tmp_path / "speaker.raw").read_bytes(), dtype="<i2").astype(np.float32) / 32768.0
        return "\n".join(line for _, line in self.seen), heard, self.proc.returncode


def _wav(tmp_path, name: str, audio: np.ndarray):
    wav = tmp_path / f"{name}.wav"
    write_wav_16k_mono(wav, audio)
    return wav


def _ready(app: LiveApp) -> None:
    """Models load (slow on a busy machine) and the microphone opens before anyone speaks."""
    if app.wait_for(lambda line: "listening" in line, 120) is None:
        out, _, _ = app.finish()
        pytest.fail(f"presence never started listening: {out!r}")


def loud_hops(heard: np.ndarray, hop: int = 320) -> np.ndarray:
    rms = np.sqrt(np.mean(heard[: len(heard) // hop * hop].reshape(-1, hop) ** 2, axis=1))
    return np.flatnonzero(rms > 0.02)


def test_spoken_question_gets_spoken_reply_through_pulseaudio(virtual_devices, models, tmp_path):
    """presence runs headless on the real sounddevice adapters; paplay asks, parec hears the answer."""
    speech = models.engine.tts.synthesize_steady("What is seven times eight?")
    question = _wav(tmp_path, "question", np.concatenate([speech, np.zeros(16000, np.float32)]))
    app = LiveApp(tmp_path, seconds=90)
    _ready(app)
    t_ask = app.say(question)
    asked_s = time.monotonic() - t_ask
    replied = app.wait_for(lambda line: line.startswith("Presence:") and len(line) > 20, 30)
    if replied is not None:
        time.sleep(4)  # the answer plays out
    out, heard, rc = app.finish(interrupt=True)
    assert rc in (0, 130), out
    said = [line for line in out.splitlines() if line.startswith("Presence:")]
    assert any(line.startswith("You:") for line in out.splitlines()) and said, out
    seconds = len(heard) / 16000
    assert loud_hops(heard).size > 25, f"no spoken reply reached the speaker ({seconds:.1f} s recorded): {out!r}"
    assert asked_s > 1.0


def test_own_voice_echoed_into_the_mic_neither_interrupts_the_reply_nor_hides_the_user(speaker_echo, models,
                                                                                       tmp_path):
    """With the speaker looped into the mic (60 ms, -6 dB), a long reply plays through without a
    self-barge-in; then the user talks over it and is heard: the reply stops and their words are
    answered."""
    tts = models.engine.tts
    question = _wav(tmp_path, "question", np.concatenate([
        tts.synthesize_steady("Tell me a long story about a dragon who lived in a castle."),
        np.zeros(16000, np.float32)]))
    other = other_voice(tts.synthesize_steady, 1.15)  # the user: not our own voice
    stop = _wav(tmp_path, "stop", trim(other("Wait, stop. Tell me about a cat instead.")))
    app = LiveApp(tmp_path, seconds=120)
    _ready(app)
    app.say(question)
    story = app.wait_for(lambda line: line.startswith("Presence:") and len(line) > 35, 40)
    t_stop = float("inf")
    if story is not None:
        time.sleep(5)  # the story plays on, its echo on the microphone
        t_stop = app.say(stop)
        app.wait_for(lambda line: line.startswith("You:") and "cat" in line.lower(), 15)
    out, heard, rc = app.finish(interrupt=True)
    assert rc in (0, 130), out
    assert story is not None, f"the story never started: {out!r}"
    assert [line for line in out.splitlines() if line.startswith("You:")], out
    interrupted = [t for t, line in app.seen if "(interrupted)" in line]
    assert not [t for t in interrupted if t < t_stop], f"the assistant interrupted itself: {out!r}"
    assert interrupted and interrupted[0] - t_stop < 3.0, f"the user's barge-in was not caught: {out!r}"
    hops = loud_hops(heard).size
    assert hops > 150, f"less than 3 s of the reply reached the speaker ({hops * 20} ms): {out!r}"
