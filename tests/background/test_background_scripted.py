"""Deep tasks in the background, scripted tick by tick with a named fake model (FakeSlowChatSession).

The foreground here is what the runner will do (see the wiring in app/runtime/desk.py's
BackgroundDesk): parse the request, acknowledge, hand over; answer follow-ups with the real
ReplyEngine while the task runs; each tick drain the desk and deliver when the policy says so.
"""

from __future__ import annotations

import threading
import time

from fakes import FakeTts
from fakes_background import FakeForegroundSession, FakeSlowChatSession

from presence.core.tools import CancelTask, DeepTask, parse_tool_intent
from presence.core.types import ReplyChunk
from presence.models.openai_backend import ToolCall
from presence.runtime.background import (
    BackgroundWorker,
    TaskCancelled,
    TaskProgress,
    TaskResult,
    TaskStarted,
    TaskToolCall,
)
from presence.runtime.desk import EARLIER, BackgroundDesk, DeliveryPolicy
from presence.runtime.engine import ReplyEngine
from presence.runtime.executor import CancelToken
from presence.runtime.taskprompt import ContextPackage, TranscriptLine

TICK_S = 0.01  # logical ticks are compressed: the policy counts ticks, not seconds


class Foreground:
    """A scripted stand-in for the runner's side of the wiring."""

    def __init__(self, desk: BackgroundDesk) -> None:
        self.desk = desk
        self.engine = ReplyEngine(asr=None, llm=FakeForegroundSession(), tts=FakeTts())
        self.tts = FakeTts()
        self.t_ms = 0
        self.events: list[tuple[str, dict]] = []
        self.delivered = []
        self.said: list[str] = []

    def user_says(self, text: str) -> tuple[str, float]:
        """A user turn; returns what the assistant answered and how long the answer took (s)."""
        t0 = time.perf_counter()
        self.desk.heard_user(self.t_ms, text)
        intent = parse_tool_intent(text)
        if isinstance(intent, DeepTask):
            ack = intent.ack()
            self.tts.synthesize(ack)
            _, events = self.desk.start(intent.request, intent.kind, self.t_ms)
            self.events += [(e.type, e.fields) for e in events]
        elif isinstance(intent, CancelTask):
            ids, events = self.desk.cancel()
            self.events += [(e.type, e.fields) for e in events]
            ack = intent.ack(len(ids))
        else:
            chunks = [c for c in self.engine.reply_to_text(1, text, CancelToken()) if isinstance(c, ReplyChunk)]
            ack = " ".join(c.text for c in chunks)
        elapsed = time.perf_counter() - t0
        self.desk.said(self.t_ms, ack)
        self.said.append(ack)
        return ack, elapsed

    def tick(self, user_talking: bool = False, assistant_busy: bool = False) -> list:
        self.t_ms += 200
        events, deliveries = self.desk.tick(user_talking, assistant_busy)
        self.events += [(e.type, e.fields) for e in events]
        self.delivered += deliveries
        time.sleep(TICK_S)
        return deliveries

    def ticks_until(self, what, max_ticks: int = 300, **state) -> bool:
        for _ in range(max_ticks):
            self.tick(**state)
            if what():
                return True
        return False

    def types(self) -> list[str]:
        return [t for t, _ in self.events]


def _desk(fake: FakeSlowChatSession, mode: str = "when_idle") -> BackgroundDesk:
    return BackgroundDesk(BackgroundWorker(fake, progress_interval_s=0.0), DeliveryPolicy(mode))


def _conversation(fg: Foreground) -> None:
    for speaker, text in [("user", "I want to have a picnic in the park on Saturday."),
                          ("assistant", "That sounds lovely."),
                          ("user", "I need bread, cheese and apples.")]:
        if speaker == "user":
            fg.desk.heard_user(fg.t_ms, text)
        else:
            fg.desk.said(fg.t_ms, text)
        fg.t_ms += 2000


