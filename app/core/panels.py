"""Generated UI panels: a small declarative JSON vocabulary, validated before anything is drawn.

The foreground and background models may put panels on screen. Their output is untrusted data, so
a panel is parsed against a closed vocabulary with hard limits (depth, node count, string and table
sizes) and rejected as a whole if anything is off; nothing in it is ever executed, opened or
interpreted as markup. Buttons carry an action id from a fixed allow-list, never code or URLs.
This module is pure (pydantic, no Qt) so the runner can validate what a model wrote before it emits
it, and tests can check the rules without a display.

Three messages reach the window as runner events:
    {"type": "panel", "panel": {"id": "weather", "title": "...", "root": {...node...}}}
    {"type": "panel_update", "panel_id": "weather", "node_id": "temp", "changes": {"text": "21 °C"}}
    {"type": "panel_close", "panel_id": "weather"}
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

MAX_DEPTH = 6  # nesting of nodes: a column in a row in a column ... (the root node is depth 1)
MAX_NODES = 200
MAX_STRING = 2_000  # characters in any one string
MAX_TOTAL_CHARS = 40_000  # all strings of a panel together
MAX_ITEMS = 50  # entries of a list or key-value node
MAX_TABLE_ROWS = 50
MAX_TABLE_COLUMNS = 10
MAX_JSON_CHARS = 200_000  # a panel sent as JSON text
MAX_JSON_VALUES = 5_000  # every value in the JSON tree, a guard before the typed parse

# The only things a panel button can ask for. The GUI forwards every click to the runner as
# panel_action(panel_id, action_id); the panel's id tells the runner which task/timer/watch it is.
ACTIONS: dict[str, str] = {
    "cancel_task": "stop the background task this panel shows",
    "stop_watch": "stop the cue-word watch this panel shows",
    "cancel_timer": "cancel the timer this panel shows",
    "copy_text": "copy the text of the node named by `target` to the clipboard",
    "open_settings": "open the settings dialog",
    "dismiss": "close this panel",
}
ActionId = Literal["cancel_task", "stop_watch", "cancel_timer", "copy_text", "open_settings", "dismiss"]
assert set(get_args(ActionId)) == set(ACTIONS), "ActionId and ACTIONS must list the same ids"

NodeId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
Text = Annotated[str, StringConstraints(max_length=MAX_STRING)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=80)]


class PanelError(ValueError):
    """A panel, update or close message that was rejected; the message is one line for the user."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Node(_Strict):
    id: NodeId | None = Field(None, description="needed only for nodes that panel_update will change")


class TextNode(_Node):
    """Plain text, shown exactly as written (never as HTML or markup)."""

    type: Literal["text"]
    text: Text
    style: Literal["body", "title", "caption", "error"] = "body"


class MarkdownNode(_Node):
    """Markdown (GitHub dialect). Raw HTML is shown as text; links are not clickable; no images."""

    type: Literal["markdown"]
    text: Text


class KeyValue(_Strict):
    key: Annotated[str, StringConstraints(max_length=200)]
    value: Text


class KvNode(_Node):
    type: Literal["kv"]
    items: list[KeyValue] = Field(max_length=MAX_ITEMS)


class ListNode(_Node):
    type: Literal["list"]
    items: list[Text] = Field(max_length=MAX_ITEMS)
    ordered: bool = False


class TableNode(_Node):
    type: Literal["table"]
    columns: list[Text] = Field(default_factory=list, max_length=MAX_TABLE_COLUMNS)
    rows: list[Annotated[list[Text], Field(max_length=MAX_TABLE_COLUMNS)]] = Field(max_length=MAX_TABLE_ROWS)

    @model_validator(mode="after")
    def _rows_fit_columns(self) -> TableNode:
        if self.columns and any(len(row) > len(self.columns) for row in self.rows):
            raise ValueError(f"a row has more cells than the table's {len(self.columns)} columns")
        return self


