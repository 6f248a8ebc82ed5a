"""The session's new controller methods: forwarded to the runner when it has them, remembered
while models load (pause, settings), and a visible notice instead of an exception when it has not."""

from __future__ import annotations

import threading

from fakes_for_gui import NullSpeaker, SilentMic, fake_models
from helpers import EventSink, wait_for

from presence.runtime.session import Session


class BareRunner:
    """A runner with only the original controller methods (submit_text, set_muted, stop)."""

    def __init__(self, runner) -> None:
        self._runner = runner

    def __getattr__(self, name):
        if name in ("submit_text", "set_muted", "stop", "run", "now_ms"):
            return getattr(self._runner, name)
        raise AttributeError(name)


def test_methods_the_runner_lacks_become_notices(monkeypatch):
    import presence.runtime.build as build

    real_build = build.build_app
    monkeypatch.setattr(build, "build_app", lambda *a, **k: BareRunner(real_build(*a, **k)))
    sink = EventSink()
    session = Session(sink, lambda: (SilentMic(), NullSpeaker()), load=fake_models)
    session.observe_now()  # before the runner exists
    session.start()
    try:
        assert wait_for(lambda: "listening" in sink.states())
        session.observe_now()
        session.cancel_item("timer", "t1")
        session.panel_action("p", "cancel_task")
        session.panel_action("p", "dismiss")  # handled by the window; no notice
        session.set_screen_paused(True)  # silently remembered
        session.apply_settings({"voice_speed": 1.2})
    finally:
        session.stop()
    notices = [e.fields["message"] for e in sink.of("notice")]
    assert notices == ["push-to-observe is not available yet", "push-to-observe is not available yet",
                       "cannot cancel that timer yet", "the assistant cannot handle 'cancel_task' yet"]
    assert not sink.of("error") and not session.failed


def test_methods_forward_to_the_runner_and_early_state_is_handed_over(monkeypatch):
    import presence.runtime.build as build

    calls: list[tuple] = []
    real_build = build.build_app

    def build_with_controller_methods(*args, **kwargs):
        runner = real_build(*args, **kwargs)
        runner.observe_now = lambda: calls.append(("observe_now",))
        runner.panel_action = lambda panel_id, action_id: calls.append(("panel_action", panel_id, action_id))
        runner.cancel_item = lambda kind, item_id: calls.append(("cancel_item", kind, item_id))
        runner.set_screen_paused = lambda paused: calls.append(("set_screen_paused", paused))
        runner.apply_settings = lambda settings: calls.append(("apply_settings", settings))
        return runner

    monkeypatch.setattr(build, "build_app", build_with_controller_methods)
    release = threading.Event()

    def slow_load():
        release.wait(5)
        return fake_models()

    sink = EventSink()
    session = Session(sink, lambda: (SilentMic(), NullSpeaker()), load=slow_load)
    session.start()
    session.set_screen_paused(True)  # while loading
    session.apply_settings({"voice_speed": 1.2})
    release.set()
    try:
        assert wait_for(lambda: "listening" in sink.states())
        assert calls[:2] == [("set_screen_paused", True), ("apply_settings", {"voice_speed": 1.2})]
        session.observe_now()
        session.panel_action("trip", "cancel_task")
        session.cancel_item("watch", "coffee")
    finally:
        session.stop()
    assert calls[2:] == [("observe_now",), ("panel_action", "trip", "cancel_task"), ("cancel_item", "watch", "coffee")]
    assert not sink.of("notice")


def test_observe_reaches_a_runner_that_calls_it_observe_screen(monkeypatch):
    import presence.runtime.build as build

    observed: list[bool] = []
    real_build = build.build_app

    def build_with_observe_screen(*args, **kwargs):
        runner = real_build(*args, **kwargs)
        runner.observe_screen = lambda: observed.append(True)  # the runner's observe_now reads the screen
        return runner

    monkeypatch.setattr(build, "build_app", build_with_observe_screen)
    sink = EventSink()
    session = Session(sink, lambda: (SilentMic(), NullSpeaker()), load=fake_models)
    session.start()
    try:
        assert wait_for(lambda: "listening" in sink.states())
        session.observe_now()
    finally:
        session.stop()
    assert observed == [True] and not sink.of("notice")


def test_stop_closes_the_runners_workers(monkeypatch):
    import presence.runtime.build as build

    closed: list[bool] = []
    real_build = build.build_app

    def build_recording_close(*args, **kwargs):
        runner = real_build(*args, **kwargs)
        runner.close_workers = lambda: closed.append(True)
        return runner

    monkeypatch.setattr(build, "build_app", build_recording_close)
    sink = EventSink()
    session = Session(sink, lambda: (SilentMic(), NullSpeaker()), load=fake_models)
    session.start()
    assert wait_for(lambda: "listening" in sink.states())
    session.stop()
    assert closed == [True] and not session.running
