"""Text helpers for streaming replies: sentence splitting, speakable cleaning, loop detection, the
two-sentence spoken reply, and cutting a reply to what was heard."""

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

    @property
    def pending(self) -> str:
        """Text pushed and not released yet (an unfinished sentence)."""
        return self._buf


# "A:", "Answer:", "Assistant:": a small model writing a transcript instead of answering
_ROLE_PREFIX = re.compile(r"^(?:assistant|ai|presence|answer|a|q|question|response|reply|bot)\s*:\s*", re.I)
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]")
_QUOTES = "\"\u201C\u201D"


def clean_reply(text: str) -> str:
    """Model output to a spoken form: no role tags or "A:" prefixes, no markdown, emoji or quotes
    around the answer, no runaway whitespace. List numbers stay (see plain_sentence)."""
    text = re.sub(r"<\|?[a-z_]+\|?>", " ", text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [words](link) -> words
    text = re.sub(r"</?[a-z][^<>]{0,40}>", " ", text, flags=re.I)  # html tags
    text = re.sub(r"(?<=\d)\s*\*\s*(?=\d)", " times ", text)
    text = re.sub(r"\*+|__+|~~|`+|\[\d*\]?|[\[\]{}]|(?:^|\s)>+\s|(?:^|(?<=\s))#{1,6}(?=\s|$)", " ", text)
    text = re.sub(r"\s*\|\s*", ", ", text.strip(" |"))
    text = _EMOJI.sub("", text)
    text = re.sub(r"\s+", " ", text).strip()
    while (m := _ROLE_PREFIX.match(text)) is not None:
        text = text[m.end():]
    return _strip_quotes(text).strip()


def _strip_quotes(text: str) -> str:
    """Quotes around the whole answer go; an unmatched one at either end (a quote the model opened
    in an earlier sentence) too. Quotes inside the sentence stay."""
    text = text.strip()
    n = sum(text.count(q) for q in _QUOTES)
    if len(text) > 1 and text[0] in _QUOTES and text[-1] in _QUOTES:
        return _strip_quotes(text[1:-1])
    if len(text) > 1 and text[-2] in _QUOTES and text[-1] in ".!?" and text[0] in _QUOTES:
        return _strip_quotes(text[1:-2] + text[-1])
    if n % 2 == 1:
        if text[:1] in _QUOTES:
            return text[1:].strip()
        if text[-1:] in _QUOTES:
            return text[:-1].strip()
        if len(text) > 1 and text[-2] in _QUOTES and text[-1] in ".!?":
            return text[:-2] + text[-1]
    return text


_LIST_MARK = re.compile(r"^(?:[-\u2022\u25CF+]\s+|\d{1,2}[.)]\s+|[a-z][.)]\s+(?=[A-Z]))")


def plain_sentence(text: str) -> str:
    """One released piece as a spoken sentence: cleaned, no list mark ("1. ", "- "), and ending in
    a stop when it ended at a line break (a list item, a heading)."""
    lines = [clean_reply(line) for line in text.splitlines()]
    if len([line for line in lines if line]) > 1:
        return " ".join(s for s in (plain_sentence(line) for line in lines) if s)
    text = lines[0] if lines else ""
    while (m := _LIST_MARK.match(text)) is not None:
        text = text[m.end():]
    text = text.rstrip(" :;-,")
    if text and text[-1].isalnum():
        text += "."
    return text


def _unfinished_words_off(text: str) -> str:
    """A sentence cut short loses the words that only lead on ("the sky is blue and" -> "the sky is blue")."""
    spans = list(_WORD.finditer(text.lower()))
    while spans and (spans[-1].group(0) in _CONTINUES or spans[-1].group(0) in _QUESTION_MAY_END
                     or spans[-1].group(0) in ("it", "its", "his", "her", "their", "our", "with", "as")):
        spans.pop()
    return text[:spans[-1].end()] if spans else ""


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _norm_words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def repeat_start(earlier: list[str], new: list[str], n: int = 4) -> int | None:
    """Where in `new` (a word index) an n-gram begins that was already said in earlier + new, or None.

    Words are normalized (lower case, no punctuation). A 4-gram said twice in one short answer is
    a small model looping ("the sky is blue, the sky is blue")."""
    words = earlier + new
    seen: set[tuple[str, ...]] = set()
    for i in range(len(words) - n + 1):
        gram = tuple(words[i:i + n])
        if gram in seen and i + n > len(earlier):
            return max(0, i - len(earlier))
        seen.add(gram)
    return None


def runaway_loop(text: str, ngram: int = 4, times: int = 3) -> bool:
    """A model stuck in a loop: one sentence said twice, or one n-gram said `times` times.

    Looser than SpokenReply (which stops a spoken answer at the first repeated 4-gram): any caller of
    a model stops here, long background writing included, where a phrase may well come back."""
    sentences = [" ".join(_norm_words(s)) for s in re.split(r"(?<=[.!?])\s+|\n+", text)]
    sentences = [s for s in sentences if len(s.split()) >= 3]
    if len(sentences) != len(set(sentences)):
        return True
    words = _norm_words(text)
    counts: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - ngram + 1):
        gram = tuple(words[i:i + ngram])
        counts[gram] = counts.get(gram, 0) + 1
        if counts[gram] >= times:
            return True
    return False


