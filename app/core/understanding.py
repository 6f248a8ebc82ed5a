"""What the user asks for: one intent and its slots, from rules that key on words and structure.

`understand(text)` is the one entry point for typed text and transcripts alike. Time-aware requests
(timers, reminders, clock reminders, cue words, changing and cancelling them) are read here with
one time parser (presence.core.timeparse); screen requests, deep tasks, exact skills and the safety
layer come from their own pure modules, so every intent is decided in one place and in one order.
The rules key on a verb and the shape around it ("remind me ... to Y", "when I say X, say Y"), not
on whole-sentence templates; where they cannot decide, the engine may ask the model to choose a
tool (presence.models.tool_choice) and `from_tool_call` turns its JSON into the same Understanding.

Pure: no Qt, no devices, no clock (a clock reminder's delay is computed by the caller's `now`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from presence.core import skills, tools
from presence.core.intents import (
    CancelTimers,
    ClockReminder,
    CueRequest,
    ModifyTimer,
    TimerRequest,
    spoken_content,
)
from presence.core.safety import is_harmful
from presence.core.screen_requests import is_watch_request, parse_screen_question, parse_watch_command
from presence.core.timeparse import (
    ClockTime,
    Duration,
    find_clock_time,
    find_durations,
    say_duration,
    tokens,
)


class Intent(StrEnum):
    TIMER = "timer"
    REMINDER = "reminder"
    CLOCK_REMINDER = "clock_reminder"
    CUE = "cue"
    SCREEN_WATCH = "screen_watch"
    SCREEN_QUESTION = "screen_question"
    DEEP_TASK = "deep_task"
    MODIFY = "modify"
    CANCEL = "cancel"
    FACT = "fact"
    EXACT = "exact"  # arithmetic, units, dates
    CHITCHAT = "chitchat"
    HARMFUL = "harmful"


@dataclass(frozen=True)
class Understanding:
    """The intent, its slots (duration_s, clock_time, meridiem, content, cue_word, response, target), and
    the `action` the engine carries out (a TimerRequest, a WatchRequest, a DeepTask...; None: answer it)."""

    intent: Intent
    slots: Mapping[str, str | float] = field(default_factory=dict)
    action: Any = field(default=None, compare=False, repr=False)


MAX_TIMER_S = 24 * 3600

# --- words ---------------------------------------------------------------------------------------

_LEAD = {"hey", "hi", "ok", "okay", "so", "um", "uh", "er", "erm", "presence", "please", "and", "well", "now",
         "alright", "oh", "hmm", "yeah", "yes", "right", "just", "also"}
_POLITE = [["can", "you"], ["could", "you"], ["would", "you"], ["will", "you"], ["please"], ["i", "want", "you", "to"],
           ["i'd", "like", "you", "to"], ["i", "need", "you", "to"], ["go", "ahead", "and"],
           ["i", "would", "like", "you", "to"]]
_TAIL = [["please"], ["thanks"], ["thank", "you"], ["okay"], ["ok"], ["for", "me"], ["if", "you", "can"],
         ["if", "you", "could"], ["will", "you"], ["would", "you"], ["presence"], ["alright"], ["then"],
         ["ok", "thanks"],
         ["today"], ["tonight"], ["tomorrow"], ["later"], ["from", "now"], ["right"], ["yeah"], ["too"], ["as", "well"]]
_KIND_WORDS = {"timer": "timer", "timers": "timer", "countdown": "timer", "countdowns": "timer", "alarm": "timer",
               "alarms": "timer", "stopwatch": "timer", "reminder": "reminder", "reminders": "reminder",
               "cue": "cue", "cues": "cue"}
_NOT_A_LABEL = {"a", "an", "the", "my", "your", "that", "this", "new", "another", "one", "quick", "second", "other",
                "first", "last", "current", "running", "active", "all", "those", "these", "every", "each", "little",
                "short", "long", "old", "next", "previous", "same", "our", "kitchen", "some", "any", "of"}
_NOTIFY = {"tell", "ping", "alert", "notify", "wake", "buzz", "beep", "ring", "shout", "holler", "nudge", "remind",
           "signal", "warn", "call", "text", "message", "chime", "ding", "get", "poke", "bug", "interrupt", "yell",
           "holla", "scream"}
_BEFORE_DURATION = {"in", "after", "within", "when", "once", "until", "till", "been", "for", "another", "about",
                    "around", "like", "exactly", "roughly", "approximately"}
_AFTER_DURATION = [["from", "now"], ["later"], ["is", "up"], ["are", "up"], ["have", "passed"], ["has", "passed"],
                   ["pass"], ["passes"], ["passed"], ["go", "by"], ["goes", "by"], ["went", "by"], ["have", "gone"],
                   ["has", "gone"], ["elapse"], ["elapsed"], ["have", "elapsed"], ["is", "over"], ["are", "over"],
                   ["is", "done"], ["are", "done"], ["have", "gone", "by"], ["pass", "by"], ["up"], ["time"],
                   ["is", "gone"], ["are", "gone"], ["gone"], ["is", "finished"], ["are", "finished"]]
_WH = {"what", "what's", "whats", "who", "who's", "whom", "whose", "where", "where's", "when", "when's", "why", "how",
       "how's", "which"}
_AUX = {"is", "are", "was", "were", "do", "does", "did", "can", "could", "will", "would", "should", "has", "have",
        "had", "may", "might", "shall", "isn't", "aren't", "don't", "doesn't", "didn't", "can't", "won't", "wasn't"}


def _strip(toks: list[str]) -> list[str]:
    """Without the fillers and politeness around a request ("okay so can you ... please")."""
    t = list(toks)
    changed = True
    while changed and t:
        changed = False
        if t[0] in _LEAD:
            t, changed = t[1:], True
            continue
        for p in _POLITE:
            if t[:len(p)] == p:
                t, changed = t[len(p):], True
                break
    changed = True
    while changed and t:
        changed = False
        for p in _TAIL:
            if len(t) > len(p) and t[-len(p):] == p:
                t, changed = t[:-len(p)], True
                break
    return t


def _clean(text: str) -> str:
    """Lowercase words with clause breaks kept as ' , ' (for rules that need them: cue words)."""
    t = text.lower().replace("’", "'")
    t = re.sub(r"[\"“”‘]|(?<![a-z])'|'(?![a-z])", " ", t)
    t = re.sub(r"[.!?;:]+(?=\s|$)|,", " , ", t)
    t = re.sub(r"(?<=[a-z0-9])-(?=[a-z0-9])", " ", t)
    t = re.sub(r"[^a-z0-9' ,:.]+", " ", t)
    return re.sub(r"\s+", " ", t).strip(" ,")


def _has(toks: list[str], phrase: list[str]) -> int:
    """Index of phrase in toks, or -1."""
    n = len(phrase)
    for i in range(len(toks) - n + 1):
        if toks[i:i + n] == phrase:
            return i
    return -1


# --- the one entry point -------------------------------------------------------------------------

def understand(text: str) -> Understanding:
    """The intent of one user turn (a transcript or typed text) and its slots."""
    toks = tokens(text)
    if not toks:
        return Understanding(Intent.CHITCHAT)
    if is_harmful(text):
        return Understanding(Intent.HARMFUL)
    watch = parse_watch_command(text)
    for rule in (_cancel, _cue):
        found = rule(text, toks)
        if found is not None:
            return found
    if watch is not None or is_watch_request(text):
        return Understanding(Intent.SCREEN_WATCH, {}, watch)
    for rule in (_modify, _time_request):
        found = rule(text, toks)
        if found is not None:
            return found
    question = parse_screen_question(text)
    if question is not None:
        return Understanding(Intent.SCREEN_QUESTION, {}, question)
    tool = tools.parse_tool_intent(text)
    if isinstance(tool, tools.CancelTask):
        return Understanding(Intent.CANCEL, {"target": ""}, CancelTimers())
    if tool is not None:
        return Understanding(Intent.DEEP_TASK, {}, tool)
    if is_exact(text):
        return Understanding(Intent.EXACT)
    return Understanding(Intent.FACT if is_knowledge_question(text) else Intent.CHITCHAT)


def time_slots(action: Any) -> dict[str, str | float]:
    """The slots of a time-aware action, as understand() reports them."""
    slots: dict[str, str | float] = {}
    if isinstance(action, TimerRequest):
        slots["duration_s"] = action.seconds
        if action.content:
            slots["content"] = action.content
    elif isinstance(action, ClockReminder):
        slots["clock_time"] = action.clock.slot
        if action.clock.meridiem:
            slots["meridiem"] = action.clock.meridiem
        if action.content:
            slots["content"] = action.content
    elif isinstance(action, CueRequest):
        slots["cue_word"] = action.word
        if action.repeat or not action.reply.startswith(action.word.capitalize() + "! You said"):
            slots["response"] = _plain(action.reply)
    elif isinstance(action, ModifyTimer):
        if action.seconds is not None:
            slots["duration_s"] = action.seconds
        if action.clock is not None:
            slots["clock_time"] = action.clock.slot
            if action.clock.meridiem:
                slots["meridiem"] = action.clock.meridiem
        slots["target"] = action.target
    elif isinstance(action, CancelTimers):
        slots["target"] = action.target
    return slots


def _plain(words: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", words.lower()))


def _made(intent: Intent, action: Any) -> Understanding:
    return Understanding(intent, time_slots(action), action)


# --- cancel --------------------------------------------------------------------------------------

_CANCEL_VERBS = [["cancel"], ["cancelled"], ["canceled"], ["stop"], ["delete"], ["remove"], ["clear"], ["kill"],
                 ["end"], ["turn", "off"], ["switch", "off"], ["shut", "off"], ["disable"], ["forget", "about"],
                 ["forget"], ["scrap"], ["drop"], ["abort"], ["never", "mind"], ["nevermind"], ["dismiss"],
                 ["call", "off"], ["get", "rid", "of"], ["don't", "need"], ["do", "not", "need"], ["no", "need", "for"],
                 ["ditch"], ["skip"], ["undo"], ["scratch"], ["lose"], ["kill"], ["silence"], ["reset"]]
_CUE_STOP = re.compile(
    r"\b(?:stop|quit|no more|don't keep|you can stop|cancel)\s+(?:listening|waiting|watching|looking)\s+(?:out\s+)?"
    r"for\s+(?:the\s+)?(?:word\s+)?([a-z']+)"
    r"|\b(?:stop|quit)\s+(?:saying|answering|replying)\s+(?:with\s+)?([a-z']+)"
    r"|\b(?:cancel|forget|stop|remove|delete|drop)\s+(?:the\s+)?(?:cue|watch)\s+(?:word\s+)?(?:for\s+)?([a-z']+)"
    r"|\b(?:cancel|forget|stop|remove|delete|drop)\s+(?:the\s+)?(?:word\s+)?([a-z']+)\s+(?:cue|watch|game|thing)\b"
    r"|\bdon'?t\s+(?:say|answer)\s+([a-z']+)\s+any\s?more\b")


def _cancel(text: str, toks: list[str]) -> Understanding | None:
    t = _strip(toks)
    joined = " ".join(t)
    m = _CUE_STOP.search(joined)
    if m is not None:
        word = next(g for g in m.groups() if g)
        if word in ("the", "it", "that", "words", "word", "cue", "cues"):
            word = ""
        return _made(Intent.CANCEL, CancelTimers(word, "cue", every=not word))
    kinds = [(i, _KIND_WORDS[w]) for i, w in enumerate(t) if w in _KIND_WORDS]
    verb_at = _cancel_verb(t)
    if verb_at is None:
        if not tools.is_cancel_request(text):
            return None
        return _made(Intent.CANCEL, CancelTimers())
    start, end = verb_at
    if not kinds:
        rest = [w for w in t if w not in ("it", "that", "this", "please", "everything", "all", "of", "then", "now",
                                          "just", "actually", "oh", "no", "okay")]
        verb_words = ("never", "mind", "off", "about", "need", "don't", "do", "not")
        if _cancel_verb(rest) is not None and all(_cancel_verb([w]) is not None or w in verb_words for w in rest):
            return _made(Intent.CANCEL, CancelTimers())  # "never mind, cancel it", "cancel everything"
        return None  # "stop the music": left to tools.is_cancel_request
    k, what = next(((i, w) for i, w in kinds if i >= end), kinds[-1])
    if k < end and start > 1:
        return None  # "the timer stopped" is no request
    if "set" in t[:start] or any(w in t for w in ("how", "why", "what")):
        return None  # "set a timer and cancel it later", "how do I cancel a timer"
    every = t[k] in ("timers", "reminders", "alarms", "countdowns", "cues") or "all" in t[end:k] or "every" in t
    durs = find_durations(t)
    seconds = durs[0].seconds if durs else None
    label = _label(t[end:k], durs)
    after = _describing_after(t, k + 1)
    if what == "reminder" and after or not label and after:
        label = after
    if t[k] in ("alarm", "alarms") and what == "timer":
        what = "timer"
    return _made(Intent.CANCEL, CancelTimers(label, what, every, seconds))


def _cancel_verb(t: list[str]) -> tuple[int, int] | None:
    """Where a cancelling verb is: (start, end) in the tokens."""
    for i in range(min(len(t), 6)):
        for v in _CANCEL_VERBS:
            if t[i:i + len(v)] == v:
                return i, i + len(v)
    return None


def _label(words: list[str], durs: list[Duration]) -> str:
    """Describing words before 'timer' ("the laundry timer" -> "laundry"); numbers and units are not."""
    spans = {i for d in durs for i in range(d.start, d.end)}
    del spans
    kept = [w for w in words if w not in _NOT_A_LABEL and not re.fullmatch(r"[\d.:]+", w)
            and w not in ("second", "seconds", "minute", "minutes", "hour", "hours", "min", "mins", "sec", "secs", "hr",
                          "hrs", "half", "quarter", "and", "for", "to", "set", "am", "pm", "oclock")
            and w not in _NUMBER_WORDS]
    return " ".join(kept)


_NUMBER_WORDS = set(skills.NUMBER_WORDS) | {"hundred", "thousand", "couple", "few"}


def _describing_after(t: list[str], j: int) -> str:
    """ "the timer for the laundry" -> "laundry"; "the reminder to call sam" -> "call sam"."""
    if j >= len(t) or t[j] not in ("for", "about", "to", "on", "of", "that"):
        return ""
    rest = [w for w in t[j + 1:] if w not in ("the", "my", "a", "an", "your", "please", "now", "anymore")]
    if rest and (find_durations(rest) or find_clock_time(rest)):
        return ""
    return " ".join(rest)


# --- cue words -----------------------------------------------------------------------------------

_W = r"[a-z0-9']+"
_SAY = r"(?:say|says|said|saying|mention|mentions|use|utter|speak|shout|yell)"
_HEAR = (rf"(?:(?:i|someone|somebody|anyone|anybody|we|they|he|she)\s+{_SAY}|you\s+hear\s+(?:me\s+|someone\s+)?"
         rf"(?:{_SAY}\s+)?|i\s+[a-z]+(?=\s+the\s+word))")
_WHEN = r"(?:every\s?time|whenever|each\s+time|any\s?time|when|if|once|as\s+soon\s+as)"
_REPLY = (r"(?:say|reply|answer|respond|shout|go|yell|call\s+out|exclaim|sing|tell\s+me|bark|meow|ding|beep|ring"
          r"|clap|squawk|cheer)")
_CUE_WORD = rf"(?P<word>(?!you\b|i\b|the\b){_W}(?:\s+(?!you\b|then\b|i\b)[a-z']+)?)"
_CUE_RULE = re.compile(
    rf"\b(?P<when>{_WHEN})\s+(?:that\s+)?{_HEAR}\s*(?:the\s+(?:word|phrase|name)\s+|out\s+loud\s+|the\s+)?{_CUE_WORD}"
    rf"(?:\s+out\s+loud)?\s*,?\s*(?:then\s+)?(?:(?:can|could|would|will)\s+)?(?:you\s+)?(?:should\s+|must\s+"
    rf"|have\s+to\s+"
    rf"|need\s+to\s+|to\s+|please\s+|can\s+|will\s+|just\s+)*(?P<verb>{_REPLY})(?:\s+(?:with|back|out|it))?\s*,?\s*"
    rf"(?P<resp>{_W}(?:\s+{_W}){{0,5}})?")
_CUE_RULE_REPLY_FIRST = re.compile(
    rf"\b(?P<verb>say|reply|answer|respond|shout|yell)\s+(?:with\s+)?(?P<resp>{_W}(?:\s+{_W}){{0,3}}?)\s*,?\s*"
    rf"(?P<when>{_WHEN})\s+{_HEAR}\s*(?:the\s+(?:word|phrase|name)\s+)?(?P<word>{_W})")
_CUE_NOTIFY = re.compile(
    rf"\b(?:let\s+me\s+know|tell\s+me|alert\s+me|ping\s+me|notify\s+me|warn\s+me|beep|ding|say\s+something"
    rf"|give\s+me\s+a\s+(?:sign|signal|shout)|signal|interrupt\s+me)\b.*?\b(?P<when>{_WHEN})\s+{_HEAR}\s*"
    rf"(?P<rest>[a-z' ]+)"
    rf"|\blisten\s+(?:out\s+)?for\s+(?:the\s+word\s+|me\s+(?:to\s+)?say(?:ing)?\s+(?:the\s+word\s+)?)?(?P<word2>{_W})")
_CUE_LISTEN = re.compile(
    rf"\blisten\s+(?:out\s+)?for\s+(?:the\s+(?:word|phrase|name)\s+)?(?P<word>{_W})\s*,?\s*(?:and\s+|then\s+)*"
    rf"(?:(?:can|could|would|will)\s+you\s+)?(?P<verb>{_REPLY})(?:\s+(?:with|back"
    rf"|out))?\s+(?P<resp>{_W}(?:\s+{_W}){{0,5}})")
_CUE_DECLARED = re.compile(
    rf"\b(?:the\s+)?(?:cue|trigger|magic|secret|code|special|key|watch)\s+word\s+(?:is|will\s+be|'s)\s+(?P<word>{_W})"
    rf"\s*,?\s*(?:and\s+)?(?:your|the|my|you)\s+(?:answer|response|reply|line|comeback)\s+(?:is|should\s+be|will\s+be"
    rf"|'s)\s+(?P<resp>{_W}(?:\s+{_W}){{0,5}})")
_NOT_A_CUE = {"the", "word", "words", "a", "an", "that", "we're", "were", "its", "it's", "is", "this", "please",
              "out", "loud", "again", "something", "anything", "it", "so", "to", "you", "my", "name",
              "phrase"}
_RESPONSE_TAIL = [["when", "you", "hear", "it"], ["if", "you", "hear", "it"], ["whenever", "you", "hear", "it"],
                  ["when", "i", "say", "it"], ["out", "loud"], ["back"], ["to", "me"], ["every", "time"], ["please"],
                  ["okay"], ["then"],
                  ["for", "me"], ["each", "time"], ["again"], ["right", "away"], ["loudly"], ["aloud"]]


def _cue(text: str, toks: list[str]) -> Understanding | None:
    t = _clean(text)
    for rule in (_CUE_RULE, _CUE_RULE_REPLY_FIRST, _CUE_LISTEN, _CUE_DECLARED):
        m = rule.search(t)
        if m is None or not m.group("resp"):
            continue
        groups = m.groupdict()
        word = _cue_word(m.group("word"))
        resp = _response(m.group("resp"), groups.get("verb") or "say")
        if word and resp:
            when = groups.get("when") or "every time"
            repeat = not when.startswith("once") and when != "as soon as"
            spoken = resp[0].upper() + resp[1:] + ("!" if len(resp.split()) <= 2 else ".")
            return _made(Intent.CUE, CueRequest(word, spoken, repeat=repeat))
    m = _CUE_NOTIFY.search(t)
    if m is None:
        return None
    if m.group("word2"):
        word = _cue_word(m.group("word2"))
        repeat = False
    else:
        word = _cue_word(re.split(r"\s*,\s*| and | so | then ", m.group("rest"))[0], last=True)
        repeat = m.group("when").replace(" ", "") in ("everytime", "whenever", "eachtime", "anytime")
    if not word:
        return None
    return _made(Intent.CUE, CueRequest(word, f"{word.capitalize()}! You said {word}.", repeat=repeat))


def _cue_word(words: str, last: bool = False) -> str:
    """The watched word: one real word (Whisper may garble the framing: "say that we're orange")."""
    candidates = [w for w in re.findall(r"[a-z0-9']+", words.lower()) if w not in _NOT_A_CUE]
    if not candidates:
        return ""
    return candidates[-1] if last else candidates[0]


def _response(resp: str, verb: str) -> str:
    words = resp.lower().split()
    changed = True
    while changed and words:
        changed = False
        for p in _RESPONSE_TAIL:
            if len(words) > len(p) and words[-len(p):] == p:
                words, changed = words[:-len(p)], True
        cut = next((i for i, w in enumerate(words) if i and w in ("every", "whenever", "each", "when", "if")), None)
        if cut is not None:
            words, changed = words[:cut], True
    if words and words[0] in ("with", "back", "the", "word"):
        words = words[1:]
    if verb in ("ding", "beep", "ring", "bark", "meow", "clap", "cheer", "squawk") and not words:
        return verb
    return " ".join(words)


# --- change a timer ------------------------------------------------------------------------------

_MODIFY_VERBS = {"make", "change", "move", "switch", "update", "push", "bump", "reset", "adjust", "turn", "set",
                 "shift", "extend", "shorten", "increase", "decrease", "restart", "put"}
_OBJECT_WORDS = {"it", "that", "this", "the", "my", "them"}


def _modify(text: str, toks: list[str]) -> Understanding | None:
    t = _strip(toks)
    while t and t[0] in ("actually", "no", "sorry", "oops", "hmm", "oh", "um", "instead", "i", "mean", "nope", "wait"):
        if t[0] == "wait" and (find_durations(t[1:5]) or t[1:2] == ["for"]):
            break  # "wait ten seconds" is a timer
        if t[:2] == ["i", "mean"]:
            t = t[2:]
        elif t[0] in ("i", "mean"):
            break
        else:
            t = t[1:]
    corrected = len(t) < len(_strip(toks))
    more = any(w in ("more", "extra", "additional", "longer") for w in t)
    t = [w for w in t if w not in ("more", "extra", "additional")]
    if not t:
        return None
    durs = find_durations(t)
    clock = find_clock_time(t) if not durs else None
    if not durs and clock is None:
        return None
    first = durs[0] if durs else None
    at = first.start if first else clock.start if clock else 0
    end = first.end if first else clock.end if clock else 0
    rest = t[end:]
    while rest and rest[0] in ("instead", "please", "now", "then", "okay", "longer", "on", "to", "onto"):
        if rest[0] in ("on", "to", "onto") and not any(w in _KIND_WORDS or w in ("it", "that") for w in rest):
            break
        if rest[0] in ("on", "to", "onto"):
            break
        rest = rest[1:]
    more = more or "another" in t[max(0, at - 1):at]
    # "add five minutes (to the timer)", "five more minutes", "give it another five minutes", "extend it by ..."
    lead = [w for w in t[:at] if w != "another"]
    add_lead = lead in (["add"], ["give", "it"], ["give", "me"], ["snooze"], ["snooze", "for"], ["snooze", "it"],
                        ["snooze", "it", "for"], ["plus"], ["put"], ["put", "on"], ["add", "on"]) \
        or (lead[:1] in (["extend"], ["add"], ["increase"]) and lead[-1:] in (["by"], ["add"])) \
        or (more and lead in ([], ["i", "need"], ["i", "want"], ["we", "need"], ["wait"], ["give", "us"]))
    to_object = not rest or (rest[0] in ("to", "on", "onto", "for") and (
        any(w in _KIND_WORDS for w in rest) or rest[1:] in (["it"], ["that"], ["this"])))
    if first is not None and add_lead and (more or lead[:1] in (["add"], ["extend"], ["snooze"], ["increase"])) \
            and to_object:
        target, what = _object(rest)
        return _made(Intent.MODIFY, ModifyTimer(first.seconds, first.spoken, target, what, add=True))
    # "make that ten minutes", "change the laundry timer to 45 minutes", "move my reminder to 6 pm"
    lead = t[:at]
    if lead and lead[0] in _MODIFY_VERBS and len(lead) >= 2 and (not rest or rest[0] in ("instead",)):
        obj = lead[1:]
        while obj and obj[-1] in ("to", "into", "for", "at", "until", "till", "by", "it", "be"):
            obj = obj[:-1]
        new_timer = lead[0] in ("set", "start") and lead[-1] != "to" and "instead" not in rest
        if obj and (obj[0] in ("it", "that", "this", "them") or (obj[0] in ("the", "my", "our") and any(
                w in _KIND_WORDS or w == "one" for w in obj))) and not new_timer:
            target, what = _object(obj)
            return _made(Intent.MODIFY, _modify_action(first, clock, target, what))
    # "actually, ten minutes", "no, make it five", "I meant ten minutes", "ten minutes instead"
    if not rest and (lead in ([], ["make", "it"], ["make", "that"], ["i", "said"], ["i", "meant"], ["i", "mean"],
                              ["change", "it", "to"], ["change", "that", "to"], ["make", "it", "for"],
                              ["make", "that", "for"], ["set", "it", "to"], ["set", "it", "for"], ["it's"],
                              ["it", "is"], ["make", "it", "be"])) and (corrected or lead or "instead" in t[end:]):
        return _made(Intent.MODIFY, _modify_action(first, clock, "", ""))
    return None


def _modify_action(first: Duration | None, clock: ClockTime | None, target: str, what: str) -> ModifyTimer:
    if first is not None:
        return ModifyTimer(first.seconds, first.spoken, target, what)
    return ModifyTimer(None, "", target, what or "reminder", clock=clock)


def _object(words: list[str]) -> tuple[str, str]:
    """(describing words, kind) of "the laundry timer", "my reminder to call sam", "it"."""
    kinds = [i for i, w in enumerate(words) if w in _KIND_WORDS] or \
        [i for i, w in enumerate(words) if w == "one" and i > 1 and words[i - 2] in ("the", "my")]
    if not kinds:
        return "", ""
    k = kinds[0]
    what = _KIND_WORDS.get(words[k], "")
    start = max((i + 1 for i, w in enumerate(words[:k]) if w in ("the", "my", "that", "this", "your", "our")),
                default=0)
    label = _label(words[start:k], [])
    after = _describing_after(words, k + 1)
    return (after if (what == "reminder" and after) or not label else label), what


# --- timers and reminders ------------------------------------------------------------------------

_NUDGES = {"nudge", "shout", "ping", "buzz", "call", "reminder", "heads", "poke", "message", "text", "yell", "holler",
           "note", "notification", "alert", "warning", "beep"}
_REMIND = {"remind", "reminds", "reminder", "reminders", "remember", "remembering"}
_CONTENT_TO = {"to": "to", "that": "that", "about": "about", "of": "about", "regarding": "about", "for": "about"}
_BEFORE_CONTENT = [["i", "need", "to"], ["i", "have", "to"], ["i've", "got", "to"], ["i", "got", "to"],
                   ["i", "gotta"], ["i", "must"], ["i", "should"], ["i", "want", "to"], ["i'm", "supposed", "to"],
                   ["i", "am", "supposed", "to"], ["i", "ought", "to"], ["i", "need"], ["i", "have"]]
_TIME_WORDS_AROUND = {"in", "after", "for", "within", "at", "by", "around", "until", "till", "on", "exactly",
                      "about", "another", "like", "approximately", "roughly"}


def _time_request(text: str, toks: list[str]) -> Understanding | None:
    """Timers, reminders with a duration, and reminders at a time of day."""
    t = _strip(toks)
    if not t:
        return None
    durs = [d for d in find_durations(t) if 0 < d.seconds <= MAX_TIMER_S]
    clock = find_clock_time(t)
    if clock is not None and durs and any(d.start < clock.end and clock.start < d.end for d in durs):
        clock = None
    if durs and clock is not None:
        clock = None if durs[0].start < clock.start else clock  # "at 5 ... for ten minutes": the clock leads
        if clock is not None:
            durs = []
    if not durs and clock is None and len(t) >= 4 and t[-2] == "in" and t[-3] in ("me", "us") and t[-4] in _NOTIFY:
        minutes = find_durations([*t[-1:], "minutes"])  # "buzz me in ten": minutes, as people mean it
        if minutes:
            d = minutes[0]
            return _made(Intent.TIMER, TimerRequest(d.seconds, d.spoken))
    spans = [(d.start, d.end) for d in durs] + ([(clock.start, clock.end)] if clock else [])
    if not spans:
        if any(w.startswith("remind") for w in t) and _is_request(t):
            content, style = _content(t, [])
            if content and content.split()[0] not in _WH:  # "remind me to call Sam": when is not said; the engine asks
                return Understanding(Intent.REMINDER, {"content": content},
                                     TimerRequest(0.0, "", content=content, style=style,
                                                  said_content=spoken_content(text, content)))
        return None
    if _question_about_time(t):
        return None
    content, style = _content(t, spans)
    said = spoken_content(text, content)
    if clock is not None:
        if not (content or _asks_to_notify(t, clock.start, clock.end)):
            return None
        return _made(Intent.CLOCK_REMINDER, ClockReminder(clock, content, style or "to", said))
    if content:
        d = durs[0]
        return _made(Intent.REMINDER, TimerRequest(d.seconds, d.spoken, content=content, style=style,
                                                   said_content=said))
    if not any(_is_timer(t, d) for d in durs):
        return None
    label = _timer_label(t, durs)
    timers = [TimerRequest(d.seconds, d.spoken, label=label if len(durs) == 1 else "") for d in durs]
    first = TimerRequest(timers[0].seconds, timers[0].spoken, tuple(timers[1:]), timers[0].label)
    return _made(Intent.TIMER, first)


def _is_request(t: list[str]) -> bool:
    return not (t[0] in _WH or (t[0] in _AUX and not t[0].endswith("n't") and t[1:2] not in (["you"],)))


def _question_about_time(t: list[str]) -> bool:
    """ "how many seconds are in 5 minutes", "what's 10 minutes in seconds": a question, not a timer."""
    if "timer" in t or "remind" in t or "reminder" in t or "alarm" in t:
        return False
    if t[0] == "when" and t[1:2] and t[1] not in _AUX:
        return False  # "when ten minutes are up, tell me"
    opener = t[0] in _AUX and not t[0].endswith("n't") and t[1:2] not in (["you"],) \
        and not (t[0] == "do" and t[1:2] in (["a"], ["an"], ["the"], ["me"], ["my"]))  # "do a countdown"
    return t[0] in _WH and t[:2] not in (["when", "i"],) or opener or t[:3] == ["tell", "me", "how"]


def _asks_to_notify(t: list[str], start: int, end: int) -> bool:
    """A time with a request to hear about it: "wake me at 7", "set an alarm for 6 am", "tell me when it's 5"."""
    if any(w in ("alarm", "alarms", "remind", "reminder", "wake") for w in t):
        return True
    before = t[:start]
    return any(w in _NOTIFY for w in before) and any(w in ("me", "us") for w in before) or \
        _has(before, ["let", "me", "know"]) >= 0


def _is_timer(t: list[str], d: Duration) -> bool:
    """Does this duration come with a request to time it? ("set a timer for X", "let me know in X", "X timer")."""
    before, after = t[:d.start], t[d.end:]
    if any(w in ("timer", "timers", "countdown", "alarm", "stopwatch") for w in t):
        return True
    if _has(t, ["count", "down"]) >= 0 or _has(t, ["time", "me"]) >= 0:
        return True
    prev = before[-1] if before else ""
    prev2 = before[-2:] if len(before) >= 2 else before
    if after[:3] in (["on", "the", "clock"], ["on", "a", "timer"], ["on", "the", "timer"]):
        return True
    if prev in ("time", "timing", "set", "start", "run", "begin", "counting", "count") or prev2 in (
            ["time", "for"], ["set", "for"], ["give", "me"], ["start", "for"], ["count", "for"]):
        return True
    if d.start == 0 and (after[:1] == ["go"] or (after[:1] in (["then"], ["and"]) and _notifies(after))):
        return True  # "twenty minutes, go", "fifteen minutes and then shout", "half an hour then call me"
    if prev == "wait" or prev2 == ["wait", "for"]:
        return bool(after[:1] and after[0] in ("then", "and", "before")) or not after
    notify = _notifies(t) or _has(t, ["let", "me", "know"]) >= 0 \
        or _has(t, ["give", "me", "a"]) >= 0 or _has(t, ["say", "something"]) >= 0
    if not notify:
        return False
    linked = prev in _BEFORE_DURATION or any(after[:len(p)] == p for p in _AFTER_DURATION) or prev2 == ["it's", "been"]
    asks_when = t[-1:] in (["when"], ["once"]) or t[-2:] in (["when", "done"], ["when", "ready"])  # "..., tell me when"
    return linked or asks_when


_SOUNDS = {"beep", "ring", "buzz", "shout", "holler", "yell", "scream", "chime", "ding", "signal", "holla"}


def _notifies(t: list[str]) -> bool:
    """Asked to be told: "tell me", "ping us", "wake me"; or a sound asked for ("beep in ten seconds", "then
    shout") -- not "I will call you", "the bell will ring"."""
    for i, w in enumerate(t):
        if w in _NOTIFY and t[i + 1:i + 2] in (["me"], ["us"]):
            return True
        if w in _SOUNDS and (i == 0 or t[i - 1] in ("you", "then", "and", "just", "please", "to")):
            return True
    return False


def _timer_label(t: list[str], durs: list[Duration]) -> str:
    """What a timer is for: "a pasta timer", "a timer for the laundry", "ten minutes for my eggs"."""
    if "timer" in t:
        k = t.index("timer")
        start = max((i + 1 for i, w in enumerate(t[:k]) if w in ("a", "an", "the", "my", "set", "start")), default=0)
        span = {i for d in durs for i in range(d.start, d.end)}
        words = [w for i, w in enumerate(t[start:k], start) if i not in span]
        label = _label(words, durs)
        if label:
            return label
    for d in durs:
        after = t[d.end:]
        if after[:1] == ["for"] and len(after) >= 2:
            rest = [w for w in after[1:] if w not in ("the", "my", "a", "an", "our", "your", "please")]
            if rest and not find_durations(rest) and len(rest) <= 3 and rest[0] not in ("me", "us", "it"):
                return " ".join(rest)
    if "timer" in t:
        k = t.index("timer")
        return _describing_after(t, k + 1) if t[k + 1:k + 2] == ["for"] else ""
    return ""


def _content(t: list[str], spans: list[tuple[int, int]]) -> tuple[str, str]:
    """A reminder's words and how they are joined ("to", "that", "about"); ("", "") when there are none."""
    drop: set[int] = set()
    for start, end in spans:
        drop.update(range(start, end))
        i = start - 1
        while i >= 0 and t[i] in _TIME_WORDS_AROUND:
            drop.add(i)
            i -= 1
        if t[end:end + 2] == ["from", "now"]:
            drop.update((end, end + 1))
        elif t[end:end + 1] in (["later"], ["today"], ["tonight"], ["tomorrow"], ["time"]):
            drop.add(end)
    rest = [w for i, w in enumerate(t) if i not in drop and w not in ("tomorrow", "tonight", "today")]
    at = next((i for i, w in enumerate(rest) if w in _REMIND), None)
    after: list[str] = []
    if at is not None:
        after = rest[at + 1:]
        if rest[at].startswith("remember") and rest[at - 1:at] not in (["help"], ["me"], ["forget"]):
            after = []  # "I remember ...": no request; "help me remember to ..." is one
    else:
        for i, w in enumerate(rest):
            if w in _NOTIFY and rest[i + 1:i + 2] in (["me"], ["us"]) and rest[i + 2:i + 3] and \
                    rest[i + 2] in ("to", "that", "about"):
                at, after = i, rest[i + 2:]
                break
            if rest[i:i + 3] in (["give", "me", "a"], ["give", "me", "an"], ["send", "me", "a"]) and \
                    rest[i + 4:i + 5] and rest[i + 4] in ("to", "that", "about") and rest[i + 3] in _NUDGES:
                at, after = i, rest[i + 4:]
                break
        if at is None:
            k = _has(rest, ["let", "me", "forget"])
            if k < 0:
                k = _has(rest, ["make", "sure", "i"])
                if k >= 0:
                    at, after = k, ["to", *rest[k + 3:]]
            else:
                at, after = k, rest[k + 3:]
        if at is None:
            k = _has(rest, ["let", "me", "know"])
            if k >= 0 and rest[k + 3:k + 4] in (["to"], ["that"]):
                at, after = k, rest[k + 3:]
    if at is None:
        return "", ""
    while after and after[0] in ("me", "us", "myself", "you", "please", "again", "just", "also"):
        after = after[1:]
    style = "to"
    if after and after[0] in _CONTENT_TO:
        style = _CONTENT_TO[after[0]]
        after = after[1:]
    elif after and after[0] in ("i", "we") and len(after) > 1:
        style = "that"
    after = _strip_tail(after)
    if not after:  # "I need to call Sam in ten minutes, remind me"
        before = _strip(rest[:at])
        for p in _BEFORE_CONTENT:
            k = _has(before, p)
            if k >= 0:
                after, style = _strip_tail(before[k + len(p):]), "to"
                break
    for p in _BEFORE_CONTENT[:9]:  # "that I need to send the invoice" -> "send the invoice"
        if after[:len(p)] == p and len(after) > len(p):
            after, style = after[len(p):], "to"
            break
    if not after or after in (["it"], ["this"], ["that"], ["them"], ["something"]) or \
            after[0] in ("timer", "alarm", "reminder"):
        return "", ""
    return " ".join(after), style


def _strip_tail(words: list[str]) -> list[str]:
    w = list(words)
    changed = True
    while changed and w:
        changed = False
        for p in _TAIL + [["and"], ["so"], ["ok"], ["i"], ["for", "me"], ["or", "so"]]:
            if len(w) >= len(p) and w[-len(p):] == p:
                w, changed = w[:-len(p)], True
                break
    return w


# --- questions -----------------------------------------------------------------------------------

_EXACT_NOW = datetime(2024, 1, 1, 12, 0)
_DATE_TIME = re.compile(
    r"\b(?:what(?:'s| is)? (?:the )?(?:time|date|day|year|month)(?: is it)?(?: today| now| right now)?"
    r"|what (?:time|day|date|year|month) is it|what day of the week|what's today|today's date|what is today"
    r"|how many (?:days|weeks|months|hours|minutes|seconds|years) (?:until|till|til|before|since|are (?:there )?"
    r"(?:in|until|till|left)|is it (?:until|till)|in (?:a|an|one|\d+|[a-z]+) (?:day|week|month|year|hour|minute|leap))"
    r"|how (?:long|many days) (?:until|till|is it until|is it till|since)"
    r"|what (?:day|date) (?:is|was|will) (?:it|tomorrow|yesterday|christmas|new year|\w+ \d+)"
    r"|is (?:it|today) (?:a )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend)"
    r"|what time (?:is it )?in \w+|what's the time(?: in \w+)?|current time|time is it|leap year"
    r"|days (?:between|from|until)|what week (?:is it|of the year))")
_MATH = re.compile(
    r"\d\s*[-+*/x×÷^]\s*\d|\b(?:plus|minus|times|divided by|multiplied by|squared|cubed|square root|cube root"
    r"|to the power|percent of|% of|factorial|sum of|product of|average of|half of|a third of|double|triple)\b"
    r"|\bwhat(?:'s| is) \d+(?:\.\d+)? (?:and|over|into|by)\b|\bcalculate\b|\bcompute\b"
    r"|\bhow much is \d|\bwhat(?:'s| is) (?:\d+|[a-z]+) (?:plus|minus|times|divided)")
_CONVERT = re.compile(
    r"\b(?:convert|how many|how much|in|into|to)\b.*\b(?:miles?|km|kilomet(?:er|re)s?|met(?:er|re)s?|feet|foot"
    r"|inch(?:es)?"
    r"|yards?|centimet(?:er|re)s?|cm|mm|millimet(?:er|re)s?|pounds?|lbs?|kilos?|kilograms?|kg|grams?|ounces?|oz"
    r"|stones?|celsius|fahrenheit|degrees|liters?|litres?|gallons?|cups?|pints?|quarts?|tablespoons?|teaspoons?|ml"
    r"|milliliters?|millilitres?|seconds?|minutes?|hours?|days?|weeks?|years?|mph|kph|acres?|hectares?|bytes?"
    r"|megabytes?|gigabytes?|mb|gb|kb|tb|terabytes?|dollars?|euros?|calories|joules?)\b.*\b(?:in|into|to|are in|is in"
    r"|per|make)\b")


def is_exact(text: str) -> bool:
    """Arithmetic, a unit conversion, or a question about the date or time: answered by code."""
    t = text.lower().replace("’", "'")
    if tools.convert_units(text) or skills.answer(text, _EXACT_NOW):
        return True
    if _DATE_TIME.search(t) or _MATH.search(t):
        return True
    words = re.findall(r"[a-z0-9']+", t)
    units = [w for w in words if re.fullmatch(
        r"(?:miles?|km|kilomet(?:er|re)s?|met(?:er|re)s?|feet|foot|inch(?:es)?|yards?|centimet(?:er|re)s?|pounds?"
        r"|kilos?|kilograms?|grams?|ounces?|celsius|fahrenheit|liters?|litres?|gallons?|cups?|pints?|seconds?"
        r"|minutes?|hours?|days?|weeks?|years?|tablespoons?|teaspoons?|ml|kg|lbs?|oz|cm|mm|quarts?)", w)]
    return len(set(units)) >= 2 and bool(_CONVERT.search(t))


_SOCIAL = re.compile(
    r"^(?:hi|hello|hey|hiya|howdy|yo|good (?:morning|afternoon|evening|night)|morning|evening|thanks|thank you|cheers"
    r"|bye|goodbye|see you|see ya|good ?bye|nice to meet you|ok|okay|cool|great|awesome|nice|wow|yes|no|yeah|nope|sure"
    r"|sorry|oops|haha|lol|hmm|um|uh)\b"
    r"|\b(?:how are you|how're you|how are things|how's it going|how is it going|how have you been|how's your day"
    r"|how was your (?:day|weekend|night)|what's up|whats up|what are you up to|what are you doing|how do you feel"
    r"|are you (?:ok|okay|there|real|alive|human|a robot|happy|sad|bored|tired|listening|awake|a person|smart|single)"
    r"|who are you|what are you|what's your name|what is your name|your name|who made you|who created you|who built you"
    r"|what can you do|tell me about yourself|do you (?:like|love|hate|enjoy|have|ever|dream|sleep|eat|feel|think|want"
    r"|prefer|know me|remember|get|miss|believe)|can you (?:sing|dance|feel|love|hear me|see me)|would you rather"
    r"|what do you think|what's your (?:favou?rite|opinion|take)|what is your (?:favou?rite|opinion)|your favou?rite"
    r"|i love you|i like you|i hate you|you're (?:funny|great|smart|stupid|awesome|cool|the best|welcome|annoying)"
    r"|you are (?:funny|great|smart|stupid|awesome|cool|the best|annoying)|tell me a joke|make me laugh|another joke"
    r"|know any (?:good )?jokes|let's (?:chat|talk)|talk to me|i'm (?:bored|tired|sad|happy|hungry|back|home|lonely"
    r"|fine"
    r"|good|ok|okay|excited|stressed|nervous|sleepy|done)|i am (?:bored|tired|sad|happy|hungry|back|home|lonely|fine"
    r"|good"
    r"|excited|stressed|nervous|sleepy)|i feel|i had a|i have had|i just|i think|i guess|i'm feeling|i was|my day"
    r"|good job|well done|never mind|guess what|you know what"
    r"|what should i (?:do|eat|wear|watch|cook|make|read|play|have|get|name)"
    r"|should i (?:go|stay|eat|watch|buy|call|text|take)|what would you do|any plans|how old are you|where are you"
    r"|where do you live|are we friends|can we be friends|do i look)")
_KNOWLEDGE_LEAD = re.compile(
    r"^(?:(?:can|could|would|will) you (?:please )?)?(?:tell me|explain|define|describe|teach me|give me (?:a |some )?"
    r"(?:fact|facts|fun fact|definition|overview|summary)|i (?:want|would like|'d like) to (?:know|learn|understand)"
    r"|i wonder|i'm curious|i am curious|do you know|did you know|any idea|what's the (?:difference|meaning)"
    r"|name (?:a|the|some|three|five|all)|list (?:the|some|all)|remind me (?:what|who|how|why|where|when|which))\b")


def is_knowledge_question(text: str) -> bool:
    """A question asking for knowledge ("who wrote Hamlet", "how do vaccines work", "tell me about Mars"),
    not social talk ("how are you", "what's your name", "I had a long day")."""
    t = _clean(text).replace(" ,", ",")
    words = re.findall(r"[a-z0-9']+", t)
    words = _strip(words)
    if not words:
        return False
    body = " ".join(words)
    if _SOCIAL.search(body) and not re.search(r"\b(?:do you know|can you tell me|tell me about (?!yourself"
                                              r"|you\b))", body):
        return False
    if _KNOWLEDGE_LEAD.search(body):
        return not re.match(r"^(?:tell me|explain) (?:a joke|a story|something funny|about (?:yourself|you"
                            r"|your))", body)
    first = words[0]
    if first in _WH:
        return True
    if first in _AUX:
        subject = words[1:2]
        return subject not in (["you"], ["i"], ["we"], ["u"])
    return text.strip().endswith("?") and len(words) > 2 and "you" not in words[:3]


# --- the model's choice --------------------------------------------------------------------------

TOOL_CHOICE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "tool": {"enum": ["timer", "reminder", "clock_reminder", "cue", "modify", "cancel", "none"]},
        "seconds": {"type": "integer", "minimum": 0, "maximum": MAX_TIMER_S},
        "clock_time": {"type": "string", "pattern": "^[0-9]{1,2}:[0-9]{2}$"},
        "content": {"type": "string", "maxLength": 80},
        "word": {"type": "string", "maxLength": 30},
        "response": {"type": "string", "maxLength": 60},
    },
    "required": ["tool"],
}


