"""`presence doctor`: what this machine has for Presence, and the command that fixes what is missing."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

from presence.models.paths import EMBEDDED, ModelMissing, find, size_bytes

Say = Callable[[str], None]


def check_models(say: Say) -> int:
    missing = 0
    for key, model in EMBEDDED.items():
        try:
            path = find(key)
            say(f"  ok    {key:5} {model.name}: {path} ({size_bytes(path) / 1e6:.1f} MB)")
        except ModelMissing as exc:
            missing += 1
            say(f"  MISSING {key:5} {exc}")
    try:
        from presence.models.whisper_base import describe

        say(f"  ok    asr_base {describe()}")
    except ModelMissing as exc:
        missing += 1
        say(f"  MISSING asr_base {exc}")
    try:
        import llama_cpp  # noqa: F401
        say("  ok    llama-cpp-python (runs the embedded LLM)")
    except ImportError:
        missing += 1
        say("  MISSING llama-cpp-python; install: CMAKE_ARGS=-DGGML_NATIVE=OFF pip install llama-cpp-python==0.3.36")
    return missing


def check_audio(say: Say) -> int:
    try:
        import sounddevice as sd
    except OSError:
        say("  MISSING PortAudio; install: sudo apt-get install libportaudio2")
        return 1
    try:
        devices = list(sd.query_devices())
    except Exception as exc:
        say(f"  MISSING audio devices could not be listed: {exc}")
        return 1
    inputs = [(i, d["name"]) for i, d in enumerate(devices) if d["max_input_channels"] > 0]
    outputs = [(i, d["name"]) for i, d in enumerate(devices) if d["max_output_channels"] > 0]
    for i, name in inputs:
        say(f"  input  #{i}: {name}")
    for i, name in outputs:
        say(f"  output #{i}: {name}")
    problems = 0
    if not inputs:
        problems += 1
        say("  MISSING no microphone; connect one, or start PulseAudio/PipeWire (see .ci/pulse-setup.sh)")
    if not outputs:
        problems += 1
        say("  MISSING no speaker; connect one, or start PulseAudio/PipeWire")
    return problems


def check_display(say: Say) -> int:
    display = os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY")
    if display:
        say(f"  ok    display {display}")
        return 0
    say("  MISSING no display (DISPLAY is not set): the window needs a desktop session; "
        "`presence run --headless` works without one")
    return 1


def check_tools(say: Say) -> int:
    for tool, why, fix in (("xdotool", "tests drive the window", "sudo apt-get install xdotool"),):
        if shutil.which(tool):
            say(f"  ok    {tool}")
        else:
            say(f"  note  {tool} not found ({why}); install: {fix}")
    return 0


def run_doctor(say: Say) -> int:
    say("Models (shipped inside packages; nothing is downloaded):")
    problems = check_models(say)
    say("Audio:")
    problems += check_audio(say)
    say("Display:")
    problems += check_display(say)
    say("Tools:")
    check_tools(say)
    say("All good." if not problems else f"{problems} problem(s) found; see the lines marked MISSING.")
    return 0 if not problems else 1
