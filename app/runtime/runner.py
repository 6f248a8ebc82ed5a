"""The interaction runner: one tick per 200 ms of captured audio.

Each tick: voice activity -> turn decision -> jobs for the inference worker -> results woven into
playback -> exactly one tick of audio to the speaker. The same code runs live and in replay; only
the injected microphone, speaker and executor differ.

The runner owns no behaviour of its own beyond the order of a tick: each part (listening, the
reply flow, barge-in, proactive speech, background delivery, screen work, controls) is a plain
object built with what it uses, and `step` calls them in a fixed order. ARCHITECTURE.md walks it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import replace
from typing import Any

import numpy as np

from presence.core import tools, turns
from presence.core.intents import CancelTimers
from presence.core.playback import Playback
from presence.core.ports import Microphone, Speaker, VoiceActivity
from presence.core.timekeeping import Timekeeper
from presence.core.types import TICK_MS, TICK_SAMPLES, IntentAccepted, RunnerState, TickStats, samples_to_ms
from presence.runtime.barge import BargeIn
from presence.runtime.context import Emitter, EventSink, Hearing, TickClock
from presence.runtime.controls import Controls
from presence.runtime.deskwork import DeskWork
from presence.runtime.executor import JobError
from presence.runtime.faults import Faults, UtteranceCap
from presence.runtime.listening import Listening
from presence.runtime.proactive import Proactive
from presence.runtime.reply import ReplySlot
from presence.runtime.replyflow import ReplyFlow, ReplyHooks
from presence.runtime.screenwork import ScreenWork
from presence.speech.asr import AsrContext


class Runner:
    def __init__(self, mic: Microphone, speaker: Speaker, vad: VoiceActivity, engine: Any, executor: Any,
                 sink: EventSink, settings: turns.TurnSettings | None = None, tick_stats: bool = True,
                 endpoint: Any = None, echo: Any = None, desk: Any = None, screen: Any = None,
                 screen_watch: Any = None, listen: Any = None) -> None:
        self.mic, self.speaker, self.engine, self.executor = mic, speaker, engine, executor
        # the listening lane: transcripts of words still being said (cue words, an early
        # acknowledgement, what was said over us) run beside the reply work, never behind it
        self.listen = listen or executor
        self.settings = settings or turns.TurnSettings()
        self.tick_stats = tick_stats
        self.clock = TickClock()
        self.emit = Emitter(self.clock, sink)
        self.state = RunnerState.LISTENING
        self.stats: deque[TickStats] = deque(maxlen=100_000)
        self.time = Timekeeper()
        self.faults = Faults(self.emit)  # a part that raises is skipped for the tick, and reported once
        self.cap = UtteranceCap(self.emit)  # endless "speech" (a fan, a TV) ends the turn at 30 s
        self._written_tick = -1  # the last tick whose audio went to the speaker
        self._stop = threading.Event()
        self._typed: deque[str] = deque()
        self._typed_lock = threading.Lock()
        self._question = ""  # the last sentence we said, when it asked something
        self._asr_context = AsrContext()

        playback = self.playback = Playback(TICK_SAMPLES)
        hearing = self.hearing = Hearing(self.settings.pre_roll_ms // TICK_MS)
        self.replies = ReplySlot()
        self.listening = Listening(mic, vad, echo, endpoint, hearing, self.emit, self._turn_settings)
        hooks = ReplyHooks(user_text=self._user_text, intent=self._intent,
                           thinking=lambda: self._set_state(RunnerState.THINKING), settle=self._settle_state)
        self.flow = ReplyFlow(self.replies, playback, executor, engine, hearing, self.emit, hooks,
                              lambda: turns.silence_needed_ms(None, self.settings, text_complete=False))
        self.proactive = Proactive(self.time, playback, self.listen, engine, hearing, self.emit,
                                   self._turn_settings)
        self.barge = BargeIn(self.flow, playback, speaker, self.listen, executor, engine, hearing, self.emit,
                             self._turn_settings, self.proactive.utterance_continues)
        self.screenwork = ScreenWork(screen, screen_watch, self.replies, executor, engine, self.emit,
                                 self.proactive.announce)
        self.deskwork = DeskWork(desk, self.flow, playback, speaker, engine, hearing, self.emit,
                                 lambda: self.screenwork.text)
        self.controls = Controls(self.time, self.deskwork, self.screenwork, engine, self.emit,
                                 self._set_turn_settings, self._turn_settings)

    # --- time and state ---------------------------------------------------------------------
    @property
    def tick(self) -> int:
        return self.clock.tick

    @property
    def now_ms(self) -> int:
        """Logical time at which this tick's audio is complete: (tick + 1) x 200 ms."""
        return self.clock.now_ms

    @property
    def desk(self) -> Any:
        return self.deskwork.desk

    @property
    def screen_watch(self) -> Any:
        return self.screenwork.screen_watch

    @property
    def screen_paused(self) -> bool:
        return self.screenwork.paused

    def _turn_settings(self) -> turns.TurnSettings:
        return self.settings

    def _set_turn_settings(self, settings: turns.TurnSettings) -> None:
        self.settings = settings

    def _set_state(self, state: RunnerState) -> None:
        if state is not self.state:
            self.state = state
            self.emit("state", state=state.value)

    def _settle_state(self) -> None:
        if self.controls.muted:
            self._set_state(RunnerState.MUTED)
        elif self.playback.audible:
            self._set_state(RunnerState.SPEAKING)
        elif self.hearing.talking:
            self._set_state(RunnerState.HEARING)
        elif self.replies.in_flight:
            self._set_state(RunnerState.THINKING)
        else:
            self._set_state(RunnerState.LISTENING)

    # --- controller methods (thread-safe; called from the GUI) ------------------------------
    def stop(self) -> None:
        self._stop.set()

    def close_workers(self) -> None:
        """Stop the background desk and the screen reader (after run() returned)."""
        if self.desk is not None:
            self.desk.close()
        if self.listen is not self.executor:
            self.listen.close()
        self.screenwork.close()

    def submit_text(self, text: str) -> None:
        """Typed input: handled at the next tick as a complete user turn."""
        with self._typed_lock:
            self._typed.append(text)

    def set_muted(self, muted: bool) -> None:
        self.controls.set_muted(muted)

    def observe_now(self) -> None:
        """Push-to-observe (hotkey, tray): read the whole screen at the next tick."""
        self.observe_screen()

    def observe_screen(self) -> None:
        self.screenwork.observe_screen()

    def panel_action(self, panel_id: str, action_id: str) -> None:
        self.controls.panel_action(panel_id, action_id)

    def cancel_item(self, kind: str, item_id: str) -> None:
        self.controls.cancel_item(kind, item_id)

    def set_screen_paused(self, paused: bool) -> None:
        self.controls.set_screen_paused(paused)

    def apply_settings(self, settings: dict[str, Any]) -> None:
        self.controls.apply_settings(settings)

    # --- the loop ---------------------------------------------------------------------------
    def run(self, max_ticks: int | None = None) -> None:
        """Read the microphone tick by tick until it ends, stop() is called or max_ticks pass."""
        self.emit("state", state=self.state.value)
        while not self._stop.is_set() and (max_ticks is None or self.tick < max_ticks):
            chunk = self.mic.read(TICK_SAMPLES)
            if chunk is None:
                break
            self._step_or_skip(chunk)

    def _step_or_skip(self, chunk: np.ndarray) -> None:
        """step(); a failure outside the parts' guards skips the rest of this tick (reported once),
        keeping time and the speaker's output aligned, and the session goes on."""
        tick = self.tick
        try:
            self.step(chunk)
        except Exception as exc:
            self.faults.report("tick", exc)
            if self.tick == tick:
                if self._written_tick != tick:
                    self.speaker.write(np.zeros(TICK_SAMPLES, np.float32))
                self.clock.tick += 1

    def step(self, chunk: np.ndarray) -> None:
        """One tick, in order: hear, decide the turn, act on it, then speak one tick of audio."""
        t0 = time.perf_counter()
        if self.controls.muted:
            chunk = np.zeros_like(chunk)
        chunk = self.listening.clean(chunk)
        self.emit("level", rms=round(float(np.sqrt(np.mean(chunk ** 2))), 4))
        voice = self.listening.voice(chunk)
        self._drain_results()  # first: a transcript votes on this tick
        complete = self.listening.completion(chunk, voice)
        audible = self.playback.interruptible_audible or self.flow.mid_reply()
        floor = self.barge.floor_ms(complete)
        self.hearing.turn, decision = turns.step(self.hearing.turn, voice, audible, self.settings, complete,
                                                 self.replies.transcript_complete, floor, self.barge.interrupting)
        self.hearing.turn, decision = self.cap.apply(self.hearing.turn, decision, voice.voiced(self.settings))
        self.proactive.maybe_backchannel(complete, self.playback.audible)
        self.barge.tick(decision)
        self._handle_turn(chunk, decision)
        guard = self.faults.guard  # from here on, a part that raises is skipped for this tick only
        guard("reply flow", self.flow.release_held)
        guard("reply flow", self.flow.tick)
        guard("typed input", self._handle_typed)
        guard("controls", self.controls.tick)
        guard("background work", self.deskwork.tick)
        guard("proactive speech", self.proactive.tick, voice, self.barge.pending)
        guard("screen", self.screenwork.tick)
        self._play()
        self._publish_asr_context()
        self._record_stats(t0)
        self.clock.tick += 1

    def _drain_results(self) -> None:
        lanes = (self.executor,) if self.listen is self.executor else (self.executor, self.listen)
        for item in [i for lane in lanes for i in lane.ready(self.now_ms)]:
            self.faults.guard("results", self._on_result, item)

    def _on_result(self, item: Any) -> None:
        if isinstance(item, JobError):
            self.emit("error", source=item.name, message=item.message)
            self.hearing.partial_pending = False
            self.flow.job_failed(item.name)  # a failed reply ends with a short spoken notice
            self._settle_state()
            return
        if self.barge.on_result(item) or self.proactive.on_result(item):
            return
        self.flow.on_result(item)

    # --- the user's turn --------------------------------------------------------------------
    def _handle_turn(self, chunk: np.ndarray, decision: turns.TurnDecision) -> None:
        hearing, flow = self.hearing, self.flow
        if decision.utterance_started:
            self.deskwork.requeue_unheard()
            resumed = self.barge.resume_unheard_turn()
            hearing.begin(resumed)
            if resumed:
                self.proactive.utterance_continues()
                self.barge.stop_filler_for_continuation()
            else:
                self.barge.interrupting = False
            self.emit("user_speech_start")
            self._set_state(RunnerState.HEARING)
        hearing.hear(chunk)
        if decision.resumed:
            self.replies.transcript_complete = None  # the transcript of the pause no longer describes the turn
            if self.replies.holding:
                flow.discard("user continued")
        if decision.discard:
            hearing.utterance = None
            self.emit("user_speech_discarded")
            self.barge.resume_after_backchannel()
            self._settle_state()
        if decision.speculate and hearing.utterance is not None and not self.barge.pending:
            flow.start_turn_reply(hearing.utterance.audio(), held=True)
        if decision.end_of_turn and hearing.utterance is not None:
            audio = hearing.end()
            self.emit("user_turn_end", audio_ms=samples_to_ms(len(audio)))
            if self.barge.pending:
                self.barge.check_short(audio)
            elif flow.commits_turn():
                flow.commit()
            else:
                flow.start_turn_reply(audio, held=False)
                flow.cover_turn_end()

    def _handle_typed(self) -> None:
        with self._typed_lock:
            texts = list(self._typed)
            self._typed.clear()
        for text in texts:
            self.emit("user_text", text=text, typed=True)
            self.deskwork.heard(text)
            self.flow.start_typed(text)

    def _user_text(self, text: str, utterance_id: int | None) -> None:
        """The final transcript of a turn being answered: the desk's log, cue words."""
        self.deskwork.heard(text)
        self.proactive.check_cues(utterance_id, text)

    def _intent(self, item: IntentAccepted) -> None:
        """A reply acts: background work, the screen, or timers and cues."""
        if self._cancels_the_latest_timer(item.intent):
            item = replace(item, intent=CancelTimers())  # "never mind, cancel that" with no task running
        if self.deskwork.accept(item.intent) or self.screenwork.accept(item.intent, item.text, item.audio):
            return
        self.proactive.accept(item)

    def _cancels_the_latest_timer(self, intent: Any) -> bool:
        desk = self.deskwork.desk
        return (isinstance(intent, tools.CancelTask) and (desk is None or not desk.has_work())
                and bool(self.time.timers or self.time.cues))

    # --- output -----------------------------------------------------------------------------
    def _play(self) -> None:
        out, started = self.playback.next_tick()
        for s in started:
            self.flow.audio_started(s)
            self.deskwork.said(s.reply_id, s.text)
            self.emit("assistant_text", text=s.text, reply_id=s.reply_id)
            if s.reply_id > 0:  # a reply's sentence (not a filler, backchannel or announcement)
                self._question = s.text if s.text.rstrip().endswith("?") else ""
        self.speaker.write(out)
        self._written_tick = self.tick
        self.listening.last_out = out
        self._settle_state()

    def _publish_asr_context(self) -> None:
        """What the next transcripts should expect: the question we asked, the pending timers' words
        and the cue words, handed to the engine's transcribing threads as an immutable snapshot."""
        publish = getattr(self.engine, "hear_in_context", None)
        if publish is None:
            return
        context = AsrContext(self._question, tuple(t.text for t in self.time.timers), self.time.cue_words)
        if context != self._asr_context:
            self._asr_context = context
            publish(context)

    def _record_stats(self, t0: float) -> None:
        compute_ms = (time.perf_counter() - t0) * 1000.0
        self.stats.append(TickStats(self.tick, compute_ms))
        if self.tick_stats and self.tick % 25 == 24:
            recent = [s.compute_ms for s in list(self.stats)[-25:]]
            self.emit("tick_stats", p50_ms=round(float(np.median(recent)), 2), max_ms=round(max(recent), 2))
