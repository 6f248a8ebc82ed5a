"""Model choice from settings: a bad GGUF file falls back to the embedded model with a reason."""

import pytest

from presence.runtime.build import load_models

pytestmark = pytest.mark.slow


def test_unusable_gguf_falls_back_to_the_embedded_model(tmp_path):
    """settings naming a non-GGUF file still give a working chat model, and say why."""
    bad = tmp_path / "notes.gguf"
    bad.write_text("these are not model weights")
    reasons = []
    models = load_models(settings={"fg_backend": "gguf", "fg_gguf_path": str(bad)}, on_fallback=reasons.append)
    assert reasons and "GGUF" in str(reasons[0])
    models.engine.llm.add_user("Say hello.")
    assert "".join(models.engine.llm.stream_reply(10)).strip()
