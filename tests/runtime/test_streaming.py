"""Streaming state: models fed tick by tick give what they give on the whole input at once."""

import numpy as np
import pytest

from presence.core.types import TICK_SAMPLES
from presence.devices.audio_files import read_wav_16k_mono
from presence.speech.vad import SileroVad

pytestmark = pytest.mark.slow


def _speech(models) -> np.ndarray:
    return models.engine.tts.synthesize_steady("What is the capital of France? I would like to know.")


def test_vad_streamed_in_ticks_equals_batch(models):
    """Silero VAD over 200 ms ticks matches one call over the whole signal, and reset() restarts it."""
    audio = np.concatenate([np.zeros(8000, np.float32), _speech(models), np.zeros(8000, np.float32)])
    vad = SileroVad()
    batch = vad.process(audio)
    vad.reset()
    streamed = []
    for i in range(0, len(audio), TICK_SAMPLES):
        streamed += vad.process(audio[i:i + TICK_SAMPLES])
    assert len(streamed) == len(batch)
    np.testing.assert_allclose(streamed, batch, atol=1e-5)
    assert max(batch) > 0.9 and min(batch) < 0.1


def test_asr_on_tick_assembled_utterance_equals_whole(models):
    """The utterance the runner assembles from ticks transcribes the same as the original signal."""
    audio = _speech(models)
    ticks = [audio[i:i + TICK_SAMPLES] for i in range(0, len(audio), TICK_SAMPLES)]
    whole = models.engine.asr.transcribe(audio).text
    assembled = models.engine.asr.transcribe(np.concatenate(ticks)).text
    assert whole == assembled and "capital" in whole.lower()


def test_partial_transcript_uses_a_shorter_window_and_keeps_the_words(models):
    """Words-so-far transcripts run greedy in a 5 s window; a whole turn keeps the 10 s window."""
    from presence.speech.asr import PARTIAL_WINDOW_FRAMES, window_frames

    audio = _speech(models)
    assert len(audio) < 4 * 16000
    assert window_frames(len(audio), PARTIAL_WINDOW_FRAMES) == 500 and window_frames(len(audio)) == 1000
    assert window_frames(int(4.6 * 16000), PARTIAL_WINDOW_FRAMES) == 1000  # no room left in 5 s
    assert "capital" in models.engine.asr.transcribe(audio, partial=True).text.lower()


def test_llm_persistent_session_equals_fresh_prefill(models):
    """Appending turns to the kept KV cache answers exactly like re-reading the whole chat at once."""
    llm = models.engine.llm
    llm.reset()
    llm.add_user("Hello, who are you?")
    first = "".join(llm.stream_reply(20))
    llm.add_user("What is the capital of France?")
    streamed = "".join(llm.stream_reply(20))
    tokens_after = llm.context_tokens
    llm.reset()
    llm._append(f"<|im_start|>user\nHello, who are you?<|im_end|>\n<|im_start|>assistant\n{first.strip()}"
                "<|im_end|>\n<|im_start|>user\nWhat is the capital of France?<|im_end|>\n")
    batch = "".join(llm.stream_reply(20))
    llm.reset()
    assert streamed == batch
    assert tokens_after > 40


def test_llm_barge_in_cut_keeps_only_heard_words(models):
    """After replace_last_reply the context holds only the heard part, and the session still answers."""
    llm = models.engine.llm
    llm.reset()
    llm.add_user("Tell me a story about a dragon.")
    "".join(llm.stream_reply(40))
    llm.replace_last_reply("Once upon a time")
    assert llm._history[-1] == ("assistant", "Once upon a time")
    llm.add_user("Make it about a cat instead.")
    assert "".join(llm.stream_reply(20)).strip()
    llm.reset()


def test_read_wav_downmixes_and_resamples(tmp_path):
    """Stereo 44.1 kHz input becomes 16 kHz mono of the same duration."""
    import wave

    p = tmp_path / "stereo.wav"
    t = np.arange(44100) / 44100
    x = (np.sin(2 * np.pi * 440 * t) * 10000).astype("<i2")
    with wave.open(str(p), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(44100)
        w.writeframes(np.stack([x, x], axis=1).tobytes())
    y = read_wav_16k_mono(p)
    assert abs(len(y) - 16000) <= 2 and 0.25 < np.abs(y).max() < 0.35
