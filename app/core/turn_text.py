"""Does a transcript read as a finished turn? Syntax, not punctuation.

Whisper punctuates from prosody and sense, and a question mark is what it writes after any
rising or questioning stretch: "How far is it from?" gets one in a thinking pause. So the last
words decide. A turn reads unfinished when its last sentence ends on

- an article or possessive ("the", "my"), a conjunction or subordinator ("and", "because", "than"),
- a preposition, unless a wh-word it can belong to is still free ("What is it made of?", "Where
  are you from?", "Who are you talking to?" are finished; in "What's the capital of?" and "What's
  the best way to get to?" the wh-word is used up by "is the ...", and "How far is it from?" has
  no wh-word a preposition can take),
- a degree adverb ("very", "quite", "extremely"; "really" and "too" after a linking verb),
- a verb still missing its object ("remind me", "tell me", "let me know", "could you", "I want"),
- a copula with no wh-clause to close ("The thing is", "What I was thinking is"; but "Do you know
  what the tallest mountain is?" and "Yes, it is." are finished),
- a filler ("um", "uh"), thinking aloud ("let me think"), a subordinate clause with no main clause
  ("When I get home"), or an open list ("I need apples, bananas").

Pure and table-driven: the word lists are the rules.
"""

from __future__ import annotations

import re

FILLERS = {"um", "uh", "er", "erm", "uhm", "umm", "uhh", "hmm", "hm", "mm", "mmm", "ah"}
DISCOURSE = {"so", "well", "okay", "ok", "and", "but", "now", "oh", "alright", "right", "like", "hey", "then"}
# the last sentence made only of these is someone gathering their thoughts ("So.", "Well, um.")
THINKING_ONLY = FILLERS | {"so", "well", "and", "but", "or", "now", "like", "because"}
THINKING_ALOUD = [("let", "me", "think"), ("let", "me", "see"), ("let", "us", "see"), ("i", "mean"),
                  ("how", "do", "i", "put", "it"), ("how", "should", "i", "put", "it"), ("what", "is", "the", "word")]

DETERMINERS = {"the", "a", "an", "my", "your", "his", "our", "their", "its", "every", "each", "whose"}
CONJUNCTIONS = {"and", "or", "but", "nor", "because", "although", "unless", "whereas", "whether", "than", "as",
                "cause", "cuz"}
PREPOSITIONS = {"to", "of", "for", "in", "on", "at", "about", "from", "with", "into", "onto", "by", "like",
                "between", "through", "across", "during", "without", "within", "towards", "toward", "under",
                "near", "upon", "among", "via", "per", "against", "beside", "inside", "regarding", "including"}
# a preposition after these is a verb's particle ("turn it on", "log in", "stand by"), not missing its object
PARTICLE_VERBS = {
    "in": {"log", "logged", "sign", "signed", "come", "came", "check", "checked", "plug", "fill", "tune", "count",
           "let", "stay", "sleep", "drop", "jump", "give", "hand", "turn", "breathe", "zoom", "join", "chime",
           "move", "settle", "fit", "opt", "cave", "sink", "walk", "pop"},
    "on": {"turn", "turned", "switch", "switched", "hold", "come", "go", "going", "carry", "keep", "hang", "move",
           "moving", "later", "now", "so", "right", "log", "put", "try", "read", "get", "catch", "hop",
           "pass", "hurry", "press", "click", "tap", "leave", "left", "work", "working", "agree"},
    "by": {"stand", "standing", "drop", "come", "pass", "go", "stop", "swing", "get", "walk", "stopped", "passed"},
}
DEGREE = {"very", "extremely", "fairly", "incredibly", "terribly", "awfully", "somewhat", "especially",
          "particularly", "rather", "super", "totally", "absolutely", "slightly", "truly"}
COPULAS = {"is", "are", "was", "were", "am"}
LINKING = COPULAS | {"be", "been", "being", "get", "getting", "got", "feel", "feeling", "feels", "look", "looks",
                     "seem", "seems", "sound", "sounds", "become", "becoming"}
AUXES = {"do", "does", "did", "can", "could", "will", "would", "should", "shall", "might", "may", "must",
         "have", "has", "had"}
SUBJECTS = {"i", "you", "he", "she", "it", "we", "they", "this", "that", "these", "those", "there", "here",
            "one", "everyone", "someone", "something", "anything", "everything", "nothing", "who", "what", "which"}
