"""The generated settings dialog: every setting changed through its widget, saved, the app
restarted from disk with the values intact; Test buttons; dependent fields; a damaged file."""

from __future__ import annotations

from typing import Any

import pytest
from fakes_for_gui import needs_display

pytestmark = [pytest.mark.gui, needs_display]

def set_through_widget(editor) -> Any:
    """Give one setting a non-default value through its own widget; returns the value to expect."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QLineEdit

    s, w = editor.setting, editor.widget
    if s.kind == "bool":
        w.setChecked(not s.default)
        return not s.default
    if s.kind in ("int", "float"):
        step = s.step or 1
        value = s.default + step if s.maximum is None or s.default + step <= s.maximum else s.default - step
        value = int(value) if s.kind == "int" else round(value, 2)
        w.setValue(value)
        return value
    if s.kind in ("choice", "device"):
        index = next(i for i in range(w.count()) if w.itemData(i) != s.default)
        w.setCurrentIndex(index)
        return w.itemData(index)
    if s.kind == "list":
        w.setPlainText("Bank\n\nMail  ")
        return ("Bank", "Mail")
    if s.kind == "hotkey":
        keys = {"hotkey_observe": ("Ctrl+Alt+P", "ctrl+alt+p"), "hotkey_mute": ("Ctrl+Shift+M", "ctrl+shift+m")}
        qt, ours = keys.get(s.key, ("Ctrl+Alt+F9", "ctrl+alt+f9"))
        w.setKeySequence(QKeySequence(qt))
        return ours
    line = w if isinstance(w, QLineEdit) else w.findChild(QLineEdit)
    value = f"/data/{s.key}.gguf" if s.kind == "path" else f"value-{s.key}"
    line.setText(value)
    return value


def test_change_every_setting_save_restart_and_values_persist(make_shell, qtbot, private_config):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialogButtonBox

    from presence.settings.schema import SCHEMA

    shell, controller = make_shell()
    shell.open_settings()
    dialog = shell.settings_dialog
    assert dialog is not None and dialog.isVisible()
    shown = [s for s in SCHEMA if not s.hidden]
    assert set(dialog.editors) == {s.key for s in shown}
    expected = {key: set_through_widget(editor) for key, editor in dialog.editors.items()}
    for key, value in expected.items():
        assert value != next(s.default for s in shown if s.key == key) or isinstance(value, tuple), key
    qtbot.mouseClick(dialog.button_box.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert shell.settings_dialog is None
    assert (private_config / "settings.json").exists()
    applied = controller.of("apply_settings")[-1][0]  # applied live, too
    assert applied["voice_speed"] == expected["voice_speed"]
    assert shell.window.observe_shortcut.key().toString() == "Ctrl+Alt+P"

    restarted, _ = make_shell()  # a new window and shell, settings read back from disk
    for key, value in expected.items():
        assert restarted.settings[key] == value, key
    restarted.open_settings()
    for key, editor in restarted.settings_dialog.editors.items():
        got = editor.get()
        assert (tuple(got) if isinstance(got, list) else got) == expected[key], key
    restarted.settings_dialog.reject()


def test_cancel_changes_nothing(make_shell, private_config):
    shell, _ = make_shell()
    shell.open_settings()
    shell.settings_dialog.editors["voice_speed"].set(1.7)
    shell.settings_dialog.reject()
    assert shell.settings["voice_speed"] == 1.0 and not (private_config / "settings.json").exists()


def test_test_buttons_run_off_the_gui_thread_and_report(make_shell, qtbot):
    from PySide6.QtCore import Qt

    calls: list = []
    shell, _ = make_shell(calls=calls)
    shell.open_settings()
    dialog = shell.settings_dialog
    dialog.editors["input_device"].set("Mic B")
    qtbot.mouseClick(dialog.test_buttons["input_device"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_results["input_device"].text() == "Heard -23 dBFS.", timeout=3000)
    qtbot.mouseClick(dialog.test_buttons["output_device"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Played a tone on default" in dialog.test_results["output_device"].text(), timeout=3000)
    assert ("in", "Mic B") in calls and ("out", "") in calls

    dialog.editors["fg_backend"].set("server")
    dialog.editors["fg_server_url"].set("http://unreachable.invalid/v1")
    qtbot.mouseClick(dialog.test_buttons["fg"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_results["fg"].text().startswith("Failed: cannot reach"), timeout=3000)
    assert "\n" not in dialog.test_results["fg"].text()
    assert dialog.test_buttons["fg"].isEnabled()
    qtbot.mouseClick(dialog.test_buttons["bg"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_results["bg"].text() == "Connected (embedded).", timeout=3000)
    assert calls[-1] == ("llm", {"backend": "embedded", "server_url": "http://127.0.0.1:8080/v1", "server_model": "",
                                 "server_key": "", "gguf_path": ""})
    dialog.reject()


def test_dependent_fields_enable_with_their_switch(make_shell):
    shell, _ = make_shell()
    shell.open_settings()
    e = shell.settings_dialog.editors
    assert not e["fg_server_url"].widget.isEnabled() and not e["fg_gguf_path"].widget.isEnabled()
    e["fg_backend"].set("server")
    assert e["fg_server_url"].widget.isEnabled() and not e["fg_gguf_path"].widget.isEnabled()
    e["fg_backend"].set("gguf")
    assert e["fg_gguf_path"].widget.isEnabled() and not e["fg_server_key"].widget.isEnabled()
    assert not e["screen_fps"].widget.isEnabled()
    e["screen_capture_enabled"].widget.click()
    assert e["screen_fps"].widget.isEnabled()
    shell.settings_dialog.reject()


def test_invalid_value_keeps_the_dialog_open_and_restore_defaults(make_shell, qtbot):
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QDialogButtonBox

    shell, _ = make_shell()
    shell.open_settings()
    dialog = shell.settings_dialog
    dialog.editors["hotkey_observe"].widget.setKeySequence(QKeySequence("Ctrl+Alt+Media Play"))
    dialog.accept()
    assert dialog.isVisible() and "Shortcut: look at the screen" in dialog.message_label.text()
    dialog.editors["voice_speed"].set(1.9)
    dialog.button_box.button(QDialogButtonBox.StandardButton.RestoreDefaults).click()
    assert dialog.editors["voice_speed"].get() == 1.0 and dialog.editors["hotkey_observe"].get() == "ctrl+alt+o"
    dialog.accept()
    assert not dialog.isVisible()


def test_corrupt_settings_file_is_moved_aside_with_a_visible_message(make_shell, private_config):
    private_config.mkdir(parents=True)
    (private_config / "settings.json").write_text('{"version": 2, "settings": {"voice_speed": ')
    shell, _ = make_shell()
    assert shell.settings["voice_speed"] == 1.0  # defaults
    aside = [p.name for p in private_config.iterdir() if p.name.startswith("settings.json.corrupt-")]
    assert len(aside) == 1 and not (private_config / "settings.json").exists()
    text = shell.window.error_label.text()
    assert shell.window.error_label.isVisibleTo(shell.window) and "damaged" in text and aside[0] in text


def test_autostart_setting_writes_the_entry(make_shell):
    from presence.settings.autostart import autostart_enabled

    shell, _ = make_shell()
    assert not autostart_enabled()
    shell.save(shell.settings.replace({"autostart": True}))
    assert autostart_enabled()
    shell.save(shell.settings.replace({"autostart": False}))
    assert not autostart_enabled()


def test_device_and_model_changes_say_they_apply_at_next_start(make_shell):
    shell, _ = make_shell()
    shell.save(shell.settings.replace({"voice_speed": 1.1}))
    assert "next starts" not in shell.window.statusBar().currentMessage()
    shell.save(shell.settings.replace({"input_device": "Mic B"}))
    assert "next starts" in shell.window.statusBar().currentMessage()


def test_plain_settings_in_five_tabs_with_help_under_each_and_a_voice_preview(make_shell, qtbot):
    from PySide6.QtCore import Qt

    from presence.settings.schema import BY_KEY

    calls: list = []
    shell, controller = make_shell(calls=calls)
    shell.open_settings()
    dialog = shell.settings_dialog
    qtbot.waitExposed(dialog)
    tabs = dialog.tabs
    assert tabs.count() <= 5
    bar = tabs.tabBar()
    assert bar.tabRect(bar.count() - 1).right() <= bar.width()  # no tab hidden behind scroll arrows
    for key, help_label in dialog.help_labels.items():  # a line of help under every setting
        assert help_label.text() == BY_KEY[key].help and not help_label.isHidden(), key
    labels = " ".join(BY_KEY[key].label for key in dialog.editors)
    for jargon in ("GGUF", "Barge-in", "Backchannel", "Foreground", "Redact"):
        assert jargon not in labels
    dialog.editors["voice_speed"].set(1.4)
    dialog.editors["output_device"].set("Speaker B")
    qtbot.mouseClick(dialog.test_buttons["voice_speed"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_results["voice_speed"].text() == "Said a test sentence at speed 1.4.",
                    timeout=3000)
    assert ("voice", 1.4, "Speaker B") in calls  # the speed as set now, before Save
    assert controller.of("set_muted") == [(True,), (False,)]  # the microphone does not hear the preview
    assert shell.settings["voice_speed"] == 1.0
    dialog.reject()
