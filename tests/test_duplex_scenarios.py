"""Duplex behaviour through `presence replay` on scenarios, scored from the audio alone.

The public set (../shared/duplex) is scored by its own duplex_eval.py; our generated set (made
with the embedded voice, no ../shared needed) by presence.evaluation.score.
"""

import json
import subprocess
import sys

import pytest

from presence.evaluation.run import replay_folder
from presence.evaluation.scenarios import build_all
from presence.evaluation.score import score_folder
from tests.conftest import PUBLIC, SHARED

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


def test_own_scenarios_pass(models, tmp_path):
    """Our generated scenarios (other voice, sentences and timings) pass our own scorer."""
    build_all(models.engine.tts.synthesize, tmp_path / "scenarios")
    replay_folder(models, tmp_path / "scenarios", tmp_path / "results")
    rows, summary = score_folder(tmp_path / "scenarios", tmp_path / "results")
    assert summary["total"] == 8
    assert not {n: r for n, r in rows.items() if not r["ok"]}