OBJECT_PRONOUNS = {"me", "you", "him", "her", "it", "us", "them", "this", "that", "mine", "yours", "ours",
                   "theirs", "his", "hers", "myself", "yourself"}
PERSONAL = {"i", "you", "he", "she", "we", "they", "me", "us", "him", "them"}
WH = {"what", "where", "who", "whom", "which", "whose"}  # can be a stranded preposition's object
WH_ANY = WH | {"how", "why", "when", "whether", "if"}  # can open an embedded question ("what ... is")
RELATIVES = {"that", "which", "who", "whom"}
# before a wh-clause, these make it an embedded question ("remind me what the capital is")
EMBEDDING = {"know", "knows", "tell", "remind", "ask", "asking", "wonder", "wondering", "wondered", "explain",
             "show", "remember", "forget", "forgot", "check", "see", "sure", "idea", "me", "us", "out", "understand",
             "learn", "teach", "guess", "decide", "find", "figure", "say", "google", "search", "about", "matter",
             "care", "curious", "is", "was"}
SUBORDINATORS = {"when", "whenever", "while", "if", "although", "though", "because", "since", "once", "unless",
                 "until", "before", "after", "as"}
# a preposition ending "what's the meeting about?" is the predicate: the wh-word is its object
# ("What's the capital of?", "What's the word for?", "What's the weather in?" are not; "which drawer
# is the knife in?" is: a wh-word with a noun of its own takes any of them)
PREDICATE_PREPS = {"about", "like", "from"}
WH_NOUN_PREPS = PREDICATE_PREPS | {"in", "on", "at", "with", "for", "by", "near", "into", "under"}
PARTICIPLES = {"made", "built", "written", "done", "known", "sold", "kept", "found", "held", "left", "set", "put",
               "sent", "taught", "bought", "brought", "thought", "told", "said", "paid", "born", "worn", "drawn",
               "grown", "thrown", "shown", "given", "taken", "spoken", "chosen", "named", "called", "based",
               "used", "meant", "seen", "heard", "run", "come", "gone", "got", "gotten"}
# "remind me", "let me know", "I want": the object is still to come
NEEDS_OBJECT = [("remind", "me"), ("remind", "us"), ("tell", "me"), ("tell", "us"), ("show", "me"),
                ("give", "me"), ("find", "me"), ("get", "me"), ("send", "me"), ("teach", "me"), ("bring", "me"),
                ("let", "me", "know"), ("let", "us", "know"), ("do", "you", "know"), ("did", "you", "know"),
                ("i", "want"), ("i", "wanted"), ("i", "need"), ("i", "needed"), ("we", "need"), ("we", "want"),
                ("i", "would", "love"), ("i", "was", "wondering"), ("i", "am", "wondering"), ("i", "wonder"),
                ("i", "think"), ("i", "was", "thinking"), ("i", "am", "thinking"), ("i", "guess"),
                ("i", "would", "like"), ("we", "would", "like"), ("i", "feel", "like"), ("i", "am", "looking"),
                ("i", "was", "looking")]
ASKING_AUX = {"can", "could", "would", "will", "may", "should", "shall"}
NEGATIONS = {"not", "never", "no"}
# "to" closing an infinitive left out on purpose: "I'd love to.", "You don't have to."
TO_VERBS = {"want", "wants", "wanted", "have", "has", "had", "need", "needs", "needed", "like", "love", "mean",
            "meant", "going", "got", "ought", "used", "try", "tried", "supposed", "able", "plan", "planning"}
LIST_TAGS = {"please", "thanks", "thank", "right", "okay", "ok", "yes", "no", "sure", "then", "too", "though",
             "really", "again", "maybe", "perhaps", "anyway", "now", "there", "first", "instead", "presence",
             "mate", "buddy", "friend", "please?", "tonight", "today", "tomorrow", "quickly", "exactly", "either",
             "honestly", "actually", "by", "hi", "hello"}
INTERJECTIONS = {"hi", "hello", "hey", "yes", "yeah", "no", "nope", "okay", "ok", "well", "so", "oh", "um", "uh",
                 "thanks", "sorry", "right", "sure", "alright", "great", "cool", "please", "wait", "hmm", "now",
                 "actually", "also", "first", "then", "anyway", "good", "fine", "excuse"}