def _cut_at_word(text: str, index: int) -> str:
    """text up to (not including) its index-th normalized word."""
    spans = [m.start() for m in _WORD.finditer(text.lower())]
    return _unfinished_words_off(text[:spans[index]]) if index < len(spans) else text


MORE = "Want more?"
_MORE_WORDS = {"yes", "yeah", "yep", "sure", "ok", "okay", "please", "more", "go", "on", "tell", "me", "keep",
               "going", "continue", "do", "it", "yes,", "alright", "all", "right", "i", "would", "like", "to", "hear"}


def wants_more(text: str) -> bool:
    """'Yes', 'sure, go on', 'tell me more': the answer to MORE."""
    said = words(text)
    return 0 < len(said) <= 6 and all(w in _MORE_WORDS for w in said) and not {"no", "not"} & set(said)


class SpokenReply:
    """Streamed model text -> the sentences to say, as they complete.

    Each sentence is cleaned (plain_sentence). A loop ends the reply: the words from a repeated
    4-gram on, or a repeated sentence, are never said, and `stop` asks the caller to stop the model.
    With max_sentences, the reply ends after that many sentences; `stop` is set then, and `cut`
    when the model had more to say (its next piece was text), so the caller can offer more.
    """

    def __init__(self, max_sentences: int | None = 2, ngram: int = 4, first_clause_chars: int = 30) -> None:
        self._splitter = SentenceSplitter(first_clause_chars)
        self._max = max_sentences
        self._n = ngram
        self._words: list[str] = []
        self._said: set[str] = set()
        self._sentences = 0
        self.stop = False  # the caller should stop the model now
        self.cut = False  # stopped by the sentence limit with more to say
        self.looped = False
        self._pending_cut: str | None = None  # a loop found in the unfinished sentence: what of it to say

    @property
    def enough(self) -> bool:
        return self._max is not None and self._sentences >= self._max

    def push(self, piece: str) -> list[str]:
        if self.stop:
            if piece.strip() and self.enough and not self.looped:
                self.cut = True
            return []
        if self.enough:
            if piece.strip():
                self.stop = self.cut = True
            return []
        out = self._take(self._splitter.push(piece))
        if not self.stop:
            self._check_pending()
        return out

    def flush(self, complete: bool = True) -> list[str]:
        """The rest, once the model stopped. complete=False: it was stopped by its token limit, so an
        unfinished sentence is dropped (when something was said already) and more is offered."""
        rest = self._splitter.flush()
        self._splitter.reset()
        if self._pending_cut is not None:
            rest, self._pending_cut = [self._pending_cut] if len(_norm_words(self._pending_cut)) >= 3 else [], None
            return self._take(rest, final=True)
        if self.stop:
            return []
        if not complete and rest:
            self.cut = True
            if self._sentences:
                return []
            rest = [_unfinished_words_off(r) for r in rest]  # nothing said yet: the fragment, tidied
        return self._take(rest, final=True)

    def _take(self, pieces: list[str], final: bool = False) -> list[str]:
        out: list[str] = []
        for raw in pieces:
            if self.enough:
                self.stop = self.cut = True
                break
            if raw.rstrip().endswith(";"):
                raw = raw.rstrip()[:-1] + "."  # a clause the model ended with a semicolon: a sentence to a voice
            ends_sentence = final or bool(re.search(r"[.!?]\W*$|\n", raw)) or raw.rstrip()[-1:].isalnum()
            sentence = plain_sentence(raw) if ends_sentence else clean_reply(raw)
            words = _norm_words(sentence)
            if not words:
                continue
            key = " ".join(words)
            at = repeat_start(self._words, words, self._n)
            if key in self._said or at is not None:
                self.stop = self.looped = True
                kept = "" if key in self._said or at is None else _cut_at_word(sentence, at)
                if len(_norm_words(kept)) >= 3:
                    out.append(plain_sentence(kept))
                break
            self._said.add(key)
            self._words += words
            out.append(sentence)
            if ends_sentence:
                self._sentences += 1
        return out

    def _check_pending(self) -> None:
        """A loop inside a sentence that has not ended yet ("and the and the and the ...")."""
        pending = self._splitter.pending
        words = _norm_words(pending)
        at = repeat_start(self._words, words, self._n)
        if at is not None:
            self.stop = self.looped = True
            self._pending_cut = _cut_at_word(pending, at)


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