class CodeNode(_Node):
    type: Literal["code"]
    text: Text
    language: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+#._-]{0,32}$")] = ""


class ScreenRegion(_Strict):
    """A rectangle of a monitor in screen pixels, as the screen capture saw it."""

    x: int = Field(ge=0, le=100_000)
    y: int = Field(ge=0, le=100_000)
    width: int = Field(gt=0, le=16_384)
    height: int = Field(gt=0, le=16_384)
    monitor: int = Field(0, ge=0, le=16)


class ImageNode(_Node):
    """A region of a captured screen frame (never a URL or a file): `t_ms` names the frame, None = latest."""

    type: Literal["image"]
    region: ScreenRegion
    t_ms: int | None = Field(None, ge=0)
    alt: Annotated[str, StringConstraints(max_length=200)] = ""


class ProgressNode(_Node):
    type: Literal["progress"]
    value: float | None = Field(None, ge=0, le=100, description="percent; null = unknown (busy indicator)")
    label: Annotated[str, StringConstraints(max_length=200)] = ""


class ButtonNode(_Node):
    type: Literal["button"]
    label: Label
    action: ActionId
    target: NodeId | None = Field(None, description="copy_text: the id of the node whose text is copied")


class DividerNode(_Node):
    type: Literal["divider"]


class RowNode(_Node):
    type: Literal["row"]
    children: list[Node] = Field(max_length=MAX_NODES)


class ColumnNode(_Node):
    type: Literal["column"]
    children: list[Node] = Field(max_length=MAX_NODES)


Node = Annotated[
    TextNode | MarkdownNode | KvNode | ListNode | TableNode | CodeNode | ImageNode | ProgressNode | ButtonNode
    | DividerNode | RowNode | ColumnNode,
    Field(discriminator="type"),
]
NODE_TYPES: tuple[str, ...] = ("text", "markdown", "kv", "list", "table", "code", "image", "progress", "button",
                               "divider", "row", "column")
CONTAINERS = (RowNode, ColumnNode)
RowNode.model_rebuild()
ColumnNode.model_rebuild()


class Panel(_Strict):
    """One panel: an id (a newer panel with the same id replaces it), a title and one root node."""

    id: NodeId
    title: Annotated[str, StringConstraints(max_length=200)] = ""
    root: Node


# --- parsing ------------------------------------------------------------------------------------
def parse_panel(data: str | bytes | Mapping[str, Any]) -> Panel:
    """A validated Panel from JSON text or an already decoded object; PanelError says why not."""
    raw = _decode(data)
    _check_shape(raw)
    try:
        panel = Panel.model_validate(raw)
    except ValidationError as exc:
        raise PanelError(_describe(exc)) from None
    _check_references(panel)
    return panel


def parse_update(panel: Panel, node_id: str, changes: Mapping[str, Any]) -> tuple[Panel, Node]:
    """Apply a panel_update to one node: the new panel and the changed node (same id, same type).

    Only a node's own fields change (text, value, items, rows, ...); its type, id and children
    never do, so the window can update the existing widget in place instead of rebuilding.
    """
    if not isinstance(changes, Mapping) or not changes:
        raise PanelError("panel update: `changes` must be a non-empty object")
    node = find_node(panel, node_id)
    if node is None:
        raise PanelError(f"panel update: panel {panel.id!r} has no node {node_id!r}")
    fixed = {"type", "id", "children"} & set(changes)
    if fixed:
        raise PanelError(f"panel update: {', '.join(sorted(fixed))} cannot change in place")
    unknown = set(changes) - set(type(node).model_fields)
    if unknown:
        raise PanelError(f"panel update: a {node.type} node has no field {sorted(unknown)[0]!r}")
    tree = panel.model_dump(mode="json", exclude_none=True)
    _replace_in_tree(tree["root"], node_id, dict(changes))
    updated = parse_panel(tree)
    new_node = find_node(updated, node_id)
    assert new_node is not None
    return updated, new_node


