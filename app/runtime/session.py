"""One live conversation: load models, open devices, run the runner on its own thread.

Free of Qt (it lives in runtime, below the GUI) so `presence run --headless` and the window share
the same start/stop logic, and so tests can drive it with fake devices. Everything the user
should see — progress while loading, failures to load models or open devices, the runner's own
events — goes out through one event sink as `Event`s, so the window has a single entry point and
never sees a traceback.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from presence.core import events
from presence.core.ports import Microphone, ScreenSource, Speaker
from presence.runtime.runner import EventSink

# What the state label shows before the runner emits its own states.
LOADING = "loading models…"
OPENING = "opening audio devices…"
STOPPED = "stopped"

Loader = Callable[[], Any]
DeviceOpener = Callable[[], tuple[Microphone, Speaker]]


def default_loader(settings: Mapping[str, Any] | None = None, on_fallback: Any = None,
                   on_progress: Callable[[str], None] | None = None) -> Any:
    """Load the models the settings choose (imported late: heavy, and not needed to show the window)."""
    from presence.runtime.build import load_models

    return load_models(settings=settings, on_fallback=on_fallback, on_progress=on_progress)


def sound_devices(mic: str | int | None, speaker: str | int | None) -> DeviceOpener:
    """An opener for the real microphone and speaker, by index or part of the name."""

    def open_devices() -> tuple[Microphone, Speaker]:
        from presence.devices.sound import PlayedReference, SoundDeviceMicrophone, SoundDeviceSpeaker

        played = PlayedReference()  # the speaker's output on the microphone's clock, for the echo canceller
        return SoundDeviceMicrophone(mic, reference=played), SoundDeviceSpeaker(speaker, reference=played)

    return open_devices


def live_screen() -> ScreenSource | None:
    """The real screen (mss) when there is a display to capture; None otherwise."""
    import os

    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return None
    from presence.devices.screen_mss import MssScreen
    from presence.screen.windows import exclude_windows

    return MssScreen(frame_filter=exclude_windows)  # excluded windows are blanked before any frame leaves capture


def remember(engine: Any, turns: Sequence[tuple[str, str]]) -> Iterator[Any]:
    """Put earlier turns into the chat model's context (a job: the model is the inference worker's)."""
    llm = getattr(engine, "llm", None)
    if llm is None:
        return
    for role, text in turns:
        (llm.add_user if role == "user" else llm.add_assistant)(text)
    yield from ()


def one_line(exc: BaseException) -> str:
    """An exception as one line for the user: the message, or the type when it has none."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


