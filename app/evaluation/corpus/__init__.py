"""A generalization corpus of spoken requests (issue 13): 13 intents, 10+ phrasings each, many voices.

`items.generate()` makes the list (deterministic); `render` turns a split into 16 kHz WAVs. The
held-out half is committed: `heldout/items.jsonl`, its WAVs and `heldout/MANIFEST.sha256`, written
once before any tuning and only read by `presence bench` (presence.evaluation.corpus_bench). The
tuning half's list is `tuning.jsonl`; its audio is rendered on demand into a cache folder. Keep
the held-out texts out of anything you tune against: read `tuning.jsonl` only.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
HELDOUT_DIR = HERE / "heldout"
HELDOUT_ITEMS = HELDOUT_DIR / "items.jsonl"
HELDOUT_HASHES = HELDOUT_DIR / "MANIFEST.sha256"
TUNING_ITEMS = HERE / "tuning.jsonl"