def panel_id_of(value: Any) -> str:
    """A panel id from a panel_update / panel_close message, checked like any other id."""
    if not isinstance(value, str) or not value or len(value) > 64 or not all(c.isalnum() or c in "_.:-" for c in value):
        raise PanelError(f"not a valid panel id: {str(value)[:64]!r}")
    return value


def _decode(data: str | bytes | Mapping[str, Any]) -> Any:
    if isinstance(data, str | bytes):
        if len(data) > MAX_JSON_CHARS:
            raise PanelError(f"panel is too large ({len(data):,} characters; limit {MAX_JSON_CHARS:,})")
        try:
            return json.loads(data)
        except RecursionError:
            raise PanelError("panel is nested too deeply") from None
        except ValueError as exc:
            raise PanelError(f"panel is not valid JSON: {exc}") from None
    return data


def _check_shape(raw: Any) -> None:
    """Count nodes, depth and sizes on the raw tree first, without recursion, so a hostile panel
    (10,000 nodes, 1,000 levels deep, megabytes of text) is refused before the typed parse runs."""
    if not isinstance(raw, Mapping):
        raise PanelError(f"a panel must be a JSON object, not {type(raw).__name__}")
    stack: list[tuple[Any, int]] = [(raw, 0)]
    nodes = values = chars = 0
    while stack:
        value, depth = stack.pop()
        values += 1
        if values > MAX_JSON_VALUES:
            raise PanelError(f"panel is too large (more than {MAX_JSON_VALUES:,} values)")
        if isinstance(value, Mapping):
            if "type" in value:  # every node has a type; nothing else does
                nodes, depth = nodes + 1, depth + 1
                if nodes > MAX_NODES:
                    raise PanelError(f"panel has too many nodes (limit {MAX_NODES})")
                if depth > MAX_DEPTH:
                    raise PanelError(f"panel is nested too deeply (limit {MAX_DEPTH} levels)")
            for key, item in value.items():
                chars += len(key) if isinstance(key, str) else 0
                stack.append((item, depth))
        elif isinstance(value, list | tuple):
            stack.extend((item, depth) for item in value)
        elif isinstance(value, str):
            if len(value) > MAX_STRING:
                raise PanelError(f"panel text is too long ({len(value):,} characters; limit {MAX_STRING:,})")
            chars += len(value)
        if chars > MAX_TOTAL_CHARS:
            raise PanelError(f"panel has too much text (limit {MAX_TOTAL_CHARS:,} characters)")


def _describe(exc: ValidationError) -> str:
    """The first validation error as one readable line, with where it is in the panel."""
    err = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in err["loc"] if not _is_tag(part)) or "panel"
    if err["type"] == "union_tag_invalid":
        tag = str(err.get("ctx", {}).get("tag", ""))[:40]
        return f"unknown node type {tag!r} at {where}; known: {', '.join(NODE_TYPES)}"
    if err["type"] == "union_tag_not_found":
        return f"a node without a type at {where}"
    if err["type"] == "literal_error" and err["loc"] and err["loc"][-1] == "action":
        return f"button action not allowed at {where}; allowed: {', '.join(ACTIONS)}"
    return f"invalid panel at {where}: {err['msg']}"


def _is_tag(part: Any) -> bool:
    return isinstance(part, str) and part in NODE_TYPES


def _check_references(panel: Panel) -> None:
    seen: dict[str, Node] = {}
    for node in walk(panel.root):
        if node.id is not None:
            if node.id in seen:
                raise PanelError(f"panel has two nodes with id {node.id!r}")
            seen[node.id] = node
    for node in walk(panel.root):
        if isinstance(node, ButtonNode) and node.action == "copy_text" and node.target not in seen:
            raise PanelError(f"copy_text button {node.label!r} must name an existing node as target")


def _replace_in_tree(node: dict[str, Any], node_id: str, changes: dict[str, Any]) -> bool:
    if node.get("id") == node_id:
        node.update(changes)
        return True
    return any(_replace_in_tree(child, node_id, changes) for child in node.get("children", []))


