"""The session behind `presence run`: start-up failures become one visible line, typed text and
the mute switch given while models load reach the runner, and stop() closes the devices.
No Qt and no models needed."""

from __future__ import annotations

import threading

from fakes_for_gui import NullSpeaker, SilentMic, fake_models
from helpers import EventSink, wait_for

from presence.devices.sound import AudioDeviceError
from presence.runtime.session import LOADING, OPENING, STOPPED, Session, one_line


def test_model_load_failure_is_one_error_event():
    class ModelMissing(Exception):
        pass

    def load():
        raise ModelMissing("voice model not found in /nowhere;\n  run: presence doctor")

    sink = EventSink()
    session = Session(sink, lambda: (SilentMic(), NullSpeaker()), load=load)
    session.start()
    assert session.wait(5)
    errors = sink.of("error")
    assert len(errors) == 1
    assert errors[0].fields == {"source": "models",
                                "message": "voice model not found in /nowhere; run: presence doctor"}
    assert sink.states() == [LOADING, STOPPED]
    assert session.failed


def test_device_failure_is_one_error_event():
    def open_devices():
        raise AudioDeviceError("no audio input device named like 'usb'; available: default")

    sink = EventSink()
    session = Session(sink, open_devices, load=fake_models)
    session.start()
    assert session.wait(5)
    assert [e.fields["message"] for e in sink.of("error")] == [
        "no audio input device named like 'usb'; available: default"]
    assert sink.states() == [LOADING, OPENING, STOPPED]


def test_device_that_fails_to_start_is_reported_and_closed():
    class BrokenMic(SilentMic):
        def start(self) -> None:
            raise AudioDeviceError("cannot open microphone #3: Device unavailable")

    mic, speaker = BrokenMic(), NullSpeaker()
    sink = EventSink()
    session = Session(sink, lambda: (mic, speaker), load=fake_models)
    session.start()
    assert session.wait(5)
    assert sink.of("error")[0].fields["source"] == "audio"
    assert mic.closed and speaker.closed


def test_text_and_mute_given_while_loading_reach_the_runner():
    release = threading.Event()

    def slow_load():
        release.wait(5)
        return fake_models()

    mic, speaker = SilentMic(), NullSpeaker()
    sink = EventSink()
    session = Session(sink, lambda: (mic, speaker), load=slow_load)
    session.start()
    session.submit_text("hello there")
    release.set()
    try:
        assert wait_for(lambda: sink.of("assistant_text"))
        assert [e.fields["text"] for e in sink.of("user_text")] == ["hello there"]
        assert sink.of("assistant_text")[0].fields["text"] == "You said hello there."
        session.set_muted(True)
        assert wait_for(lambda: "muted" in sink.states())
    finally:
        session.stop()
    assert not session.running
    assert mic.started and speaker.started
    assert mic.closed and speaker.closed
    assert sink.states()[-1] == STOPPED
    assert not session.failed


def test_stop_while_loading_never_opens_devices():
    release = threading.Event()
    opened: list[bool] = []

    def slow_load():
        release.wait(5)
        return fake_models()

    def open_devices():
        opened.append(True)
        return SilentMic(), NullSpeaker()

    session = Session(EventSink(), open_devices, load=slow_load)
    session.start()
    threading.Timer(0.1, release.set).start()
    session.stop()
    assert not session.running
    assert opened == []


def test_one_line():
    assert one_line(ValueError("a\n b")) == "a b"
    assert one_line(KeyError()) == "KeyError"
