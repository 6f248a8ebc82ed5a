"""Bad input gives one clear line and a non-zero exit, never a traceback."""

import subprocess
import sys

import numpy as np
import pytest

from presence.devices.audio_files import write_wav_16k_mono


def presence(*args, env=None):
    return subprocess.run([sys.executable, "-m", "presence.cli", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def _one_clear_line(r):
    assert r.returncode != 0
    assert "Traceback" not in r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("presence: ")
    return lines[0]


def test_missing_wav(tmp_path):
    """A missing --audio file names the file."""
    line = _one_clear_line(presence("replay", "--audio", str(tmp_path / "nope.wav"), "--out", str(tmp_path)))
    assert "not found" in line


def test_corrupt_wav(tmp_path):
    """Garbage bytes in a .wav are reported as not a WAV file."""
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00garbage" * 10)
    line = _one_clear_line(presence("replay", "--audio", str(bad), "--out", str(tmp_path / "o")))
    assert "not a readable WAV" in line


def test_unwritable_out(tmp_path):
    """An --out folder that cannot be created is reported before any model loads."""
    wav = tmp_path / "ok.wav"
    write_wav_16k_mono(wav, np.zeros(1600, np.float32))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    line = _one_clear_line(presence("replay", "--audio", str(wav), "--out", str(blocker / "sub")))
    assert "cannot write to output folder" in line


def test_missing_screen_folder(tmp_path):
    """A --screen folder that does not exist is named."""
    wav = tmp_path / "ok.wav"
    write_wav_16k_mono(wav, np.zeros(1600, np.float32))
    line = _one_clear_line(presence("replay", "--audio", str(wav), "--screen", str(tmp_path / "none"),
                                    "--out", str(tmp_path / "o")))
    assert "screen folder not found" in line


@pytest.mark.slow
def test_no_input_device(tmp_path):
    """A microphone that does not exist (or none at all) gives one line, before any model loads."""
    line = _one_clear_line(presence("run", "--headless", "--mic", "no-such-microphone-xyz", "--seconds", "60"))
    assert "no-such-microphone-xyz" in line or "no audio input device found" in line
