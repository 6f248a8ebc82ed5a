"""The interaction runner: one tick per 200 ms of captured audio.

Each tick: voice activity -> turn decision -> jobs for the inference worker -> results woven into
playback -> exactly one tick of audio to the speaker. The same code runs live and in replay; only
the injected microphone, speaker and executor differ.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from presence.core import turns
from presence.core.panel_fence import PanelOutput
from presence.core.playback import Playback
from presence.core.ports import Microphone, Speaker, VoiceActivity
from presence.core.text import sounds_complete
from presence.core.timekeeping import Timekeeper
from presence.core.types import (
    TICK_MS,
    TICK_SAMPLES,
    Announcement,
    Event,
    IntentAccepted,
    PartialText,
    ReplyChunk,
    ReplyDone,
    RunnerState,
    TickStats,
    UserText,
    samples_to_ms,
)
from presence.runtime.barge import BargeMixin
from presence.runtime.controls import ControlsMixin
from presence.runtime.deskwork import DeskMixin
from presence.runtime.executor import CancelToken, JobError
from presence.runtime.listening import ListeningMixin
from presence.runtime.proactive import ProactiveMixin
from presence.runtime.screenwork import ScreenMixin

EventSink = Callable[[Event], None]


@dataclass
class _Utterance:
    """Microphone audio of the user's current turn (with pre-roll)."""

    chunks: list[np.ndarray] = field(default_factory=list)

    def audio(self) -> np.ndarray:
        return np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.float32)


