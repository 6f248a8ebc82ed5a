"""Background work with the real embedded model (a second SmolLM2 session on its own thread)."""

from __future__ import annotations

import time

import pytest

from presence.runtime.background import BackgroundWorker, TaskProgress, TaskResult
from presence.runtime.desk import BackgroundDesk, DeliveryPolicy
from presence.runtime.taskprompt import BACKGROUND_SYSTEM_PROMPT

pytestmark = pytest.mark.slow

PICNIC = [("user", "I want to have a picnic in the park on Saturday."),
          ("assistant", "That sounds lovely. What do you need?"),
          ("user", "I need to buy bread, cheese and apples."),
          ("assistant", "Okay, bread, cheese and apples."),
          ("user", "And I should invite Sam and Maria."),
          ("assistant", "Great, Sam and Maria it is.")]


@pytest.fixture(scope="module")
def llama():
    try:
        from presence.models.llm import LlamaChatSession

        LlamaChatSession  # noqa: B018
        from presence.models.paths import find

        find("llm")
    except Exception as exc:  # llama-cpp-python or the model package missing
        pytest.skip(f"embedded model unavailable: {exc}")
    return LlamaChatSession


def test_embedded_background_model_summarises_a_short_transcript(llama):
    """A second LlamaChatSession (1 thread) summarises while the foreground session keeps answering."""
    worker = BackgroundWorker(lambda: llama(threads=1, system_prompt=BACKGROUND_SYSTEM_PROMPT), max_tokens=120,
                              progress_interval_s=0.2)
    desk = BackgroundDesk(worker, DeliveryPolicy("when_idle"))
    foreground = llama()
    try:
        t_ms = 1000
        for speaker, text in PICNIC:
            (desk.heard_user if speaker == "user" else desk.said)(t_ms, text)
            t_ms += 2500
        desk.heard_user(t_ms, "Summarise what we talked about")
        t0 = time.perf_counter()
        desk.start("Summarise what we talked about", "summary", t_ms)
        submit_s = time.perf_counter() - t0
        assert submit_s < 0.05  # handing over never waits for the model

        # the foreground model answers a follow-up while the background one works
        foreground.add_user("What is the capital of France?")
        t0 = time.perf_counter()
        answer = "".join(foreground.stream_reply(20))
        foreground_s = time.perf_counter() - t0
        assert "Paris" in answer

        events, deliveries = [], []
        deadline = time.monotonic() + 120.0
        while not deliveries and time.monotonic() < deadline:
            new, deliveries = desk.tick(user_talking=False, assistant_busy=False)
            events += new
            time.sleep(0.05)
        results = [e.fields for e in events if e.type == "task_result"]
        assert results, f"no result in 120 s: {events}"
        summary = results[0]["text"]
        print(f"\nsubmit {submit_s * 1000:.1f} ms, foreground answer {foreground_s:.2f} s while busy, "
              f"background {results[0]['elapsed_s']} s: {summary!r}")
        assert any(e.type == "task_progress" for e in events)
        words = summary.lower()
        assert any(w in words for w in ("picnic", "park", "saturday", "bread", "cheese", "apples", "sam", "maria"))
        assert "user:" not in words and "assistant:" not in words  # no echoed transcript
        assert deliveries[0].text == summary and not deliveries[0].late
    finally:
        desk.close()


def test_cancel_stops_the_real_model_quickly(llama):
    worker = BackgroundWorker(lambda: llama(threads=1, system_prompt=BACKGROUND_SYSTEM_PROMPT), max_tokens=400,
                              progress_interval_s=0.0)
    try:
        from presence.runtime.taskprompt import ContextPackage

        worker.submit(ContextPackage("Tell me a long story about a dragon", "story"))
        deadline = time.monotonic() + 60.0
        while time.monotonic() < deadline and not any(isinstance(i, TaskProgress) for i in worker.poll()):
            time.sleep(0.05)
        t0 = time.monotonic()
        assert worker.cancel() == [1]
        assert worker.wait_idle(10.0)
        stop_s = time.monotonic() - t0
        items = worker.poll()
        assert not any(isinstance(i, TaskResult) for i in items)
        assert stop_s < 3.0, stop_s
    finally:
        worker.close()
