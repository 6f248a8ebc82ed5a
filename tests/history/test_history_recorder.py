"""The history's event sink: which events become lines, one writer thread, the switch, what the lines
become (window rows, exports, the model's recall), and a process killed mid-reply keeping every line
it had said."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

from presence.core import events
from presence.history import HistoryRecorder, HistoryStore
from presence.history.store import FILE_NAME
from presence.history.views import recall, to_json, to_markdown, turns, window_rows


def _conversation():
    return [
        events.UserText(t_ms=1000, text="tell me a story", reply_id=1),
        events.Filler(t_ms=1200, text="Hmm."),
        events.AssistantText(t_ms=1200, text="Hmm.", reply_id=0),  # a filler: not kept
        events.AssistantText(t_ms=1400, text="Once upon a time.", reply_id=1),
        events.AssistantText(t_ms=2400, text="A dragon slept.", reply_id=1),
        events.BargeIn(t_ms=3000, reply_id=1, heard="Once upon a time. A dragon", cut="slept."),
        events.UserText(t_ms=4000, text="set a timer for ten seconds", typed=True),
        events.ToolCall(t_ms=4200, tool="timer", id=1, seconds=10.0, due_ms=14200),
        events.AssistantText(t_ms=4400, text="Timer set.", reply_id=2),
        events.TaskResult(t_ms=5000, task_id=1, kind="plan", text="Monday: rest.", elapsed_s=3.5),
        events.Level(t_ms=5200, rms=0.1),
        events.State(t_ms=5200, state="listening"),
    ]


def _record(path, evs, enabled=True):
    recorder = HistoryRecorder(path, enabled=enabled)
    for ev in evs:
        recorder(ev)
    assert recorder.flush()
    recorder.close()
    return recorder


def test_turns_as_heard_cut_text_tools_and_results_are_recorded(tmp_path):
    path = tmp_path / FILE_NAME
    recorder = _record(path, _conversation())
    assert recorder.written == 8 and recorder.error is None
    with HistoryStore(path) as store:
        (conv,) = store.conversations()
        lines = store.lines(conv.id)
    assert [ln.kind for ln in lines] == ["user", "assistant", "assistant", "cut", "user", "tool", "assistant",
                                         "result"]
    assert lines[4].data == {"typed": True} and lines[3].data == {"cut": "slept."}
    assert lines[5].text == "timer" and lines[5].data == {"id": 1, "seconds": 10.0, "due_ms": 14200}
    said = [(t.role, t.text, t.cut) for t in turns(lines)]
    assert said[:2] == [("user", "tell me a story", None), ("assistant", "Once upon a time. A dragon", "slept.")]
    rows = window_rows(lines)
    assert rows[1].endswith("Presence: Once upon a time. A dragon — interrupted (not said: slept.)")
    assert rows[-1].endswith("Result: Monday: rest.") and rows[0].startswith("[20")


def test_the_switch_stops_and_restarts_recording(tmp_path):
    path = tmp_path / FILE_NAME
    recorder = HistoryRecorder(path, enabled=False)
    recorder(events.UserText(t_ms=0, text="not kept"))
    assert not path.exists()
    recorder.set_enabled(True)
    recorder(events.UserText(t_ms=200, text="kept"))
    recorder.set_enabled(False)
    recorder(events.UserText(t_ms=400, text="not kept either"))
    assert recorder.flush()
    recorder.close()
    with HistoryStore(path) as store:
        assert [ln.text for c in store.conversations() for ln in store.lines(c.id)] == ["kept"]


def test_a_store_that_cannot_be_opened_turns_recording_off_with_a_reason(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    recorder = HistoryRecorder(blocker / "sub" / FILE_NAME)
    recorder(events.UserText(t_ms=0, text="hello"))
    assert recorder.flush()
    assert recorder.error and "history is off" in recorder.error
    recorder(events.UserText(t_ms=200, text="ignored"))
    recorder.close()


def test_exports_and_the_models_recall(tmp_path):
    path = tmp_path / FILE_NAME
    _record(path, _conversation())
    with HistoryStore(path) as store:
        (conv,) = store.conversations()
        lines = store.lines(conv.id)
    md = to_markdown([(conv, lines)])
    assert md.startswith("# Presence conversations") and f"(conversation {conv.id})" in md
    assert "**You:** tell me a story" in md and "— interrupted (not said: slept.)" in md
    data = json.loads(to_json([(conv, lines)]))
    assert data["version"] == 1 and data["conversations"][0]["lines"][3]["data"] == {"cut": "slept."}
    assert recall(lines) == [("user", "tell me a story"), ("assistant", "Once upon a time. A dragon"),
                             ("user", "set a timer for ten seconds"), ("assistant", "Timer set.")]
    assert recall(lines, max_turns=3) == [("user", "set a timer for ten seconds"), ("assistant", "Timer set.")]
    long = recall(lines, max_chars=10)
    assert all(len(text) <= 10 for _, text in long)


CHILD = textwrap.dedent("""
    import sys, time
    from presence.core import events
    from presence.history import HistoryRecorder

    recorder = HistoryRecorder(sys.argv[1])
    for i in range(100000):
        recorder(events.AssistantText(t_ms=200 * i, text=f"sentence {i}", reply_id=1))
        print(i, flush=True)
        time.sleep(0.01)
""")


def test_killing_the_process_mid_reply_loses_at_most_the_line_being_spoken(tmp_path):
    """SIGKILL while sentences are being recorded: every line before the last one handed over is there,
    and the file is intact."""
    path = tmp_path / FILE_NAME
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True)
    last = -1
    try:
        assert child.stdout is not None
        for line in child.stdout:
            last = int(line)
            if last >= 40:
                break
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(10)
    assert child.returncode == -signal.SIGKILL and last >= 40
    with HistoryStore(path) as store:
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        texts = [ln.text for c in store.conversations() for ln in store.lines(c.id)]
    assert texts[:last] == [f"sentence {i}" for i in range(last)]  # at most the line in flight is lost