def needs_a_choice(text: str, found: Understanding) -> bool:
    """Rules could not decide, yet the words look like a time-aware request: a request that names a
    duration, a clock time, "remind" or "timer" (the model may choose a tool for it)."""
    if found.intent not in (Intent.FACT, Intent.CHITCHAT, Intent.EXACT):
        return False
    toks = _strip(tokens(text))
    if not toks or _question_about_time(toks):
        return False
    named = bool(find_durations(toks)) or find_clock_time(toks) is not None
    return named or any(w in ("remind", "reminder", "timer", "alarm", "countdown") for w in toks)


def from_tool_call(text: str, call: Mapping[str, Any]) -> Understanding | None:
    """The model's tool choice (JSON that follows TOOL_CHOICE_SCHEMA) as an Understanding; None when it
    chose none or gave a choice that cannot be carried out."""
    tool = str(call.get("tool", "none"))
    content = _plain(str(call.get("content", "")))
    said = spoken_content(text, content)
    seconds = call.get("seconds")
    ok_seconds = isinstance(seconds, int | float) and 0 < float(seconds) <= MAX_TIMER_S
    if tool == "timer" and ok_seconds:
        s = float(seconds)  # type: ignore[arg-type]
        return _made(Intent.TIMER, TimerRequest(s, say_duration(s)))
    if tool == "reminder" and ok_seconds and content:
        s = float(seconds)  # type: ignore[arg-type]
        return _made(Intent.REMINDER, TimerRequest(s, say_duration(s), content=content, style="to", said_content=said))
    if tool == "clock_reminder":
        clock = find_clock_time(tokens(str(call.get("clock_time", ""))))
        if clock is not None:
            return _made(Intent.CLOCK_REMINDER, ClockReminder(clock, content, "to", said))
    if tool == "cue":
        word, response = _plain(str(call.get("word", ""))), _plain(str(call.get("response", "")))
        if word and len(word.split()) == 1:
            reply = response.capitalize() + "!" if response else f"{word.capitalize()}! You said {word}."
            return _made(Intent.CUE, CueRequest(word, reply, repeat=bool(response)))
    if tool == "modify" and ok_seconds:
        s = float(seconds)  # type: ignore[arg-type]
        return _made(Intent.MODIFY, ModifyTimer(s, say_duration(s)))
    if tool == "cancel":
        return _made(Intent.CANCEL, CancelTimers())
    return None
