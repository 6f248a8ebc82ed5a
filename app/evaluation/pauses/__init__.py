"""The pause corpus: mid-sentence pauses that must not be taken as the end of a turn, and complete
turns that must be answered at once, in many voices (issue 14, item 1).

`items.py` generates the items (fixed seed); `heldout.jsonl` is the held-out half's item list,
written once before any tuning and committed; `tuning.jsonl` the tuning half's. `render.py`
renders either half into scenario folders (user.wav + truth.json, the public set's format) on
demand: espeak-ng and Piper's steady voice are deterministic, so the audio is the same each time.
`score.py` adds to presence.evaluation.score what a pause corpus needs.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
HELDOUT_ITEMS = HERE / "heldout.jsonl"
TUNING_ITEMS = HERE / "tuning.jsonl"
