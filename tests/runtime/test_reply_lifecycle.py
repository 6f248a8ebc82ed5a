"""One reply from start to done: speculative, held, committed, cut, discarded, covered by a filler."""

from __future__ import annotations

from typing import Any

import numpy as np

from presence.core.playback import Playback
from presence.core.turns import TurnSettings
from presence.core.types import TICK_SAMPLES, ReplyChunk, ReplyDone, UserText
from presence.runtime.barge import BargeIn
from presence.runtime.context import Emitter, Hearing, TickClock
from presence.runtime.executor import CancelToken
from presence.runtime.reply import ReplyPhase, ReplySlot
from presence.runtime.replyflow import ReplyFlow, ReplyHooks


class FakeLane:
    """Records submitted jobs and hands out their tokens; runs nothing."""

    def __init__(self) -> None:
        self.jobs: list[tuple[str, Any, CancelToken]] = []

    def submit(self, job: Any, now_ms: int, name: str = "") -> CancelToken:
        token = CancelToken()
        self.jobs.append((name, job, token))
        return token

    def run(self, name: str) -> Any:
        """Run the first job of that name (its side effects on the fake engine)."""
        _, job, token = next(j for j in self.jobs if j[0] == name)
        return job(token)


class FakeEngine:
    """Remembers what the runner asked it to forget or keep; one filler."""

    def __init__(self) -> None:
        self.fillers = [("Hmm.", np.full(TICK_SAMPLES, 0.1, np.float32))]
        self.discarded: list[int] = []
        self.kept: list[str] = []

    def reply_to_audio(self, rid: int, audio: np.ndarray, token: CancelToken) -> list[Any]:
        return []

    def discard_reply(self, rid: int) -> None:
        self.discarded.append(rid)

    def keep_heard(self, text: str) -> None:
        self.kept.append(text)


class FakeSpeaker:
    def write(self, samples: np.ndarray) -> None:
        pass

    def clear(self) -> None:
        pass


def _parts() -> tuple[ReplyFlow, BargeIn, FakeLane, FakeEngine, list[Any]]:
    events: list[Any] = []
    clock, lane, engine = TickClock(), FakeLane(), FakeEngine()
    emit = Emitter(clock, events.append)
    hearing = Hearing(2)
    hooks = ReplyHooks(user_text=lambda t, u: None, intent=lambda i: None, thinking=lambda: None,
                       settle=lambda: None)
    playback = Playback(TICK_SAMPLES)
    flow = ReplyFlow(ReplySlot(), playback, lane, engine, hearing, emit, hooks, lambda: 2000)
    barge = BargeIn(flow, playback, FakeSpeaker(), lane, lane, engine, hearing, emit, TurnSettings,
                    lambda: None)
    return flow, barge, lane, engine, events


def _sentence(rid: int, text: str, ticks: int) -> ReplyChunk:
    return ReplyChunk(rid, text, np.full(ticks * TICK_SAMPLES, 0.2, np.float32))


def _kinds(events: list[Any]) -> list[str]:
    return [e.type for e in events]


def test_speculative_reply_is_kept_back_then_discarded_and_forgotten():
    """A reply computed at a pause says nothing; the user going on drops it and the model forgets it."""
    flow, _, lane, engine, events = _parts()
    flow.start_turn_reply(np.zeros(1600, np.float32), held=True)
    reply = flow.slot.current
    assert reply is not None and reply.phase is ReplyPhase.SPECULATIVE
    flow.on_result(_sentence(reply.id, "Paris.", 2))
    assert not flow.playback.audible  # held: nothing plays before the turn ends
    token = reply.token
    flow.discard("user continued")
    assert reply.phase is ReplyPhase.DISCARDED and token is not None and token.cancelled
    assert flow.slot.wanted is None
    lane.run("discard")
    assert engine.discarded == [reply.id]
    assert "reply_discarded" in _kinds(events)
    flow.on_result(_sentence(reply.id, "Late.", 1))  # its job's late output is stale
    assert not flow.playback.audible


