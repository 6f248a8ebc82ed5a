"""The PyInstaller bundle (dist/presence/): finds its embedded models, answers a question, opens the window.

Runs when PRESENCE_TEST_PACKAGE=1 (builds the bundle with `make package` first if it is missing
or older than the sources) or when an up-to-date dist/presence exists; skipped otherwise:

    PRESENCE_TEST_PACKAGE=1 .venv/bin/python -m pytest -m package tests/packaging

The bundle runs with an environment that cannot reach the venv (PATH without it, no
VIRTUAL_ENV/PYTHONPATH/PYTHONHOME), from /, and every model path it reports must lie inside it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from pkg_helpers import REPO, finish, launch_and_find_window, wm_class

pytestmark = [pytest.mark.package, pytest.mark.slow]

DIST = REPO / "dist" / "presence"
BIN = DIST / "presence"
SOURCES = ("app", "models", "assets", "packaging")


def _newest_source() -> float:
    return max(p.stat().st_mtime for d in SOURCES for p in (REPO / d).rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".md")


@pytest.fixture(scope="module")
def bundle() -> Path:
    wanted = os.environ.get("PRESENCE_TEST_PACKAGE") == "1"
    fresh = BIN.is_file() and BIN.stat().st_mtime >= _newest_source()
    if not fresh:
        if not wanted:
            pytest.skip("no up-to-date bundle in dist/presence (run `make package`, or set PRESENCE_TEST_PACKAGE=1 "
                        "to build it here)")
        r = subprocess.run(["make", "-C", str(REPO), "package"], capture_output=True, text=True, timeout=1800)
        assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
        print(next((x for x in r.stdout.splitlines() if x.startswith("package: ")), "package: built"))
    assert BIN.is_file() and os.access(BIN, os.X_OK)
    return BIN


def without_venv(env: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in env.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    return env


def test_doctor_finds_every_model_inside_the_bundle(bundle, app_env):
    r = subprocess.run([str(bundle), "doctor"], env=without_venv(app_env), cwd="/", capture_output=True, text=True,
                       timeout=120)
    lines = r.stdout.splitlines()
    for key in ("vad", "turn", "asr", "llm", "tts", "asr_base"):
        line = next((x for x in lines if x.strip().startswith(f"ok    {key}")), None)
        assert line is not None, r.stdout + r.stderr
        assert str(DIST) in line, f"{key} is not loaded from the bundle: {line}"
    assert any("ok    llama-cpp-python" in x for x in lines)
    assert "MISSING" not in r.stdout, r.stdout
    assert r.returncode == 0, r.stdout + r.stderr


def test_replay_answers_a_spoken_question(bundle, tmp_path):
    from presence.devices.audio_files import write_wav_16k_mono
    from presence.speech.tts import PiperTts

    question = PiperTts().synthesize_steady("What is seven times eight?")  # the same audio every run
    audio = np.concatenate([np.zeros(12800, np.float32), question, np.zeros(16000 * 5, np.float32)])
    write_wav_16k_mono(tmp_path / "user.wav", audio)
    env = without_venv({**os.environ, "PRESENCE_LOG_DIR": str(tmp_path / "logs"),
                        "PRESENCE_CONFIG_DIR": str(tmp_path / "config")})
    r = subprocess.run([str(bundle), "replay", "--audio", str(tmp_path / "user.wav"), "--out", str(tmp_path / "out"),
                        "--fast"], env=env, cwd="/", capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    events = [json.loads(x) for x in (tmp_path / "out" / "events.jsonl").read_text().splitlines()]
    heard = " ".join(e["text"] for e in events if e["type"] == "user_text").lower()
    said = " ".join(e["text"] for e in events if e["type"] == "assistant_text")
    assert "times" in heard, heard
    assert "56" in said, f"heard {heard!r}, said {said!r}"
    assert (tmp_path / "out" / "assistant.wav").stat().st_size > 44


@pytest.mark.gui
def test_run_opens_the_window(bundle, app_env):
    proc, window, seconds = launch_and_find_window([str(bundle), "run", "--seconds", "6"], without_venv(app_env))
    print(f"bundle window visible after {seconds:.2f} s")
    assert window is not None, finish(proc)[1]
    assert "Presence" in wm_class(app_env, window)
    rc, out = finish(proc)
    assert rc == 0, out
    assert "Traceback" not in out


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="needs root and unshare (CI has both)")
def test_runs_moved_and_with_the_venv_hidden(bundle, tmp_path):
    """In a private mount namespace: the venv is an empty tmpfs and the bundle is mounted elsewhere."""
    script = f"""
        set -e
        mount -t tmpfs none {REPO / '.venv'}
        mount -t tmpfs none {tmp_path}
        mkdir {tmp_path}/moved
        mount --bind {DIST} {tmp_path}/moved
        test ! -e {REPO / '.venv' / 'bin'}
        {tmp_path}/moved/presence doctor
    """
    r = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script], cwd="/",
                       env=without_venv(dict(os.environ)), capture_output=True, text=True, timeout=120)
    models = [x for x in r.stdout.splitlines() if x.strip().startswith("ok ") and "MB)" in x]
    assert len(models) == 6, r.stdout + r.stderr
    assert all(f"{tmp_path}/moved/_internal/" in x for x in models), models
    assert "MISSING llama" not in r.stdout


def test_bundle_is_self_contained(bundle):
    """No link points outside the folder (it can be copied or unpacked anywhere)."""
    outside = [p for p in DIST.rglob("*") if p.is_symlink() and not p.resolve().is_relative_to(DIST.resolve())]
    assert not outside, outside[:5]
    size = sum(p.stat().st_size for p in DIST.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"bundle size {size / 1e6:.0f} MB")
    assert size < 1.5e9