def test_deep_task_acknowledged_at_once_follow_up_answered_result_waits_for_silence():
    """Ack in < 0.5 s; a follow-up is answered while the task runs; the result waits for the user
    to stop talking and is introduced as earlier-topic after the follow-up."""
    hold = threading.Event()
    fake = FakeSlowChatSession(hold=hold)
    fg = Foreground(_desk(fake))
    try:
        _conversation(fg)
        ack, ack_s = fg.user_says("Summarise what we talked about")
        assert ack == "Let me work that out." and ack_s < 0.5
        assert ("tool_call", "deep_task") in [(t, f.get("tool")) for t, f in fg.events]
        assert fake.started.wait(5.0)
        assert fg.ticks_until(lambda: "task_progress" in fg.types())

        # the context package: transcript with times, without the request itself
        prompt = fake.prompts[0]
        assert "[0:00] User: I want to have a picnic" in prompt and "[0:02] Assistant: That sounds lovely." in prompt
        assert "Request: Summarise what we talked about" in prompt and prompt.count("Summarise what we") == 1
        assert fake.thread_names == {"background_0"}

        # the foreground is not blocked: a follow-up is answered exactly while the task is held
        answer, answer_s = fg.user_says("What is seven times eight?")
        assert "56" in answer and answer_s < 0.5
        assert fg.desk.busy

        # the user talks; the result arrives meanwhile and is not delivered over them
        hold.set()
        assert fg.ticks_until(lambda: "task_result" in fg.types(), user_talking=True)
        for _ in range(5):
            assert fg.tick(user_talking=True) == []
        assert fg.tick(assistant_busy=True) == []  # the assistant is still answering something
        delivered = fg.tick()  # one quiet tick: deliver
        assert len(delivered) == 1 and delivered[0].speak and delivered[0].late
        assert delivered[0].text == EARLIER + fake.reply
        assert ("task_delivered", True) in [(t, f.get("late")) for t, f in fg.events]
        assert not fg.desk.busy
    finally:
        hold.set()
        fg.desk.close()


def test_result_without_topic_change_is_not_introduced_as_earlier():
    fake = FakeSlowChatSession()
    fg = Foreground(_desk(fake))
    try:
        fg.user_says("Write a short plan for my week")
        assert fg.ticks_until(lambda: bool(fg.delivered))
        assert fg.delivered[0].text == fake.reply and not fg.delivered[0].late
    finally:
        fg.desk.close()


def test_never_mind_cancels_and_nothing_of_the_task_arrives_later():
    hold = threading.Event()
    fake = FakeSlowChatSession(hold=hold)
    fg = Foreground(_desk(fake))
    try:
        fg.user_says("Tell me a long story about a dragon")
        assert fake.started.wait(5.0)
        ack, _ = fg.user_says("Never mind.")
        assert ack == "Okay, I've stopped working on that."
        cancel = [f for t, f in fg.events if f.get("tool") == "cancel_task"]
        assert cancel and cancel[0]["cancelled"] == [1]
        assert fake.stopped_early.wait(5.0)  # the model stopped generating (bounded)
        hold.set()
        fg.ticks_until(lambda: False, max_ticks=30)
        assert "task_cancelled" in fg.types()
        assert "task_result" not in fg.types() and not fg.delivered
        assert not fg.desk.busy
        ack, _ = fg.user_says("stop that")
        assert ack == "Okay."  # nothing was running
    finally:
        hold.set()
        fg.desk.close()


def test_cancel_after_the_result_arrived_but_before_delivery_drops_it():
    fake = FakeSlowChatSession(piece_delay_s=0.0)
    fg = Foreground(_desk(fake))
    try:
        fg.user_says("Summarise what we talked about")
        assert fg.ticks_until(lambda: "task_result" in fg.types(), user_talking=True)
        fg.user_says("cancel that")
        for _ in range(5):
            fg.tick()
        assert not fg.delivered
    finally:
        fg.desk.close()


def test_delivery_modes():
    """Silent shows at once without speaking; interrupt speaks over the assistant but never over the user."""
    from presence.runtime.background import TaskResult
    from presence.runtime.desk import DeliveryPolicy

    result = TaskResult(1, "summary", "r", "Done.", 1.0)
    silent = DeliveryPolicy("silent")
    silent.submitted(1)
    silent.add(result)
    out = silent.step(user_talking=True, assistant_busy=True)
    assert len(out) == 1 and not out[0].speak

    interrupt = DeliveryPolicy("interrupt")
    interrupt.submitted(1)
    interrupt.add(result)
    assert interrupt.step(user_talking=True, assistant_busy=False) == []
    out = interrupt.step(user_talking=False, assistant_busy=True)
    assert len(out) == 1 and out[0].speak

    idle = DeliveryPolicy("when_idle", idle_ticks=3)
    idle.submitted(1)
    idle.add(result)
    assert [idle.step(False, False) for _ in range(2)] == [[], []]
    (d,) = idle.step(False, False)
    idle.requeue(d)  # dropped before it was heard: it waits for the next quiet moment
    assert idle.step(True, False) == [] and idle.step(False, False) == []
    assert len(idle.step(False, False) + idle.step(False, False)) == 1


