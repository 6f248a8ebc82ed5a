"""One parser for time: durations and clock times as Whisper writes them and as people type them."""

from datetime import datetime

import pytest

from presence.core.timeparse import parse_clock_time, parse_duration, parse_durations, say_duration


@pytest.mark.parametrize("text, seconds", [
    ("10 seconds", 10), ("ten seconds", 10), ("1.5 minutes", 90), ("a minute and a half", 90),
    ("one and a half minutes", 90), ("90 secs", 90), ("ninety seconds", 90), ("half an hour", 1800),
    ("an hour and a quarter", 4500), ("2 min", 120), ("a quarter of an hour", 900),
    ("three quarters of an hour", 2700), ("one hour and thirty minutes", 5400), ("1 hour 30 minutes", 5400),
    ("two and a half hours", 9000), ("a couple of minutes", 120), ("a 10-minute timer", 600),
    ("twenty-five minutes", 1500), ("twenty five minutes", 1500), ("half a minute", 30),
    ("2 minutes 10 seconds", 130), ("45 sec", 45), ("1 hr", 3600), ("a hundred seconds", 100),
    ("one minute and thirty seconds", 90), ("an hour and a half", 5400), ("another minute", 60),
    ("one hundred and twenty seconds", 120), ("3 and a half minutes", 210),
])
def test_durations(text, seconds):
    found = parse_duration(text)
    assert found is not None and found.seconds == seconds


def test_several_durations_and_no_false_ones():
    """Each duration once, in order; clock times and plain numbers are no durations."""
    assert [d.seconds for d in parse_durations("five seconds and another one for nine seconds")] == [5, 9]
    assert [d.seconds for d in parse_durations("timers for 2 minutes, 5 minutes and an hour")] == [120, 300, 3600]
    assert parse_durations("half past five") == [] and parse_durations("quarter to six") == []
    assert parse_durations("I have two cats") == [] and parse_durations("at 5:30") == []
    assert [d.seconds for d in parse_durations("make the tea one two and a half minutes")] == [150]


@pytest.mark.parametrize("text, slot, meridiem", [
    ("5:30", "5:30", None), ("at 5.30", "5:30", None), ("5.30 pm", "5:30", "pm"), ("half past five", "5:30", None),
    ("quarter to six", "5:45", None), ("a quarter past nine", "9:15", None), ("at 17:45", "17:45", None),
    ("noon", "12:00", None), ("midnight", "0:00", None), ("5 pm", "5:00", "pm"), ("at 5 p.m.", "5:00", "pm"),
    ("5pm", "5:00", "pm"), ("at five thirty", "5:30", None), ("five thirty pm", "5:30", "pm"),
    ("at seven forty five", "7:45", None), ("ten past five", "5:10", None), ("at five to six", "5:55", None),
    ("at twenty to eight", "7:40", None), ("five o'clock", "5:00", None), ("at 7 in the morning", "7:00", None),
    ("at 9 tonight", "9:00", None), ("quarter to one", "12:45", None), ("at ten after three", "3:10", None),
    ("remind me at five to call sam", "5:00", None), ("at 6 a.m.", "6:00", "am"), ("at five oh five", "5:05", None),
    ("set a reminder for ten to nine", "8:50", None), ("at 530", "5:30", None), ("at 1745", "17:45", None),
])
def test_clock_times(text, slot, meridiem):
    found = parse_clock_time(text)
    assert found is not None and (found.slot, found.meridiem) == (slot, meridiem)


@pytest.mark.parametrize("text", ["count from one to ten", "I am here", "set a timer for 5", "in five minutes",
                                  "I have 5 apples", "it costs 5.30", "one to one meeting"])
def test_no_clock_time(text):
    assert parse_clock_time(text) is None


def test_next_occurrence():
    """A time of day is its next occurrence: morning or evening when not said, tomorrow when today's is past."""
    now = datetime(2024, 5, 1, 16, 0)
    assert parse_clock_time("at 5:30").next_after(now) == datetime(2024, 5, 1, 17, 30)  # 5:30 pm is sooner
    assert parse_clock_time("at 3").next_after(now) == datetime(2024, 5, 2, 3, 0)  # 3 am tomorrow is sooner than 3 pm
    assert parse_clock_time("at 3 pm").next_after(now) == datetime(2024, 5, 2, 15, 0)
    assert parse_clock_time("at 17:45").next_after(now) == datetime(2024, 5, 1, 17, 45)
    assert parse_clock_time("noon").next_after(now) == datetime(2024, 5, 2, 12, 0)
    assert parse_clock_time("midnight").next_after(now) == datetime(2024, 5, 2, 0, 0)
    assert parse_clock_time("at 7 in the morning").next_after(now) == datetime(2024, 5, 2, 7, 0)
    assert parse_clock_time("at 9 tomorrow").next_after(datetime(2024, 5, 1, 8, 0)) == datetime(2024, 5, 2, 9, 0)
    assert parse_clock_time("at 4").seconds_after(datetime(2024, 5, 1, 15, 59, 30)) == 30.0


@pytest.mark.parametrize("seconds, said", [(10, "ten seconds"), (1, "one second"), (60, "one minute"),
                                           (90, "a minute and a half"), (150, "two and a half minutes"),
                                           (4500, "one hour and fifteen minutes"), (45, "forty-five seconds"),
                                           (5400, "an hour and a half"), (130, "two minutes and ten seconds")])
def test_said_back(seconds, said):
    assert say_duration(seconds) == said
