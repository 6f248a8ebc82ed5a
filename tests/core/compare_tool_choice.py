"""Rules alone against rules + the embedded model's grammar-constrained tool choice (issue 13).

    .venv/bin/python tests/core/compare_tool_choice.py

Scores our own phrasings (tests/core/intent_phrasings.py) and the corpus's tuning half (never the
held-out half): intent and slot accuracy, rules only and with the model asked wherever
`needs_a_choice` says the rules could not decide, and the model's CPU time per choice. Not a test:
it loads the model and takes minutes on a busy machine.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from intent_phrasings import FIRST_SIGHT, PHRASINGS, UNDECIDED  # noqa: E402

from presence.core.understanding import Understanding, from_tool_call, needs_a_choice, understand  # noqa: E402
from presence.evaluation.corpus import TUNING_ITEMS  # noqa: E402
from presence.evaluation.corpus.textnorm import slot_matches  # noqa: E402
from presence.models.tool_choice import ToolChooser  # noqa: E402


def score(items, read) -> tuple[int, int]:
    intents = slots = 0
    for text, intent, expected in items:
        found = read(text)
        intents += found.intent.value == intent
        slots += all(slot_matches(k, v, found.slots.get(k)) for k, v in expected.items())
    return intents, slots


def main() -> None:
    chooser = ToolChooser(threads=1)
    costs: list[float] = []

    def with_model(text: str) -> Understanding:
        found = understand(text)
        if not needs_a_choice(text, found):
            return found
        start = time.process_time()
        call = chooser(text)
        costs.append(time.process_time() - start)
        chosen = from_tool_call(text, call) if call else None
        print(f"  model: {text!r} -> {call}", flush=True)
        return chosen or found

    tuning = [(r["text"], r["intent"], r["slots"]) for r in map(json.loads, TUNING_ITEMS.read_text().splitlines())]
    for name, items in (("own", PHRASINGS + FIRST_SIGHT), ("tuning", tuning), ("undecided", UNDECIDED)):
        n = len(items)
        ri, rs = score(items, understand)
        mi, ms = score(items, with_model)
        print(f"{name:10} n={n:4}  rules: intent {100 * ri / n:5.1f}% slots {100 * rs / n:5.1f}%   "
              f"rules+model: intent {100 * mi / n:5.1f}% slots {100 * ms / n:5.1f}%", flush=True)
    if costs:
        costs.sort()
        print(f"model asked {len(costs)} times; CPU s per choice: median {costs[len(costs) // 2]:.2f}, "
              f"max {costs[-1]:.2f}")


if __name__ == "__main__":
    main()
