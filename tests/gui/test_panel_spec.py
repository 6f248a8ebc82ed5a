"""The panel vocabulary and its limits (presence.core.panels): pure, no display needed."""

from __future__ import annotations

import json

import pytest
from helpers import ONE_OF_EACH

from presence.core import panels as spec
from presence.core.panels import PanelError, parse_panel, parse_update


def test_every_node_type_parses():
    panel = parse_panel(ONE_OF_EACH)
    assert {n.type for n in spec.walk(panel.root)} == set(spec.NODE_TYPES)
    assert parse_panel(json.dumps(ONE_OF_EACH)) == panel  # JSON text and objects alike


@pytest.mark.parametrize(("bad", "reason"), [
    ({"id": "p", "root": {"type": "script", "text": "alert(1)"}}, "unknown node type 'script'"),
    ({"id": "p", "root": {"type": "html", "html": "<b>x</b>"}}, "unknown node type 'html'"),
    ({"id": "p", "root": {"text": "no type"}}, "without a type"),
    ({"id": "p", "root": {"type": "text", "text": "x", "onclick": "steal()"}}, "onclick"),
    ({"id": "p", "root": {"type": "button", "label": "Go", "action": "open_url"}}, "action not allowed"),
    ({"id": "p", "root": {"type": "button", "label": "Go", "action": "os.system('rm -rf /')"}}, "action not allowed"),
    ({"id": "p", "root": {"type": "button", "label": "Copy", "action": "copy_text", "target": "nope"}},
     "existing node"),
    ({"id": "p", "root": {"type": "image", "region": {"x": 0, "y": 0, "width": 1, "height": 1},
                          "url": "http://evil"}}, "url"),
    ({"id": "p", "root": {"type": "text", "text": "x" * (spec.MAX_STRING + 1)}}, "too long"),
    ({"id": "p", "root": {"type": "table", "rows": [["x"]] * (spec.MAX_TABLE_ROWS + 1)}}, "rows"),
    ({"id": "p", "root": {"type": "table", "rows": [["x"] * (spec.MAX_TABLE_COLUMNS + 1)]}}, "rows"),
    ({"id": "p", "root": {"type": "table", "columns": ["a"], "rows": [["1", "2"]]}}, "more cells"),
    ({"id": "p", "root": {"type": "column", "children": [{"type": "text", "id": "a", "text": "1"},
                                                          {"type": "text", "id": "a", "text": "2"}]}}, "two nodes"),
    ({"id": "../etc", "root": {"type": "divider"}}, "id"),
    ({"id": "p", "root": {"type": "progress", "value": 150}}, "value"),
    (["not", "an", "object"], "JSON object"),
    ("{not json", "not valid JSON"),
])
def test_malformed_and_hostile_specs_are_rejected_with_a_reason(bad, reason):
    with pytest.raises(PanelError) as info:
        parse_panel(bad)
    assert reason in str(info.value)
    assert "\n" not in str(info.value)  # one line for the window


def test_ten_thousand_nodes_are_refused_before_parsing():
    huge = {"id": "p", "root": {"type": "column", "children": [{"type": "text", "text": "x"}] * 10_000}}
    with pytest.raises(PanelError, match="too many nodes"):
        parse_panel(huge)
    with pytest.raises(PanelError, match="too large"):  # as JSON text it is refused before decoding
        parse_panel(json.dumps(huge))
    compact = {"id": "p", "root": {"type": "column", "children": [{"type": "divider"}] * 10_000}}
    with pytest.raises(PanelError, match="too many nodes"):
        parse_panel(json.dumps(compact, separators=(",", ":")))


def test_depth_limit_and_absurd_nesting():
    def nested(depth: int) -> dict:
        node: dict = {"type": "text", "text": "leaf"}
        for _ in range(depth - 1):
            node = {"type": "column", "children": [node]}
        return {"id": "p", "root": node}

    parse_panel(nested(spec.MAX_DEPTH))
    with pytest.raises(PanelError, match="nested too deeply"):
        parse_panel(nested(spec.MAX_DEPTH + 1))
    with pytest.raises(PanelError, match="nested too deeply"):
        parse_panel(nested(5_000))  # no RecursionError on the way
    with pytest.raises(PanelError):
        parse_panel("[" * 100_000 + "]" * 100_000)


def test_total_text_is_bounded():
    many = {"id": "p", "root": {"type": "column", "children": [{"type": "text", "text": "x" * 1_900}] * 30}}
    with pytest.raises(PanelError, match="too much text"):
        parse_panel(many)


def test_update_changes_one_node_and_keeps_the_rules():
    panel = parse_panel(ONE_OF_EACH)
    updated, node = parse_update(panel, "pg", {"value": 75, "label": "almost"})
    assert (node.value, node.label) == (75, "almost")
    assert spec.find_node(updated, "t") == spec.find_node(panel, "t")
    assert spec.find_node(panel, "pg").value == 40  # the original is immutable
    with pytest.raises(PanelError, match="cannot change in place"):
        parse_update(panel, "t", {"type": "markdown"})
    with pytest.raises(PanelError, match="cannot change in place"):
        parse_update(panel, "rw", {"children": []})
    with pytest.raises(PanelError, match="no field 'html'"):
        parse_update(panel, "t", {"html": "<b>x</b>"})
    with pytest.raises(PanelError, match="has no node"):
        parse_update(panel, "missing", {"text": "x"})
    with pytest.raises(PanelError, match="too long"):
        parse_update(panel, "t", {"text": "x" * (spec.MAX_STRING + 1)})
    with pytest.raises(PanelError, match="action not allowed"):
        parse_update(panel, "b2", {"action": "format_disk"})


def test_plain_text_for_copy():
    panel = parse_panel(ONE_OF_EACH)
    assert spec.node_plain_text(spec.find_node(panel, "cd")) == "print(1)"
    assert spec.node_plain_text(spec.find_node(panel, "kv")) == "a: 1"
    assert spec.node_plain_text(spec.find_node(panel, "ls")) == "1. x\n2. y"
    assert spec.node_plain_text(spec.find_node(panel, "tb")) == "c1\tc2\n1\t2\n3"


def test_json_schema_and_prompt_describe_the_same_vocabulary():
    schema = spec.panel_json_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    json.dumps(schema)  # serialisable
    tags = set()
    for definition in schema["$defs"].values():
        tag = definition.get("properties", {}).get("type", {}).get("const")
        if tag:
            tags.add(tag)
    assert tags == set(spec.NODE_TYPES)
    button = schema["$defs"]["ButtonNode"]["properties"]["action"]
    assert set(button["enum"]) == set(spec.ACTIONS)
    for word in (*spec.NODE_TYPES, *spec.ACTIONS):
        assert word in spec.PANEL_PROMPT