_EXPAND = {
    "what's": ("what", "is"), "where's": ("where", "is"), "who's": ("who", "is"), "how's": ("how", "is"),
    "when's": ("when", "is"), "why's": ("why", "is"), "that's": ("that", "is"), "it's": ("it", "is"),
    "there's": ("there", "is"), "here's": ("here", "is"), "he's": ("he", "is"), "she's": ("she", "is"),
    "let's": ("let", "us"), "i'm": ("i", "am"), "you're": ("you", "are"), "we're": ("we", "are"),
    "they're": ("they", "are"), "what're": ("what", "are"), "i'd": ("i", "would"), "you'd": ("you", "would"),
    "we'd": ("we", "would"), "i'll": ("i", "will"), "you'll": ("you", "will"), "i've": ("i", "have"),
    "don't": ("do", "not"), "doesn't": ("does", "not"), "didn't": ("did", "not"), "can't": ("can", "not"),
    "won't": ("will", "not"), "isn't": ("is", "not"), "aren't": ("are", "not"), "wasn't": ("was", "not"),
    "couldn't": ("could", "not"), "wouldn't": ("would", "not"), "shouldn't": ("should", "not"),
    "haven't": ("have", "not"), "whats": ("what", "is"), "gonna": ("going", "to"), "wanna": ("want", "to"),
}
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
_WORD = re.compile(r"[a-z0-9']+")


def words_of(sentence: str) -> list[str]:
    """Lower-case words with contractions spelled out ("what's" -> "what", "is")."""
    out: list[str] = []
    for w in _WORD.findall(sentence.lower().replace("’", "'")):
        w = w.strip("'")
        if w:
            out.extend(_EXPAND.get(w, (w,)))
    return out


def last_sentence(transcript: str) -> str:
    parts = [p for p in _SENTENCE_END.split(transcript.strip()) if _WORD.search(p.lower())]
    return parts[-1] if parts else ""


def reads_finished(transcript: str) -> bool | None:
    """False when the transcript's last words leave the turn open; True when it ends a sentence
    that reads complete; None when it gives no clue (no words, no closing punctuation)."""
    t = transcript.strip()
    if not t:
        return None
    if t.endswith(("...", "…", ",", "-", "—", ";", ":")):
        return False
    sentence = last_sentence(t)
    ws = words_of(sentence)
    if not ws:
        return None
    if unfinished(ws, sentence):
        return False
    return True if t.endswith((".", "?", "!")) else None


def unfinished(ws: list[str], sentence: str = "") -> bool:
    """Whether a sentence's words (words_of) stop where more must follow."""
    last, prev = ws[-1], (ws[-2] if len(ws) > 1 else "")
    core = _without_openers(ws)
    if last in FILLERS or all(w in THINKING_ONLY for w in ws):
        return True
    if any(_ends_with(ws, p) for p in THINKING_ALOUD):
        return True
    if last in DETERMINERS:
        return True
    if last in CONJUNCTIONS:
        return True
    if last in PREPOSITIONS:
        return _open_preposition(ws)
    special = _special_last(ws, last, prev)
    if special is not None:
        return special
    if last in DEGREE:
        return prev not in NEGATIONS and len(core) > 1
    if last in COPULAS:
        return _open_copula(ws)
    if last in ("you", "i", "we") and prev in ASKING_AUX:  # "could you", "can I"
        return True
    if any(_ends_with(ws, p) for p in NEEDS_OBJECT):
        return True
    if _subordinate_only(core, sentence) or _wh_clause_only(core, sentence):
        return True
    return _open_list(sentence)


def _ends_with(ws: list[str], phrase: tuple[str, ...]) -> bool:
    return tuple(ws[-len(phrase):]) == phrase


def _without_openers(ws: list[str]) -> list[str]:
    """The sentence without its leading fillers and discourse markers ("So, um, what ...")."""
    i = 0
    while i < len(ws) - 1 and (ws[i] in FILLERS or ws[i] in DISCOURSE):
        i += 1
    return ws[i:]


