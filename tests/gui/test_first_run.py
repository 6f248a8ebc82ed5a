"""First run: three short steps, and nothing is heard before Start.

The fast tests run the whole window app (WindowApp: window, shell, welcome, session, runner threads)
on a counting fake microphone. The slow one is the real device path: the real models, the real
sound adapters on the virtual PulseAudio microphone, and speech played into it with paplay.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import numpy as np
import pytest
from fakes_for_gui import NullSpeaker, fake_models, fake_probes, needs_display

from presence.core import events

pytestmark = [pytest.mark.gui, needs_display]


class CountingMic:
    """A quiet hum, counting every read: proof of whether anything was listened to."""

    def __init__(self) -> None:
        self.started = False
        self.reads = 0

    def start(self) -> None:
        self.started = True

    def read(self, n_samples: int) -> np.ndarray:
        self.reads += 1
        time.sleep(0.005)
        return (0.05 * np.sin(np.arange(n_samples) / 8)).astype(np.float32)

    def close(self) -> None:
        pass


@pytest.fixture
def first_run(qtbot, private_config):
    """The window app on its first run (no settings file), on a counting microphone; closed after."""
    from presence.gui.app import WindowApp
    from presence.runtime.session import Session
    from presence.settings.store import SettingsStore

    mic = CountingMic()
    opened: list[bool] = []
    calls: list = []

    def open_devices():
        opened.append(True)
        return mic, NullSpeaker()

    running = WindowApp(lambda sink: Session(sink, open_devices, load=fake_models), SettingsStore(private_config),
                        probes=fake_probes(calls), checks=[], use_tray=False, use_hotkeys=False)
    running.show()
    yield running, mic, opened, calls
    running.close()


def test_no_audio_is_processed_before_start(first_run, qtbot):
    running, mic, opened, _ = first_run
    welcome = running.shell.welcome
    assert welcome is not None and welcome.page_name() == "intro"
    from PySide6.QtWidgets import QLabel

    intro = " ".join(label.text() for label in welcome.intro_page.findChildren(QLabel))
    assert "does not listen until you press Start" in intro
    qtbot.wait(600)  # time enough for a session to load, open the microphone and read from it
    assert not running.session.running and not opened and not mic.started and mic.reads == 0
    assert running.window.level_meter.value() == 0 and running.window.state_label.text() == "waiting for Start"
    welcome.start_button.click()
    qtbot.waitUntil(lambda: mic.reads > 5, timeout=5000)
    assert welcome.page_name() == "microphone"
    qtbot.waitUntil(lambda: welcome.mic_meter.value() > 0, timeout=3000)  # the live level
    qtbot.waitUntil(lambda: welcome.mic_status.text().startswith("Listening"), timeout=3000)


def test_the_microphone_step_shows_what_was_heard(first_run, qtbot):
    running, _, _, _ = first_run
    welcome = running.shell.welcome
    welcome.start_button.click()
    running.bridge.post(events.UserPartialText(t_ms=1000, text="hel"))  # as the runner reports them
    qtbot.waitUntil(lambda: welcome.heard_label.text() == "\u201chel…\u201d", timeout=2000)
    running.bridge.post(events.UserText(t_ms=1400, text="Hello there.", reply_id=1))
    qtbot.waitUntil(lambda: welcome.heard == ["Hello there."], timeout=2000)
    assert "Hello there." in welcome.heard_label.text()
    running.bridge.post(events.UserText(t_ms=2000, text="typed, not heard", typed=True))
    qtbot.wait(100)
    assert welcome.heard == ["Hello there."]


def test_speaker_step_plays_the_test_sentence_with_the_microphone_muted(first_run, qtbot):
    running, _, _, calls = first_run
    welcome = running.shell.welcome
    welcome.start_button.click()
    welcome.next_button.click()
    assert welcome.page_name() == "speaker" and welcome.play_button.isEnabled()
    muted: list[bool] = []
    running.session.set_muted = muted.append  # what the probe's wrapper asks of the session
    welcome.play_button.click()
    qtbot.waitUntil(lambda: welcome.play_result.text().startswith("Played"), timeout=3000)
    assert calls and calls[0][0] == "voice" and calls[0][1] == 1.0  # the saved speed, the chosen speaker
    assert muted == [True, False]


def test_closing_the_welcome_before_start_leaves_presence_deaf_until_start(first_run, qtbot, private_config):
    running, mic, _, _ = first_run
    window = running.window
    running.shell.welcome.reject()
    qtbot.waitUntil(lambda: running.shell.welcome is None, timeout=2000)
    qtbot.wait(300)
    assert not running.started and mic.reads == 0
    assert window.start_button.isVisible() and window.state_label.text() == "not listening yet"
    assert not (private_config / "settings.json").exists() or not json.loads(
        (private_config / "settings.json").read_text())["settings"]["first_run_done"]  # asked again next time
    window.start_button.click()
    qtbot.waitUntil(lambda: mic.reads > 0, timeout=5000)
    assert not window.start_button.isVisible()


def _virtual_mic_ready() -> bool:
    if not (shutil.which("pactl") and shutil.which("paplay")):
        return False
    sinks = subprocess.run(["pactl", "list", "short", "sinks"], capture_output=True, text=True).stdout
    return "micsink" in sinks and "speaker" in sinks


def _recording_streams() -> int:
    """PulseAudio source outputs: streams that record from a microphone right now."""
    out = subprocess.run(["pactl", "list", "short", "source-outputs"], capture_output=True, text=True).stdout
    return len([line for line in out.splitlines() if line.strip()])


@pytest.mark.slow
@pytest.mark.audio
def test_first_run_on_the_real_devices_hears_nothing_before_start_then_transcribes_hello(
        qtbot, models, private_config, tmp_path):
    """Real models, the real sound adapters on the virtual PulseAudio microphone: no recording stream
    exists before Start; after it, "hello" played into the microphone appears in the mic step."""
    if not _virtual_mic_ready():
        pytest.skip("virtual PulseAudio devices are not running (start them with .ci/pulse-setup.sh start)")
    from presence.devices.audio_files import write_wav_16k_mono
    from presence.gui.app import WindowApp
    from presence.runtime.session import Session, sound_devices
    from presence.settings.store import SettingsStore

    speech = models.engine.tts.synthesize_steady("Hello there.")
    wav = tmp_path / "hello.wav"
    write_wav_16k_mono(wav, np.concatenate([speech, np.zeros(16000, np.float32)]))
    loads: list[bool] = []

    def load():
        loads.append(True)
        return models

    running = WindowApp(lambda sink: Session(sink, sound_devices(None, None), load=load),
                        SettingsStore(private_config), probes={}, checks=[], use_tray=False, use_hotkeys=False)
    try:
        before = _recording_streams()
        running.show()
        welcome = running.shell.welcome
        assert welcome is not None
        qtbot.wait(1500)
        assert not loads and _recording_streams() == before  # no model loaded, no microphone opened
        assert welcome.mic_meter.value() == 0
        welcome.start_button.click()
        qtbot.waitUntil(lambda: welcome.mic_status.text().startswith("Listening"), timeout=60_000)
        assert _recording_streams() > before
        subprocess.run(["paplay", "--device=micsink", str(wav)], check=True, timeout=30)
        qtbot.waitUntil(lambda: bool(welcome.heard), timeout=30_000)
        assert "hello" in " ".join(welcome.heard).lower(), welcome.heard
    finally:
        running.close()
