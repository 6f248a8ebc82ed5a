"""The settings dialog, generated from presence.settings.schema: one tab per group, one editor per kind.

Each setting shows its plain-language label and, under it, its one-line help; a tab scrolls when
it is taller than the dialog, so nothing is cut off on a small screen. Nothing here knows
individual settings except where a Test or Preview button belongs (devices, models, voice speed);
adding a setting to the schema adds it to the dialog. The Test buttons run injected callables
(the real ones play a tone, record a second, query a server) on a worker thread, so a slow device
or an unreachable server never freezes the dialog, and tests inject instant fakes.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpacerItem,
    QSpinBox,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from presence.gui.theme import em, error_colour
from presence.settings.schema import GROUPS, SCHEMA, Setting, Settings, hotkey_from_qt, hotkey_to_qt

Probe = Callable[..., str]  # returns one line on success, raises with one line on failure
GGUF_FILTER = "GGUF models (*.gguf);;All files (*)"
LLM_FIELDS = ("backend", "server_url", "server_model", "server_key", "gguf_path")


@dataclass
class Editor:
    """One setting's widget with a uniform get/set, so the dialog can treat all kinds alike."""

    setting: Setting
    widget: QWidget  # what goes into the form
    get: Callable[[], Any]
    set: Callable[[Any], None]
    changed: Any  # a signal fired on every edit


def make_editor(setting: Setting, devices: Callable[[str], list[str]] | None) -> Editor:
    kind = setting.kind
    if kind == "bool":
        box = QCheckBox(setting.label)
        return Editor(setting, box, box.isChecked, box.setChecked, box.toggled)
    if kind == "int":
        spin = QSpinBox()
        spin.setRange(int(setting.minimum or 0), int(setting.maximum if setting.maximum is not None else 10**6))
        spin.setSingleStep(int(setting.step or 1))
        return Editor(setting, spin, spin.value, spin.setValue, spin.valueChanged)
    if kind == "float":
        dspin = QDoubleSpinBox()
        dspin.setDecimals(2)
        dspin.setRange(setting.minimum or 0.0, setting.maximum if setting.maximum is not None else 1e6)
        dspin.setSingleStep(setting.step or 0.1)
        return Editor(setting, dspin, lambda: round(dspin.value(), 2), dspin.setValue, dspin.valueChanged)
    if kind in ("choice", "device"):
        return _combo(setting, devices)
    if kind == "list":
        text = QPlainTextEdit()
        text.setTabChangesFocus(True)
        text.setFixedHeight(em(text, 5))
        return Editor(setting, text, lambda: [line for line in text.toPlainText().splitlines() if line.strip()],
                      lambda v: text.setPlainText("\n".join(v)), text.textChanged)
    if kind == "hotkey":
        keys = QKeySequenceEdit()
        keys.setMaximumSequenceLength(1)
        keys.setClearButtonEnabled(True)
        return Editor(setting, keys,
                      lambda: hotkey_from_qt(keys.keySequence().toString(QKeySequence.SequenceFormat.PortableText)),
                      lambda v: keys.setKeySequence(QKeySequence(hotkey_to_qt(v))), keys.keySequenceChanged)
    line = QLineEdit()
    if kind == "secret":
        line.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
    if kind != "path":
        return Editor(setting, line, line.text, line.setText, line.textChanged)
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    browse = QToolButton()
    browse.setText("Browse…")
    browse.setAccessibleName(f"Browse for {setting.label}")
    folder = setting.key.endswith("_dir")

    def pick() -> None:
        if folder:
            chosen = QFileDialog.getExistingDirectory(row, setting.label, line.text())
        else:
            chosen, _ = QFileDialog.getOpenFileName(row, setting.label, line.text(), GGUF_FILTER)
        if chosen:
            line.setText(chosen)

    browse.clicked.connect(pick)
    layout.addWidget(line, 1)
    layout.addWidget(browse)
    row.setFocusProxy(line)
    return Editor(setting, row, line.text, line.setText, line.textChanged)


