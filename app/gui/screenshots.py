"""Screenshots for the docs: the main window with a panel, one panel alone, the settings dialog, the
first-run welcome.

    python -m presence.gui.screenshots docs/      (needs a display: Xvfb or QT_QPA_PLATFORM=offscreen)

The same sample conversation and panel are used by the tests (which save them as artifacts), so
the pictures in docs/ show what the tests check.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from presence.core import events

SAMPLE_PANEL: dict[str, Any] = {
    "id": "trip", "title": "Trip to Lyon",
    "root": {"type": "column", "children": [
        {"type": "text", "text": "Train options for Saturday", "style": "title"},
        {"type": "markdown", "text": "Cheapest is **TGV 6603**; the `08:04` is *direct*. <b>not bold</b>"},
        {"type": "kv", "items": [{"key": "From", "value": "Paris Gare de Lyon"},
                                 {"key": "To", "value": "Lyon Part-Dieu"}]},
        {"type": "table", "columns": ["Train", "Departs", "Price"],
         "rows": [["TGV 6603", "08:04", "€39"], ["TGV 6611", "10:00", "€55"], ["Ouigo 7805", "12:52", "€25"]]},
        {"type": "list", "items": ["Bring the rail card", "Seat 42, coach 7"]},
        {"type": "progress", "id": "booking", "value": 60, "label": "Checking seats…"},
        {"type": "code", "id": "ref", "text": "BOOKING-REF: QX7-PL2", "language": "text"},
        {"type": "image", "region": {"x": 0, "y": 0, "width": 320, "height": 90}, "alt": "the booking page"},
        {"type": "divider"},
        {"type": "row", "children": [
            {"type": "button", "label": "Copy reference", "action": "copy_text", "target": "ref"},
            {"type": "button", "label": "Stop", "action": "cancel_task"},
            {"type": "button", "label": "Dismiss", "action": "dismiss"}]},
    ]},
}

SAMPLE_EVENTS: list[events.Event] = [
    events.State(t_ms=200, state="listening"),
    events.ScreenCapture(t_ms=200, enabled=True),
    events.UserText(t_ms=3400, text="Find me a train to Lyon on Saturday morning.", reply_id=1),
    events.AssistantText(t_ms=4200, text="Looking now; the options are on the right.", reply_id=1),
    events.UserText(t_ms=9000, text="And set a tea timer for four minutes.", reply_id=2),
    events.ToolCall(t_ms=9800, tool="timer", seconds=240, due_ms=249_000, id="t1"),
    events.AssistantText(t_ms=9800, text="Tea timer set for four minutes. I'll tell you when it's time.", reply_id=2),
    events.BargeIn(t_ms=12000, reply_id=2, heard="Tea timer set for four minutes.",
                   cut="I'll tell you when it's time."),
    events.ToolCall(t_ms=12400, tool="cue_watch", word="coffee", repeat=False, id="w1"),
    events.UserText(t_ms=12600, text="What's that error on my screen?", reply_id=3),
    events.ScreenRead(t_ms=13400, text="It says: build failed, test_window.py line 12.", frame_t_ms=12800,
                      window="Terminal"),
    events.AssistantText(t_ms=13400, text="Um.", reply_id=0),
    events.AssistantText(t_ms=13800, text="The build failed at line 12 of test_window.py.", reply_id=3),
    events.Task(t_ms=12600, task_id="trip", title="Searching trains", status="running", progress=0.6),
    events.Panel(t_ms=13000, panel=SAMPLE_PANEL),
    events.State(t_ms=13200, state="speaking"),
    events.Level(t_ms=13200, rms=0.05),
]


def sample_region_image(region: Any, t_ms: int | None) -> Any:
    """A stand-in for a captured screen region: a gradient with a caption."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter

    image = QImage(region.width, region.height, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    gradient = QLinearGradient(0, 0, region.width, region.height)
    gradient.setColorAt(0, QColor("#1857b6"))
    gradient.setColorAt(1, QColor("#46e0b0"))
    painter.fillRect(image.rect(), gradient)
    painter.setPen(QColor("white"))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, "screen region (sample)")
    painter.end()
    return image


def save_screenshots(out: Path) -> list[Path]:
    """Render the sample window, panel and settings dialog and save them as PNGs in `out`."""
    from PySide6.QtWidgets import QApplication

    from presence.gui.settings_dialog import SettingsDialog
    from presence.gui.welcome import WelcomeDialog
    from presence.gui.window import MainWindow
    from presence.settings.schema import Settings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    out.mkdir(parents=True, exist_ok=True)
    window = MainWindow(region_image=sample_region_image)
    window.resize(1280, 800)
    window.show()
    for event in SAMPLE_EVENTS:
        window.handle_event(event)
    window.activity.set_now(60_000)
    for _ in range(5):
        app.processEvents()
    paths = [out / "main_window.png", out / "panel.png", out / "settings.png", out / "welcome.png"]
    window.grab().save(str(paths[0]))
    window.panels.views["trip"].grab().save(str(paths[1]))
    settings = Settings.defaults().replace({"fg_backend": "server", "fg_server_model": "qwen2.5-7b-instruct"})
    dialog = SettingsDialog(settings, window, list_devices=lambda kind: [f"Built-in {kind}"],
                            test_output=lambda device: "ok", test_input=lambda device: "ok",
                            test_llm=lambda config: "ok", preview_voice=lambda speed, device: "ok")
    dialog.tabs.setCurrentIndex(0)  # Sound and voice: devices, speed and its Preview
    dialog.show()
    for _ in range(5):
        app.processEvents()
    dialog.grab().save(str(paths[2]))
    dialog.close()
    welcome = WelcomeDialog(checks=[], parent=window, play_phrase=lambda: "")
    welcome.show()
    welcome.start()  # the microphone step, as it looks while the user says hello
    welcome.handle_event(events.State(t_ms=200, state="listening"))
    welcome.handle_event(events.Level(t_ms=400, rms=0.06))
    welcome.handle_event(events.UserText(t_ms=1400, text="Hello there.", reply_id=1))
    for _ in range(5):
        app.processEvents()
    welcome.grab().save(str(paths[3]))
    welcome.close()
    window.close()
    return paths


if __name__ == "__main__":
    for path in save_screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")):
        print(path)
