"""Duplex behaviour through `presence replay` on scenarios, scored from the audio alone.

The public set (../shared/duplex) is scored by its own duplex_eval.py; our generated set (made
with the embedded voice, no ../shared needed) by presence.evaluation.score.
"""

import json
import subprocess
import sys

import pytest
from helpers import PUBLIC, SHARED

from presence.evaluation.run import replay_folder
from presence.evaluation.scenarios import build_all
from presence.evaluation.score import Limits, score_folder, score_scenario
from presence.runtime.replay import ReplayOptions, replay

pytestmark = pytest.mark.slow

DUPLEX_KINDS = ("turn", "pause", "interrupt", "noise_only")
PROACTIVE_KINDS = ("timer", "cue", "screen", "screen_benign")


def _shared_eval(results):
    if not (SHARED / "duplex" / "duplex_eval.py").exists():
        pytest.skip("../shared/duplex is not available in this checkout")
    out = results / "scores.json"
    subprocess.run([sys.executable, str(SHARED / "duplex" / "duplex_eval.py"), str(PUBLIC), str(results),
                    "--json", str(out)], check=True, capture_output=True, text=True)
    return json.loads(out.read_text())["rows"]


def _failures(rows, kinds):
    return {name: r for name, r in rows.items() if r["kind"] in kinds and not r["ok"]}


@pytest.mark.parametrize("echo", [False, True], ids=["clean", "echo"])
def test_public_duplex_scenarios_pass(models, tmp_path, echo):
    """Every public turn, pause, interrupt and noise scenario passes, also with the speaker echoing."""
    if not PUBLIC.exists():
        pytest.skip("../shared/duplex is not available in this checkout")
    gain, delay = (0.5, 60.0) if echo else (0.0, 0.0)
    replay_folder(models, PUBLIC, tmp_path, gain, delay, kinds=DUPLEX_KINDS)
    rows = _shared_eval(tmp_path)
    assert not _failures(rows, DUPLEX_KINDS)


def test_public_timer_cue_and_screen_scenarios_pass(models, tmp_path):
    """The timer speaks on time, the cue word is caught mid-sentence, the build error is spoken, benign is quiet."""
    if not PUBLIC.exists():
        pytest.skip("../shared/duplex is not available in this checkout")
    replay_folder(models, PUBLIC, tmp_path, kinds=PROACTIVE_KINDS)
    rows = _shared_eval(tmp_path)
    assert not _failures(rows, PROACTIVE_KINDS)


@pytest.fixture(scope="session")
def own_set(models, tmp_path_factory):
    """Our generated scenarios, synthesized once per test session (about 5 s), the same audio every run."""
    root = tmp_path_factory.mktemp("own_scenarios")
    build_all(models.engine.tts.synthesize_steady, root)
    return root


def test_own_scenarios_pass(models, own_set, tmp_path):
    """Our generated turn, pause, interrupt and noise scenarios (other voice, sentences, timings) pass our scorer."""
    replay_folder(models, own_set, tmp_path, kinds=DUPLEX_KINDS)
    rows, _ = score_folder(own_set, tmp_path)
    rows = {n: r for n, r in rows.items() if r["kind"] in DUPLEX_KINDS}
    assert len(rows) == 12
    failed = {n: r for n, r in rows.items() if not r["ok"]}
    assert not failed, json.dumps(failed)


# Beyond the public timer and cue: several timers in one sentence, a timer cancelled by voice, a cue
# word said twice, a cue that must not fire on a similar word. Timers are held to issue 5's target
# (<= 0.5 s: they fire on the logical clock). Cue speech waits for partial transcripts, whose measured
# decode time the fast replay charges: 0.6-1.0 s on a 2-core machine shared with other jobs, up to
# 1.2 s when it was busier, so CI allows 1.5 s (the public scorer 2 s); `presence bench` reports it against 1 s.
# The one-minute timer runs through the CLI below.
# A deep task's spoken acknowledgement waits for the final transcript (0.2-0.6 s here): CI allows 1.5 s.
CI_LIMITS = Limits(timer_ms=500, cue_ms=1500, ack_ms=1500)
OWN_TIME = ["own_timer_five", "own_timers_two", "own_timer_cancel", "own_cue_twice", "own_cue_repeat",
            "own_cue_decoy", "own_task_plan"]


@pytest.mark.parametrize("name", OWN_TIME)
def test_own_time_scenario_passes(models, own_set, tmp_path, name):
    """Timers speak within 0.5 s of due (a cancelled one never); each cue word gets speech before the sentence
    ends; a deep task is acknowledged in words."""
    events = replay(ReplayOptions(own_set / name / "user.wav", tmp_path, fast=True), models)
    row = score_scenario(own_set / name, tmp_path, CI_LIMITS)
    said = [(e.t_ms, e.type, e.fields.get("text", "")) for e in events
            if e.type in ("user_text", "assistant_text", "reply_discarded", "barge_in", "tool_call")]
    assert row["ok"], f"{row}\n" + "\n".join(map(str, said))


def test_one_minute_timer_through_presence_replay_fast(own_set, tmp_path):
    """'Tell me when one minute has passed' (65 s of audio) through `presence replay --fast` speaks on the minute."""
    d = own_set / "own_timer_minute"
    subprocess.run([sys.executable, "-m", "presence.cli", "replay", "--audio", str(d / "user.wav"), "--out",
                    str(tmp_path), "--fast", "--quiet"], check=True, capture_output=True, text=True, timeout=300)
    row = score_scenario(d, tmp_path)
    assert row["ok"], f"{row}"
    assert abs(row["timer_error_ms"]) <= 500
