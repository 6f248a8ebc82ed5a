"""Echo cancellation A/B on our own voice: our NLMS filter against WebRTC's AEC3, and the echo guard.

A long reply in our voice is played back into the microphone through a room (gain, delay, reverb),
and a user (the same voice, pitched up and faster, as the other-voice scenarios) talks over it.
Measured for each canceller:

- ERLE: how much of the echo alone it removes, in the first second of the reply and after;
- double talk: the user's words Whisper recovers from what is left while we talk (when an ASR is
  given), and the user-to-distortion ratio of that residual;

and for the guard (our path detection and residual estimate, with AEC3's second opinion): the ticks
of echo alone it takes for the user (a self-interruption), how many ticks after the user starts it
hears them, and, with no echo at all, the ticks of the user it suppresses as echo.

Used by `presence bench` and, on a few rooms, by tests/runtime/test_echo_real_voice.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

TICK = 3200
REPLY = ["Once upon a time, a dragon lived in a castle on a hill.",
         "Every morning he counted his gold and sang to the birds.",
         "One day a knight came to the gate and asked for help."]
USER = "Wait, stop. Tell me about a cat instead."
LEAD = 16000  # a second of silence before the reply
USER_AT = 64000  # ...and the user talks over it from 4 s into it
ROOMS = [(gain, delay) for gain in (0.3, 0.5, 0.8) for delay in (20, 60, 120)]


@dataclass(frozen=True)
class Voices:
    reply: np.ndarray  # our reply, one sentence after another
    user: np.ndarray  # the user's interruption
    user_text: str = USER


def voices(synthesize_steady: Callable[[str], np.ndarray]) -> Voices:
    from presence.evaluation.scenarios import other_voice, trim

    reply = np.concatenate([synthesize_steady(s) for s in REPLY]).astype(np.float32)
    return Voices(reply, trim(other_voice(synthesize_steady, 1.15)(USER)))


def room(played: np.ndarray, delay_ms: float, gain: float, reverb: bool = True) -> np.ndarray:
    """What a microphone hears of `played`: delayed, scaled and (reverb) with a decaying random tail."""
    delay = int(delay_ms * 16)
    h = np.zeros(delay + 400)
    h[delay] = gain
    if reverb:
        rng = np.random.default_rng(3)
        h[delay + 1:] = rng.standard_normal(399) * gain * 0.2 * np.exp(-np.arange(399) / 80)
    return np.convolve(played, h)[: len(played)].astype(np.float32)


@dataclass(frozen=True)
class Scene:
    played: np.ndarray
    echo: np.ndarray
    user: np.ndarray
    user_span: tuple[int, int]

    @property
    def mic(self) -> np.ndarray:
        return self.echo + self.user


def scene(v: Voices, gain: float, delay_ms: float, reverb: bool = True, user_at: int = USER_AT) -> Scene:
    played = np.concatenate([np.zeros(LEAD, np.float32), v.reply, np.zeros(16000, np.float32)])
    user = np.zeros_like(played)
    start = LEAD + user_at
    user[start:start + len(v.user)] = v.user[:len(played) - start]
    return Scene(played, room(played, delay_ms, gain, reverb), user, (start, start + len(v.user)))


def _ticks(audio: np.ndarray) -> range:
    return range(0, len(audio) - TICK + 1, TICK)


def run_nlms(s: Scene, mic: np.ndarray | None = None) -> np.ndarray:
    from presence.speech.echo import EchoCanceller

    ec, mic = EchoCanceller(second_opinion=False), s.mic if mic is None else mic
    return np.concatenate([ec.process(mic[i:i + TICK], s.played[i:i + TICK]) for i in _ticks(mic)])


def run_aec3(s: Scene, mic: np.ndarray | None = None) -> np.ndarray:
    from presence.speech.aec_webrtc import open_webrtc_aec

    aec, mic = open_webrtc_aec(), s.mic if mic is None else mic
    assert aec is not None, "pywebrtc-audio is not installed"
    out = np.concatenate([aec.process(mic[i:i + TICK], s.played[i:i + TICK]) for i in _ticks(mic)])
    return np.concatenate([out[128:], np.zeros(128, np.float32)])  # AEC3 gives its output 8 ms late


def erle_db(s: Scene, out: np.ndarray, first_second: bool) -> float:
    """Echo removed where the echo is alone (the user's words and 0.3 s around them left out)."""
    n = len(out)
    t = np.arange(n)
    u0, u1 = s.user_span
    active = np.convolve(s.echo[:n] ** 2, np.ones(320) / 320, "same") > 1e-6
    start = LEAD + int(np.argmax(np.abs(s.echo[LEAD:]) > 0))
    first = t < start + 16000
    alone = active & ((t < u0 - 4800) | (t > u1 + 4800)) & (first if first_second else ~first)
    mic = s.mic[:n]
    return float(10 * np.log10(np.sum(mic[alone] ** 2) / (np.sum(out[alone] ** 2) + 1e-12)))


def user_sdr_db(s: Scene, out: np.ndarray) -> float:
    """The user's speech against everything else left while they talk over us (echo and damage)."""
    u0, u1 = s.user_span
    u = s.user[u0:u1]
    return float(10 * np.log10(np.sum(u ** 2) / (np.sum((out[u0:u1] - u) ** 2) + 1e-12)))


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def recall(expected: str, heard: str) -> float:
    left, hit = words(heard), 0
    for w in words(expected):
        if w in left:
            hit += 1
            left.remove(w)
    return hit / max(1, len(words(expected)))


def transcript_recall(asr: Any, s: Scene, out: np.ndarray, text: str) -> float:
    u0, u1 = s.user_span
    return recall(text, asr.transcribe(out[max(0, u0 - 4800): u1 + 8000]).text)


@dataclass
class GuardRun:
    false_ticks: list[int] = field(default_factory=list)  # ticks of echo alone taken for the user
    heard_after_ticks: int | None = None  # ticks from the user's first to the first heard (None: never)
    suppressed_user_ticks: int = 0  # ticks of the user reported as `echo_suppressed`


def guard_run(s: Scene, vad_factory: Callable[[], Any], second_opinion: bool = True) -> GuardRun:
    """The canceller and the listening guard tick by tick, as the runner calls them."""
    from presence.core.turns import TickVoice, TurnSettings
    from presence.runtime.context import Hearing
    from presence.runtime.listening import Listening
    from presence.speech.echo import EchoCanceller

    ec, vad, suppressed = EchoCanceller(second_opinion=second_opinion), vad_factory(), []
    listening = Listening(None, None, ec, None, Hearing(2), lambda kind, **f: suppressed.append(kind), TurnSettings)
    settings, run = TurnSettings(), GuardRun()
    u0, u1 = s.user_span
    mic = s.mic
    for k, i in enumerate(range(0, len(mic) - TICK + 1, TICK)):
        out = ec.process(mic[i:i + TICK], s.played[i:i + TICK])
        before = len(suppressed)
        voice = listening.guard(TickVoice(tuple(vad.process(out))))
        heard = voice.voiced(settings) or (bool(voice.probs) and voice.trailing_speech_frames(settings) >= 1)
        user_here = i + TICK > u0 and i < u1
        if heard and not user_here and np.sqrt(np.mean(s.echo[i:i + TICK] ** 2)) > 1e-3:
            run.false_ticks.append(k)
        if heard and user_here and run.heard_after_ticks is None:
            run.heard_after_ticks = k - u0 // TICK
        if user_here and len(suppressed) > before:
            run.suppressed_user_ticks += 1
    return run


@dataclass
class EchoAB:
    rows: list[dict] = field(default_factory=list)

    def median(self, key: str) -> float:
        return float(np.median([r[key] for r in self.rows if r.get(key) is not None]))

    def least(self, key: str) -> float:
        return float(min(r[key] for r in self.rows if r.get(key) is not None))


def echo_ab(v: Voices, vad_factory: Callable[[], Any], asr: Any = None, rooms: Iterable[tuple[float, float]] = ROOMS,
            reverb: bool = True) -> EchoAB:
    """Every room: both cancellers' ERLE and double talk, the guard's false and late ticks; and the
    guard with no echo at all (the user's words over our reply)."""
    ab = EchoAB()
    for gain, delay in rooms:
        s = scene(v, gain, delay, reverb)
        row: dict = {"gain": gain, "delay_ms": delay}
        for name, run in (("nlms", run_nlms), ("aec3", run_aec3)):
            out = run(s)
            row[f"{name}_erle_first_db"] = erle_db(s, out, True)
            row[f"{name}_erle_db"] = erle_db(s, out, False)
            row[f"{name}_user_sdr_db"] = user_sdr_db(s, out)
            if asr is not None:
                row[f"{name}_recall"] = transcript_recall(asr, s, out, v.user_text)
        for early in (False, True):  # the user 4 s into the reply, and 0.6 s into it
            g = guard_run(s if not early else scene(v, gain, delay, reverb, user_at=9600), vad_factory)
            row["false_ticks" if not early else "early_false_ticks"] = len(g.false_ticks)
            row["heard_after_ticks" if not early else "early_heard_after_ticks"] = g.heard_after_ticks
        ab.rows.append(row)
    g = guard_run(scene(v, 0.0, 20, reverb=False, user_at=9600), vad_factory)  # a headset: no echo at all
    ab.rows.append({"gain": 0.0, "delay_ms": 0, "no_path_suppressed_ticks": g.suppressed_user_ticks,
                    "no_path_heard_after_ticks": g.heard_after_ticks})
    return ab