def _combo(setting: Setting, devices: Callable[[str], list[str]] | None) -> Editor:
    combo = QComboBox()
    if setting.kind == "device":
        combo.addItem("System default", "")
        for name in devices("input" if setting.key.startswith("input") else "output") if devices else []:
            combo.addItem(name, name)
    else:
        for value, label in setting.choices:
            combo.addItem(label, value)

    def set_value(value: Any) -> None:
        index = combo.findData(value)
        if index < 0:  # a device that is not plugged in now: keep it selectable
            combo.addItem(f"{value} (not connected)", value)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    return Editor(setting, combo, combo.currentData, set_value, combo.currentIndexChanged)


class _Relay(QObject):
    """Carries a worker thread's result to the GUI thread (queued signal)."""

    done = Signal(object)  # (test name, one line, ok)


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None, *,
                 list_devices: Callable[[str], list[str]] | None = None, test_output: Probe | None = None,
                 test_input: Probe | None = None, test_llm: Probe | None = None,
                 preview_voice: Probe | None = None, messages: list[str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Presence settings")
        self.original = settings
        self.editors: dict[str, Editor] = {}
        self.test_buttons: dict[str, QPushButton] = {}
        self.test_results: dict[str, QLabel] = {}
        self.help_labels: dict[str, QLabel] = {}
        self._probes = {"output_device": test_output, "input_device": test_input, "fg": test_llm, "bg": test_llm,
                        "voice_speed": preview_voice}
        self._relay = _Relay(self)
        self._relay.done.connect(self._test_done, Qt.ConnectionType.QueuedConnection)
        self.result_settings: Settings | None = None

        layout = QVBoxLayout(self)
        self.message_label = QLabel("\n".join(messages or []))
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(f"color: {error_colour(self.palette()).name()};")
        self.message_label.setVisible(bool(messages))
        layout.addWidget(self.message_label)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        for group in GROUPS:
            self._build_group(group, list_devices)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.RestoreDefaults)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(
            lambda: self.load(Settings.defaults()))
        self.button_box = buttons
        layout.addWidget(buttons)
        self.load(settings)
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        width, height = em(self, 46), em(self, 40)
        self.resize(min(width, screen.width()) if screen else width, min(height, screen.height()) if screen else height)

    # --- building ---------------------------------------------------------------------------
    def _build_group(self, group: str, list_devices: Callable[[str], list[str]] | None) -> None:
        settings = [s for s in SCHEMA if s.group == group and not s.hidden]
        if not settings:
            return
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for setting in settings:
            if setting.section:
                heading = QLabel(setting.section)
                heading.setTextFormat(Qt.TextFormat.PlainText)
                bold = heading.font()
                bold.setBold(True)
                heading.setFont(bold)
                if form.rowCount():
                    form.addItem(QSpacerItem(0, em(page, 0.6)))
                form.addRow(heading)
            editor = make_editor(setting, list_devices)
            editor.widget.setToolTip(setting.help)
            editor.widget.setAccessibleName(setting.label)
            editor.widget.setAccessibleDescription(setting.help)
            editor.changed.connect(self._refresh_enabled)
            self.editors[setting.key] = editor
            field = QWidget()  # the editor with its one-line help under it
            field.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
            column = QVBoxLayout(field)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(max(1, em(page, 0.1)))
            column.addWidget(editor.widget)
            help_label = QLabel(setting.help)
            help_label.setTextFormat(Qt.TextFormat.PlainText)
            help_label.setWordWrap(True)
            help_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            help_label.setAccessibleName(f"{setting.label}: help")
            small = help_label.font()
            if small.pointSizeF() > 0:
                small.setPointSizeF(small.pointSizeF() * 0.9)
            help_label.setFont(small)
            column.addWidget(help_label)
            self.help_labels[setting.key] = help_label
            if setting.kind == "bool":
                form.addRow(field)
            else:
                label = QLabel(setting.label + ":")
                label.setBuddy(editor.widget)
                label.setToolTip(setting.help)
                form.addRow(label, field)
            if setting.key in ("input_device", "output_device"):
                text = "Test microphone" if setting.key == "input_device" else "Play test tone"
                self._add_test(form, setting.key, text)
            elif setting.key == "voice_speed":
                self._add_test(form, "voice_speed", "Preview")
                self.test_buttons["voice_speed"].setToolTip("Hear a test sentence at this speed")
            elif setting.key.endswith("_gguf_path"):
                self._add_test(form, setting.key[:2], "Test connection")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(page)
        self.tabs.addTab(scroll, group)

    def _add_test(self, form: QFormLayout, name: str, text: str) -> None:
        button = QPushButton(text)
        button.setEnabled(self._probes.get(name) is not None)
        result = QLabel("")
        result.setTextFormat(Qt.TextFormat.PlainText)
        result.setWordWrap(True)
        result.setAccessibleName(f"{text} result")
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(button)
        layout.addWidget(result, 1)
        form.addRow("", row)
        button.clicked.connect(lambda: self.run_test(name))
        self.test_buttons[name], self.test_results[name] = button, result

    # --- values -----------------------------------------------------------------------------
    def load(self, settings: Settings) -> None:
        for key, editor in self.editors.items():
            editor.set(settings[key])
        self._refresh_enabled()

    def values(self) -> dict[str, Any]:
        """What the widgets hold now; ValueError names the setting whose widget holds no valid value."""
        values = {}
        for key, editor in self.editors.items():
            try:
                values[key] = editor.get()
            except ValueError as exc:
                raise ValueError(f"{editor.setting.label}: {exc}") from None
        return values

    def _refresh_enabled(self, *_: Any) -> None:
        for editor in self.editors.values():
            cond = editor.setting.enabled_when
            if cond is not None and cond[0] in self.editors:
                editor.widget.setEnabled(self.editors[cond[0]].get() in cond[1])

    def accept(self) -> None:
        """Validate everything; a bad value keeps the dialog open with a message naming it."""
        try:
            self.result_settings = self.original.replace(self.values())
        except (ValueError, KeyError) as exc:
            self.message_label.setText(str(exc.args[0]) if exc.args else type(exc).__name__)
            self.message_label.show()
            return
        super().accept()

    # --- Test buttons -----------------------------------------------------------------------
    def run_test(self, name: str) -> None:
        probe = self._probes.get(name)
        if probe is None:
            return
        if name in ("fg", "bg"):
            args: tuple[Any, ...] = ({f: self.editors[f"{name}_{f}"].get() for f in LLM_FIELDS},)
        elif name == "voice_speed":  # the speed as it is set now, on the speaker chosen now
            args = (self.editors["voice_speed"].get(), self.editors["output_device"].get())
        else:
            args = (self.editors[name].get(),)
        self.test_buttons[name].setEnabled(False)
        self.test_results[name].setText("Testing…")
        threading.Thread(target=_run_probe, args=(probe, args, self._relay, name), name=f"settings-test-{name}",
                         daemon=True).start()

    @Slot(object)
    def _test_done(self, outcome: tuple[str, str, bool]) -> None:
        """A probe's line, on the GUI thread. A declared slot of this dialog, so the queued call is
        delivered to the dialog's own thread (a plain Python callable's hidden receiver need not be)."""
        name, text, ok = outcome
        result = self.test_results[name]
        result.setText(text if ok else f"Failed: {text}")
        result.setStyleSheet("" if ok else f"color: {error_colour(self.palette()).name()};")
        self.test_buttons[name].setEnabled(True)


def _run_probe(probe: Probe, args: tuple[Any, ...], relay: _Relay, name: str) -> None:
    try:
        text, ok = probe(*args), True
    except Exception as exc:  # the probe's own one-line message, whatever failed
        text, ok = " ".join(str(exc).split()) or type(exc).__name__, False
    with contextlib.suppress(RuntimeError):  # the dialog was closed meanwhile
        relay.done.emit((name, str(text), ok))


def real_probes() -> Mapping[str, Any]:
    """The dialog's keyword arguments for the real devices and model backends."""
    from presence.settings import probes

    return {"list_devices": probes.list_devices, "test_output": probes.play_test_tone,
            "test_input": probes.record_level, "test_llm": probes.check_llm_connection,
            "preview_voice": probes.preview_voice}