def test_worker_streams_started_progress_tool_calls_result_in_order():
    call = ToolCall("c1", "convert_units", '{"value": 10, "from_unit": "km", "to_unit": "miles"}')
    fake = FakeSlowChatSession(reply="About six miles.", tool_calls=[call])
    worker = BackgroundWorker(fake, progress_interval_s=0.0, tools=("convert_units",))
    try:
        worker.submit(ContextPackage("How far is 10 km in miles, in detail?", "explanation",
                                     (TranscriptLine(0, "user", "hi"),)))
        assert worker.wait_idle(5.0)
        items = worker.poll()
        kinds = [type(i) for i in items]
        assert kinds[0] is TaskStarted and kinds[-1] is TaskResult and TaskProgress in kinds
        (tool,) = [i for i in items if isinstance(i, TaskToolCall)]
        assert tool.tool == "convert_units" and tool.result == "10 kilometres is about 6.21 miles."
        assert fake.tool_results == [("convert_units", "10 kilometres is about 6.21 miles.")]
        assert items[-1].text == "About six miles."
        assert worker.poll() == [] and worker.active() == []
    finally:
        worker.close()


def test_failing_backend_gives_task_failed_and_a_short_spoken_apology():
    def broken():
        raise RuntimeError("model file gone")

    desk = BackgroundDesk(BackgroundWorker(broken), DeliveryPolicy())
    try:
        desk.heard_user(0, "summarise what we talked about")
        desk.start("summarise what we talked about", "summary", 0)
        assert desk.worker.wait_idle(5.0)
        events, deliveries = desk.tick(False, False)
        assert ("task_failed", "RuntimeError: model file gone") in [(e.type, e.fields.get("message")) for e in events]
        assert deliveries and deliveries[0].failed and deliveries[0].text == "Sorry, I couldn't finish that."
    finally:
        desk.close()


def test_timeout_bounds_a_task_and_empty_output_is_honest():
    hold = threading.Event()  # never set: the fake would wait 10 s
    fake = FakeSlowChatSession(reply="x", hold=hold)
    worker = BackgroundWorker(fake, task_timeout_s=0.3)
    try:
        t0 = time.monotonic()
        worker.submit(ContextPackage("summarise", "summary"))
        assert worker.wait_idle(5.0) and time.monotonic() - t0 < 3.0
        (result,) = [i for i in worker.poll() if isinstance(i, TaskResult)]
        assert result.text.startswith("I couldn't work that out.")
        assert not [i for i in worker.poll() if isinstance(i, TaskCancelled)]
    finally:
        hold.set()
        worker.close()


def test_virtual_time_worker_releases_items_when_logical_time_reaches_their_compute_time():
    """replay --fast: the task runs at once, but its result shows up only after the time it took."""
    from presence.runtime.background import VirtualTimeBackgroundWorker

    fake = FakeSlowChatSession(piece_delay_s=0.05)  # 12 words: ~0.6 s of compute
    desk = BackgroundDesk(VirtualTimeBackgroundWorker(fake, progress_interval_s=0.0), DeliveryPolicy())
    try:
        desk.heard_user(1000, "Summarise what we talked about")
        desk.start("Summarise what we talked about", "summary", 1000)
        assert desk.busy
        events, _ = desk.tick(False, False, now_ms=1200)
        types = [e.type for e in events if not e.type.startswith("panel")]  # only what existed 0.2 s into the task
        assert types[0] == "task_started" and set(types[1:]) == {"task_progress"} and len(types) < 8
        results = []
        for now_ms in range(1400, 4000, 200):
            events, deliveries = desk.tick(False, False, now_ms=now_ms)
            results += [(now_ms, e.fields) for e in events if e.type == "task_result"]
            if deliveries:
                break
        ((at_ms, result),) = results
        assert 1000 + result["elapsed_s"] * 1000 <= at_ms < 1000 + result["elapsed_s"] * 1000 + 200
        assert deliveries and deliveries[0].text == fake.reply and not desk.busy
    finally:
        desk.close()


def test_virtual_time_worker_cancel_stops_the_task_at_its_next_step():
    from presence.runtime.background import VirtualTimeBackgroundWorker

    fake = FakeSlowChatSession(piece_delay_s=0.05)
    desk = BackgroundDesk(VirtualTimeBackgroundWorker(fake, progress_interval_s=0.0), DeliveryPolicy())
    try:
        desk.start("Tell me a long story", "story", 0)
        events, _ = desk.tick(False, False, now_ms=200)
        assert "task_progress" in [e.type for e in events]
        ids, _ = desk.cancel()
        assert ids == [1]
        later = []
        for now_ms in range(400, 3000, 200):
            events, deliveries = desk.tick(False, False, now_ms=now_ms)
            later += [e.type for e in events]
            assert not deliveries
        assert later == ["task_cancelled"] and fake.stopped_early.is_set()  # the model saw should_stop
        assert not desk.busy and desk.worker.wait_idle(0)
    finally:
        desk.close()
