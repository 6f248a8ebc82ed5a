"""One native Qt widget per panel node, and how each is changed in place by a panel_update.

Model text is untrusted: every label is Qt.PlainText, tables and code use plain-text items, and
markdown goes through QTextDocument's own markdown parser with HTML turned off, links made inert
and images dropped; the HTML handed to the label is then Qt's serialisation of that document, not
anything the model wrote. Updaters change the existing widget (same object) so a countdown or a
progress bar does not flicker or lose focus.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontDatabase, QImage, QPixmap, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from presence.core import panels as spec
from presence.gui.theme import em, error_colour

RegionImage = Callable[[spec.ScreenRegion, int | None], QImage | None]
CODE_MAX_LINES = 15
TABLE_MAX_VISIBLE_ROWS = 10
IMAGE_MAX = QSize(480, 320)  # device-independent pixels


@dataclass
class RenderContext:
    """What a node widget may call: its button handler and the (optional) screen-region source."""

    on_button: Callable[[spec.ButtonNode], None]
    region_image: RegionImage | None = None


# --- markdown -----------------------------------------------------------------------------------
class _InertDocument(QTextDocument):
    """A document that never loads a resource (no local files or network behind an image tag)."""

    def loadResource(self, type_: int, name: Any) -> Any:  # noqa: N802 - Qt's name
        return None


def safe_markdown_html(text: str) -> str:
    """Markdown rendered by Qt with raw HTML shown as text, links made plain and images dropped.

    The input is not HTML-escaped first because CommonMark shows entities literally inside code
    spans (`a &lt; b`); MarkdownNoHTML gives the same protection — tags stay visible text.
    """
    doc = _InertDocument()
    features = QTextDocument.MarkdownFeature
    doc.setMarkdown(text, features.MarkdownDialectGitHub | features.MarkdownNoHTML)
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        spans = []
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            if fmt.isAnchor() or fmt.isImageFormat():
                spans.append((fragment.position(), fragment.length(), fmt.isImageFormat()))
            it += 1
        for position, length, is_image in reversed(spans):
            cursor = QTextCursor(doc)
            cursor.setPosition(position)
            cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
            if is_image:
                cursor.insertText("[image]", QTextCharFormat())
            else:
                plain = QTextCharFormat(cursor.charFormat())
                plain.setAnchor(False)
                plain.setAnchorHref("")
                plain.setFontUnderline(False)
                plain.clearForeground()
                cursor.setCharFormat(plain)
        block = block.next()
    return doc.toHtml()


# --- leaf widgets -------------------------------------------------------------------------------
def _label(text: str = "", selectable: bool = True) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setText(text)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ProgressWidget(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = _label()
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)


class KvWidget(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)


class PanelButton(QPushButton):
    """Remembers its current node, so an update that changes label or action takes effect."""

    def __init__(self, node: spec.ButtonNode, ctx: RenderContext) -> None:
        super().__init__()
        self.node = node
        self.clicked.connect(lambda: ctx.on_button(self.node))


def _build_text(node: spec.TextNode, ctx: RenderContext) -> QWidget:
    label = _label()
    _update_text(label, node, ctx)
    return label


def _update_text(label: QLabel, node: spec.TextNode, ctx: RenderContext) -> None:
    label.setText(node.text)
    font = QFont(label.parentWidget().font() if label.parentWidget() else label.font())
    if node.style == "title":
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15 if font.pointSizeF() > 0 else 12)
    elif node.style == "caption":
        font.setPointSizeF(font.pointSizeF() * 0.9 if font.pointSizeF() > 0 else 9)
    label.setFont(font)
    label.setStyleSheet(f"color: {error_colour(label.palette()).name()};" if node.style == "error" else "")


def _build_markdown(node: spec.MarkdownNode, ctx: RenderContext) -> QWidget:
    label = QLabel()
    label.setWordWrap(True)
    label.setOpenExternalLinks(False)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    _update_markdown(label, node, ctx)
    return label


def _update_markdown(label: QLabel, node: spec.MarkdownNode, ctx: RenderContext) -> None:
    label.setTextFormat(Qt.TextFormat.RichText)  # Qt's own HTML from the sanitised document
    label.setText(safe_markdown_html(node.text))
    label.setProperty("markdown_source", node.text)


def _build_kv(node: spec.KvNode, ctx: RenderContext) -> QWidget:
    widget = KvWidget()
    _update_kv(widget, node, ctx)
    return widget


def _update_kv(widget: KvWidget, node: spec.KvNode, ctx: RenderContext) -> None:
    while widget.form.rowCount():
        widget.form.removeRow(0)
    for item in node.items:
        key = _label(item.key)
        bold = QFont(key.font())
        bold.setBold(True)
        key.setFont(bold)
        widget.form.addRow(key, _label(item.value))


def _build_list(node: spec.ListNode, ctx: RenderContext) -> QWidget:
    label = _label()
    _update_list(label, node, ctx)
    return label


def _update_list(label: QLabel, node: spec.ListNode, ctx: RenderContext) -> None:
    label.setText("\n".join(f"{i}. {x}" if node.ordered else f"•  {x}" for i, x in enumerate(node.items, 1)))


def _build_table(node: spec.TableNode, ctx: RenderContext) -> QWidget:
    table = QTableWidget()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
    table.setWordWrap(True)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    _update_table(table, node, ctx)
    return table


def _update_table(table: QTableWidget, node: spec.TableNode, ctx: RenderContext) -> None:
    n_cols = max([len(node.columns), *(len(r) for r in node.rows)], default=0)
    table.clearContents()
    table.setColumnCount(n_cols)
    table.setRowCount(len(node.rows))
    table.horizontalHeader().setVisible(bool(node.columns))
    if node.columns:
        table.setHorizontalHeaderLabels(list(node.columns) + [""] * (n_cols - len(node.columns)))
    for r, row in enumerate(node.rows):
        for c, cell in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(cell))  # items are plain text
    table.resizeColumnsToContents()
    table.resizeRowsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    # As tall as its rows (up to a limit, then it scrolls): a panel should not hide rows behind a scrollbar.
    rows = sum(table.rowHeight(r) for r in range(min(len(node.rows), TABLE_MAX_VISIBLE_ROWS)))
    header = table.horizontalHeader().sizeHint().height() if node.columns else 0
    table.setFixedHeight(header + max(rows, table.verticalHeader().defaultSectionSize() // 2) + 2 * table.frameWidth())


def _build_code(node: spec.CodeNode, ctx: RenderContext) -> QWidget:
    edit = QPlainTextEdit()
    edit.setReadOnly(True)
    edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    _update_code(edit, node, ctx)
    return edit


def _update_code(edit: QPlainTextEdit, node: spec.CodeNode, ctx: RenderContext) -> None:
    edit.setPlainText(node.text)
    edit.setAccessibleDescription(f"{node.language} code" if node.language else "code")
    lines = min(max(1, node.text.count("\n") + 1), CODE_MAX_LINES)
    margins = edit.contentsMargins()
    edit.setFixedHeight(lines * edit.fontMetrics().lineSpacing() + 2 * edit.frameWidth()
                        + int(2 * edit.document().documentMargin()) + margins.top() + margins.bottom()
                        + edit.horizontalScrollBar().sizeHint().height())


def _build_image(node: spec.ImageNode, ctx: RenderContext) -> QWidget:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    _update_image(label, node, ctx)
    return label


def _update_image(label: QLabel, node: spec.ImageNode, ctx: RenderContext) -> None:
    r = node.region
    image = ctx.region_image(r, node.t_ms) if ctx.region_image is not None else None
    label.setToolTip(node.alt)
    label.setAccessibleName(node.alt or "screen region")
    if image is None or image.isNull():
        label.setPixmap(QPixmap())
        label.setText(f"[screen region {r.width}×{r.height} at ({r.x}, {r.y}), monitor {r.monitor} — not available]"
                      + (f"\n{node.alt}" if node.alt else ""))
        return
    # Shown at its size in logical pixels (capped), drawn with the screen's device pixels so it
    # stays sharp on high-DPI screens when it has to be scaled down.
    ratio = label.devicePixelRatioF()
    size = image.size().scaled(IMAGE_MAX, Qt.AspectRatioMode.KeepAspectRatio) if (
        image.width() > IMAGE_MAX.width() or image.height() > IMAGE_MAX.height()) else image.size()
    pixmap = QPixmap.fromImage(image.scaled(size * ratio, Qt.AspectRatioMode.IgnoreAspectRatio,
                                            Qt.TransformationMode.SmoothTransformation))
    pixmap.setDevicePixelRatio(ratio)
    label.setText("")
    label.setPixmap(pixmap)


def _build_progress(node: spec.ProgressNode, ctx: RenderContext) -> QWidget:
    widget = ProgressWidget()
    _update_progress(widget, node, ctx)
    return widget


def _update_progress(widget: ProgressWidget, node: spec.ProgressNode, ctx: RenderContext) -> None:
    widget.label.setText(node.label)
    widget.label.setVisible(bool(node.label))
    if node.value is None:
        widget.bar.setRange(0, 0)  # busy indicator
    else:
        widget.bar.setRange(0, 1000)
        widget.bar.setValue(round(node.value * 10))
        widget.bar.setFormat(f"{node.value:.0f}%")
    widget.bar.setAccessibleName(node.label or "progress")


def _build_button(node: spec.ButtonNode, ctx: RenderContext) -> QWidget:
    button = PanelButton(node, ctx)
    button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    _update_button(button, node, ctx)
    return button


def _update_button(button: PanelButton, node: spec.ButtonNode, ctx: RenderContext) -> None:
    button.node = node
    button.setText(node.label.replace("&", "&&"))  # a model's "&" must not become a keyboard mnemonic
    button.setAccessibleName(node.label)
    button.setToolTip(spec.ACTIONS[node.action])


def _build_divider(node: spec.DividerNode, ctx: RenderContext) -> QWidget:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def _no_update(widget: QWidget, node: Any, ctx: RenderContext) -> None:
    """Dividers, rows and columns have no fields of their own that could change."""


BUILDERS: dict[str, Callable[[Any, RenderContext], QWidget]] = {
    "text": _build_text, "markdown": _build_markdown, "kv": _build_kv, "list": _build_list,
    "table": _build_table, "code": _build_code, "image": _build_image, "progress": _build_progress,
    "button": _build_button, "divider": _build_divider,
}
UPDATERS: dict[str, Callable[[Any, Any, RenderContext], None]] = {
    "text": _update_text, "markdown": _update_markdown, "kv": _update_kv, "list": _update_list,
    "table": _update_table, "code": _update_code, "image": _update_image, "progress": _update_progress,
    "button": _update_button, "divider": _no_update, "row": _no_update, "column": _no_update,
}
assert set(BUILDERS) | {"row", "column"} == set(spec.NODE_TYPES) == set(UPDATERS)


def build_tree(node: spec.Node, ctx: RenderContext, by_id: dict[str, QWidget], parent: QWidget | None = None,
               ) -> QWidget:
    """The widget for `node` and its children; nodes with an id are recorded in `by_id`."""
    if isinstance(node, spec.RowNode | spec.ColumnNode):
        widget = QWidget(parent)
        layout = QHBoxLayout(widget) if node.type == "row" else QVBoxLayout(widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(em(widget, 0.4))
        for child in node.children:
            layout.addWidget(build_tree(child, ctx, by_id, widget))
        if node.type == "row":
            layout.addStretch(1)
    else:
        widget = BUILDERS[node.type](node, ctx)
        if parent is not None:
            widget.setParent(parent)
    widget.setObjectName(f"panel-node-{node.type}")
    widget.setProperty("node_type", node.type)
    if node.id is not None:
        by_id[node.id] = widget
        widget.setProperty("node_id", node.id)
    return widget


def update_widget(widget: QWidget, node: spec.Node, ctx: RenderContext) -> None:
    UPDATERS[node.type](widget, node, ctx)
