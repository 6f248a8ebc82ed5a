"""The "Redact sensitive text" setting (screen_redaction): ScreenWatcher.set_redaction really switches
masking of secrets in OCR text, window titles and watch alerts (fake OCR reading drawn scenes)."""

from __future__ import annotations

from screen_frames import Scene, SceneOcr

from presence.core.ports import ScreenFrame, WindowInfo
from presence.screen.privacy import KEY_MASK, SECRET_MASK
from presence.screen.reader import InlineReader
from presence.screen.watch import ScreenAlert, ScreenRead, ScreenWatcher, parse_watch_request
from presence.settings.schema import Settings

KEY = "sk-proj-abcdefghijklmnop1234"
TOKEN = "ghp_abcdefghijklmnopqrstuvwx1234"
LINES = ["$ cat .env", f"OPENAI_API_KEY {KEY}", "password: hunter2", "Deploy finished"]
TITLES = (WindowInfo(f"Editor - {TOKEN}", (0, 0, 600, 400), active=True), WindowInfo("Terminal", (0, 0, 40, 40)))


def _read(watcher: ScreenWatcher, ocr: SceneOcr, scene: Scene, now_ms: int = 1000) -> ScreenRead:
    """Push-to-observe: read the whole frame; the fake OCR answers at once."""
    frame = ScreenFrame(now_ms, ocr.add(scene), windows=TITLES)
    watcher.request_read()
    reads = [e for e in watcher.observe(frame, now_ms) if isinstance(e, ScreenRead)]
    assert len(reads) == 1
    return reads[0]


def test_redaction_is_on_by_default_and_masks_text_and_titles():
    assert Settings.defaults()["screen_redaction"] is True
    ocr = SceneOcr()
    watcher = ScreenWatcher(InlineReader(ocr, instant=True))
    assert watcher.redaction
    state = _read(watcher, ocr, Scene(LINES)).state
    text = state.context_text()
    assert KEY not in text and "hunter2" not in text and TOKEN not in text
    assert f"OPENAI_API_KEY {KEY_MASK}" in text and f"password: {SECRET_MASK}" in text
    assert state.active_title == f"Editor - {KEY_MASK}"
    assert "Deploy finished" in text  # ordinary text is untouched


def test_with_redaction_off_secrets_are_read_as_they_are():
    ocr = SceneOcr()
    watcher = ScreenWatcher(InlineReader(ocr, instant=True))
    watcher.set_redaction(False)
    state = _read(watcher, ocr, Scene(LINES)).state
    text = state.context_text()
    assert f"OPENAI_API_KEY {KEY}" in text and "password: hunter2" in text
    assert state.active_title == f"Editor - {TOKEN}"
    assert KEY_MASK not in text and SECRET_MASK not in text


def test_turning_redaction_back_on_masks_what_was_read_without_it():
    ocr = SceneOcr()
    watcher = ScreenWatcher(InlineReader(ocr, instant=True), redaction=False)
    _read(watcher, ocr, Scene(LINES))
    assert KEY in watcher.state().text()
    watcher.set_redaction(True)
    state = watcher.state()
    assert KEY not in state.context_text() and "hunter2" not in state.text() and TOKEN not in state.context_text()


def test_a_read_in_flight_when_redaction_goes_on_is_masked_on_arrival():
    """The OCR ran with redaction off; the result is taken in after the user turned it on."""
    ocr = SceneOcr()
    reader = InlineReader(ocr)  # releases a result only after its measured compute time
    watcher = ScreenWatcher(reader, redaction=False)
    frame = ScreenFrame(1000, ocr.add(Scene(LINES)), windows=TITLES)
    watcher.request_read()
    assert watcher.observe(frame, 1000) == [] and reader.busy
    watcher.set_redaction(True)
    reads = [e for e in watcher.observe(None, 60_000) if isinstance(e, ScreenRead)]
    assert len(reads) == 1
    text = reads[0].state.context_text()
    assert KEY not in text and "hunter2" not in text and f"password: {SECRET_MASK}" in text


def _alert(redaction: bool) -> ScreenAlert:
    base = ["$ make deploy", "uploading ..."]
    ocr = SceneOcr()
    watcher = ScreenWatcher(InlineReader(ocr, instant=True), redaction=redaction)
    before, after = ocr.add(Scene(base)), ocr.add(Scene([*base, f"error: auth failed for token={KEY}"]))
    watcher.add_watch(parse_watch_request("Keep an eye on my screen and tell me if the deploy fails."), 200)
    alerts: list[ScreenAlert] = []
    for now in range(200, 4001, 200):
        pixels = before if now < 2000 else after
        alerts += [e for e in watcher.observe(ScreenFrame(now, pixels), now) if isinstance(e, ScreenAlert)]
    assert len(alerts) == 1
    return alerts[0]


def test_watch_alerts_follow_the_switch():
    assert KEY not in _alert(redaction=True).text
    assert KEY in _alert(redaction=False).text
