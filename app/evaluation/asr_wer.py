"""Word error rate and compute time of the shipped Whisper models under several decoder settings.

    python -m presence.evaluation.asr_wer [--set own|corpus] [--models tiny.en base base:nolang ...]
        [--beams 1 2 4] [--windows fit short 30s] [--contexts none matched mismatched] [--misses]

--set corpus: the spoken-request corpus's tuning half (presence.evaluation.corpus; its held-out half
is scored only by the bench). --set own: request-like sentences (timers, reminders, questions,
answers to the assistant's question, cue words) spoken by varied espeak-ng voices, accents, speeds
and pitches, each with the conversation's context it would come with (the question it answers,
pending timers, watched cue words): "matched" decodes each with its own, "mismatched" with another
sentence's (context must not hurt when it is beside the point). Words are scored with the corpus
bench's normalization; fillers ("um", "uh") are left out: the decoder is prompted to write them.
CPU time is the process's, per utterance (CTranslate2 runs on its own threads).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import wave
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from presence.speech.asr import FULL_WINDOW, PARTIAL_WINDOW_FRAMES, WINDOW_FRAMES, AsrContext, Decoding

Q = AsrContext


@dataclass(frozen=True)
class Item:
    text: str
    context: AsrContext = field(default_factory=AsrContext)


# Our own tuning sentences (never the held-out corpus's).
ITEMS: tuple[Item, ...] = (
    Item("Set a timer for twenty five minutes."),
    Item("Twenty five minutes, please.", Q("How long should the timer be?")),
    Item("Remind me to call my sister at six thirty tonight."),
    Item("To call the dentist about my appointment.", Q("What should I remind you about?")),
    Item("How much time is left on the pasta timer?", Q(timers=("Time to drain the pasta.",))),
    Item("Cancel the timer for the oven.", Q(timers=("The oven timer is done.",))),
    Item("Tell me when I say orange."),
    Item("I had an orange and two bananas for breakfast.", Q(cues=("orange",))),
    Item("What is the capital of Australia?"),
    Item("Canberra, I think, but check it for me.", Q("Which capital did you mean?")),
    Item("How many kilometres are there in ten miles?"),
    Item("What is twelve plus thirty?"),
    Item("What is the opposite of hot?"),
    Item("Write a plan for my week, with the gym on Tuesday and Thursday."),
    Item("Summarise what we talked about this morning."),
    Item("Keep an eye on my screen and tell me if the build fails."),
    Item("Yes, read me the second line.", Q("Do you want me to read the error message?")),
    Item("No, the one about the missing file.", Q("Which error do you mean?")),
    Item("Never mind, cancel that."),
    Item("What's the weather going to be like tomorrow?"),
    Item("Edinburgh, in Scotland.", Q("Which city do you mean?")),
    Item("Let me know when ten seconds have passed."),
    Item("Wake me up in forty minutes."),
    Item("Fifteen, no, make it twenty.", Q("How many minutes?")),
    Item("Tell me a short story about a dragon who loves tea."),
    Item("What time is it in Tokyo right now?"),
    Item("Convert three hundred grams to ounces."),
    Item("How do you spell necessary?"),
    Item("The blue one, on the left.", Q("Which window should I watch?")),
    Item("Stop, that's enough for now."),
    Item("Could you repeat the last part more slowly?"),
    Item("My flight leaves at nine forty from gate twelve."),
    Item("Add eggs, milk and bread to the shopping list."),
    Item("Every time I say purple, say hello.", Q(cues=("lemon",))),
    Item("The purple car was parked next to a lemon tree.", Q(cues=("purple", "lemon"))),
    Item("Is the laundry timer still running?", Q(timers=("The laundry is finished.",))),
    Item("Yes, in about an hour.", Q("Should I remind you to leave for the station?")),
    Item("What did I ask you to remind me about?", Q(timers=("Remember to water the plants.",))),
    Item("Why is the sky blue?"),
    Item("How far is the moon from the earth?"),
    Item("Play some quiet music while I work."),
    Item("What was the name of that restaurant we talked about?"),
    Item("Thank you, that's all I needed."),
    Item("Seven times eight, divided by four."),
    Item("Two tablespoons of sugar and a pinch of salt.", Q("How much sugar does the recipe need?")),
    Item("I'm going to the bakery, then the post office."),
    Item("Mute the microphone for a minute."),
    Item("What's on my calendar for Friday afternoon?"),
    Item("The meeting with Sarah moved to half past three."),
    Item("Tuesday, the twelfth of March.", Q("Which day should I put it on?")),
    Item("How many days are there in a leap year?"),
    Item("Look at my screen and explain the error."),
    Item("Find the bug in the second function."),
    Item("I said banana, did you hear it?", Q(cues=("banana",))),
    Item("Remind me tomorrow morning to book the train tickets."),
    Item("Okay, go ahead.", Q("Shall I start the summary now?")),
    Item("Give me three ideas for a birthday present."),
    Item("How long do I boil an egg for?"),
    Item("Set two timers, one for five minutes and one for ten."),
    Item("The second one, for ten minutes.", Q("Which timer should I cancel?", ("Five minutes are up.",
                                                                             "Ten minutes are up."))),
)

# (voice, words per minute, pitch 0-99): accents, male and female variants, slow and fast.
VOICES: tuple[tuple[str, int, int], ...] = (
    ("en-us", 165, 50), ("en-gb", 175, 45), ("en-gb-x-rp", 160, 55), ("en-gb-scotland", 170, 50),
    ("en-029", 160, 50), ("en-us+m1", 180, 40), ("en-us+m3", 150, 45), ("en-us+m5", 170, 60),
    ("en-us+m7", 185, 35), ("en-us+f1", 165, 60), ("en-us+f3", 175, 70), ("en-us+f5", 155, 65),
    ("en-gb-x-gbclan", 170, 50), ("en-gb-x-gbcwmd", 165, 50), ("en-us-nyc", 190, 50), ("en-us+m2", 145, 50),
    ("en-us+f2", 195, 55), ("en-gb+m4", 160, 40),
)


@dataclass(frozen=True)
class Utterance:
    item: Item
    voice: str
    audio: np.ndarray


def espeak(text: str, voice: str, wpm: int, pitch: int) -> np.ndarray:
    """16 kHz float32 speech from espeak-ng (Debian's espeak-ng), with a short silence after it."""
    import soxr

    exe = shutil.which("espeak-ng")
    if exe is None:
        raise RuntimeError("espeak-ng is not installed (apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "say.wav"
        subprocess.run([exe, "-v", voice, "-s", str(wpm), "-p", str(pitch), "-w", str(out), text], check=True,
                       capture_output=True)
        with wave.open(str(out)) as w:
            rate = w.getframerate()
            pcm = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768.0
    audio = soxr.resample(pcm, rate, 16_000).astype(np.float32)
    return np.concatenate([audio, np.zeros(3200, np.float32)])


def tuning_set(items: Sequence[Item] = ITEMS, voices: Sequence[tuple[str, int, int]] = VOICES) -> list[Utterance]:
    """Each sentence in one voice, the voices taken in turn (so each voice says several sentences)."""
    out = []
    for i, item in enumerate(items):
        voice, wpm, pitch = voices[(i * 7) % len(voices)]
        out.append(Utterance(item, f"{voice} {wpm} wpm p{pitch}", espeak(item.text, voice, wpm, pitch)))
    return out


# --- scoring: the corpus bench's normalization (presence.evaluation.corpus.textnorm) -----------------
FILLERS = re.compile(r"\b(um+|uh+|hmm+|mm+|erm?|ah)\b[,.]?", re.IGNORECASE)


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word errors, reference words), fillers left out of the hypothesis: the decoder is asked to write them."""
    from presence.evaluation.corpus.textnorm import word_errors as corpus_word_errors

    return corpus_word_errors(reference, FILLERS.sub(" ", hypothesis))


@dataclass
class Result:
    label: str
    errors: int = 0
    words: int = 0
    ms: list[float] = field(default_factory=list)  # CPU time per utterance (the whole process: CTranslate2's threads)
    wall_ms: list[float] = field(default_factory=list)
    fillers: int = 0  # "um"s written (not counted as errors)
    misses: list[tuple[str, str]] = field(default_factory=list)

    @property
    def wer(self) -> float:
        return self.errors / max(1, self.words)

    def row(self) -> str:
        ms = sorted(self.ms)
        p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))] if ms else 0.0
        return (f"| {self.label} | {100 * self.wer:.1f} % ({self.errors}/{self.words}) | "
                f"{statistics.mean(ms) if ms else 0:.0f} | {p90:.0f} | {statistics.median(self.wall_ms):.0f} | "
                f"{self.fillers} |")


def contexts(utterances: Sequence[Utterance], mode: str) -> list[str]:
    """The prompt each utterance is decoded with: none, its own context, or another sentence's."""
    if mode == "none":
        return [""] * len(utterances)
    own = [u.item.context.prompt() for u in utterances]
    if mode == "matched":
        return own
    if mode == "mismatched":
        given = [c for c in own if c]
        return [given[(i * 5 + 3) % len(given)] for i in range(len(utterances))]
    raise ValueError(mode)


def measure(transcribe: Callable[[np.ndarray, str], str], utterances: Sequence[Utterance], mode: str,
            label: str) -> Result:
    result = Result(label)
    for u, context in zip(utterances, contexts(utterances, mode), strict=True):
        c0, t0 = time.process_time(), time.perf_counter()
        text = transcribe(u.audio, context)
        result.ms.append((time.process_time() - c0) * 1000)
        result.wall_ms.append((time.perf_counter() - t0) * 1000)
        result.fillers += len(FILLERS.findall(text))
        errors, words = word_errors(u.item.text, text)
        result.errors += errors
        result.words += words
        if errors:
            result.misses.append((u.item.text, text))
    return result


# fit: the shortest of 10, 15 and 30 s that holds the turn (the default); short: from 5 s on (the
# partial transcripts' list); 30s: every input padded to 30 s, as Whisper was trained.
WINDOWS = {"fit": WINDOW_FRAMES, "short": PARTIAL_WINDOW_FRAMES, "30s": FULL_WINDOW}


def corpus_tuning_set(limit: int = 0) -> list[Utterance]:
    """The generalization corpus's tuning half (presence.evaluation.corpus; never its held-out half)."""
    from presence.devices.audio_files import read_wav_16k_mono
    from presence.evaluation.corpus import TUNING_ITEMS
    from presence.evaluation.corpus.items import read_jsonl
    from presence.evaluation.corpus.render import render_tuning

    items = read_jsonl(TUNING_ITEMS)[:limit or None]
    folder = render_tuning()
    return [Utterance(Item(i.text), str(i.voice.get("voice", i.voice.get("engine"))),
                      read_wav_16k_mono(folder / f"{i.id}.wav")) for i in items]


def open_model(name: str, threads: int = 1) -> Any:
    """A WhisperAsr for "tiny.en", "base", or a variant: "base:nolang" (no language and task tokens, as the
    tiny.en prompt had), "<model>:float32" (no int8 quantization), "<model>:plain" (no disfluent prompt)."""
    from presence.speech import asr as asr_mod

    model, _, variant = name.partition(":")
    asr = asr_mod.WhisperAsr(model=model, threads=threads, compute_type="float32" if variant == "float32" else "int8")
    if variant == "nolang":
        start = [t for t in asr._start if t not in (asr._tokenizer.token_to_id("<|en|>"),
                                                   asr._tokenizer.token_to_id("<|transcribe|>"))]
        asr._start, asr._prompts = start, {}
        asr._plain_prompt_tokens = 3 + len(asr._disfluent)
    elif variant == "plain":
        asr._disfluent, asr._prompts = [], {}
        asr._plain_prompt_tokens = 3 + len(asr._start) - 2
    return asr


def compare(models: Iterable[str], beams: Iterable[int], windows: Iterable[str], modes: Iterable[str],
            utterances: Sequence[Utterance], threads: int = 1, say: Callable[[str], None] = print) -> list[Result]:
    results = []
    say("| model, window, beam, context | WER | CPU ms mean | CPU ms p90 | wall ms median | ums |")
    say("| --- | --- | --- | --- | --- | --- |")
    for model in models:
        asr = open_model(model, threads)
        for window in windows:
            for beam in beams:
                asr.decoding = Decoding(beam_size=beam, windows=WINDOWS[window])
                asr.transcribe(utterances[0].audio)  # warm up
                for mode in modes:
                    label = f"{model}, {window}, beam {beam}, {mode}"
                    r = measure(lambda a, c, asr=asr: asr.transcribe(a, context=c).text, utterances, mode, label)
                    results.append(r)
                    say(r.row())
    return results


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m presence.evaluation.asr_wer", description=__doc__.split("\n")[0])
    p.add_argument("--set", default="own", choices=["own", "corpus"],
                   help="own: our sentences with conversation context; corpus: the corpus's tuning half")
    p.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    p.add_argument("--beams", nargs="+", type=int, default=[1, 2, 4])
    p.add_argument("--windows", nargs="+", default=["fit", "30s"], choices=sorted(WINDOWS))
    p.add_argument("--contexts", nargs="+", default=["none", "matched"], choices=["none", "matched", "mismatched"])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--limit", type=int, default=0, help="only the first N sentences")
    p.add_argument("--misses", action="store_true", help="print each wrong transcript")
    args = p.parse_args(argv)
    utterances = corpus_tuning_set(args.limit) if args.set == "corpus" else \
        tuning_set(ITEMS[:args.limit] if args.limit else ITEMS)
    seconds = sum(len(u.audio) for u in utterances) / 16_000
    words = sum(word_errors(u.item.text, "")[1] for u in utterances)
    print(f"{args.set}: {len(utterances)} utterances, {seconds:.0f} s of audio, {words} words")
    results = compare(args.models, args.beams, args.windows, args.contexts, utterances, args.threads)
    if args.misses:
        for r in results:
            print(f"\n{r.label}:")
            for ref, hyp in r.misses:
                print(f"  {ref!r} -> {hyp!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
