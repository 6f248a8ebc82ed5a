"""Writing the corpus: manifests, the held-out WAVs with their hash list, the tuning half's cache.

`python -m presence.evaluation.corpus.render manifests` rewrites both item lists from the
generator; `... heldout` renders and hashes the held-out half (done once, then committed: re-rendering
changes the Piper clips, and the hash test fails on purpose); `... tuning [DIR]` renders the tuning
half into a cache folder (default: the user cache), skipping clips already there.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable
from pathlib import Path

from presence.devices.audio_files import write_wav_16k_mono
from presence.evaluation.corpus import HELDOUT_DIR, HELDOUT_HASHES, HELDOUT_ITEMS, TUNING_ITEMS
from presence.evaluation.corpus.items import HELDOUT, TUNING, Item, generate, split, write_jsonl
from presence.evaluation.corpus.voices import render


def write_manifests() -> None:
    items = generate()
    HELDOUT_DIR.mkdir(parents=True, exist_ok=True)
    write_jsonl(split(items, HELDOUT), HELDOUT_ITEMS)
    write_jsonl(split(items, TUNING), TUNING_ITEMS)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hash_lines(folder: Path, names: Iterable[str]) -> str:
    """sha256sum's format ("HASH  NAME"), so `sha256sum -c MANIFEST.sha256` checks it too."""
    return "".join(f"{sha256(folder / n)}  {n}\n" for n in sorted(names))


def render_items(items: list[Item], folder: Path, skip_existing: bool = False) -> list[Path]:
    """Each item's clip as folder/<id>.wav (16-bit PCM, 16 kHz mono)."""
    folder.mkdir(parents=True, exist_ok=True)
    tts = None
    if any(i.voice["engine"] == "piper" for i in items):
        from presence.speech.tts import PiperTts

        tts = PiperTts()
    paths = []
    for item in items:
        path = folder / f"{item.id}.wav"
        if not (skip_existing and path.is_file()):
            write_wav_16k_mono(path, render(item.text, item.voice, item.noise, tts))
        paths.append(path)
    return paths


def render_heldout() -> list[Path]:
    """The held-out clips and MANIFEST.sha256 (items.jsonl and every WAV); returns what to commit."""
    write_manifests()
    from presence.evaluation.corpus.items import read_jsonl

    wavs = render_items(read_jsonl(HELDOUT_ITEMS), HELDOUT_DIR)
    names = [HELDOUT_ITEMS.name, *(p.name for p in wavs)]
    HELDOUT_HASHES.write_text(hash_lines(HELDOUT_DIR, names), encoding="utf-8")
    return [HELDOUT_ITEMS, HELDOUT_HASHES, TUNING_ITEMS, *wavs]


def tuning_cache() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("presence")) / "corpus-tuning"


def render_tuning(folder: Path | None = None) -> Path:
    """The tuning half's clips in a cache folder (made once; later calls reuse what is there)."""
    from presence.evaluation.corpus.items import read_jsonl

    folder = folder or tuning_cache()
    render_items(read_jsonl(TUNING_ITEMS), folder, skip_existing=True)
    return folder


def main(argv: list[str]) -> int:
    what = argv[0] if argv else ""
    if what == "manifests":
        write_manifests()
    elif what == "heldout":
        for p in render_heldout():
            print(p)
    elif what == "tuning":
        print(render_tuning(Path(argv[1]) if len(argv) > 1 else None))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
