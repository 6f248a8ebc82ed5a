"""`presence run` without Qt: the no-display message and headless mode.
These need no display; the headless conversation with real models is marked slow."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fakes_for_gui import NullSpeaker, SilentMic, fake_models

from presence.gui.app import NO_DISPLAY, display_available, run_gui
from presence.runtime.headless import TerminalPrinter, run_headless
from presence.runtime.session import Session

PUBLIC = Path(__file__).resolve().parents[2].parent / "shared" / "duplex" / "public"

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the display check only applies to Linux (X11/Wayland)")


@linux_only
def test_run_gui_without_display_returns_1_with_one_line(monkeypatch, capsys):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert run_gui(headless=False, mic=None, speaker=None, seconds=1.0) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == NO_DISPLAY + "\n"
    assert "DISPLAY is not set" in captured.err and "--headless" in captured.err


@linux_only
def test_display_available():
    assert not display_available({})
    assert display_available({"DISPLAY": ":0"})
    assert display_available({"WAYLAND_DISPLAY": "wayland-0"})
    assert display_available({"QT_QPA_PLATFORM": "offscreen"})
    assert not display_available({"QT_QPA_PLATFORM": "xcb"})


def test_headless_prints_turns_and_stops_after_seconds(capsys):
    session = Session(TerminalPrinter(sys.stdout, sys.stderr), lambda: (SilentMic(), NullSpeaker()),
                      load=fake_models)
    session.submit_text("ping")
    assert run_headless(session, seconds=0.5) == 0
    assert not session.running
    out = capsys.readouterr().out.splitlines()
    assert out == ["You: ping", "Presence: You said ping."]


def test_headless_model_failure_returns_1_with_one_line(capsys):
    def load():
        raise RuntimeError("LLM file /x/model.gguf is not a GGUF file")

    session = Session(TerminalPrinter(sys.stdout, sys.stderr), lambda: (SilentMic(), NullSpeaker()), load=load)
    assert run_headless(session, seconds=None) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    errors = [line for line in captured.err.splitlines() if "gguf" in line.lower()]
    assert errors == ["presence: models: LLM file /x/model.gguf is not a GGUF file"]
    assert "Traceback" not in captured.err


@pytest.mark.slow
def test_headless_real_conversation_from_wav(models, capsys):
    """Real models, real threads, the WAV as a real-time microphone: a spoken turn is printed."""
    wav = PUBLIC / "turn_capital" / "user.wav"
    if not wav.exists():
        pytest.skip("../shared/duplex/public/turn_capital is not available in this checkout")
    from presence.devices.audio_files import read_wav_16k_mono
    from presence.devices.fakes import RecordingSpeaker, WavMicrophone

    mic = WavMicrophone(read_wav_16k_mono(wav), realtime=True, tail_ms=3000)
    session = Session(TerminalPrinter(sys.stdout, sys.stderr), lambda: (mic, RecordingSpeaker()),
                      load=lambda: models)
    assert run_headless(session, seconds=None) == 0  # ends when the WAV (and its tail) runs out
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith("You: ") and "capital" in line.lower() for line in out), out
    assert any(line.startswith("Presence: ") for line in out), out
