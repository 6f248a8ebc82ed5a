"""The pause corpus's items: mid-sentence pauses and complete turns, in many voices.

A pause item is a sentence said in two halves with a silence between them: the first half stops
where a speaker holds the floor (after a preposition, an article or possessive, a conjunction, a
degree adverb, a verb still missing its object, a filled "um", mid-list, after a subordinate
clause, while thinking aloud). A turn item is a complete request said in one go; some end on
words that look unfinished but are not ("What is it made of?", "Do you know where it is?").

Every sentence belongs to one half only (tuning or held-out); voices (espeak-ng accents and
variants at 135-190 words a minute, our Piper voice at three pitches) and pause lengths
(0.8-2.5 s) are drawn from a fixed seed, so `generate()` always gives the same items.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SEED = 20240614
TUNING, HELDOUT = "tuning", "heldout"
ACCENTS = ["en-us", "en-gb", "en-gb-x-rp", "en-gb-scotland", "en-029"]
VARIANTS = ["", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5"]
PAUSES_MS = [800, 1000, 1200, 1400, 1600, 1800, 2000, 2200, 2500]
# categories whose first half ends on a function word (the CI replay test picks from these)
FUNCTION_WORD = ("preposition", "determiner", "conjunction", "degree", "filled")

# category -> [(first half, second half)]
PAUSES: dict[str, list[tuple[str, str]]] = {
    "preposition": [
        ("What's the best way to get to", "the central train station?"),
        ("Can you tell me the population of", "Canada?"),
        ("I would like to book a table for", "four people tonight."),
        ("What's the weather going to be like in", "Madrid tomorrow?"),
        ("How far is it from", "London to Edinburgh?"),
        ("Who wrote the famous book about", "the history of Rome?"),
        ("Tell me something interesting about", "octopuses."),
        ("Is there a good restaurant near", "the main square?"),
        ("What's the difference between", "a crocodile and an alligator?"),
        ("Can you recommend a good book on", "ancient Egypt?"),
        ("How long does it take to fly from", "Paris to Tokyo?"),
        ("I'm looking for a simple recipe with", "chicken and rice."),
    ],
    "determiner": [
        ("Can you tell me about the", "history of the Eiffel Tower?"),
        ("What's a good gift for my", "sister's birthday?"),
        ("I need to find a", "pharmacy that is open late."),
        ("How do I reset my", "email password?"),
        ("Who is the", "president of France?"),
        ("Please tell me a", "fun fact about dolphins."),
        ("What is the boiling point of an", "egg white?"),
        ("Should I water their", "plants while they are away?"),
        ("How tall is the", "tallest building in the world?"),
        ("What do you know about our", "closest star?"),
    ],
    "conjunction": [
        ("I need eggs and", "some fresh bread for breakfast."),
        ("Should I take the bus or", "the train to work?"),
        ("I wanted to go running but", "it's raining outside, any ideas?"),
        ("Can you check whether", "it's going to snow this weekend?"),
        ("Tell me a joke because", "I'm having a bad day."),
        ("I'd like to know if", "tomatoes are a fruit."),
        ("Is it usually warmer in Spain than", "in Italy in April?"),
        ("Explain how bees make honey and", "why they need so much of it."),
    ],
    "degree": [
        ("Is it going to be very", "cold tomorrow morning?"),
        ("Why is the sea so", "salty?"),
        ("I'm feeling quite", "tired today, any tips?"),
        ("Is the water too", "cold for a swim in May?"),
        ("What's a really", "easy dessert to make?"),
        ("Which animal is extremely", "good at climbing trees?"),
    ],
    "complement": [
        ("Could you remind me", "what the capital of Australia is?"),
        ("Can you tell me", "how tall the Eiffel Tower is?"),
        ("Let me know", "how many ounces are in a pound."),
        ("I want", "a recipe for banana bread."),
        ("I need", "some ideas for dinner tonight."),
        ("Could you", "explain how rainbows are formed?"),
        ("Do you know", "who invented the telephone?"),
        ("Please remind me", "why the sky is blue."),
    ],
    "filled": [
        ("Could you remind me, um,", "what the tallest building in Asia is?"),
        ("What's the, uh,", "capital of Portugal?"),
        ("I'd like to, um,", "hear a short poem about the sea."),
        ("Tell me, um,", "how many moons Jupiter has."),
        ("How many, uh,", "ounces are in a pound?"),
        ("What's a good name for a, um,", "small black cat?"),
        ("I was wondering, um,", "how hot the sun is."),
        ("So, uh,", "why do cats purr?"),
        ("Can you, um,", "tell me a fun fact about owls?"),
        ("My question is, uh,", "how do airplanes stay in the air?"),
    ],
    "list": [
        ("I need apples, bananas,", "and a bag of oranges."),
        ("Compare Paris, Rome,", "and Berlin for a weekend trip."),
        ("My favourite animals are cats, dogs,", "and horses, what are yours?"),
        ("We need plates, cups,", "napkins and forks for the party."),
        ("Tell me about lions, tigers,", "and bears."),
        ("I like red, green,", "and yellow peppers in my salad."),
    ],
    "subclause": [
        ("When I get home,", "what should I cook for dinner?"),
        ("If it rains tomorrow,", "should I cancel the picnic?"),
        ("Although I like coffee,", "is tea healthier for me?"),
        ("Because my flight got cancelled,", "I need a hotel for tonight."),
        ("While I'm cooking dinner,", "tell me a story about a dragon."),
        ("Since you know a lot about space,", "how big is the sun?"),
    ],
    "thinking": [
        ("Let me think,", "what was the name of the first man on the moon?"),
        ("Hmm, what's the word for", "a group of crows?"),
        ("I'm trying to remember the", "name of the largest ocean."),
        ("So what I was thinking is", "maybe we could bake a cake."),
        ("The thing is,", "I don't really like spicy food."),
        ("Let me see,", "how many legs does an octopus have?"),
    ],
}

# complete turns, by what their last word looks like
TURNS: dict[str, list[str]] = {
    "stranded": [
        "What is glass made of?", "Where does coffee come from?", "Who are you talking to?",
        "What are black holes made of?", "Which country is Lisbon in?", "What is the Eiffel Tower made of?",
        "What are you thinking about?", "Where are you from?",
    ],
    "embedded": [
        "Do you know where the nearest pharmacy is?", "Could you remind me what the tallest mountain is?",
        "Can you tell me what the speed of light is?", "I wonder how old the universe is.",
    ],
    "particle": [
        "What's the weather like?", "What does a koala look like?", "Can you speak up?",
        "Please turn the music down.",
    ],
    "pronoun": [
        "Tell me more about it.", "I really like that.", "Yes, I think so.", "Thank you so much.",
        "That sounds good to me.", "Can you say that again?",
    ],
    "plain": [
        "What is the capital of Peru?", "How many legs does a spider have?", "Why is the sky blue?",
        "Tell me a joke.", "What should I cook for dinner tonight?", "How far away is the moon?",
        "Who painted the Mona Lisa?", "What is the biggest animal in the world?",
        "How do airplanes stay in the air?", "Give me a fun fact about penguins.",
        "What's the difference between a frog and a toad?", "How many days are in a leap year?",
        "Is a tomato a fruit or a vegetable?", "Recommend a good book for the weekend.",
        "What language do they speak in Brazil?", "How hot is the surface of the sun?",
        "Which planet has the most moons?", "What do pandas eat?",
    ],
}


@dataclass(frozen=True)
class Item:
    id: str
    half: str
    kind: str  # "pause" or "turn"
    category: str
    parts: tuple[str, ...]  # one (a turn) or two (a pause between them)
    voice: dict[str, Any] = field(default_factory=dict)
    pause_ms: int = 0

    @property
    def function_word(self) -> bool:
        return self.kind == "pause" and self.category in FUNCTION_WORD

    def to_json(self) -> str:
        d = asdict(self)
        d["parts"] = list(self.parts)
        return json.dumps(d, ensure_ascii=False)

    @staticmethod
    def from_json(line: str) -> Item:
        d = json.loads(line)
        d["parts"] = tuple(d["parts"])
        return Item(**d)


def _voice(rng: random.Random) -> dict[str, Any]:
    """Three in four espeak-ng (an accent, a variant, 135-190 wpm), one in four our Piper voice."""
    if rng.random() < 0.75:
        variant = rng.choice(VARIANTS)
        return {"engine": "espeak", "voice": rng.choice(ACCENTS) + (f"+{variant}" if variant else ""),
                "wpm": rng.randrange(135, 191, 5), "pitch": rng.randrange(35, 66, 5)}
    return {"engine": "piper", "ratio": rng.choice([0.9, 1.0, 1.1])}


def _halves(rng: random.Random, n: int) -> list[str]:
    """Half of a category's sentences in each half (the odd one out alternates)."""
    halves = [TUNING, HELDOUT] * (n // 2) + ([rng.choice([TUNING, HELDOUT])] if n % 2 else [])
    rng.shuffle(halves)
    return halves


def generate() -> list[Item]:
    rng = random.Random(SEED)
    items: list[Item] = []
    pauses = PAUSES_MS * 10
    rng.shuffle(pauses)
    for category, pairs in PAUSES.items():
        for k, (half, pair) in enumerate(zip(_halves(rng, len(pairs)), pairs, strict=True)):
            items.append(Item(f"pause_{category}_{k:02d}", half, "pause", category, pair, _voice(rng),
                              pauses.pop()))
    for category, texts in TURNS.items():
        for k, (half, text) in enumerate(zip(_halves(rng, len(texts)), texts, strict=True)):
            items.append(Item(f"turn_{category}_{k:02d}", half, "turn", category, (text,), _voice(rng)))
    return items


def split(items: list[Item], half: str) -> list[Item]:
    return [i for i in items if i.half == half]


def write_jsonl(items: list[Item], path: Path) -> None:
    path.write_text("".join(i.to_json() + "\n" for i in items), encoding="utf-8")


def read_jsonl(path: Path) -> list[Item]:
    return [Item.from_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
