"""Text helpers for streaming replies: sentence splitting and cutting a reply to what was heard."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[.!?;:]+\s+|\s*\n+")  # a mark then whitespace ("3.5" is not an end), or a line end
MIN_SENTENCE_CHARS = 12  # a lone "Sure." waits to be spoken with what follows it


_CLAUSE_END = re.compile(r"[.!?;:]+\s+|\s*\n+|,\s+")


class SentenceSplitter:
    """Accumulates streamed text pieces and releases whole sentences as soon as they end.

    The first piece of a reply may end at a comma once it is first_clause_chars long: the voice
    can start on "The sky is blue because," while the model is still writing the rest.
    """

    def __init__(self, first_clause_chars: int = 30) -> None:
        self._buf = ""
        self._first_clause_chars = first_clause_chars
        self._released = 0

    def reset(self) -> None:
        self._buf = ""
        self._released = 0

    def push(self, piece: str) -> list[str]:
        self._buf += piece
        out: list[str] = []
        start = 0
        while True:
            pattern = _CLAUSE_END if not (self._released or out) else _SENTENCE_END
            m = pattern.search(self._buf, start)
            while m is not None:
                sentence = self._buf[start:m.end()].strip()
                is_clause = m.group(0).lstrip().startswith(",")
                if len(sentence) >= (self._first_clause_chars if is_clause else MIN_SENTENCE_CHARS):
                    break
                m = pattern.search(self._buf, m.end())
            if m is None:
                break
            out.append(self._buf[start:m.end()].strip())
            start = m.end()
        self._buf = self._buf[start:]
        self._released += len(out)
        return out

    def flush(self) -> list[str]:
        rest, self._buf = self._buf.strip(), ""
        return [rest] if rest else []


def clean_reply(text: str) -> str:
    """Model output to a short spoken form: no role tags, no runaway whitespace."""
    text = re.sub(r"<\|?[a-z_]+\|?>", " ", text)
    text = re.sub(r"^(assistant|ai|presence)\s*:\s*", "", text.strip(), flags=re.I)
    return re.sub(r"\s+", " ", text).strip()


def cut_to_heard(text: str, fraction_played: float) -> str:
    """The words of text a listener heard when playback stopped after fraction_played of its audio."""
    if fraction_played >= 1.0:
        return text
    words = text.split()
    n = int(len(words) * max(0.0, fraction_played))
    return " ".join(words[:n])


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


_CONTINUES = {"to", "and", "or", "but", "so", "because", "the", "a", "an", "my", "your", "um", "uh", "er", "like",
              "if", "that", "which", "then"}
# A question may end on these ("what the tallest mountain is?", "what is it made of?"); without
# the question mark they mean more is coming.
_QUESTION_MAY_END = {"is", "was", "are", "of", "with", "for", "in", "on", "at", "about", "from"}


def sounds_complete(transcript: str) -> bool | None:
    """Does a transcript read as a finished turn? None when it gives no clue.

    Whisper punctuates from prosody and sense: "... instead." is finished; "a trip to...",
    "remind me, um," or a trailing "and" are not.
    """
    t = transcript.strip()
    if not t:
        return None
    if t.endswith(("...", "…", ",", "-", "—")):
        return False
    last = words(t)[-1] if words(t) else ""
    if last in _CONTINUES or (last in _QUESTION_MAY_END and not t.endswith("?")):
        return False
    if t.endswith((".", "?", "!")):
        return True
    return None


def drop_repeated_tail(text: str, min_words: int = 3) -> str:
    """Whisper sometimes says the end of an utterance twice ("... mountain in the world is? What the
    tallest mountain in the world is?"): a run of words repeated right after itself is kept once,
    and so is a sentence it starts over and breaks off ("What is 12 plus 30? What is 12")."""
    spans = [(m.start(), m.group(0).lower()) for m in re.finditer(r"[A-Za-z0-9']+", text)]
    norm = [w for _, w in spans]
    n = len(norm)
    for k in range(n // 2, min_words - 1, -1):
        if norm[n - k:] == norm[n - 2 * k:n - k]:
            return drop_repeated_tail(text[:spans[n - k][0]].rstrip(), min_words)
    return _drop_restarted_sentence(text, spans, min_words)


def _drop_restarted_sentence(text: str, spans: list[tuple[int, str]], min_words: int) -> str:
    """The words after the last sentence end, when they only begin an earlier sentence again."""
    ends = [m.end() for m in re.finditer(r"[.?!]\s", text)]
    if not ends:
        return text
    tail = [w for at, w in spans if at >= ends[-1]]
    bounds = [0, *ends]
    sentences = [[w for at, w in spans if a <= at < b] for a, b in zip(bounds, bounds[1:], strict=False)]
    if len(tail) >= min_words and any(s[:len(tail)] == tail for s in sentences):
        return text[:ends[-1]].rstrip()
    return text


_BACKCHANNEL_WORDS = {"mm", "mhm", "hmm", "hm", "uh", "huh", "yeah", "yes", "yep", "ok", "okay", "right", "sure",
                      "i", "see", "got", "it", "cool", "nice", "ah", "oh", "aha", "mm-hm", "uh-huh", "true"}


def is_backchannel(transcript: str) -> bool:
    """'mm-hm', 'yeah', 'okay, I see': the listener acknowledging, not taking the turn."""
    said = words(transcript.replace("-", " "))
    return 0 < len(said) <= 3 and all(w in _BACKCHANNEL_WORDS for w in said)