def test_committed_reply_cut_by_barge_in_keeps_what_was_heard():
    """Speculative -> committed -> played -> cut: the model keeps exactly the heard sentence."""
    flow, barge, lane, engine, events = _parts()
    flow.start_turn_reply(np.zeros(1600, np.float32), held=True)
    reply = flow.slot.current
    assert reply is not None
    for item in (UserText(reply.id, "Tell me about Paris.", 1000), _sentence(reply.id, "Paris is in France.", 2),
                 _sentence(reply.id, "It is the capital.", 3)):
        flow.on_result(item)
    assert flow.commits_turn()
    flow.commit()
    assert reply.phase is ReplyPhase.LIVE
    for _ in range(3):  # the first sentence, then the first tick of the second
        _, started = flow.playback.next_tick()
        for s in started:
            flow.audio_started(s)
        flow.emit.clock.tick += 1
    assert reply.heard and reply.playing
    barge.barge_in()
    assert reply.phase is ReplyPhase.CUT and reply.token is not None and reply.token.cancelled
    assert reply.heard_text.startswith("Paris is in France.")
    lane.run("keep-heard")
    assert engine.kept == [reply.heard_text]
    cut = next(e for e in events if e.type == "barge_in")
    assert cut.fields["heard"] == reply.heard_text and "capital" in cut.fields["cut"]
    flow.on_result(ReplyDone(reply.id))  # the cancelled job's end is stale: nothing changes
    assert reply.phase is ReplyPhase.CUT


def test_filler_covers_a_reply_only_when_its_content_is_late():
    """A reply still silent 600 ms after the user's last word gets a filler first; the content follows."""
    flow, _, _, _, events = _parts()
    flow.start_turn_reply(np.zeros(1600, np.float32), held=False)
    flow.cover_turn_end()
    reply = flow.slot.current
    assert reply is not None and "filler" not in _kinds(events)  # not at once: the answer may be quick
    flow.emit.clock.tick = 2  # 600 ms after the speech end (0 ms)
    flow.tick()
    assert "filler" in _kinds(events)
    _, started = flow.playback.next_tick()
    assert [s.reply_id for s in started] == [0]  # the filler is never part of the reply's context
    for s in started:
        flow.audio_started(s)
    assert flow.slot.audio_started_ms == flow.emit.clock.now_ms and not reply.playing
    flow.on_result(_sentence(reply.id, "It is noon.", 1))
    flow.emit.clock.tick += 1
    _, started = flow.playback.next_tick()
    for s in started:
        flow.audio_started(s)
    assert [s.text for s in started] == ["It is noon."] and reply.playing


def test_quick_answer_starts_with_content_not_a_filler():
    """Content that is ready before the filler's due time is said first, and no filler follows it."""
    flow, _, _, _, events = _parts()
    flow.start_turn_reply(np.zeros(1600, np.float32), held=False)
    flow.cover_turn_end()
    reply = flow.slot.current
    assert reply is not None
    flow.on_result(_sentence(reply.id, "It is noon.", 5))
    _, started = flow.playback.next_tick()
    for s in started:
        flow.audio_started(s)
    for tick in range(1, 5):
        flow.emit.clock.tick = tick
        flow.tick()
    assert [s.text for s in started] == ["It is noon."] and "filler" not in _kinds(events)


def test_fillers_never_repeat_back_to_back():
    """Two slow answers in a row get two different fillers."""
    flow, _, _, _, events = _parts()
    flow.fillers = [("Hmm.", np.zeros(10, np.float32)), ("So.", np.zeros(10, np.float32))]
    for _ in range(2):
        flow.start_turn_reply(np.zeros(1600, np.float32), held=False)
        flow.cover_turn_end()
        flow.emit.clock.tick += 5
        flow.tick()
        flow.playback.next_tick()
    said = [e.fields["text"] for e in events if e.type == "filler"]
    assert len(said) == 2 and said[0] != said[1]


def test_reply_whose_transcript_trails_off_waits_for_the_longer_silence():
    """'So what I was thinking is...' holds the reply until the unfinished-turn silence has passed."""
    flow, _, _, _, events = _parts()
    flow.start_turn_reply(np.zeros(1600, np.float32), held=False)
    reply = flow.slot.current
    assert reply is not None
    flow.on_result(UserText(reply.id, "So what I was thinking is...", 1500))
    assert reply.phase is ReplyPhase.HELD and "reply_held" in _kinds(events)
    flow.on_result(_sentence(reply.id, "Go on.", 1))
    assert not flow.playback.audible
    flow.emit.clock.tick = 20  # past turn end + 2000 ms
    flow.release_held()
    assert reply.phase is ReplyPhase.LIVE and flow.playback.audible
