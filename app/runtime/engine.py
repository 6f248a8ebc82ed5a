"""The reply engine: transcript -> answer -> speech, run as jobs on the inference worker.

It owns the speech and language models; only the inference worker calls it, so their state
(the LLM's KV cache above all) is touched by one thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, cast

import numpy as np

from presence.core import skills, tools
from presence.core.intents import CancelTimers, ClockReminder, CueRequest, ModifyTimer, TimerRequest
from presence.core.panel_fence import FencedBlock, PanelFenceFilter, PanelOutput, block_event
from presence.core.policy import refusal
from presence.core.ports import ChatModel, HeardText, ImageChatModel, SpeechRecognizer, SpeechSynthesizer
from presence.core.safety import harm_kind
from presence.core.text import MORE, SentenceSplitter, SpokenReply, wants_more
from presence.core.types import (
    Announcement,
    IntentAccepted,
    PartialText,
    ReplyChunk,
    ReplyDone,
    UserText,
    samples_to_ms,
)
from presence.core.understanding import Intent, Understanding, from_tool_call, needs_a_choice, understand
from presence.runtime.executor import YIELD_POINT, CancelToken
from presence.screen.requests import WatchRequest
from presence.speech.asr import AsrContext
from presence.speech.tts import trim_leading_silence

NOT_SURE = "I'm not sure. A bigger model can be configured in settings."
SENTENCES = 2  # a spoken answer to a plain question: one or two sentences, then MORE if it was cut
LONGER_SENTENCES = 5  # after "yes" to MORE
CANNOT_WATCH = "I can watch your screen for errors, or for something finishing. I can't watch for that yet."
_TIME_INTENTS = (Intent.TIMER, Intent.REMINDER, Intent.CLOCK_REMINDER, Intent.CUE, Intent.MODIFY, Intent.CANCEL)


class ReplyEngine:
    def __init__(self, asr: SpeechRecognizer, llm: ChatModel, tts: SpeechSynthesizer,
                 now: Callable[[], datetime] = datetime.now, max_reply_tokens: int = 80,
                 has_background_work: Callable[[], bool] = lambda: False,
                 listen_asr: SpeechRecognizer | None = None) -> None:
        self.asr, self.llm, self.tts = asr, llm, tts
        # partial transcripts run on the runner's listening lane, beside the reply work: their own
        # model instance, so no model is used by two threads at once
        self.listen_asr = listen_asr or asr
        # What the transcripts should expect (the question asked, timers, cue words): an immutable
        # snapshot the runner's tick thread publishes (hear_in_context) and the transcribing threads
        # read whole; replacing the reference is atomic, so no lock and no shared mutable state.
        self.heard_context = AsrContext()
        self._now = now
        self._max_tokens = max_reply_tokens
        self._splitter = SentenceSplitter()
        self._checkpoints: dict[int, Any] = {}
        # Read on the inference thread: a thread-safe read-only signal (presence.runtime.desk.WorkSignal,
        # set by build_app once the background desk exists), never the runner-thread-only desk itself.
        self.has_background_work = has_background_work
        # Said at once when a turn ends and the answer is not ready yet (synthesized at load).
        # Short on purpose (< 0.5 s): a filler said into what turns out to be a pause must not take the turn.
        self.fillers = [(t, a) for t in ("Hmm.", "Um.", "Mm-hm.", "So.") if len(a := self._prompt(t)) <= 8000]
        self._spoken_cache = {t: self._prompt(t) for t in (tools.DeepTask("", "").ack(),)}
        self.backchannels = [(t, self._prompt(t)) for t in ("Mm-hm.", "Right.")]
        # Where the rules cannot decide a request that names a time, a model may choose the tool:
        # text -> a JSON object following understanding.TOOL_CHOICE_SCHEMA, or None (presence.models.tool_choice).
        self.choose_tool: Callable[[str], Any] | None = None
        self._last_timed = False  # the last reply set a timer, reminder or cue ("cancel that" means it)
        self._offered_more = False  # the last reply was cut short and ended with MORE

    def hear_in_context(self, context: AsrContext) -> None:
        """Called on the tick thread whenever the conversation's context changes."""
        self.heard_context = context

    def _transcribe(self, asr: SpeechRecognizer, audio: np.ndarray, partial: bool = False) -> HeardText:
        prompt = self.heard_context.prompt()  # one read: the snapshot this job decodes with
        return asr.transcribe(audio, partial=partial, context=prompt) if prompt else asr.transcribe(audio, partial)

    def reply_to_audio(self, reply_id: int, audio: np.ndarray, token: CancelToken) -> Iterator[Any]:
        transcript = self._transcribe(self.asr, audio)
        if not transcript.is_speech:
            yield ReplyDone(reply_id, "no speech")
            return
        yield UserText(reply_id, transcript.text, samples_to_ms(len(audio)))
        if token.cancelled:
            return
        yield from self.reply_to_text(reply_id, transcript.text, token)

    def understand(self, text: str) -> Understanding:
        """The rules' reading of the words; the model's tool choice where they cannot decide (when one is set)."""
        found = understand(text)
        if self.choose_tool is not None and needs_a_choice(text, found):
            call = self.choose_tool(text)
            chosen = from_tool_call(text, call) if isinstance(call, dict) else None
            if chosen is not None:
                return chosen
        return found

    def reply_to_text(self, reply_id: int, text: str, token: CancelToken) -> Iterator[Any]:
        self._checkpoints = {reply_id: self.llm.checkpoint()}
        found = self.understand(text)
        offered_more, self._offered_more = self._offered_more, False
        if found.intent is Intent.HARMFUL:  # the rule layer decides before any model: a brief refusal
            yield from self.say_answer(reply_id, text, refusal(harm_kind(text)))
            return
        last_timed, self._last_timed = self._last_timed, False
        action = found.action
        if found.intent is Intent.CANCEL and isinstance(action, CancelTimers) and not action.what \
                and not action.target and (self.has_background_work() or not last_timed):
            action = tools.CancelTask()  # "never mind": the background work, unless a timer was just set
        if found.intent in _TIME_INTENTS and isinstance(action, TimerRequest | ClockReminder | CueRequest
                                                         | CancelTimers | ModifyTimer):
            yield from self._accept_intent(reply_id, text, action)
            return
        if found.intent is Intent.SCREEN_QUESTION:  # the runner looks at the screen, then answers
            yield IntentAccepted(reply_id, action, "", None)  # no ReplyDone: the answer ends this reply
            return
        if found.intent is Intent.SCREEN_WATCH:
            if action is None:  # a watch for something the screen watcher cannot match yet
                yield from self.say_answer(reply_id, text, CANNOT_WATCH)
            else:
                yield from self._accept_watch(reply_id, text, action)
            return
        tool = action if isinstance(action, tools.CancelTask | tools.DeepTask) else None
        if tool is not None and not (isinstance(tool, tools.DeepTask) and tool.kind == "story"):
            yield from self._accept_tool(reply_id, text, tool)  # stories stream from the foreground instead
            return
        exact = tools.convert_units(text) or skills.answer(text, self._now())
        self.llm.add_user(text)
        if exact is not None:
            self.llm.add_assistant(exact)
            yield ReplyChunk(reply_id, exact, self.tts.synthesize(exact), final=True)
            yield ReplyDone(reply_id)
            return
        # a plain question gets one or two sentences; a story, or "yes" to "Want more?", gets more
        limit = None if tool is not None else LONGER_SENTENCES if offered_more and wants_more(text) else SENTENCES
        yield from self._stream_llm(reply_id, token, limit)

    def early_acknowledgement(self, words_so_far: str) -> tuple[str, np.ndarray] | None:
        """What to say the moment a turn ends whose words so far already ask for deep work.

        Called on the runner's thread: it only parses text and reads speech made at load.
        """
        found = understand(words_so_far)  # "remind me to write an email" is a reminder, not writing
        tool = found.action
        if found.intent is not Intent.DEEP_TASK or not isinstance(tool, tools.DeepTask) or tool.kind == "story":
            return None
        ack = tool.ack()
        audio = self._spoken_cache.get(ack)
        return None if audio is None else (ack, audio)

    def _accept_intent(self, reply_id: int, text: str, intent: Any) -> Iterator[Any]:
        """Timers, reminders and cue watches (and changing or cancelling them): acknowledge now, and
        prepare what to say when they fire. A clock time becomes a delay from now."""
        if isinstance(intent, ClockReminder | ModifyTimer):
            intent = intent.at_time(self._now())
        if isinstance(intent, TimerRequest) and intent.seconds <= 0:  # "remind me to call Sam": when?
            ask = f"When should I remind you {intent.style or 'to'} {intent.said_content or intent.content}?"
            yield from self.say_answer(reply_id, text, ask)
            return
        ack = intent.ack()
        yield ReplyChunk(reply_id, ack, self._cached_speech(ack), final=True)
        for part in intent.parts() if isinstance(intent, TimerRequest) else (intent,):  # several timers at once
            later = part.due_text() if isinstance(part, TimerRequest | ModifyTimer) else \
                part.reply if isinstance(part, CueRequest) else ""
            yield IntentAccepted(reply_id, part, later, self._cached_speech(later) if later else None)
        self._last_timed = not isinstance(intent, CancelTimers)
        self._remember(text, ack)
        yield ReplyDone(reply_id)

    def _accept_tool(self, reply_id: int, text: str, tool: Any) -> Iterator[Any]:
        """Deep work goes to the background (acknowledged at once); "never mind" cancels it."""
        cancelling = isinstance(tool, tools.CancelTask)
        ack = tool.ack(1 if self.has_background_work() else 0) if cancelling else tool.ack()
        yield ReplyChunk(reply_id, ack, self._cached_speech(ack), final=True)
        yield IntentAccepted(reply_id, tool, "", None)
        self._remember(text, ack)
        yield ReplyDone(reply_id)

    def _accept_watch(self, reply_id: int, text: str, command: Any) -> Iterator[Any]:
        """A screen watch: acknowledge, then prepare the alert's first sentence so it can play at once."""
        ack = command.ack()
        yield ReplyChunk(reply_id, ack, self._cached_speech(ack), final=True)
        headline = command.headline(command.primary_kind) if isinstance(command, WatchRequest) else ""
        yield IntentAccepted(reply_id, command, headline, self._cached_speech(headline) if headline else None)
        self._remember(text, ack)
        yield ReplyDone(reply_id)

    def _remember(self, user_text: str, reply: str) -> None:
        """The exchange joins the model's context (after the reply is on its way: this costs time)."""
        self.llm.add_user(user_text)
        self.llm.add_assistant(reply)

    def speak(self, kind: str, text: str) -> Iterator[Any]:
        """Speech the runner asked for (a screen alert's detail): synthesized, announced, remembered."""
        yield Announcement(kind, text, self._prompt(text))
        self.llm.add_assistant(text)

    def say_answer(self, reply_id: int, user_text: str, answer: str) -> Iterator[Any]:
        """An answer made by code (read from the screen): spoken as the reply, then remembered."""
        yield ReplyChunk(reply_id, answer, self.tts.synthesize(answer), final=True)
        self._remember(user_text, answer)
        yield ReplyDone(reply_id)

    def answer_with_context(self, reply_id: int, prompt: str, token: CancelToken,
                            images: tuple[str, ...] = ()) -> Iterator[Any]:
        """The model answers a user turn that carries context (fenced screen text, a screenshot for a
        model that accepts images), streamed like any reply."""
        if images:  # the caller sends images only to a model that accepts them
            cast(ImageChatModel, self.llm).add_user(prompt, images=images)
        else:
            self.llm.add_user(prompt)
        yield from self._stream_llm(reply_id, token)

    def _prompt(self, text: str) -> Any:
        """Speech said the instant something happens (a filler, an acknowledgement, a due timer):
        without the voice's lead-in silence."""
        return trim_leading_silence(self.tts.synthesize(text))

    def _cached_speech(self, text: str) -> Any:
        if text not in self._spoken_cache:
            if len(self._spoken_cache) > 200:  # acknowledgements that name a reminder's words are one-offs
                self._spoken_cache = {t: a for t, a in list(self._spoken_cache.items())[:8]}
            self._spoken_cache[text] = self._prompt(text)
        return self._spoken_cache[text]

    def speak_result(self, reply_id: int, text: str, token: CancelToken) -> Iterator[Any]:
        """A background result, spoken sentence by sentence; it joins the foreground's context."""
        self.llm.add_assistant(text)
        self._splitter.reset()
        for sentence in self._splitter.push(text + " ") + self._splitter.flush():
            if token.cancelled:
                break
            yield ReplyChunk(reply_id, sentence, self.tts.synthesize(sentence))
        yield ReplyDone(reply_id, "cancelled" if token.cancelled else "complete")

    def partial_transcript(self, utterance_id: int, audio: np.ndarray) -> Iterator[Any]:
        """The words so far of an utterance still in progress (for cue words)."""
        yield PartialText(utterance_id, self._transcribe(self.listen_asr, audio, partial=True).text)

    def _stream_llm(self, reply_id: int, token: CancelToken, max_sentences: int | None = SENTENCES) -> Iterator[Any]:
        """Sentences go to the voice as they end; ```panel blocks are held back from it and shown instead.

        SpokenReply cleans each sentence (no "A:", markdown, quotes or emoji), ends the answer at a
        loop and after max_sentences (offering MORE when the model had more to say), and the model is
        stopped there. The model's context then keeps what was said, not what it wrote.
        """
        spoken = SpokenReply(max_sentences)
        fence = PanelFenceFilter()
        # a server model may still write a panel after the spoken part: it is read to the end, unspoken
        panels_may_follow = bool(getattr(self.llm, "supports_tools", False))
        said: list[str] = []
        written: list[str] = []
        shown = 0
        for piece in self.llm.stream_reply(self._max_tokens,
                                           lambda: token.cancelled or (spoken.stop and not panels_may_follow)):
            yield YIELD_POINT
            written.append(piece)
            out = fence.push(piece)
            yield from self._show_panels(reply_id, out.blocks)
            yield from self._say(reply_id, spoken.push(out.text), said)
            shown += len(out.blocks)
        out = fence.flush()
        if not token.cancelled:  # a block cut off by a barge-in is no error of the model's
            yield from self._show_panels(reply_id, out.blocks)
            shown += len(out.blocks)
        ended = getattr(self.llm, "last_stop", None) or getattr(self.llm, "last_finish_reason", None)
        yield from self._say(reply_id, spoken.push(out.text) + spoken.flush(complete=ended != "length"), said)
        if token.cancelled:
            yield ReplyDone(reply_id, "cancelled")
            return
        if spoken.cut and said:
            yield from self._say(reply_id, [MORE], said)
            self._offered_more = True
        if not said and not shown:
            yield from self._say(reply_id, [NOT_SURE], said)
        if not shown and " ".join(said) != " ".join("".join(written).split()):
            # the context keeps what was said (a panel's JSON stays: the model may update the panel)
            self.llm.replace_last_reply(" ".join(said))
        yield ReplyDone(reply_id, "complete")

    def _say(self, reply_id: int, sentences: list[str], said: list[str]) -> Iterator[Any]:
        for sentence in sentences:
            if sentence:
                said.append(sentence)
                yield ReplyChunk(reply_id, sentence, self.tts.synthesize(sentence))

    @staticmethod
    def _show_panels(reply_id: int, blocks: tuple[FencedBlock, ...]) -> Iterator[Any]:
        """Validated here (pure, bounded); a bad block becomes a visible panel_error, never speech."""
        if blocks:
            yield PanelOutput(reply_id, tuple(block_event(b) for b in blocks))

    def reset(self) -> None:
        """A new session: the conversation so far is forgotten."""
        self.llm.reset()
        self._checkpoints.clear()

    def discard_reply(self, reply_id: int) -> None:
        """The user went on talking before hearing this reply: forget the exchange entirely."""
        point = self._checkpoints.pop(reply_id, None)
        if point is not None:
            self.llm.rollback(point)

    def keep_heard(self, heard_text: str) -> None:
        """After a barge-in: the context keeps only what the user heard of the last reply."""
        self.llm.replace_last_reply(heard_text)
