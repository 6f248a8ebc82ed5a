"""The virtual-time worker charges jobs their measured compute and honours cancellation."""

import time

from presence.runtime.executor import YIELD_POINT, ThreadExecutor, VirtualTimeExecutor


def _tokens(n: int, ms_each: float):
    def job(_token):
        for _ in range(n):
            time.sleep(ms_each / 1000)
            yield YIELD_POINT
        yield "finished"
    return job


def test_yield_points_are_not_delivered():
    """A job's yield points only mark where it may stop; its results come through alone."""
    ex = VirtualTimeExecutor()
    ex.submit(_tokens(3, 1), 0)
    assert ex.ready(10_000) == ["finished"]


def test_a_cancelled_job_is_charged_only_up_to_its_next_yield_point():
    """Cancelled 100 ms into a 500 ms job, the next job runs at ~100 ms, not after the whole job."""
    ex = VirtualTimeExecutor()
    token = ex.submit(_tokens(50, 10), 0)
    assert ex.ready(100) == []
    token.cancel()
    ex.submit(lambda _tok: iter(["next"]), 100)
    assert ex.ready(300) == ["next"]


def test_a_job_on_another_lane_does_not_wait_behind_this_one():
    """The listening lane's transcript is ready after its own compute, not after the reply work queued before it."""
    for ex in (VirtualTimeExecutor(), ThreadExecutor()):
        listen = ex.new_lane()
        ex.submit(_tokens(1, 300), 0)  # a reply's transcript
        listen.submit(_tokens(1, 50), 0)  # words so far
        if isinstance(ex, ThreadExecutor):
            time.sleep(0.15)
        assert listen.ready(150) == ["finished"] and ex.ready(150) == []
        ex.close()
        listen.close()
