"""Generated panels in the real window: every node type renders as a native widget, updates change
one widget in place, bad specs become a visible error line, and clicks reach the controller."""

from __future__ import annotations

import copy

import pytest
from fakes_for_gui import FakeController, needs_display
from helpers import ONE_OF_EACH

from presence.core import events

pytestmark = [pytest.mark.gui, needs_display]


@pytest.fixture
def ui(qtbot):
    from presence.gui.window import MainWindow

    controller = FakeController()
    window = MainWindow(controller)
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    return window, controller


def show(window, panel: dict, t_ms: int = 1000):
    """Deliver a panel event and let Qt lay it out (a button of height 0 cannot be clicked)."""
    from PySide6.QtWidgets import QApplication

    window.handle_event(events.Panel(t_ms=t_ms, panel=panel))
    for _ in range(3):
        QApplication.processEvents()
    return window.panels.views.get(panel.get("id")) if isinstance(panel, dict) else None


def update(window, panel_id: str, node_id: str, changes: dict) -> None:
    window.handle_event(events.PanelUpdate(t_ms=2000, panel_id=panel_id, node_id=node_id, changes=changes))


def test_every_node_type_renders_as_a_native_widget(ui):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QFrame, QLabel, QPlainTextEdit, QPushButton, QTableWidget

    window, _ = ui
    view = show(window, ONE_OF_EACH)
    assert view is not None and window.error_label.isHidden()
    assert window.side.isVisible() and view.isVisible()
    w = view.widgets
    assert isinstance(w["t"], QLabel) and w["t"].text() == "hello" and w["t"].font().bold()
    assert w["t"].textFormat() == Qt.TextFormat.PlainText
    assert isinstance(w["md"], QLabel) and "bold" in w["md"].text() and "**" not in w["md"].text()
    assert w["kv"].form.rowCount() == 1
    assert w["ls"].text() == "1. x\n2. y"
    table = w["tb"]
    assert isinstance(table, QTableWidget)
    assert (table.rowCount(), table.columnCount()) == (2, 2)
    assert table.horizontalHeaderItem(1).text() == "c2" and table.item(1, 0).text() == "3"
    assert isinstance(w["cd"], QPlainTextEdit) and w["cd"].toPlainText() == "print(1)" and w["cd"].isReadOnly()
    assert "screen region 30×40" in w["im"].text() and "not available" in w["im"].text()  # no capture source
    assert w["pg"].bar.value() == 400 and w["pg"].label.text() == "working"
    assert isinstance(w["b1"], QPushButton) and w["b1"].text() == "Copy"
    assert view.findChildren(QFrame, "panel-node-divider")
    assert w["rw"].layout().count() == 3  # two buttons and a stretch
    assert view.title_label.text() == "Everything"


def test_image_node_shows_the_injected_screen_region(qtbot):
    from PySide6.QtGui import QImage

    from presence.gui.window import MainWindow

    asked = []

    def region_image(region, t_ms):
        asked.append((region.x, region.y, region.width, region.height, t_ms))
        image = QImage(region.width, region.height, QImage.Format.Format_RGB32)
        image.fill(0x336699)
        return image

    window = MainWindow(region_image=region_image)
    qtbot.addWidget(window)
    view = show(window, ONE_OF_EACH)
    assert asked == [(1, 2, 30, 40, None)]
    pixmap = view.widgets["im"].pixmap()
    assert not pixmap.isNull() and pixmap.deviceIndependentSize().width() == 30


def test_update_changes_one_node_in_place(ui):
    window, _ = ui
    view = show(window, ONE_OF_EACH)
    label, bar_widget, table = view.widgets["t"], view.widgets["pg"], view.widgets["tb"]
    others = {k: v for k, v in view.widgets.items() if k != "t"}
    for left in ("3:00 left", "2:59 left", "2:58 left"):  # a countdown
        update(window, "all", "t", {"text": left})
        assert view.widgets["t"] is label and label.text() == left
    update(window, "all", "pg", {"value": 90, "label": "nearly"})
    assert view.widgets["pg"] is bar_widget and bar_widget.bar.value() == 900 and bar_widget.label.text() == "nearly"
    update(window, "all", "tb", {"rows": [["a", "b"], ["c", "d"], ["e", "f"]]})
    assert view.widgets["tb"] is table and table.rowCount() == 3 and table.item(2, 1).text() == "f"
    assert window.panels.views["all"] is view  # the panel was not rebuilt
    assert all(view.widgets[k] is v for k, v in others.items())
    assert window.error_label.isHidden()


def test_bad_updates_are_visible_and_stale_ones_are_dropped(ui):
    window, _ = ui
    view = show(window, ONE_OF_EACH)
    update(window, "all", "t", {"text": "x" * 5000})
    assert window.error_label.isVisible() and "panel update rejected" in window.error_label.text()
    assert view.widgets["t"].text() == "hello"  # unchanged
    window.error_label.hide()
    update(window, "closed-long-ago", "t", {"text": "late"})  # the user dismissed it: no error
    assert window.error_label.isHidden()