class Runner(ListeningMixin, BargeMixin, ProactiveMixin, DeskMixin, ScreenMixin, ControlsMixin):
    def __init__(self, mic: Microphone, speaker: Speaker, vad: VoiceActivity, engine: Any, executor: Any,
                 sink: EventSink, settings: turns.TurnSettings | None = None, tick_stats: bool = True,
                 endpoint: Any = None, echo: Any = None, desk: Any = None, screen: Any = None,
                 screen_watch: Any = None, listen: Any = None) -> None:
        self.mic, self.speaker, self.vad, self.engine, self.executor = mic, speaker, vad, engine, executor
        # the listening lane: transcripts of words still being said (cue words, an early
        # acknowledgement, what was said over us) run beside the reply work, never behind it
        self.listen = listen or executor
        self.endpoint = endpoint  # smart-turn; None falls back to silence alone
        self.echo = echo  # echo canceller; the speaker output is its reference
        self.desk = desk  # background work (None: deep tasks are answered in the foreground)
        self._delivering: dict[int, Any] = {}  # reply id -> background result being spoken
        self._delivery_started_ms: dict[int, int] = {}
        self.screen, self.screen_watch = screen, screen_watch
        self._init_screen()
        self._init_controls()
        self._last_out = np.zeros(TICK_SAMPLES, np.float32)
        self.sink = sink
        self.settings = settings or turns.TurnSettings()
        self.tick_stats = tick_stats
        self.tick = 0
        self.muted = False
        self.state = RunnerState.LISTENING
        self.stats: deque[TickStats] = deque(maxlen=100_000)
        self._turn = turns.TurnState()
        self._playback = Playback(TICK_SAMPLES)
        self._pre_roll: deque[np.ndarray] = deque(maxlen=max(1, self.settings.pre_roll_ms // TICK_MS))
        self._utterance: _Utterance | None = None
        self._next_reply_id = 1
        self._reply_id: int | None = None  # the reply we currently want
        self._reply_token: CancelToken | None = None
        self._reply_heard = False  # has any audio of the current reply been played?
        self._reply_acted = False
        self._reply_playing = False
        self._reply_utterance = 0
        self._latest_partial: tuple[int, str] = (0, "")  # (utterance id, words so far)
        self._early_ack: str | None = None  # an acknowledgement said before the reply was ready
        self._last_backchannel_ms = -10**9
        self._reply_started_ms = -10**9
        self._filler_count = 0
        self._barge_pending = False  # paused for speech over us; not yet known to be a barge-in
        self._interrupting = False  # the user's current turn cut our reply short
        self._short_barge: tuple[int, np.ndarray] | None = None  # a short utterance over us, being checked
        self._barge_words: tuple[int, bool | None] = (-1, None)  # (speech end, do its words read finished)
        self._barge_check_end_ms: int | None = None  # the speech end whose words are being checked
        self._held: list[Any] | None = None  # items of a speculative reply, held until the turn ends
        self._hold_until_ms: int | None = None  # ...or of a reply to a turn that may not be over
        self._spec_complete: bool | None = None  # does the speculative transcript read as finished?
        self.engine_fillers: list[tuple[str, np.ndarray]] = list(getattr(engine, "fillers", []))
        self._last_turn_audio = np.zeros(0, np.float32)
        self.time = Timekeeper()
        self._speech_end_ms = 0  # end of the last voiced VAD frame
        self._turn_end_speech_ms = 0  # speech end of the turn being answered (timers count from it)
        self._utterance_id = 0
        self._partial_pending = False
        self._last_partial_tick = -100
        self._announce_id = -1  # proactive speech gets negative ids so replies never drop it
        self._stop = threading.Event()
        self._typed: deque[str] = deque()
        self._typed_lock = threading.Lock()

    # --- time -----------------------------------------------------------------------------
    @property
    def now_ms(self) -> int:
        """Logical time at which this tick's audio is complete: (tick + 1) x 200 ms."""
        return (self.tick + 1) * TICK_MS

    def emit(self, type_: str, **fields: Any) -> None:
        self.sink(Event(self.now_ms, type_, fields))

    def _set_state(self, state: RunnerState) -> None:
        if state is not self.state:
            self.state = state
            self.emit("state", state=state.value)

    # --- controller methods (thread-safe; called from the GUI) ------------------------------
    def stop(self) -> None:
        self._stop.set()

    def close_workers(self) -> None:
        """Stop the background desk and the screen reader (after run() returned)."""
        if self.desk is not None:
            self.desk.close()
        if self.listen is not self.executor:
            self.listen.close()
        self._close_screen()

    def submit_text(self, text: str) -> None:
        """Typed input: handled at the next tick as a complete user turn."""
        with self._typed_lock:
            self._typed.append(text)

    def set_muted(self, muted: bool) -> None:
        self.muted = muted

    # --- the loop ---------------------------------------------------------------------------
    def run(self, max_ticks: int | None = None) -> None:
        """Read the microphone tick by tick until it ends, stop() is called or max_ticks pass."""
        self.emit("state", state=self.state.value)
        while not self._stop.is_set() and (max_ticks is None or self.tick < max_ticks):
            chunk = self.mic.read(TICK_SAMPLES)
            if chunk is None:
                break
            self.step(chunk)

    def step(self, chunk: np.ndarray) -> None:
        t0 = time.perf_counter()
        if self.muted:
            chunk = np.zeros_like(chunk)
        chunk = self._cancel_echo(chunk)
        self.emit("level", rms=round(float(np.sqrt(np.mean(chunk ** 2))), 4))
        voice = turns.TickVoice(tuple(self.vad.process(chunk)))
        voice = self._guard_echo(voice)
        lanes = (self.executor,) if self.listen is self.executor else (self.executor, self.listen)
        for item in [i for lane in lanes for i in lane.ready(self.now_ms)]:  # first: a transcript votes on this tick
            self._handle_result(item)
        self._track_speech_end(voice)
        complete = self._completion(chunk) if turns.needs_completion_check(self._turn, voice, self.settings) else None
        audible = self._playback.interruptible_audible or self._mid_reply()
        floor = self._barge_floor_ms(complete)
        self._turn, decision = turns.step(self._turn, voice, audible, self.settings, complete, self._spec_complete,
                                          floor, self._interrupting)
        self._maybe_backchannel(complete)
        self._handle_audio(chunk, decision)
        self._release_held_reply()
        self._handle_typed()
        self._run_commands()
        self._desk_tick()
        self._maybe_partial_transcript(voice)
        for due in self.time.due(self.now_ms):
            self._announce("timer_due", due.text, due.audio, due_ms=due.due_ms)
        self._screen_tick()
        self._play()
        compute_ms = (time.perf_counter() - t0) * 1000.0
        self.stats.append(TickStats(self.tick, compute_ms))
        if self.tick_stats and self.tick % 25 == 24:
            recent = [s.compute_ms for s in list(self.stats)[-25:]]
            self.emit("tick_stats", p50_ms=round(float(np.median(recent)), 2), max_ms=round(max(recent), 2))
        self.tick += 1

    # --- user side --------------------------------------------------------------------------
    def _handle_audio(self, chunk: np.ndarray, decision: turns.TurnDecision) -> None:
        if decision.barge_in:
            self._pause_for_barge_in()
        elif self._barge_pending and self._turn.voiced_ms >= self.settings.barge_confirm_ms:
            self._barge_in()
        if decision.utterance_started:
            self._requeue_unheard_delivery()
            resumed = self._resume_unheard_turn()
            self._utterance = _Utterance(resumed + list(self._pre_roll))
            self._pre_roll.clear()  # it now holds only what follows this utterance (a resumed turn's gap)
            self._utterance_id += 1
            if resumed:
                self._utterance_continues()
                self._stop_filler_for_continuation()
            else:
                self._interrupting = False
            self.emit("user_speech_start")
            self._set_state(RunnerState.HEARING)
        if self._utterance is not None:
            self._utterance.chunks.append(chunk.copy())
        else:
            self._pre_roll.append(chunk.copy())
        if decision.resumed:
            self._spec_complete = None  # the transcript of the pause no longer describes the turn
            if self._held is not None:
                self._discard_reply("user continued")
        if decision.discard:
            self._utterance = None
            self.emit("user_speech_discarded")
            self._resume_after_backchannel()
            self._settle_state()
        if decision.speculate and self._utterance is not None and not self._barge_pending:
            self._start_turn_reply(self._utterance.audio(), held=True)
        if decision.end_of_turn and self._utterance is not None:
            audio = self._utterance.audio()
            self._utterance = None
            self._last_turn_audio = audio
            self._turn_end_speech_ms = self._speech_end_ms
            self.emit("user_turn_end", audio_ms=samples_to_ms(len(audio)))
            if self._barge_pending:
                self._check_short_barge(audio)
            elif self._held is not None and self._reply_utterance == self._utterance_id:
                self._commit()
            else:
                self._start_turn_reply(audio, held=False)
                self._play_filler()

    def _start_turn_reply(self, audio: np.ndarray, held: bool) -> None:
        """Reply to the utterance; a held reply is computed now but plays only once the turn ends."""
        self._reply_utterance = self._utterance_id
        self._start_reply(lambda rid, tok: self.engine.reply_to_audio(rid, audio, tok))
        self._held = [] if held else None
        self._spec_complete = None
        if held:
            self.emit("reply_speculative", reply_id=self._reply_id)

    def _commit(self) -> None:
        """The turn really ended: the speculative reply becomes the reply."""
        held, self._held = self._held or [], None
        self.emit("reply_committed", reply_id=self._reply_id, ready=len(held))
        if not any(isinstance(i, ReplyChunk) for i in held):
            self._play_filler()
        for item in held:
            self._handle_result(item)

    def _play_filler(self) -> None:
        """The answer is not ready as the turn ends: say something short at once, as people do.

        When the words heard so far already ask for deep work, that short thing is its
        acknowledgement; the reply then skips saying it again.
        """
        if self._playback.audible:
            return
        uid, words = self._latest_partial
        acknowledge = getattr(self.engine, "early_acknowledgement", None)
        early = acknowledge(words) if acknowledge and uid == self._utterance_id and words else None
        if early is not None:
            self._early_ack = early[0]
            self._playback.enqueue(0, *early)
            self.emit("early_ack", text=early[0], heard=words)
            return
        if self.engine_fillers:
            self._filler_count += 1
            text, audio = self.engine_fillers[self._filler_count % len(self.engine_fillers)]
            self._playback.enqueue(0, text, audio)  # id 0: a filler is never part of the reply's context
            self.emit("filler", text=text)

    def _discard_reply(self, reason: str) -> None:
        """Drop the current reply before it was heard; the model forgets the exchange."""
        rid = self._reply_id
        if rid is None:
            return
        if self._reply_token is not None:
            self._reply_token.cancel()
        self._reply_token, self._reply_id, self._held, self._hold_until_ms = None, None, None, None
        self._playback.drop_reply(rid)
        self.executor.submit(lambda _tok: self.engine.discard_reply(rid), self.now_ms, name="discard")
        self.emit("reply_discarded", reply_id=rid, reason=reason)

    def _handle_typed(self) -> None:
        with self._typed_lock:
            texts = list(self._typed)
            self._typed.clear()
        for text in texts:
            self.emit("user_text", text=text, typed=True)
            self._desk_heard(text)
            self._start_reply(lambda rid, tok, t=text: self.engine.reply_to_text(rid, t, tok))
            self._held = None

    def _start_reply(self, make_job: Callable[[int, CancelToken], Any]) -> None:
        if self._reply_token is not None:
            self._reply_token.cancel()  # a newer turn supersedes an unfinished reply
        if self._reply_id is not None:
            self._playback.drop_reply(self._reply_id)
        rid = self._next_reply_id
        self._next_reply_id += 1
        self._reply_id = rid
        self._reply_heard = False
        self._reply_acted = False  # set once the reply started a timer, a task, a watch...
        self._reply_playing = False  # has a sentence of it started to play?
        self._early_ack = None
        self._reply_token = self.executor.submit(lambda tok: make_job(rid, tok), self.now_ms, name=f"reply-{rid}")
        self._set_state(RunnerState.THINKING)

    # --- results and playback ---------------------------------------------------------------
    def _handle_result(self, item: Any) -> None:
        if isinstance(item, JobError):
            self.emit("error", source=item.name, message=item.message)
            self._partial_pending = False
            self._settle_state()
            return
        if isinstance(item, PartialText) and self._short_barge and item.utterance_id == self._short_barge[0]:
            self._short_barge_heard(item.text)
            return
        if isinstance(item, Announcement):
            self._announce(item.kind, item.text, item.audio)
            return
        if isinstance(item, PartialText):
            self._partial_pending = False
            self._latest_partial = (item.utterance_id, item.text)
            self._barge_words_heard(item.text)
            self.emit("user_partial_text", text=item.text)
            self._check_cues(item.utterance_id, item.text)
            return
        if getattr(item, "reply_id", None) != self._reply_id:
            return  # stale: a newer turn or a barge-in superseded it
        if self._held is not None:
            self._held.append(item)  # speculative: nothing is said or done until the turn ends
            if isinstance(item, UserText):
                self._spec_complete = sounds_complete(item.text)
                self.emit("user_partial_text", text=item.text, complete=self._spec_complete)
            return
        if isinstance(item, UserText):
            self.emit("user_text", text=item.text, reply_id=item.reply_id)
            self._desk_heard(item.text)
            self._check_cues(self._reply_utterance, item.text)
            self._hold_unfinished_reply(item.text)
        elif isinstance(item, IntentAccepted):
            self._reply_acted = True
            self._accept(item)
        elif isinstance(item, ReplyChunk):
            if self._early_ack is not None and item.text == self._early_ack:
                self._early_ack = None  # said already, the moment the turn ended
                return
            self._playback.enqueue(item.reply_id, item.text, item.audio)
        elif isinstance(item, PanelOutput):
            self._emit_all(list(item.events))  # panels the model wrote: shown, never spoken
        elif isinstance(item, ReplyDone):
            self._reply_token = None
            self.emit("reply_done", reply_id=item.reply_id, reason=item.reason)
            if item.reason != "complete":
                self._reply_id = None
            self._settle_state()

    def _play(self) -> None:
        out, started = self._playback.next_tick()
        for s in started:
            if s.reply_id in (self._reply_id, 0) and not self._reply_heard:
                self._reply_started_ms = self.now_ms  # a filler starts the reply as far as the user can tell
            self._reply_heard = self._reply_heard or s.reply_id == self._reply_id
            self._reply_playing = self._reply_playing or s.reply_id == self._reply_id
            self._delivery_started(s.reply_id)
            self._desk_said(s.text)
            self.emit("assistant_text", text=s.text, reply_id=s.reply_id)
        self.speaker.write(out)
        self._last_out = out
        self._settle_state()

    def _mid_reply(self) -> bool:
        """Between two sentences of a reply that has started playing and has more to come: speech
        now talks over the reply as much as speech during a sentence does."""
        return (self._reply_playing and self._reply_token is not None and not self._reply_token.cancelled
                and self._held is None and not self._playback.paused
                and self._playback.current_reply in (None, self._reply_id))

    def _settle_state(self) -> None:
        if self.muted:
            self._set_state(RunnerState.MUTED)
        elif self._playback.audible:
            self._set_state(RunnerState.SPEAKING)
        elif self._utterance is not None:
            self._set_state(RunnerState.HEARING)
        elif self._reply_token is not None:
            self._set_state(RunnerState.THINKING)
        else:
            self._set_state(RunnerState.LISTENING)
