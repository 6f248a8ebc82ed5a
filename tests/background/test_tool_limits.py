"""A model's tool call with a value like 1e5000 is refused with a message, and the task goes on."""

from __future__ import annotations

from datetime import datetime

import pytest
from fakes_background import FakeSlowChatSession

from presence.core.tools import run_tool
from presence.models.openai_backend import ToolCall
from presence.runtime.background import BackgroundWorker, TaskResult, TaskToolCall
from presence.runtime.taskprompt import ContextPackage, TranscriptLine

NOW = datetime(2026, 5, 1, 12, 0)


@pytest.mark.parametrize("value", [1e5000, float("nan"), "1e5000", "-1e5000", 10**400, "9" * 5000])
def test_huge_or_non_finite_values_are_refused_with_a_message(value):
    result = run_tool("convert_units", {"value": value, "from_unit": "km", "to_unit": "m"}, NOW)
    assert result.startswith("error: ")


def test_a_tool_that_raises_gives_an_error_string(monkeypatch):
    from presence.core import tools

    def boom(args, now):
        raise OverflowError("math range error")

    import dataclasses

    monkeypatch.setitem(tools.TOOLS, "calculate", dataclasses.replace(tools.TOOLS["calculate"], run=boom))
    assert run_tool("calculate", {"expression": "1e308 times 1e308"}, NOW) == \
        "error: calculate could not use these arguments (OverflowError)"


def test_the_background_task_goes_on_after_a_refused_tool_call():
    call = ToolCall("c1", "convert_units", '{"value": 1e5000, "from_unit": "km", "to_unit": "miles"}')
    fake = FakeSlowChatSession(reply="I could not convert that.", tool_calls=[call])
    worker = BackgroundWorker(fake, progress_interval_s=0.0, tools=("convert_units",))
    try:
        worker.submit(ContextPackage("How far is 1e5000 km in miles, in detail?", "explanation",
                                     (TranscriptLine(0, "user", "hi"),)))
        assert worker.wait_idle(5.0)
        items = worker.poll()
        (tool,) = [i for i in items if isinstance(i, TaskToolCall)]
        assert tool.result.startswith("error: ")
        assert isinstance(items[-1], TaskResult) and items[-1].text == "I could not convert that."
    finally:
        worker.close()
