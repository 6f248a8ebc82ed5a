"""What the runner (and the session around it) reports: one frozen dataclass per kind of event.

An event is something that happened at a logical time (`t_ms`: tick index x 200 ms, not the wall
clock). Each class names its kind (`KIND`, the "type" of its line in events.jsonl) and types its
fields, so a field that is misspelt or missing fails where the event is made, not in the window.

    ev = AssistantText(text="Hello.", reply_id=1)   # unstamped (t_ms=0) where it is made
    ev = ev.stamped(1200)                          # the runner stamps its time when it emits it
    ev.to_json()  # '{"t_ms": 1200, "type": "assistant_text", "text": "Hello.", "reply_id": 1}'

Class names are the kind in CamelCase (assistant_text -> AssistantText). Several of them are also
the names of other things (a worker's TaskResult, the panel model's Panel, the screen watch's
ScreenAlert), so modules that hold both write `from presence.core import events` and
`events.TaskResult`. Fields given a `None` default through `optional()` are left out of the JSON
line and `fields` while they are None, so a line reads as it did when those keys were passed only
sometimes (a typed `user_text` has `typed`, a transcribed one `reply_id`).

`make_event(t_ms, kind, **fields)` builds the class for a kind string and refuses an unknown kind
or unknown or missing fields. Lines read back from events.jsonl stay plain dicts (evaluation, bench).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

_OMIT_NONE = "omit_none"


def optional() -> Any:
    """A field that today's lines carry only sometimes: None (the default) leaves it out of the line."""
    return field(default=None, metadata={_OMIT_NONE: True})


EVENT_KINDS: dict[str, type[Event]] = {}  # kind string -> its class, filled as the classes are defined