def _special_last(ws: list[str], last: str, prev: str) -> bool | None:
    """Words that end a turn in some company and not in other: None when `last` is none of them."""
    if last == "so":  # "I think so." / "It's so"
        return prev not in {"think", "thought", "hope", "guess", "believe", "suppose", "said", "say", "do", "did",
                            "does", "is", "told", "expect", "imagine", "afraid", "seems", "appears", "why", "even",
                            "or", "not", "if", "hoped", "and"} or prev == "and"
    if last == "that":  # "I love that." / "I think that"
        return prev in {"think", "thought", "believe", "hope", "mean", "means", "sure", "fact", "so", "such",
                        "realize", "realise", "guess", "except", "is", "was", "idea", "seems", "true", "given",
                        "suggest", "ensure", "feel", "felt", "noticed", "and", "but", "or", "because"} \
            or tuple(ws[-3:-1]) == ("remind", "me")
    if last == "which":
        return len(ws) > 1 and prev not in {"know", "decide", "sure", "matter", "remember", "choose", "idea", "tell"}
    if last == "if":
        return prev not in {"what", "as"}
    if last == "when":
        return len(ws) > 1 and prev not in {"since", "until", "till", "say", "know", "remember", "sure", "idea"}
    if last == "while":
        return prev not in {"a", "little", "long", "short", "good", "awhile", "the"}
    if last == "then":
        return prev in {"and", "but", "so", "or"}
    if last == "really":  # "It's really" / "Really?" / "Not really."
        return prev in LINKING or prev in DETERMINERS or prev in {"so", "very"}
    if last == "too":  # "It's too" / "Me too."
        if prev in LINKING or prev in {"so", "far", "way", "much"}:
            return True
        return (ws[0] in COPULAS and prev not in OBJECT_PRONOUNS and prev not in SUBJECTS
                and not prev.endswith("ing"))
    if last == "quite":
        return len(ws) > 1 and prev not in NEGATIONS
    return None


def _open_preposition(ws: list[str]) -> bool:
    """A sentence ending on a preposition: open unless a free wh-word (or a relative) is its object,
    it is a verb's particle, or it closes an infinitive on purpose ("I'd love to")."""
    p, prev = ws[-1], (ws[-2] if len(ws) > 1 else "")
    if p in PARTICLE_VERBS and (prev in PARTICLE_VERBS[p]
                                or (prev in OBJECT_PRONOUNS and len(ws) > 2 and ws[-3] in PARTICLE_VERBS[p])):
        return False
    if p == "to" and prev in TO_VERBS and not any(w in WH for w in ws):
        return not (prev in {"love"} or any(w in NEGATIONS for w in ws) or "if" in ws[:-2])
    if p == "of" and prev in {"kind", "sort"} and len(ws) <= 3:  # "Yes, kind of."
        return False
    if p == "like" and len(ws) > 1 and prev in {"you", "they", "we"} and (len(ws) < 3 or ws[-3] not in AUXES):
        return False  # "if you like", "whatever you like"
    core = _without_openers(ws)
    if _wh_clause_only(core):  # "Where I get it from"
        return True
    for i in range(len(core) - 2, -1, -1):
        if core[i] in WH or (core[i] in RELATIVES and i > 0 and core[i + 1] in SUBJECTS - {"that", "which", "who"}):
            return not _wh_free(core, i)
    return not (len(core) == 2 and core[0] in WH_ANY and p != "about")  # "What for?", "Where to?" end


def _wh_free(ws: list[str], i: int) -> bool:
    """Whether the wh-word (or relative) at ws[i] is free to be the object of the final preposition."""
    p = ws[-1]
    middle = ws[i + 1:-1]
    if not middle:  # "What about", "so where to": a short question only
        return len(ws) == 2 and p != "about"
    if ws[i] in RELATIVES and ws[i] not in WH:  # "the book that you told me about"
        return True
    # the wh-word's own noun: "which country is", "what kind of music are you into"
    j = 0
    if ws[i] in ("what", "which", "whose"):
        for k in range(min(4, len(middle))):
            if middle[k] in AUXES or middle[k] in COPULAS:
                j = k
                break
    head, rest = middle[j], middle[j + 1:]
    preps = WH_NOUN_PREPS if j else PREDICATE_PREPS
    if head in AUXES:  # "what did the doctor talk about", "where does coffee come from"
        return True
    if head in COPULAS:
        if not rest:
            return True
        if rest[0] in DETERMINERS:  # "what's the capital of" vs "what is the cake made of"
            return _predicate_after_copula(rest, p, preps)
        return rest[0] not in AUXES  # "what is it made of", "which country is Lisbon in"
    if head in SUBJECTS or head in PERSONAL:  # embedded: "what it is made of", "who you are talking to"
        return True
    if head in DETERMINERS:  # embedded: "what the cake is made of" vs "what the capital of"
        verbs = [w for w in middle if w in COPULAS or w in AUXES]
        return bool(verbs) and (ws[-2] in COPULAS or _participle(ws[-2]) or any(w in AUXES for w in middle))
    return False  # a verb right after the wh-word: it is the subject ("who wrote the book about")


