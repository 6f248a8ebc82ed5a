"""Live audio path: a spoken question into the virtual microphone, a spoken reply out of the speaker.

Needs the PulseAudio null sinks that .ci/pulse-setup.sh creates (micsink -> mic, speaker).
"""

import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

from presence.devices.audio_files import write_wav_16k_mono

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


def converse_live(question_text: str, models, tmp_path, seconds: float = 25) -> tuple[str, np.ndarray, float]:
    """Run presence headless, ask through the virtual mic, record the speaker: (stdout, heard audio, ask s)."""
    question = np.concatenate([models.engine.tts.synthesize_steady(question_text), np.zeros(16000, np.float32)])
    wav = tmp_path / "question.wav"
    write_wav_16k_mono(wav, question)
    app = subprocess.Popen([sys.executable, "-m", "presence.cli", "run", "--headless", "--seconds", str(seconds)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    recording = (tmp_path / "speaker.raw").open("wb")  # noqa: SIM115 -- a file, not a pipe: a full pipe stalls parec
    rec = subprocess.Popen(["parec", "--device=speaker.monitor", "--raw", "--format=s16le", "--rate=16000",
                            "--channels=1"], stdout=recording)
    try:
        time.sleep(8)  # models load and the microphone opens
        t_ask = time.monotonic()
        subprocess.run(["paplay", "--device=micsink", str(wav)], check=True, timeout=30)
        asked_s = time.monotonic() - t_ask
        out, err = app.communicate(timeout=60)
    finally:
        app.kill()
        rec.terminate()
        rec.wait(timeout=10)
        recording.close()
    heard = np.frombuffer((tmp_path / "speaker.raw").read_bytes(), dtype="<i2").astype(np.float32) / 32768.0
    assert app.returncode == 0, err
    return out + err, heard, asked_s


def loud_hops(heard: np.ndarray, hop: int = 320) -> np.ndarray:
    rms = np.sqrt(np.mean(heard[: len(heard) // hop * hop].reshape(-1, hop) ** 2, axis=1))
    return np.flatnonzero(rms > 0.02)


def test_spoken_question_gets_spoken_reply_through_pulseaudio(virtual_devices, models, tmp_path):
    """presence runs headless on the real sounddevice adapters; paplay asks, parec hears the answer."""
    out, heard, asked_s = converse_live("What is seven times eight?", models, tmp_path)
    said = [line for line in out.splitlines() if line.startswith("Presence:")]
    assert any(line.startswith("You:") for line in out.splitlines()) and said, out
    seconds = len(heard) / 16000
    assert loud_hops(heard).size > 25, f"no spoken reply reached the speaker ({seconds:.1f} s recorded): {out!r}"
    assert asked_s > 1.0


def test_own_voice_echoed_into_the_mic_does_not_interrupt_the_reply(speaker_echo, models, tmp_path):
    """With the speaker looped into the mic (60 ms, -6 dB), a long reply plays through without a self-barge-in."""
    out, heard, _ = converse_live("Tell me a long story about a dragon who lived in a castle.", models, tmp_path,
                                  seconds=30)
    lines = out.splitlines()
    said = [line for line in lines if line.startswith("Presence:") and "(interrupted)" not in line]
    assert [line for line in lines if line.startswith("You:")], out
    assert not [line for line in lines if "(interrupted)" in line], f"the assistant interrupted itself: {out!r}"
    assert len(said) >= 3, f"the reply did not go on: {out!r}"
    assert loud_hops(heard).size > 150, f"less than 3 s of the reply reached the speaker: {out!r}"
