"""The speech recognition setting: both shipped Whisper models are selectable, and loading follows the choice."""

from __future__ import annotations

import json

import pytest

from presence.runtime.build import ModelChoice, asr_model_choice
from presence.settings.schema import BY_KEY, Settings
from presence.settings.store import CURRENT_VERSION, SettingsStore
from presence.speech.asr import ASR_MODELS, DEFAULT_ASR_MODEL


def test_the_setting_offers_every_shipped_model_and_defaults_to_the_measured_choice():
    setting = BY_KEY["asr_model"]
    assert tuple(v for v, _ in setting.choices) == ASR_MODELS
    assert setting.default == DEFAULT_ASR_MODEL and setting.group == "Models" and "next start" in setting.help
    with pytest.raises(ValueError):
        Settings({"asr_model": "large-v3"})


def test_an_older_settings_file_without_it_loads_the_default(tmp_path):
    (tmp_path / "settings.json").write_text(json.dumps({"version": CURRENT_VERSION, "settings": {"voice_speed": 1.2}}))
    loaded = SettingsStore(tmp_path).load()
    assert loaded.settings["asr_model"] == DEFAULT_ASR_MODEL and loaded.messages == []


@pytest.mark.parametrize("choice, settings, expected", [
    (ModelChoice(), None, DEFAULT_ASR_MODEL),
    (ModelChoice(), {"asr_model": "base"}, "base"),
    (ModelChoice(), {"asr_model": "tiny.en"}, "tiny.en"),
    (ModelChoice(), {"fg_backend": "embedded"}, DEFAULT_ASR_MODEL),  # an older caller's settings
    (ModelChoice(asr_model="tiny.en"), {"asr_model": "base"}, "tiny.en"),  # an explicit choice wins
])
def test_the_model_loaded_follows_the_choice_then_the_settings(choice, settings, expected):
    assert asr_model_choice(choice, settings) == expected


def test_an_unknown_model_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="tiny.en, base"):
        asr_model_choice(ModelChoice(asr_model="medium"), None)


def test_the_first_assembly_reports_its_progress_every_tenth():
    from presence.runtime.build import _assembly_progress

    lines: list[str] = []
    progress = _assembly_progress("base", lines.append)
    for done in range(0, 1001, 7):
        progress(done, 1000)
    progress(1000, 1000)
    assert lines[0] == "preparing Whisper base (once): 0 %" and lines[-1] == "preparing Whisper base (once): 100 %"
    assert len(lines) == 11
    assert _assembly_progress("base", None) is None
