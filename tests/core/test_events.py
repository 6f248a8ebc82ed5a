"""The typed runner events: every kind is one class, logs as today's JSON line and reads back."""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from typing import Any

import pytest

from presence.core import events
from presence.core.events import EVENT_KINDS, Event, make_event
from presence.evaluation.score import assistant_texts

SAMPLES: dict[type, Any] = {int: 7, float: 0.5, str: "caf\u00e9 \u2014 ok", bool: True, list: [1, 2],
                            dict: {"a": [1, {"b": None}]}}


def _sample(annotation: Any) -> Any:
    """A JSON-safe value of a field's type (the first non-None member of a union)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return _sample(next(a for a in typing.get_args(annotation) if a is not type(None)))
    origin = typing.get_origin(annotation) or annotation
    return SAMPLES[origin]


def _full(cls: type[Event], t_ms: int = 1200) -> Event:
    """An instance with every field (optional ones too) set."""
    hints = typing.get_type_hints(cls)
    values = {f.name: _sample(hints[f.name]) for f in dataclasses.fields(cls) if f.name != "t_ms"}
    return cls(t_ms=t_ms, **values)


def _subclasses(cls: type) -> list[type]:
    return [c for sub in cls.__subclasses__() for c in (sub, *_subclasses(sub))]


@pytest.mark.parametrize("kind", sorted(EVENT_KINDS))
def test_every_kind_round_trips_through_its_json_line(kind: str) -> None:
    ev = _full(EVENT_KINDS[kind])
    line = ev.to_json()
    row = json.loads(line)
    assert list(row) == ["t_ms", "type", *(f.name for f in dataclasses.fields(ev) if f.name != "t_ms")]
    assert row == {"t_ms": 1200, "type": kind, **ev.fields}
    assert line == json.dumps({"t_ms": ev.t_ms, "type": ev.type, **ev.fields}, ensure_ascii=False)  # today's format
    t_ms, back_kind = row.pop("t_ms"), row.pop("type")
    assert make_event(t_ms, back_kind, **row) == ev
    assert "\n" not in line and "\\u" not in line  # one line, UTF-8 kept as is


def test_kind_strings_are_unique_and_name_their_classes() -> None:
    classes = _subclasses(Event)
    assert len({c.KIND for c in classes}) == len(classes) == len(EVENT_KINDS) >= 50
    for kind, cls in EVENT_KINDS.items():
        assert kind == cls.KIND and re.fullmatch(r"[a-z]+(_[a-z]+)*", kind)
        assert cls.__name__ == "".join(part.capitalize() for part in kind.split("_"))
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="taken"):
        @dataclasses.dataclass(frozen=True, kw_only=True)
        class Again(Event):
            KIND: typing.ClassVar[str] = "assistant_text"
    assert EVENT_KINDS["assistant_text"] is events.AssistantText


def test_make_event_refuses_unknown_kinds_and_fields() -> None:
    with pytest.raises(ValueError, match="unknown event kind"):
        make_event(0, "assistant_txt", text="hi")
    with pytest.raises(TypeError, match="no field"):
        make_event(0, "assistant_text", text="hi", reply=1)
    with pytest.raises(TypeError, match="needs field"):
        make_event(0, "barge_in", reply_id=1, heard="a")
    ev = make_event(400, "task_started", task_id=3, kind="summary")  # a field may be called `kind`
    assert ev == events.TaskStarted(t_ms=400, task_id=3, kind="summary")


def test_lines_read_exactly_as_before_the_classes() -> None:
    """Fields passed only sometimes stay out of the line when not given; the rest in emit order."""
    typed = events.UserText(text="hello", typed=True).stamped(600)
    assert typed.to_json() == '{"t_ms": 600, "type": "user_text", "text": "hello", "typed": true}'
    spoken = make_event(800, "user_text", text="hello", reply_id=2)
    assert spoken.to_json() == '{"t_ms": 800, "type": "user_text", "text": "hello", "reply_id": 2}'
    timer = events.ToolCall(tool="timer", id="t1", seconds=5, due_ms=6000)
    assert timer.fields == {"tool": "timer", "id": "t1", "seconds": 5, "due_ms": 6000}
    assert events.ReplySpeculative(reply_id=None).fields == {"reply_id": None}  # a required None stays
    assert events.UserSpeechStart(t_ms=200).to_json() == '{"t_ms": 200, "type": "user_speech_start"}'
    fallback = events.BackendFallback(role="background", message="no server")
    assert list(fallback.fields) == ["role", "message"]


def test_stamping_and_the_old_interface() -> None:
    ev = events.AssistantText(text="Hi.", reply_id=1)
    stamped = ev.stamped(2400)
    assert (ev.t_ms, stamped.t_ms) == (0, 2400) and stamped.text == "Hi." and type(stamped) is events.AssistantText
    with pytest.raises(dataclasses.FrozenInstanceError):
        stamped.text = "changed"  # type: ignore[misc]
    assert stamped.type == "assistant_text" and stamped.fields["text"] == "Hi."
    assert make_event(2400, "assistant_text", text="Hi.", reply_id=1) == stamped
    with pytest.raises(TypeError, match="abstract"):
        Event(t_ms=0)
    from presence.core.types import Event as FromTypes

    assert FromTypes is Event


def test_events_jsonl_reads_back_as_dicts(tmp_path) -> None:
    log = [events.UserText(t_ms=1000, text="Hello", reply_id=1), events.AssistantText(t_ms=1600, text="Hi there.",
                                                                                       reply_id=1),
           events.Panel(t_ms=1800, panel={"id": "p", "root": {"type": "text", "text": "x"}}),
           events.AssistantText(t_ms=2000, text="Anything else?", reply_id=1)]
    (tmp_path / "events.jsonl").write_text("".join(e.to_json() + "\n" for e in log), encoding="utf-8")
    assert assistant_texts(tmp_path / "events.jsonl") == [(1600, "hi there."), (2000, "anything else?")]
    rows = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert [make_event(r.pop("t_ms"), r.pop("type"), **r) for r in rows] == log
