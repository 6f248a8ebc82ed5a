"""The panel area: shows, updates in place and closes generated panels from runner events.

A spec is validated (presence.core.panels) before a single widget is created; a rejected one
becomes one `error` line for the window and nothing is drawn, so a bad or hostile model output can
never crash the window or half-render. Clicks become `action(panel_id, action_id)`; the few
actions with a local effect (dismiss, copy_text, open_settings) also do that here.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from presence.core import panels as spec
from presence.gui.panel_widgets import RegionImage, RenderContext, build_tree, update_widget
from presence.gui.theme import em

MAX_OPEN_PANELS = 8  # the oldest panel goes when a ninth arrives


class PanelView(QFrame):
    """One rendered panel: a title line with a close button, and the node tree below it."""

    def __init__(self, panel: spec.Panel, ctx: RenderContext, on_close: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel = panel
        self.ctx = ctx
        self.widgets: dict[str, QWidget] = {}
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("panel")
        self.setAccessibleName(f"Panel {panel.title or panel.id}")
        layout = QVBoxLayout(self)
        layout.setSpacing(em(self, 0.4))
        head = QHBoxLayout()
        self.title_label = QLabel(panel.title)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setWordWrap(True)
        bold = QFont(self.title_label.font())
        bold.setBold(True)
        self.title_label.setFont(bold)
        self.title_label.setVisible(bool(panel.title))
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        self.close_button.setAccessibleName("Close panel")
        self.close_button.setToolTip("Close panel")
        self.close_button.clicked.connect(lambda: on_close(self.panel.id))
        head.addWidget(self.title_label, 1)
        head.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(head)
        self.body = build_tree(panel.root, ctx, self.widgets, self)
        layout.addWidget(self.body)

    @property
    def panel_id(self) -> str:
        return self.panel.id

    def apply_update(self, node_id: str, changes: Any) -> QWidget:
        """Validate the change against the panel's rules, then change that one widget in place."""
        updated, node = spec.parse_update(self.panel, node_id, changes)
        widget = self.widgets[node_id]
        update_widget(widget, node, self.ctx)
        self.panel = updated
        return widget


class PanelArea(QWidget):
    """All open panels, newest at the bottom."""

    error = Signal(str)  # a rejected panel, update or close: one line for the user
    action = Signal(str, str)  # (panel_id, action_id) of a clicked button
    settings_requested = Signal()
    changed = Signal()  # a panel was added or removed

    def __init__(self, region_image: RegionImage | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.region_image = region_image
        self.views: dict[str, PanelView] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addStretch(1)
        self.setAccessibleName("Panels")

    # --- messages from the runner -----------------------------------------------------------
    def show_panel(self, data: Any) -> PanelView | None:
        """Render a panel message's spec; a panel with the same id is replaced where it stands."""
        try:
            panel = spec.parse_panel(data if data is not None else {})
        except spec.PanelError as exc:
            self.error.emit(f"panel rejected — {exc}")
            return None
        view = PanelView(panel, self._context(panel.id), self._dismiss, self)
        old = self.views.pop(panel.id, None)
        if old is not None:
            self._layout.replaceWidget(old, view)
            old.hide()
            old.deleteLater()
        else:
            self._layout.insertWidget(self._layout.count() - 1, view)
            while len(self.views) >= MAX_OPEN_PANELS:
                self._remove(next(iter(self.views)))
        self.views[panel.id] = view
        self.changed.emit()
        return view

    def update_panel(self, panel_id: Any, node_id: Any, changes: Any) -> bool:
        """Change one node of an open panel in place. An update for a closed panel is dropped
        quietly (the user may have dismissed it while the task kept reporting)."""
        try:
            view = self.views.get(spec.panel_id_of(panel_id))
            if view is None:
                return False
            view.apply_update(spec.panel_id_of(node_id), changes)
        except spec.PanelError as exc:
            self.error.emit(f"panel update rejected — {exc}")
            return False
        return True

    def close_panel(self, panel_id: Any) -> bool:
        try:
            return self._remove(spec.panel_id_of(panel_id))
        except spec.PanelError as exc:
            self.error.emit(f"panel close rejected — {exc}")
            return False

    # --- clicks -----------------------------------------------------------------------------
    def _context(self, panel_id: str) -> RenderContext:
        return RenderContext(on_button=lambda node: self._clicked(panel_id, node), region_image=self.region_image)

    def _clicked(self, panel_id: str, node: spec.ButtonNode) -> None:
        view = self.views.get(panel_id)
        if view is None:
            return
        if node.action == "copy_text" and node.target is not None:
            target = spec.find_node(view.panel, node.target)
            clipboard = QGuiApplication.clipboard()
            if target is not None and clipboard is not None:
                clipboard.setText(spec.node_plain_text(target))
        self.action.emit(panel_id, node.action)
        if node.action == "open_settings":
            self.settings_requested.emit()
        elif node.action == "dismiss":
            self._remove(panel_id)

    def _dismiss(self, panel_id: str) -> None:
        """The close button: the runner hears it as a dismiss click, like a panel's own dismiss button."""
        if panel_id in self.views:
            self.action.emit(panel_id, "dismiss")
            self._remove(panel_id)

    def _remove(self, panel_id: str) -> bool:
        view = self.views.pop(panel_id, None)
        if view is None:
            return False
        self._layout.removeWidget(view)
        view.hide()
        view.deleteLater()
        self.changed.emit()
        return True
