"""Pure tool intents: cancel detection, deep-task detection, exact unit conversion, the registry."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

import pytest

from presence.core import tools
from presence.core.tools import (
    TOOL_NAMES,
    CancelTask,
    DeepTask,
    convert,
    convert_units,
    deep_task_request,
    is_cancel_request,
    openai_tools,
    parse_tool_intent,
    run_tool,
)


@pytest.mark.parametrize("text", ["never mind", "Never mind.", "Oh, never mind that.", "nevermind", "stop that",
                                  "Stop that, please.", "cancel that", "Cancel.", "forget it", "forget about it",
                                  "okay stop working on that", "cancel the summary", "scratch that",
                                  "Don't bother.", "stop it"])
def test_cancel_requests(text):
    assert is_cancel_request(text)
    assert parse_tool_intent(text) == CancelTask()


@pytest.mark.parametrize("text", ["I never mind the rain", "stop", "Stop.", "stop the music",
                                  "stop talking about cats", "cancel my timer", "can you never mind", ""])
def test_not_cancel_requests(text):
    """A bare 'stop' is a barge-in ('stop talking'), and cancelling timers is the timer parser's."""
    assert not is_cancel_request(text)


@pytest.mark.parametrize("text,kind", [
    ("Summarise what we talked about", "summary"),
    ("summarize what's on my screen", "summary"),
    ("Can you give me a recap?", "summary"),
    ("Write a short plan for my week", "plan"),
    ("plan my weekend", "plan"),
    ("make me a to-do list for tomorrow", "plan"),
    ("Explain how a car engine works in detail", "explanation"),
    ("walk me through setting up a router step by step", "explanation"),
    ("Tell me a long story about a dragon", "story"),
    ("write me an email to my landlord about the heating", "writing"),
])
def test_deep_task_requests(text, kind):
    assert deep_task_request(text) == kind
    intent = parse_tool_intent(text)
    assert isinstance(intent, DeepTask) and intent.kind == kind and intent.ack() == "Let me work that out."


@pytest.mark.parametrize("text", ["What's the plan?", "tell me a story", "what is 2 plus 2", "how do I plan",
                                  "explain that", "hello", "set a timer for ten minutes"])
def test_not_deep_task_requests(text):
    assert deep_task_request(text) is None


@pytest.mark.parametrize("text,expected", [
    ("How many miles is 10 km?", "10 kilometres is about 6.21 miles."),
    ("convert 5 kilograms to pounds", "5 kilograms is about 11.02 pounds."),
    ("What's 100 degrees Celsius in Fahrenheit?", "100 degrees Celsius is 212 degrees Fahrenheit."),
    ("what is 100 fahrenheit in celsius", "100 degrees Fahrenheit is about 37.78 degrees Celsius."),
    ("minus forty degrees celsius in fahrenheit", "-40 degrees Celsius is -40 degrees Fahrenheit."),
    ("37 °C to F", "37 degrees Celsius is 98.6 degrees Fahrenheit."),
    ("12 inches to cm", "12 inches is 30.48 centimetres."),
    ("how many cm is 3.5 inches", "3.5 inches is 8.89 centimetres."),
    ("how many centimetres in an inch", "1 inch is 2.54 centimetres."),
    ("what is twenty five miles in kilometres", "25 miles is 40.2336 kilometres."),
    ("how many pounds in a kilo", "1 kilogram is about 2.2 pounds."),
    ("convert 1 pound to kg", "1 pound is about 0.454 kilograms."),
    ("six feet in centimetres", "6 feet is 182.88 centimetres."),
])
def test_unit_conversion_is_exact(text, expected):
    assert convert_units(text) == expected


@pytest.mark.parametrize("text", ["I walked 5 km today", "what is 3 km in kg", "ten km", "100 degrees to miles",
                                  "what is seven times eight", "what time is it", "two square metres in feet"])
def test_not_unit_conversions(text):
    assert convert_units(text) is None


def test_conversion_constants_are_the_exact_definitions():
    assert convert(Fraction(1), "mile", "km") == Fraction(1609344, 1000000)
    assert convert(Fraction(1), "lb", "kg") == Fraction(45359237, 100000000)
    assert convert(Fraction(1), "inch", "cm") == Fraction(254, 100)
    assert convert(Fraction(-40), "f", "c") == -40
    with pytest.raises(ValueError):
        convert(Fraction(1), "km", "kg")


def test_registry_and_model_tool_calls_are_validated():
    assert {"timer", "cue_watch", "deep_task", "cancel_task", "convert_units", "calculate", "date_time",
            "read_screen"} <= set(TOOL_NAMES)
    schema = openai_tools()
    assert [s["function"]["name"] for s in schema] == list(tools.MODEL_TOOLS)
    assert all(s["type"] == "function" and s["function"]["parameters"]["type"] == "object" for s in schema)
    now = datetime(2026, 11, 25, 9, 5)
    assert run_tool("convert_units", {"value": 10, "from_unit": "Miles", "to_unit": "km"}, now) == \
        "10 miles is about 16.09 kilometres."
    assert run_tool("convert_units", {"value": 20, "from_unit": "degrees C", "to_unit": "°F"}, now) == \
        "20 degrees Celsius is 68 degrees Fahrenheit."
    assert run_tool("convert_units", {"value": "ten", "from_unit": "km", "to_unit": "mi"}, now).startswith("error")
    assert run_tool("convert_units", {"value": 1, "from_unit": "km", "to_unit": "kg"}, now).startswith("error")
    assert run_tool("calculate", {"expression": "12 times 7 plus 3"}, now) == "12 times 7 plus 3 is 87."
    assert run_tool("calculate", {"expression": "__import__('os')"}, now).startswith("error")
    assert run_tool("date_time", {}, now) == "It is 9:05 AM on Wednesday, November 25, 2026."
    assert run_tool("timer", {"seconds": 5}, now).startswith("error")  # the runner runs timers, not models
    assert run_tool("rm -rf", {}, now).startswith("error")
    assert run_tool("calculate", None, now).startswith("error")


@pytest.mark.parametrize("heard,kind", [("Right a short plan for my week.", "plan"),
                                        ("Ride a short plan for me.", "plan"),
                                        ("Right an email to Sam.", "writing"),
                                        ("Right, that is a good plan.", None),
                                        ("Right now I need to go.", None)])
def test_write_heard_as_right_still_asks_for_deep_work(heard, kind):
    """An opening 'Right a ...' (Whisper's 'Write a ...') is the imperative; 'Right, ...' is not."""
    from presence.core.tools import deep_task_request

    assert deep_task_request(heard) == kind
