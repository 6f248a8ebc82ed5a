"""`presence replay` through the real tick loop with the embedded models."""

import json

import numpy as np
import pytest
from helpers import public_scenario

from presence.core.types import TICK_MS
from presence.devices.audio_files import read_wav_16k_mono, write_wav_16k_mono
from presence.runtime.replay import ReplayOptions, replay

pytestmark = pytest.mark.slow


def _events(out):
    return [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]


def _first_speech_ms(wav) -> int | None:
    x = read_wav_16k_mono(wav)
    hop = 320
    rms = np.sqrt(np.mean(x[: len(x) // hop * hop].reshape(-1, hop) ** 2, axis=1))
    idx = np.flatnonzero(rms > 0.01)
    return None if not idx.size else int(idx[0] * 20)


@pytest.mark.parametrize("name,keyword", [("turn_capital", "paris"), ("turn_math", "56")])
def test_public_turn_scenario_gets_spoken_reply_after_question(models, tmp_path, name, keyword):
    """The reply is spoken after the question ends; events hold the transcript and the reply text."""
    d = public_scenario(name)
    truth = json.loads((d / "truth.json").read_text())
    replay(ReplayOptions(d / "user.wav", tmp_path, fast=True), models)
    onset = _first_speech_ms(tmp_path / "assistant.wav")
    assert onset is not None and onset >= truth["user_end_ms"]
    assert len(read_wav_16k_mono(tmp_path / "assistant.wav")) >= len(read_wav_16k_mono(d / "user.wav"))
    ev = _events(tmp_path)
    user = " ".join(e["text"] for e in ev if e["type"] == "user_text").lower()
    said = " ".join(e["text"] for e in ev if e["type"] == "assistant_text").lower()
    assert user and said and keyword in said


def test_own_question_gets_spoken_reply(models, tmp_path):
    """Without ../shared: a question synthesized by our own voice is answered after it ends."""
    q = models.engine.tts.synthesize_steady("What is seven times eight?")
    audio = np.concatenate([np.zeros(12800, np.float32), q, np.zeros(16000 * 5, np.float32)])
    write_wav_16k_mono(tmp_path / "user.wav", audio)
    events = replay(ReplayOptions(tmp_path / "user.wav", tmp_path / "out", fast=True), models)
    said = [e for e in events if e.type == "assistant_text" and e.fields["reply_id"] > 0]  # not the filler
    assert said and "56" in said[0].fields["text"]
    question_end_ms = (12800 + len(q)) * 1000 // 16000
    onset = _first_speech_ms(tmp_path / "out" / "assistant.wav")
    assert onset is not None and question_end_ms <= onset <= question_end_ms + 4000
    assert all(e.t_ms % TICK_MS == 0 for e in events)


def test_silence_gets_no_reply(models, tmp_path):
    """Nobody talking: nothing said, nothing transcribed."""
    write_wav_16k_mono(tmp_path / "silence.wav", np.zeros(16000 * 4, np.float32))
    events = replay(ReplayOptions(tmp_path / "silence.wav", tmp_path / "out", fast=True), models)
    assert not [e for e in events if e.type in ("user_text", "assistant_text")]
    assert _first_speech_ms(tmp_path / "out" / "assistant.wav") is None
