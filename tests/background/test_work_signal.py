"""The engine's view of background work (it words "never mind"'s acknowledgment): a read-only signal
that is safe off the runner thread, in step with the desk's running tasks and waiting deliveries."""

from __future__ import annotations

import threading

from presence.runtime.background import TaskResult
from presence.runtime.desk import BackgroundDesk, DeliveryPolicy, WorkSignal


class StubWorker:
    """Only what the desk and the signal use: the tasks running, and nothing to poll."""

    def __init__(self) -> None:
        self.running: list[int] = []

    def active(self) -> list[int]:
        return list(self.running)

    def poll(self, now_ms: int | None = None) -> list[object]:
        return []


def _result(task_id: int) -> TaskResult:
    return TaskResult(task_id, "plan", "plan my week", "Monday: rest.", 1.0)


def test_the_signal_follows_running_tasks_and_every_change_to_waiting_deliveries():
    worker = StubWorker()
    desk = BackgroundDesk(worker, DeliveryPolicy("when_idle"))
    signal = desk.work_signal
    assert isinstance(signal, WorkSignal) and desk.work_signal is signal
    assert not signal() and not desk.has_work()
    worker.running = [1]
    assert signal() and desk.has_work()
    worker.running = []
    desk.policy.add(_result(1))
    assert signal()
    (delivery,) = desk.policy.step(user_talking=False, assistant_busy=False)
    assert not signal()
    desk.policy.requeue(delivery)  # dropped before it was heard: waiting again
    assert signal()
    desk.policy.forget(1)
    assert not signal()
    desk.policy.add(_result(2))
    desk.policy.mode = DeliveryPolicy("silent").mode
    assert desk.policy.step(user_talking=True, assistant_busy=True) and not signal()


def test_the_signal_is_read_from_another_thread_without_touching_the_desk():
    worker = StubWorker()
    policy = DeliveryPolicy("when_idle")
    desk = BackgroundDesk(worker, policy)
    signal = desk.work_signal
    policy.add(_result(3))
    seen: list[bool] = []
    reader = threading.Thread(target=lambda: seen.append(signal()))
    reader.start()
    reader.join(5)
    assert seen == [True]
    held = [getattr(signal, name) for name in WorkSignal.__slots__]
    assert not any(isinstance(getattr(v, "__self__", v), BackgroundDesk) for v in held)  # the worker and an Event
