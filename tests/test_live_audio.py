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


def test_spoken_question_gets_spoken_reply_through_pulseaudio(virtual_devices, models, tmp_path):
    """presence runs headless on the real sounddevice adapters; paplay asks, parec hears the answer."""
    question = np.concatenate([models.engine.tts.synthesize("What is seven times eight?"),
                               np.zeros(16000, np.float32)])
    wav = tmp_path / "question.wav"
    write_wav_16k_mono(wav, question)
    app = subprocess.Popen([sys.executable, "-m", "presence.cli", "run", "--headless", "--seconds", "25"],
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
    said = [line for line in out.splitlines() if line.startswith("Presence:")]
    assert any(line.startswith("You:") for line in out.splitlines()) and said, out + err
    hop = 320
    rms = np.sqrt(np.mean(heard[: len(heard) // hop * hop].reshape(-1, hop) ** 2, axis=1))
    loud = np.flatnonzero(rms > 0.02)
    seconds = len(heard) / 16000
    assert loud.size > 25, f"no spoken reply reached the speaker ({seconds:.1f} s recorded); app said: {out!r}"
    assert asked_s > 1.0
