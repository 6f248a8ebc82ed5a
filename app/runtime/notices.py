"""Short notices the user hears as well as sees: screen capture is off, a reply failed.

A notice is shown at once (a `notice` event: the window's status bar, the terminal) and spoken by a
job on the inference worker (its speech is made there, like every other sentence): the job yields an
Announcement of kind `spoken_notice`, which the runner plays like a timer's announcement. Its name
starts with NOTICE_JOB, so a notice that cannot be spoken (the voice itself failed) is not retried.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from presence.core.types import Announcement
from presence.runtime.context import Emitter
from presence.speech.tts import trim_leading_silence

NOTICE_JOB = "notice"
CAPTURE_OFF = ("Screen capture is off, so I did not look at your screen. To allow it, turn on 'Capture the "
               "screen' in Settings, under Screen.")
WATCH_NEEDS_CAPTURE = ("I can't watch your screen: screen capture is off. To allow it, turn on 'Capture the "
                       "screen' in Settings, under Screen, then ask me again.")
WATCHES_PAUSED = ("Screen capture was turned off in Settings, so your screen watches are on hold until it is "
                  "allowed again.")
REPLY_FAILED = "Sorry, something went wrong with that answer. Please say it again."


def spoken_notice(engine: Any, text: str) -> Iterator[Any]:
    """The notice's speech (on the inference worker); it does not join the model's context."""
    yield Announcement("spoken_notice", text, trim_leading_silence(engine.tts.synthesize(text)))


def tell(emit: Emitter, executor: Any, engine: Any, text: str, spoken: bool = True) -> None:
    """Show the notice now; say it too when `spoken` and there is a voice to say it with."""
    emit("notice", message=text)
    if spoken and getattr(engine, "tts", None) is not None:
        executor.submit(lambda _tok: spoken_notice(engine, text), emit.clock.now_ms, name=NOTICE_JOB)