def _predicate_after_copula(rest: list[str], p: str, preps: set[str]) -> bool:
    before = rest[-1]
    if _participle(before) or before.endswith("ing"):
        return before not in PREPOSITIONS  # "what is the cake made of", "where is the train going to"
    return len(rest) == 2 and p in preps  # "what's the meeting about", "what's the weather like"


def _participle(w: str) -> bool:
    return w in PARTICIPLES or (len(w) > 4 and w.endswith("ed"))


def _open_copula(ws: list[str]) -> bool:
    """"The thing is" / "What I was thinking is" are open; "Yes, it is." and "Do you know what the
    tallest mountain is?" are closed."""
    prev = ws[-2] if len(ws) > 1 else ""
    if not prev or prev in SUBJECTS or prev in OBJECT_PRONOUNS:
        return False
    core = _without_openers(ws)
    whs = [i for i, w in enumerate(core[:-1]) if w in WH_ANY]
    if not whs:
        return True
    i = whs[0]
    before = [w for w in core[:i] if w not in FILLERS]
    return not before or before[-1] not in EMBEDDING  # a wh-clause opening the sentence is its subject


def _subordinate_only(core: list[str], sentence: str) -> bool:
    """"When I get home" / "If it rains tomorrow": a subordinate clause whose main clause is still to come."""
    if len(core) < 2 or core[0] not in SUBORDINATORS:
        return False
    nxt = core[1]
    if nxt in AUXES or nxt in COPULAS or nxt in WH_ANY or nxt in {"that", "then", "so", "now", "ever", "all", "long",
                                                                  "well", "soon", "much", "far", "usual"}:
        return False  # "When is the next train?", "after that", "as well"
    if core[0] == "as" and nxt not in PERSONAL:
        return False
    if _main_clause_after_comma(sentence):
        return False  # "When I get home, remind me ..."
    return not any(w in PERSONAL for w in core[3:])  # "Because my flight got cancelled I need ..."


def _wh_clause_only(core: list[str], sentence: str = "") -> bool:
    """"What I want" / "Where I get it from": a wh-clause with its subject in place opens the sentence,
    so it is the subject of a verb still to come (a question would invert: "Where do I get it?";
    "What you see is what you get" has its verb)."""
    if len(core) < 2 or core[0] not in {"what", "where", "who", "which", "how", "why"} or core[1] not in PERSONAL:
        return False
    return not any(w in AUXES or w in COPULAS for w in core[2:]) and not _main_clause_after_comma(sentence)


def _main_clause_after_comma(sentence: str) -> bool:
    tail = sentence.split(",", 1)
    return len(tail) == 2 and bool(words_of(tail[1]))


def _open_list(sentence: str) -> bool:
    """"I need apples, bananas" / "Compare Paris, Rome, ...": a list whose last item has not come."""
    segs = [words_of(s) for s in sentence.split(",")]
    segs = [s for s in segs if s]
    if len(segs) < 2:
        return False
    last, before = segs[-1], segs[-2]
    if len(last) > 2 or any(w in LIST_TAGS or w in CONJUNCTIONS or w in FILLERS for w in last):
        return False
    if all(w in INTERJECTIONS for w in before) or segs[0][0] in INTERJECTIONS and len(segs) == 2:
        return False
    if len(segs) >= 3 and all(len(s) <= 2 for s in segs[1:]):
        return True
    return last[-1].endswith("s") and before[-1].endswith("s") and len(last[-1]) > 3 and len(before[-1]) > 3 \
        and before[-1] not in {"is", "was", "has", "does", "this", "yes", "thanks", "us", "his", "its"}