class Session:
    """Starts and stops the runner; the controller the window's widgets call.

    `submit_text` and `set_muted` may be called before the runner exists (models still
    loading): typed text is kept and the mute switch remembered, then handed over once it runs;
    so are `set_screen_paused` and `apply_settings`. The other controller methods forward to the
    runner method of the same name when the runner has it; one it lacks (or a click while models
    load) becomes a visible "notice" event instead of an exception in a Qt slot.
    """

    # Panel actions the window handles itself; the runner hears them if it wants them.
    LOCAL_PANEL_ACTIONS = frozenset({"dismiss", "copy_text", "open_settings"})

    def __init__(self, sink: EventSink, open_devices: DeviceOpener, load: Loader = default_loader,
                 make_executor: Callable[[], Any] | None = None,
                 open_screen: Callable[[], Any] | None = None,
                 recall: Sequence[tuple[str, str]] = ()) -> None:
        """`recall`: the last turns of the previous conversation as (role, text), "user" first (from the
        history; plain values, since runtime does not read it): the model is reminded of them before
        the first reply."""
        self._sink = sink
        self._recall = tuple(recall)
        self._open_devices = open_devices
        self._open_screen = open_screen
        self._load = load
        self._make_executor = make_executor
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._runner: Any = None
        self._pending_text: list[str] = []
        self._muted = False
        self._screen_paused = False
        self._settings: dict[str, Any] | None = None
        self._thread: threading.Thread | None = None
        self.failed = False  # a startup or runner error was reported

    # --- controller (called from the GUI thread) --------------------------------------------
    def submit_text(self, text: str) -> None:
        with self._lock:
            if self._runner is None:
                self._pending_text.append(text)
                return
            runner = self._runner
        runner.submit_text(text)

    def set_muted(self, muted: bool) -> None:
        with self._lock:
            self._muted = muted
            runner = self._runner
        if runner is not None:
            runner.set_muted(muted)

    def set_screen_paused(self, paused: bool) -> None:
        with self._lock:
            self._screen_paused = paused
        self._forward("set_screen_paused", paused)

    def apply_settings(self, settings: Mapping[str, Any]) -> None:
        """Live-apply what the runner can (voice speed, barge-in sensitivity, capture, ...)."""
        with self._lock:
            self._settings = dict(settings)
        self._forward("apply_settings", dict(settings))

    def observe_now(self) -> None:
        """Push-to-observe; the runner's method is observe_now (or observe_screen, its screen mixin's name)."""
        if not (self._forward("observe_now") or self._forward("observe_screen")):
            self._notice("push-to-observe is not available yet")

    def panel_action(self, panel_id: str, action_id: str) -> None:
        if not self._forward("panel_action", panel_id, action_id) and action_id not in self.LOCAL_PANEL_ACTIONS:
            self._notice(f"the assistant cannot handle '{action_id}' yet")

    def cancel_item(self, kind: str, item_id: str) -> None:
        if not self._forward("cancel_item", kind, item_id):
            self._notice(f"cannot cancel that {kind} yet")

    def _forward(self, method: str, *args: Any) -> bool:
        """Call runner.<method>(*args) if there is a runner with that method; False otherwise."""
        with self._lock:
            runner = self._runner
        target = getattr(runner, method, None) if runner is not None else None
        if target is None:
            return False
        target(*args)
        return True

    def _notice(self, message: str) -> None:
        with self._lock:
            runner = self._runner
        self._sink(events.Notice(t_ms=getattr(runner, "now_ms", 0) if runner is not None else 0, message=message))

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        """Begin loading in the background; returns at once so the window can show."""
        self._thread = threading.Thread(target=self._main, name="presence-session", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop the runner, wait for its thread (which closes the devices)."""
        self._stop.set()
        with self._lock:
            runner = self._runner
        if runner is not None:
            runner.stop()
        self.wait(timeout_s)

    def wait(self, timeout_s: float | None = None) -> bool:
        """Wait for the session thread to end; True if it has."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout_s)
        return not thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # --- the session thread -----------------------------------------------------------------
    def _status(self, text: str, t_ms: int = 0) -> None:
        self._sink(events.State(t_ms=t_ms, state=text))

    def _error(self, source: str, exc: BaseException, t_ms: int = 0) -> None:
        self.failed = True
        self._sink(events.Error(t_ms=t_ms, source=source, message=one_line(exc)))

    def _load_models(self) -> Any:
        if self._load is not default_loader:
            return self._load()

        def fallback(exc: Exception) -> None:
            self._sink(events.BackendFallback(message=one_line(exc)))

        return default_loader(self._settings, fallback, on_progress=self._status)  # the state label shows it

    def _main(self) -> None:
        self._status(LOADING)
        try:
            models = self._load_models()
        except Exception as exc:  # ModelMissing, ModelLoadError, anything: one visible line
            self._error("models", exc)
            self._status(STOPPED)
            return
        if self._stop.is_set():
            return
        self._status(OPENING)
        try:
            mic, speaker = self._open_devices()
        except Exception as exc:  # AudioDeviceError and friends
            self._error("audio", exc)
            self._status(STOPPED)
            return
        try:
            self._run(models, mic, speaker)
        finally:
            for device in (mic, speaker):
                close = getattr(device, "close", None)
                if close is not None:
                    with contextlib.suppress(Exception):  # a failing close must not hide the real error
                        close()

    def _run(self, models: Any, mic: Any, speaker: Any) -> None:
        from presence.runtime.build import build_app
        from presence.runtime.executor import ThreadExecutor

        try:
            for device in (mic, speaker):  # open now so a bad device fails before "listening"
                start = getattr(device, "start", None)
                if start is not None:
                    start()
        except Exception as exc:
            self._error("audio", exc)
            self._status(STOPPED)
            return
        executor = self._make_executor() if self._make_executor else ThreadExecutor()
        screen = None
        if self._open_screen is not None:
            try:
                screen = self._open_screen()  # capture stays off until a watch or push-to-observe needs it
            except Exception as exc:
                self._error("screen", exc)
        runner = build_app(models, mic, speaker, executor, self._sink, screen=screen, user_settings=self._settings)
        if self._recall:  # first on the inference worker, so before any reply
            executor.submit(lambda _tok: remember(runner.engine, self._recall), 0, name="recall")
        with self._lock:
            self._runner = runner
            runner.set_muted(self._muted)
            if self._screen_paused and hasattr(runner, "set_screen_paused"):
                runner.set_screen_paused(True)
            if self._settings is not None and hasattr(runner, "apply_settings"):
                runner.apply_settings(self._settings)
            for text in self._pending_text:
                runner.submit_text(text)
            self._pending_text.clear()
        if self._stop.is_set():
            runner.close_workers()
            executor.close()
            return
        try:
            runner.run()
        except Exception as exc:  # e.g. the microphone was unplugged mid-conversation
            self._error("runner", exc, runner.now_ms)
        finally:
            close_workers = getattr(runner, "close_workers", None)  # background desk, screen reader
            if close_workers is not None:
                with contextlib.suppress(Exception):  # closing must not hide the real error
                    close_workers()
            executor.close()
        self._status(STOPPED, runner.now_ms)
