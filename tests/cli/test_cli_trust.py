"""`presence --version`, a crash's traceback in the log folder's rotated crash.log (secrets scrubbed),
and numbers or WAV headers that mean nothing refused in one clear line before anything loads."""

from __future__ import annotations

import struct
import subprocess
import sys

import pytest

from presence import cli, logs
from presence.devices.audio_files import write_wav_16k_mono


def presence(*args, env=None):
    return subprocess.run([sys.executable, "-m", "presence.cli", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def _one_clear_line(r):
    assert r.returncode != 0 and "Traceback" not in r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("presence: "), r.stderr
    return lines[0]


def test_version():
    r = presence("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"presence {cli.version()}" and cli.version() != "unknown"


def test_an_unexpected_failure_goes_to_the_crash_log_in_the_log_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(logs.ENV_DIR, str(tmp_path))
    monkeypatch.setattr(logs, "setup_logging", lambda *a, **k: None)

    def broken(args):
        raise RuntimeError("bad state; key sk-abcdef0123456789 leaked into a message")

    monkeypatch.setattr(cli, "cmd_doctor", broken)
    assert cli.main(["doctor"]) == cli.EXIT_FAILED
    err = capsys.readouterr().err.strip()
    assert err.startswith("presence: unexpected RuntimeError") and str(tmp_path / "crash.log") in err
    assert "sk-abcdef" not in err and "Traceback" not in err
    text = (tmp_path / "crash.log").read_text()
    assert "Traceback" in text and "RuntimeError: bad state" in text and "sk-abcdef" not in text


def test_the_crash_log_rotates(tmp_path, monkeypatch):
    monkeypatch.setattr(logs, "CRASH_MAX_BYTES", 2000)
    for i in range(12):
        logs.write_crash_log(f"crash {i}\n" + "x" * 600, directory=tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["crash.log", "crash.log.1", "crash.log.2", "crash.log.3"]
    assert "crash 11" in (tmp_path / "crash.log").read_text()
    assert all(p.stat().st_size < 4000 for p in tmp_path.iterdir())


def _wav_with_rate(path, rate):
    """A 16-bit mono WAV whose header claims `rate` (the wave module refuses to write 0)."""
    data = b"\0\0" * 1600
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(data), b"WAVE", b"fmt ", 16, 1, 1, rate,
                         rate * 2, 2, 16, b"data", len(data))
    path.write_bytes(header + data)
    return path


@pytest.mark.parametrize("rate", [0, 1])
def test_a_wav_with_an_impossible_rate_is_one_line(tmp_path, rate):
    wav = _wav_with_rate(tmp_path / "rate.wav", rate)
    line = _one_clear_line(presence("replay", "--audio", str(wav), "--out", str(tmp_path / "o")))
    assert f"sample rate of {rate} Hz is not usable" in line
    assert not (tmp_path / "o").exists()  # refused before anything was made


@pytest.mark.parametrize(("option", "value", "words"), [("--tail-ms", "-5000", "--tail-ms must be"),
                                                        ("--echo-gain", "nan", "--echo-gain must be"),
                                                        ("--echo-gain", "inf", "--echo-gain must be"),
                                                        ("--echo-delay-ms", "-1", "--echo-delay-ms must be")])
def test_replay_numbers_that_mean_nothing_are_one_line(tmp_path, option, value, words):
    wav = tmp_path / "ok.wav"
    write_wav_16k_mono(wav, __import__("numpy").zeros(1600, "float32"))
    line = _one_clear_line(presence("replay", "--audio", str(wav), option, value, "--out", str(tmp_path / "o")))
    assert words in line
