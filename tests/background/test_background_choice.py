"""The background model and the delivery of its results come from the user's settings."""

from __future__ import annotations

import time

import numpy as np
import pytest
from fake_openai_server import fake_openai_server

from presence.devices.fakes import RecordingSpeaker, WavMicrophone
from presence.runtime.build import background_choice, build_app
from presence.runtime.executor import ThreadExecutor
from presence.runtime.taskprompt import BACKGROUND_SERVER_PROMPT
from presence.settings.schema import Settings


def test_without_settings_the_embedded_model_works_in_the_background():
    """No settings: the embedded model, results spoken when idle."""
    assert background_choice(None) == ("when_idle", None, "")


def test_a_background_server_and_delivery_mode_are_taken_from_the_settings():
    """bg_backend=server gives the server's spec; task_delivery picks the mode."""
    settings = Settings.defaults().replace({"bg_backend": "server", "bg_server_url": "http://127.0.0.1:9/v1",
                             "bg_server_model": "big", "task_delivery": "silent"})
    delivery, spec, problem = background_choice(settings)
    assert (delivery, spec.kind, spec.url, spec.model, problem) == ("silent", "openai", "http://127.0.0.1:9/v1",
                                                                    "big", "")


def test_an_unusable_background_choice_falls_back_with_a_reason():
    """A GGUF choice without a file is reported and the embedded model is used instead."""
    settings = Settings.defaults().replace({"bg_backend": "gguf", "bg_gguf_path": ""})
    delivery, spec, problem = background_choice(settings)
    assert spec is None and "background model" in problem and "GGUF" in problem


@pytest.mark.slow
def test_a_deep_task_goes_to_the_background_server_from_the_settings(models):
    """With a background server chosen, a typed deep task is sent there (foreground stays embedded)."""
    events = []
    with fake_openai_server("Monday: rest. Tuesday: work.") as (url, bodies):
        settings = Settings.defaults().replace({"bg_backend": "server", "bg_server_url": url,
                                                "bg_server_model": "planner"})
        mic = WavMicrophone(np.zeros(16000 * 20, np.float32), realtime=True)
        runner = build_app(models, mic, RecordingSpeaker(), ThreadExecutor(), events.append,
                           user_settings=settings)
        runner.submit_text("Write a short plan for my week.")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not any(e.type == "task_delivered" for e in events):
            runner.run(max_ticks=runner.tick + 5)
        runner.close_workers()
    assert bodies and bodies[0]["model"] == "planner"
    assert bodies[0]["messages"][0]["content"].startswith(BACKGROUND_SERVER_PROMPT[:40])
    assert any(e.type == "task_delivered" for e in events)


def test_changing_the_delivery_setting_applies_to_the_running_desk():
    """The settings panel's "Background results" switches the live desk's mode; a bad value is ignored."""
    from presence.runtime.desk import BackgroundDesk, DeliveryMode

    desk = BackgroundDesk(worker=None)
    desk.set_delivery("interrupt")
    assert desk.policy.mode is DeliveryMode.INTERRUPT
    desk.set_delivery("shout")
    assert desk.policy.mode is DeliveryMode.INTERRUPT
