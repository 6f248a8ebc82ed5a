"""rapidocr never reaches the internet: the bundled model files are passed by path, a missing one is
an OcrUnavailable naming it, and rapidocr's downloader refuses to run."""

from __future__ import annotations

import pytest

from presence.screen.ocr import BUNDLED_MODELS, OcrUnavailable, RapidOcr, bundled_models, forbid_downloads


def test_the_bundled_models_are_found_in_the_wheel():
    paths = bundled_models()
    assert set(paths) == set(BUNDLED_MODELS) and all(p.is_file() for p in paths.values())


def test_a_missing_bundled_model_is_named_and_nothing_is_downloaded(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / BUNDLED_MODELS["Det"]).write_bytes(b"onnx")
    with pytest.raises(OcrUnavailable, match=f"{BUNDLED_MODELS['Rec']} is missing .nothing is downloaded."):
        bundled_models(tmp_path)


def test_rapidocr_is_given_the_paths_and_its_downloader_refuses(monkeypatch):
    import rapidocr
    from rapidocr.utils.download_file import DownloadFile, DownloadFileInput

    seen: dict = {}

    class Recording:
        def __init__(self, params):
            seen.update(params)

        def _load_det_model(self):
            pass

    monkeypatch.setattr(rapidocr, "RapidOCR", Recording)
    monkeypatch.setattr(DownloadFile, "run", DownloadFile.__dict__["run"])  # put back after the test
    RapidOcr().load()
    paths = bundled_models()
    assert seen["Det.model_path"] == str(paths["Det"]) and seen["Rec.model_path"] == str(paths["Rec"])
    assert seen["Cls.model_path"] == str(paths["Cls"])
    forbid_downloads()
    with pytest.raises(OcrUnavailable, match="never downloads"):
        DownloadFile.run(DownloadFileInput(file_url="https://example.com/model.onnx", sha256=None,
                                           save_path="/tmp/never.onnx", logger=None))
