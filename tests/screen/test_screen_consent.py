"""Consent gates every capture path: with "Capture the screen" off, a watch, push-to-observe, a question
and a vision upload capture nothing, and the user is told (shown and spoken) why and how to allow it.
The runner, reply engine and screen watcher are real; screen, OCR, voice and model are fakes."""

from __future__ import annotations

from test_screen_question_runner import Desk

from presence.runtime.notices import CAPTURE_OFF, WATCH_NEEDS_CAPTURE, WATCHES_PAUSED
from presence.screen.questions import NO_SCREEN_ANSWER


def _refused(desk: Desk) -> Desk:
    desk.runner.apply_settings({"screen_capture_enabled": False})
    desk.run(0.4)
    return desk


def _nothing_captured(desk: Desk) -> None:
    assert desk.screen is not None and True not in desk.screen.switches and desk.screen.frames_served == 0
    assert desk.ocr.calls == 0 and desk.of("screen_read") == []


def test_push_to_observe_without_consent_captures_nothing_and_says_how_to_allow_it():
    desk = _refused(Desk())
    start = len(desk.events)
    desk.runner.observe_screen()
    desk.run(3)
    _nothing_captured(desk)
    assert desk.of("observe_requested") == []
    assert CAPTURE_OFF in [f["message"] for f in desk.of("notice")]
    said = [e.fields["text"] for e in desk.events[start:] if e.type == "assistant_text"]
    assert said == [CAPTURE_OFF] and "Capture the screen" in CAPTURE_OFF
    assert desk.of("spoken_notice") == [{"text": CAPTURE_OFF}]


def test_a_watch_without_consent_is_not_set_and_the_user_is_told():
    desk = _refused(Desk())
    said = desk.ask("Keep an eye on my screen and tell me if the build fails.", seconds=4)
    desk.run(5)
    _nothing_captured(desk)
    assert desk.runner.screen_watch.watches == ()
    assert WATCH_NEEDS_CAPTURE in said
    (call,) = desk.of("tool_call")
    assert call["tool"] == "screen_watch" and "refused" in call["result"]


def test_a_question_without_consent_captures_nothing():
    desk = _refused(Desk())
    assert desk.ask("What's this error?") == [NO_SCREEN_ANSWER]
    _nothing_captured(desk)


def test_withdrawing_consent_stops_a_running_watch_forgets_the_text_and_tells_the_user():
    desk = Desk()
    desk.ask("read me the first line")  # the screen's text is now held (context for deep tasks)
    desk.ask("Keep an eye on my screen and tell me if the build fails.", seconds=2)
    assert desk.screen is not None and desk.screen.capturing and desk.runner.screen_watch.watches
    desk.run(2)
    assert desk.ocr.calls >= 1 and desk.runner.screenwork.text
    served = desk.screen.frames_served
    start = len(desk.events)
    desk.runner.apply_settings({"screen_capture_enabled": False})
    desk.run(4)
    assert desk.screen.switches[-1] is False and not desk.screen.capturing
    assert desk.screen.frames_served == served and desk.runner.screenwork.text == ""
    later = desk.events[start:]
    assert {"enabled": False} in [e.fields for e in later if e.type == "screen_capture"]
    assert WATCHES_PAUSED in [e.fields["text"] for e in later if e.type == "assistant_text"]
    desk.runner.apply_settings({"screen_capture_enabled": True})  # allowed again: the watch resumes
    desk.run(1)
    assert desk.screen.capturing


def test_no_screenshot_reaches_a_vision_model_without_consent():
    """Consent withdrawn between the read and the model's turn: the vision job sends nothing."""

    class VisionChat:
        accepts_images = True

        def __init__(self) -> None:
            self.images: list = []

        def add_user(self, text, images=()):
            self.images.append(images)

        def stream_reply(self, max_tokens=120, should_stop=lambda: False):
            yield "A text editor."

    desk = Desk()
    screenwork = desk.runner.screenwork
    chat = VisionChat()
    screenwork.engine.llm = chat

    class Read:
        pixels = object()
        state = None

    screenwork.set_capture_allowed(False)
    assert list(screenwork._ask_vision(Read(), "fallback", type("T", (), {"cancelled": False})())) == []
    assert chat.images == []


def test_pausing_emits_screen_capture_paused_for_the_window_and_the_tray():
    desk = Desk()
    desk.runner.set_screen_paused(True)
    desk.run(0.4)
    assert {"paused": True} in [e.fields for e in desk.events if e.type == "screen_capture"]
    assert not [e for e in desk.events if e.type == "screen_paused"]
