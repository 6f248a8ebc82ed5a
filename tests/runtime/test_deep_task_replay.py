"""A deep task through replay: acknowledged at once, follow-ups answered meanwhile, result woven in later."""

import numpy as np
import pytest

from presence.devices.audio_files import write_wav_16k_mono
from presence.runtime.replay import ReplayOptions, replay

pytestmark = pytest.mark.slow


def test_deep_task_is_acknowledged_then_delivered_when_the_user_is_quiet(models, tmp_path):
    """A plan is acknowledged at once, 7x8 is still answered, and the plan is never spoken over the user.

    (Whether the follow-up lands while the plan is being written depends on the machine's speed;
    tests/background/test_background_scripted.py pins that case down with a slow fake model.)
    """
    say = models.engine.tts.synthesize_steady
    quiet = [np.zeros(int(s * 16000), np.float32) for s in (0.8, 2.2, 25.0)]
    task = say("Write a detailed plan for my whole week, day by day.")
    follow_up = say("What is seven times eight?")
    write_wav_16k_mono(tmp_path / "user.wav", np.concatenate([quiet[0], task, quiet[1], follow_up, quiet[2]]))
    events = replay(ReplayOptions(tmp_path / "user.wav", tmp_path / "out", fast=True), models)
    by_type: dict[str, list] = {}
    for e in events:
        by_type.setdefault(e.type, []).append(e)
    turn_ends = [e.t_ms for e in by_type["user_turn_end"]]
    ack = next(e for e in by_type["assistant_text"] if "work that out" in e.fields["text"])
    request_end = max(t for t in turn_ends if t <= ack.t_ms)  # a comma pause may have ended a turn early
    assert ack.t_ms - request_end <= 1500  # measured ~600 ms on an idle machine; bounded loosely for CI
    assert by_type["tool_call"][0].fields["tool"] == "deep_task"
    said = [(e.t_ms, e.type, e.fields.get("text", e.fields.get("reason", ""))) for e in events
            if e.type in ("user_text", "assistant_text", "reply_discarded", "reply_done", "barge_in")]
    assert any("56" in e.fields["text"] for e in by_type["assistant_text"]), "\n".join(map(str, said))
    plan_lines = {line for e in by_type["task_delivered"] for line in e.fields["text"].splitlines()}
    plan = [e for e in by_type["assistant_text"] if e.fields["text"] in plan_lines]
    follow_up_start = (len(quiet[0]) + len(task) + len(quiet[1])) * 1000 // 16000
    follow_up_end = follow_up_start + len(follow_up) * 1000 // 16000
    assert plan, "\n".join(map(str, said))
    discarded = {e.fields["reply_id"]: e.t_ms for e in by_type.get("reply_discarded", [])}
    for e in plan:  # a delivery that began as the user did is cut within two ticks, never talked over the user
        if follow_up_start <= e.t_ms <= follow_up_end:
            assert discarded.get(e.fields["reply_id"], 10**9) - follow_up_start <= 400, "\n".join(map(str, said))