@dataclass(frozen=True, kw_only=True)
class Event:
    """The base of every event: its time, its kind and the JSON line it is logged as."""

    KIND: ClassVar[str] = ""
    t_ms: int = 0

    def __post_init__(self) -> None:
        if not self.KIND:
            raise TypeError("Event is abstract: construct one of its classes, or use make_event()")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        kind = cls.__dict__.get("KIND")
        if not kind:
            raise TypeError(f"{cls.__name__} must set KIND")
        if kind in EVENT_KINDS:
            raise TypeError(f"event kind {kind!r} is taken by {EVENT_KINDS[kind].__name__}")
        EVENT_KINDS[kind] = cls

    @property
    def type(self) -> str:
        """The kind string (as `Event.type` was before the classes)."""
        return self.KIND

    @property
    def fields(self) -> dict[str, Any]:
        """Every field but t_ms, in declaration order; optional ones only when set."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name == "t_ms":
                continue
            value = getattr(self, f.name)
            if value is None and f.metadata.get(_OMIT_NONE):
                continue
            out[f.name] = value
        return out

    def stamped(self, t_ms: int) -> Self:
        """The same event at logical time t_ms (the runner stamps events as it emits them)."""
        return dataclasses.replace(self, t_ms=t_ms)

    def to_json(self) -> str:
        """One line of events.jsonl: {"t_ms": ..., "type": ..., **fields}."""
        return json.dumps({"t_ms": self.t_ms, "type": self.KIND, **self.fields}, ensure_ascii=False)


def make_event(t_ms: int, kind: str, /, **fields: Any) -> Event:
    """The event of a kind string; ValueError for an unknown kind, TypeError for unknown or missing fields."""
    cls = EVENT_KINDS.get(kind)
    if cls is None:
        raise ValueError(f"unknown event kind {kind!r}")
    known = {f.name for f in dataclasses.fields(cls)} - {"t_ms"}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise TypeError(f"{kind} event has no field(s) {', '.join(unknown)}")
    missing = sorted(f.name for f in dataclasses.fields(cls) if f.name in known and f.name not in fields
                     and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
    if missing:
        raise TypeError(f"{kind} event needs field(s) {', '.join(missing)}")
    return cls(t_ms=t_ms, **fields)


# --- state, levels, timing ---------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class State(Event):
    """What the assistant is doing now (a RunnerState value, or the session's loading/stopped words)."""

    KIND: ClassVar[str] = "state"
    state: str


@dataclass(frozen=True, kw_only=True)
class Level(Event):
    """The microphone's RMS this tick (for the window's meter; left out of events.jsonl)."""

    KIND: ClassVar[str] = "level"
    rms: float


@dataclass(frozen=True, kw_only=True)
class TickStats(Event):
    """Compute time per tick over the last 25 ticks."""

    KIND: ClassVar[str] = "tick_stats"
    p50_ms: float
    max_ms: float


@dataclass(frozen=True, kw_only=True)
class Error(Event):
    """Something failed (a job, the models, the devices); shown as one line."""

    KIND: ClassVar[str] = "error"
    source: str
    message: str


@dataclass(frozen=True, kw_only=True)
class Notice(Event):
    """Something the user should know that is not an error (shown in the status bar)."""

    KIND: ClassVar[str] = "notice"
    message: str


@dataclass(frozen=True, kw_only=True)
class SpokenNotice(Event):
    """A notice said aloud as it starts to play (screen capture is off, a reply failed); its `notice`
    event was shown when it was decided."""

    KIND: ClassVar[str] = "spoken_notice"
    text: str


@dataclass(frozen=True, kw_only=True)
class BackendFallback(Event):
    """A configured chat backend could not be used; the embedded model stands in."""

    KIND: ClassVar[str] = "backend_fallback"
    role: str | None = optional()  # "background" for the desk's model; absent for the foreground's
    message: str


@dataclass(frozen=True, kw_only=True)
class SettingsApplied(Event):
    KIND: ClassVar[str] = "settings_applied"
    keys: int


# --- the user's side -----------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class UserSpeechStart(Event):
    KIND: ClassVar[str] = "user_speech_start"


@dataclass(frozen=True, kw_only=True)
class UserSpeechDiscarded(Event):
    """The speech that started was too short to be a turn."""

    KIND: ClassVar[str] = "user_speech_discarded"


@dataclass(frozen=True, kw_only=True)
class UserTurnEnd(Event):
    KIND: ClassVar[str] = "user_turn_end"
    audio_ms: int


@dataclass(frozen=True, kw_only=True)
class UserPartialText(Event):
    """The user's words so far; `complete`: does a speculative transcript read as finished."""

    KIND: ClassVar[str] = "user_partial_text"
    text: str
    complete: bool | None = optional()


@dataclass(frozen=True, kw_only=True)
class UserText(Event):
    """A user turn's final text: transcribed (with its reply_id) or typed (typed=True)."""

    KIND: ClassVar[str] = "user_text"
    text: str
    reply_id: int | None = optional()
    typed: bool | None = optional()


@dataclass(frozen=True, kw_only=True)
class EchoSuppressed(Event):
    KIND: ClassVar[str] = "echo_suppressed"
    residual: float
    expected: float
    kept: float | None = optional()  # the share of the microphone WebRTC's AEC3 kept, where it decided


@dataclass(frozen=True, kw_only=True)
class EndOfTurnCheck(Event):
    """The smart-turn model's probability that the user has finished."""

    KIND: ClassVar[str] = "end_of_turn_check"
    complete: float


# --- replies -------------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class ReplySpeculative(Event):
    KIND: ClassVar[str] = "reply_speculative"
    reply_id: int | None


@dataclass(frozen=True, kw_only=True)
class ReplyCommitted(Event):
    KIND: ClassVar[str] = "reply_committed"
    reply_id: int | None
    ready: int


@dataclass(frozen=True, kw_only=True)
class ReplyHeld(Event):
    KIND: ClassVar[str] = "reply_held"
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReplyDiscarded(Event):
    KIND: ClassVar[str] = "reply_discarded"
    reply_id: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReplyDone(Event):
    KIND: ClassVar[str] = "reply_done"
    reply_id: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class AssistantText(Event):
    """A sentence the assistant began to say (reply_id 0: a filler; negative: an announcement)."""

    KIND: ClassVar[str] = "assistant_text"
    text: str
    reply_id: int | None = optional()


@dataclass(frozen=True, kw_only=True)
class EarlyAck(Event):
    """An acknowledgement of deep work said the moment the turn ended, before the reply."""

    KIND: ClassVar[str] = "early_ack"
    text: str
    heard: str


@dataclass(frozen=True, kw_only=True)
class Filler(Event):
    KIND: ClassVar[str] = "filler"
    text: str


@dataclass(frozen=True, kw_only=True)
class FillerStopped(Event):
    KIND: ClassVar[str] = "filler_stopped"


@dataclass(frozen=True, kw_only=True)
class Backchannel(Event):
    """A short "mm-hm" at a thinking pause of a long user turn."""

    KIND: ClassVar[str] = "backchannel"
    text: str


# --- barge-in ------------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class BargePending(Event):
    """Speech over the assistant: paused, not yet known to be a barge-in."""

    KIND: ClassVar[str] = "barge_pending"


@dataclass(frozen=True, kw_only=True)
class BackchannelHeard(Event):
    """The speech over the assistant was only a backchannel ("mm-hm"): it goes on."""

    KIND: ClassVar[str] = "backchannel_heard"
    text: str


@dataclass(frozen=True, kw_only=True)
class PlaybackResumed(Event):
    KIND: ClassVar[str] = "playback_resumed"


@dataclass(frozen=True, kw_only=True)
class BargeIn(Event):
    """The user talked over a reply: what of it was heard and what was cut."""

    KIND: ClassVar[str] = "barge_in"
    reply_id: int | None
    heard: str
    cut: str


# --- timers, cue words, announcements --------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class ToolCall(Event):
    """A tool was used: the foreground's timers, cue watches, screen watches and deep tasks, or a
    background model's own tool. Only the fields of its `tool` are set:

    timer: id, seconds, due_ms, and label (what it is for), content (a reminder's words), changed (a timer
    set before, changed: the same id again); cancel_timer: id (one of several, the rest run on);
    cue_watch: id, word, repeat, and reply (what is said); cancel_cues: cancelled; cancel_timers: cancelled (a count);
    screen_watch: watch_id, kinds, subject; screen_watch_stop: stopped; deep_task: task_id, kind,
    request, transcript_lines, screen_chars; cancel_task: cancelled (task ids); a model's tool:
    task_id, arguments, result.
    """

    KIND: ClassVar[str] = "tool_call"
    tool: str
    id: int | str | None = optional()
    seconds: float | None = optional()
    due_ms: int | None = optional()
    word: str | None = optional()
    repeat: bool | None = optional()
    cancelled: int | list[int] | None = optional()
    watch_id: int | None = optional()
    kinds: list[str] | None = optional()
    subject: str | None = optional()
    stopped: int | None = optional()
    task_id: int | None = optional()
    kind: str | None = optional()
    request: str | None = optional()
    transcript_lines: int | None = optional()
    screen_chars: int | None = optional()
    arguments: dict[str, Any] | None = optional()
    result: str | None = optional()
    label: str | None = optional()
    content: str | None = optional()
    changed: bool | None = optional()
    reply: str | None = optional()


@dataclass(frozen=True, kw_only=True)
class TimerDue(Event):
    KIND: ClassVar[str] = "timer_due"
    text: str
    due_ms: int
    id: str | None = optional()  # the timer's id, as its tool_call gave it


@dataclass(frozen=True, kw_only=True)
class CueHeard(Event):
    KIND: ClassVar[str] = "cue_heard"
    text: str
    word: str


@dataclass(frozen=True, kw_only=True)
class ItemCancelled(Event):
    """A timer, watch, screen watch or task was cancelled from the window (kind: timer | watch | ...)."""

    KIND: ClassVar[str] = "item_cancelled"
    kind: str
    id: str
    cancelled: int


# --- background tasks ------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class TaskStarted(Event):
    KIND: ClassVar[str] = "task_started"
    task_id: int
    kind: str


@dataclass(frozen=True, kw_only=True)
class TaskProgress(Event):
    KIND: ClassVar[str] = "task_progress"
    task_id: int
    chars: int
    text: str


@dataclass(frozen=True, kw_only=True)
class TaskResult(Event):
    KIND: ClassVar[str] = "task_result"
    task_id: int
    kind: str
    text: str
    elapsed_s: float


@dataclass(frozen=True, kw_only=True)
class TaskFailed(Event):
    KIND: ClassVar[str] = "task_failed"
    task_id: int
    message: str


@dataclass(frozen=True, kw_only=True)
class TaskCancelled(Event):
    KIND: ClassVar[str] = "task_cancelled"
    task_id: int


@dataclass(frozen=True, kw_only=True)
class TaskDelivered(Event):
    """A result was handed to the user: spoken (or only shown), and whether it came late."""

    KIND: ClassVar[str] = "task_delivered"
    task_id: int
    text: str
    spoken: bool
    late: bool


@dataclass(frozen=True, kw_only=True)
class TaskRequeued(Event):
    """A spoken result was cut before it was heard: it waits for the next quiet moment."""

    KIND: ClassVar[str] = "task_requeued"
    task_id: int


@dataclass(frozen=True, kw_only=True)
class DeliveryStopped(Event):
    """A cancelled task's result stopped being spoken."""

    KIND: ClassVar[str] = "delivery_stopped"
    task_id: int
    reply_id: int


@dataclass(frozen=True, kw_only=True)
class Task(Event):
    """One event for a task's whole life (status running | done | failed | cancelled). The window
    understands it; the runner does not emit it (the screenshots do)."""

    KIND: ClassVar[str] = "task"
    task_id: int | str
    title: str | None = optional()
    status: str | None = optional()
    progress: float | None = optional()


# --- panels ----------------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Panel(Event):
    """Show a panel: its spec as JSON (checked against presence.core.panels by the window)."""

    KIND: ClassVar[str] = "panel"
    panel: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class PanelUpdate(Event):
    KIND: ClassVar[str] = "panel_update"
    panel_id: str
    node_id: str
    changes: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class PanelClose(Event):
    """Close a panel (sent by the runner), or the user closed one (the runner's record of it)."""

    KIND: ClassVar[str] = "panel_close"
    panel_id: str


@dataclass(frozen=True, kw_only=True)
class PanelError(Event):
    """A panel a model wrote was refused: why, in one line."""

    KIND: ClassVar[str] = "panel_error"
    message: str


@dataclass(frozen=True, kw_only=True)
class PanelAction(Event):
    """A panel's button was clicked."""

    KIND: ClassVar[str] = "panel_action"
    panel_id: str
    action_id: str


# --- the screen ------------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class ScreenCapture(Event):
    """Screen capture status, one part at a time: `on` (capturing now, from the runner), `enabled`
    (the user's consent) or `paused` (the tray switch)."""

    KIND: ClassVar[str] = "screen_capture"
    on: bool | None = optional()
    enabled: bool | None = optional()
    paused: bool | None = optional()


@dataclass(frozen=True, kw_only=True)
class ScreenPaused(Event):
    KIND: ClassVar[str] = "screen_paused"
    paused: bool


@dataclass(frozen=True, kw_only=True)
class ObserveRequested(Event):
    """Push-to-observe, or a question about the screen (reason "question")."""

    KIND: ClassVar[str] = "observe_requested"
    reason: str | None = optional()


@dataclass(frozen=True, kw_only=True)
class ScreenRead(Event):
    KIND: ClassVar[str] = "screen_read"
    text: str
    frame_t_ms: int
    window: str


@dataclass(frozen=True, kw_only=True)
class ScreenQuestion(Event):
    KIND: ClassVar[str] = "screen_question"
    kind: str
    text: str


@dataclass(frozen=True, kw_only=True)
class ScreenAnswer(Event):
    """How a screen question is answered: by "code" or the "model" (with the image or not)."""

    KIND: ClassVar[str] = "screen_answer"
    kind: str
    by: str
    image: bool


@dataclass(frozen=True, kw_only=True)
class ScreenAlert(Event):
    KIND: ClassVar[str] = "screen_alert"
    text: str
    kind: str
    watch_id: int
    frame_t_ms: int


@dataclass(frozen=True, kw_only=True)
class ScreenAlertSpeech(Event):
    """A screen alert's first sentence, prepared when the watch was set."""

    KIND: ClassVar[str] = "screen_alert_speech"
    text: str


@dataclass(frozen=True, kw_only=True)
class ScreenAlertDetail(Event):
    KIND: ClassVar[str] = "screen_alert_detail"
    text: str


@dataclass(frozen=True, kw_only=True)
class ScreenSummary(Event):
    KIND: ClassVar[str] = "screen_summary"
    text: str
