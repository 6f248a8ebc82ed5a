"""Named fakes for background work: a slow chat backend that can be held, and a fake foreground."""

from __future__ import annotations

import threading
import time


class FakeSlowChatSession:
    """A chat backend that streams a scripted reply word by word, slowly.

    If `hold` is given, it stops before its last word until hold is set (polling should_stop, so a
    cancel still ends it); every wait is bounded, so a broken test cannot hang.
    """

    def __init__(self, reply: str = "You planned a picnic on Saturday with bread, cheese and apples.",
                 piece_delay_s: float = 0.02, hold: threading.Event | None = None,
                 tool_calls: list | None = None) -> None:
        self.reply = reply
        self.piece_delay_s = piece_delay_s
        self.hold = hold
        self.prompts: list[str] = []
        self.tool_results: list[tuple[str, str]] = []
        self.stopped_early = threading.Event()
        self.started = threading.Event()
        self.thread_names: set[str] = set()
        self._scripted_calls = list(tool_calls or [])
        self.last_tool_calls: list = []
        self.supports_tools = bool(tool_calls)

    def reset(self) -> None:
        self.prompts.clear()

    def add_user(self, text: str) -> None:
        self.prompts.append(text)

    def add_assistant(self, text: str) -> None:
        pass

    def add_tool_result(self, call, content: str) -> None:
        self.tool_results.append((call.name, content))

    def stream_reply(self, max_tokens=120, should_stop=lambda: False, **kwargs):
        self.thread_names.add(threading.current_thread().name)
        self.started.set()
        if self._scripted_calls:  # first round: only tool calls, like a model that uses tools
            self.last_tool_calls = [self._scripted_calls.pop(0)]
            return
        self.last_tool_calls = []
        words = self.reply.split(" ")
        for i, word in enumerate(words):
            if i == len(words) - 1 and self.hold is not None:
                deadline = time.monotonic() + 10.0
                while not self.hold.wait(0.01) and time.monotonic() < deadline:
                    if should_stop():
                        break
            if should_stop():
                self.stopped_early.set()
                return
            time.sleep(self.piece_delay_s)
            yield word if i == 0 else " " + word

    def replace_last_reply(self, heard_text: str) -> None:
        pass

    def checkpoint(self):
        return 0

    def rollback(self, point) -> None:
        pass


class FakeForegroundSession:
    """The foreground chat model: records the conversation; never asked to generate in these tests."""

    def __init__(self) -> None:
        self.history: list[tuple[str, str]] = []

    def reset(self) -> None:
        self.history.clear()

    def add_user(self, text: str) -> None:
        self.history.append(("user", text))

    def add_assistant(self, text: str) -> None:
        self.history.append(("assistant", text))

    def stream_reply(self, max_tokens=120, should_stop=lambda: False):
        yield "I am not sure."

    def replace_last_reply(self, heard_text: str) -> None:
        pass

    def checkpoint(self):
        return len(self.history)

    def rollback(self, point) -> None:
        del self.history[point:]
