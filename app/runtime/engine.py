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
from presence.core.intents import CueRequest, TimerRequest, parse_intent
from presence.core.panel_fence import FencedBlock, PanelFenceFilter, PanelOutput, block_event
from presence.core.ports import ChatModel, ImageChatModel, SpeechRecognizer, SpeechSynthesizer
from presence.core.text import SentenceSplitter, clean_reply
from presence.core.types import (
    Announcement,
    IntentAccepted,
    PartialText,
    ReplyChunk,
    ReplyDone,
    UserText,
    samples_to_ms,
)
from presence.runtime.executor import YIELD_POINT, CancelToken
from presence.screen.questions import parse_screen_question
from presence.screen.requests import WatchRequest, parse_watch_command
from presence.speech.tts import trim_leading_silence

NOT_SURE = "I'm not sure. A bigger model can be configured in settings."


class ReplyEngine:
    def __init__(self, asr: SpeechRecognizer, llm: ChatModel, tts: SpeechSynthesizer,
                 now: Callable[[], datetime] = datetime.now, max_reply_tokens: int = 80,
                 has_background_work: Callable[[], bool] = lambda: False,
                 listen_asr: SpeechRecognizer | None = None) -> None:
        self.asr, self.llm, self.tts = asr, llm, tts
        # partial transcripts run on the runner's listening lane, beside the reply work: their own
        # model instance, so no model is used by two threads at once
        self.listen_asr = listen_asr or asr
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

    def reply_to_audio(self, reply_id: int, audio: np.ndarray, token: CancelToken) -> Iterator[Any]:
        transcript = self.asr.transcribe(audio)
        if not transcript.is_speech:
            yield ReplyDone(reply_id, "no speech")
            return
        yield UserText(reply_id, transcript.text, samples_to_ms(len(audio)))
        if token.cancelled:
            return
        yield from self.reply_to_text(reply_id, transcript.text, token)

    def reply_to_text(self, reply_id: int, text: str, token: CancelToken) -> Iterator[Any]:
        self._checkpoints = {reply_id: self.llm.checkpoint()}
        intent = parse_intent(text)
        if intent is not None:
            yield from self._accept_intent(reply_id, text, intent)
            return
        question = parse_screen_question(text)
        if question is not None:  # the runner looks at the screen (capturing if need be), then answers
            yield IntentAccepted(reply_id, question, "", None)  # no ReplyDone: the answer ends this reply
            return
        watch = parse_watch_command(text)
        if watch is not None:
            yield from self._accept_watch(reply_id, text, watch)
            return
        tool = tools.parse_tool_intent(text)
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
        yield from self._stream_llm(reply_id, token)

    def early_acknowledgement(self, words_so_far: str) -> tuple[str, np.ndarray] | None:
        """What to say the moment a turn ends whose words so far already ask for deep work.

        Called on the runner's thread: it only parses text and reads speech made at load.
        """
        tool = tools.parse_tool_intent(words_so_far)
        if not isinstance(tool, tools.DeepTask) or tool.kind == "story":
            return None
        ack = tool.ack()
        audio = self._spoken_cache.get(ack)
        return None if audio is None else (ack, audio)

    def _accept_intent(self, reply_id: int, text: str, intent: Any) -> Iterator[Any]:
        """Timers and cue watches: acknowledge now, and prepare what to say when they fire."""
        ack = intent.ack()
        yield ReplyChunk(reply_id, ack, self._cached_speech(ack), final=True)
        for part in intent.parts() if isinstance(intent, TimerRequest) else (intent,):  # several timers at once
            later = part.due_text() if isinstance(part, TimerRequest) else \
                part.reply if isinstance(part, CueRequest) else ""
            yield IntentAccepted(reply_id, part, later, self._prompt(later) if later else None)
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
        yield PartialText(utterance_id, self.listen_asr.transcribe(audio, partial=True).text)

    def _stream_llm(self, reply_id: int, token: CancelToken) -> Iterator[Any]:
        """Sentences go to the voice as they end; ```panel blocks are held back from it and shown instead."""
        self._splitter.reset()
        fence = PanelFenceFilter()
        said: list[str] = []
        shown = 0
        for piece in self.llm.stream_reply(self._max_tokens, lambda: token.cancelled):
            yield YIELD_POINT
            out = fence.push(piece)
            yield from self._show_panels(reply_id, out.blocks)
            yield from self._say(reply_id, self._splitter.push(out.text), said)
            shown += len(out.blocks)
        out = fence.flush()
        if not token.cancelled:  # a block cut off by a barge-in is no error of the model's
            yield from self._show_panels(reply_id, out.blocks)
            shown += len(out.blocks)
        yield from self._say(reply_id, self._splitter.push(out.text) + self._splitter.flush(), said)
        if not said and not shown and not token.cancelled:
            yield ReplyChunk(reply_id, NOT_SURE, self.tts.synthesize(NOT_SURE))
        yield ReplyDone(reply_id, "cancelled" if token.cancelled else "complete")

    def _say(self, reply_id: int, sentences: list[str], said: list[str]) -> Iterator[Any]:
        for sentence in sentences:
            sentence = clean_reply(sentence)
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