# --- reading a parsed panel ---------------------------------------------------------------------
def walk(node: Node) -> Iterator[Node]:
    """Every node, parents before children (depth is bounded, so recursion is safe here)."""
    yield node
    if isinstance(node, CONTAINERS):
        for child in node.children:
            yield from walk(child)


def find_node(panel: Panel, node_id: str) -> Node | None:
    return next((n for n in walk(panel.root) if n.id == node_id), None)


def node_plain_text(node: Node) -> str:
    """What copy_text puts on the clipboard: the node's content as plain text."""
    if isinstance(node, TextNode | MarkdownNode | CodeNode):
        return node.text
    if isinstance(node, KvNode):
        return "\n".join(f"{kv.key}: {kv.value}" for kv in node.items)
    if isinstance(node, ListNode):
        return "\n".join(f"{i}. {x}" if node.ordered else f"- {x}" for i, x in enumerate(node.items, 1))
    if isinstance(node, TableNode):
        return "\n".join("\t".join(r) for r in ([node.columns] if node.columns else []) + node.rows)
    if isinstance(node, ProgressNode):
        return node.label
    if isinstance(node, CONTAINERS):
        return "\n".join(t for t in (node_plain_text(c) for c in node.children) if t)
    return ""


# --- for models and tools -----------------------------------------------------------------------
def panel_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a panel, for constrained decoding and documentation.

    Size limits that JSON Schema cannot state (total nodes, depth, total text) are in the
    description; parse_panel enforces them.
    """
    schema = Panel.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Presence panel"
    schema["description"] = (f"A generated UI panel. At most {MAX_NODES} nodes, {MAX_DEPTH} levels deep, "
                             f"{MAX_TOTAL_CHARS} characters of text in all.")
    return schema


PANEL_PROMPT = f"""\
You can show a panel in the user's window by emitting JSON: {{"id": ..., "title": ..., "root": NODE}}.
A newer panel with the same id replaces the old one. NODE is one of:
  {{"type": "text", "text": "...", "style": "body|title|caption|error"}}   plain text, shown literally
  {{"type": "markdown", "text": "..."}}      markdown; HTML is shown as text, links do not open
  {{"type": "kv", "items": [{{"key": "...", "value": "..."}}]}}
  {{"type": "list", "items": ["..."], "ordered": false}}
  {{"type": "table", "columns": ["..."], "rows": [["..."]]}}   up to {MAX_TABLE_ROWS} rows x {MAX_TABLE_COLUMNS} columns
  {{"type": "code", "text": "...", "language": "python"}}
  {{"type": "image", "region": {{"x": 0, "y": 0, "width": 400, "height": 300, "monitor": 0}}, "alt": "..."}}
      a region of the captured screen (no URLs, no files)
  {{"type": "progress", "value": 40, "label": "..."}}   value in percent, null = busy
  {{"type": "button", "label": "...", "action": "ACTION", "target": "node-id"}}
  {{"type": "divider"}}
  {{"type": "row", "children": [NODE, ...]}}   {{"type": "column", "children": [NODE, ...]}}
Every node may have an "id" (letters, digits, _ . : -). ACTION is one of: {", ".join(ACTIONS)}
(copy_text needs "target", the id of the node to copy). Nothing else is allowed: no HTML, scripts or URLs.
Limits: {MAX_NODES} nodes, {MAX_DEPTH} levels, {MAX_STRING} characters per string.
Change one node later: {{"panel_update": {{"panel_id": ..., "node_id": ..., "changes": {{"text": "..."}}}}}}
(only its own fields, e.g. text, value, label, items, rows). Close: {{"panel_close": {{"panel_id": ...}}}}.
Example: {{"id": "timer-1", "title": "Tea timer", "root": {{"type": "column", "children": [
  {{"type": "progress", "id": "left", "value": 0, "label": "4:00 left"}},
  {{"type": "button", "label": "Cancel", "action": "cancel_timer"}}]}}}}
"""