@pytest.mark.parametrize(("spec", "reason"), [
    ({"id": "p", "root": {"type": "script", "text": "alert(1)"}}, "unknown node type"),
    ({"id": "p", "root": {"type": "column", "children": [{"type": "text", "text": "x"}] * 10_000}}, "too many nodes"),
    ({"id": "p", "root": {"type": "text", "text": "x" * 100_000}}, "too long"),
    ({"id": "p", "root": {"type": "button", "label": "Go", "action": "open_url"}}, "action not allowed"),
    ({"root": {"type": "text", "text": "no id"}}, "id"),
    ("{definitely not json", "not valid JSON"),
    (None, "invalid panel"),
])
def test_rejected_specs_show_a_visible_error_and_draw_nothing(ui, spec, reason):
    window, _ = ui
    window.handle_event(events.Panel(t_ms=1000, panel=spec))
    assert window.error_label.isVisible()
    assert "panel rejected" in window.error_label.text() and reason in window.error_label.text()
    assert window.panels.views == {}
    window.handle_event(events.UserText(t_ms=1200, text="still alive"))  # the window carries on
    assert window.transcript_lines()[-1].endswith("You: still alive")


def test_hostile_text_is_shown_literally(ui):
    from PySide6.QtCore import Qt

    window, _ = ui
    evil = "<script>alert(1)</script><b>bold</b><img src=x onerror=alert(2)>"
    panel = {"id": "evil", "title": "<i>title</i>", "root": {"type": "column", "children": [
        {"type": "text", "id": "t", "text": evil},
        {"type": "markdown", "id": "md", "text": evil + " [click](javascript:alert(3)) ![x](file:///etc/passwd)"},
        {"type": "code", "id": "c", "text": evil},
        {"type": "list", "id": "l", "items": [evil]},
        {"type": "table", "id": "tb", "rows": [[evil]]},
        {"type": "button", "id": "b", "label": "&Delete & <b>run</b>", "action": "dismiss"}]}}
    view = show(window, panel)
    w = view.widgets
    assert w["t"].text() == evil and w["t"].textFormat() == Qt.TextFormat.PlainText
    assert view.title_label.text() == "<i>title</i>" and view.title_label.textFormat() == Qt.TextFormat.PlainText
    html = w["md"].text()
    assert "&lt;script&gt;" in html and "<script" not in html and "<img" not in html
    assert "href" not in html and "javascript" not in html and "/etc/passwd" not in html
    assert w["md"].openExternalLinks() is False
    assert w["c"].toPlainText() == evil
    assert evil in w["l"].text() and w["l"].textFormat() == Qt.TextFormat.PlainText
    assert w["tb"].item(0, 0).text() == evil
    assert w["b"].text() == "&&Delete && <b>run</b>"  # no keyboard mnemonic smuggled in


def test_button_clicks_reach_the_controller(ui, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    window, controller = ui
    view = show(window, ONE_OF_EACH)
    qtbot.mouseClick(view.widgets["b2"], Qt.MouseButton.LeftButton)
    assert controller.of("panel_action") == [("all", "cancel_task")]
    qtbot.mouseClick(view.widgets["b1"], Qt.MouseButton.LeftButton)
    assert controller.of("panel_action")[-1] == ("all", "copy_text")
    assert QGuiApplication.clipboard().text() == "print(1)"
    update(window, "all", "b2", {"label": "Stop watching", "action": "stop_watch"})  # updated buttons act anew
    qtbot.mouseClick(view.widgets["b2"], Qt.MouseButton.LeftButton)
    assert controller.of("panel_action")[-1] == ("all", "stop_watch")


def test_dismiss_close_and_open_settings(ui, qtbot):
    from PySide6.QtCore import Qt

    window, controller = ui
    panel = {"id": "p1", "root": {"type": "row", "children": [
        {"type": "button", "id": "s", "label": "Settings", "action": "open_settings"},
        {"type": "button", "id": "d", "label": "OK", "action": "dismiss"}]}}
    view = show(window, panel)
    with qtbot.waitSignal(window.settings_requested, timeout=1000):
        qtbot.mouseClick(view.widgets["s"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.widgets["d"], Qt.MouseButton.LeftButton)
    assert "p1" not in window.panels.views
    assert controller.of("panel_action") == [("p1", "open_settings"), ("p1", "dismiss")]
    view = show(window, {**panel, "id": "p2"})
    qtbot.mouseClick(view.close_button, Qt.MouseButton.LeftButton)
    assert window.panels.views == {} and controller.of("panel_action")[-1] == ("p2", "dismiss")
    assert not window.side.isVisible()  # nothing left to show beside the transcript


def test_same_id_replaces_close_removes_and_old_panels_make_room(ui):
    window, _ = ui
    first = show(window, ONE_OF_EACH)
    changed = copy.deepcopy(ONE_OF_EACH)
    changed["title"] = "Replaced"
    second = show(window, changed)
    assert second is not first and list(window.panels.views) == ["all"]
    assert second.title_label.text() == "Replaced"
    window.handle_event(events.PanelClose(t_ms=3000, panel_id="all"))
    assert window.panels.views == {}
    from presence.gui.panels import MAX_OPEN_PANELS

    for i in range(MAX_OPEN_PANELS + 3):
        show(window, {"id": f"p{i}", "root": {"type": "text", "text": str(i)}})
    assert list(window.panels.views) == [f"p{i}" for i in range(3, MAX_OPEN_PANELS + 3)]
