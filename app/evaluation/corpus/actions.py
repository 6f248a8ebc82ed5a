"""Phrasings and slot values of the requests that *do* something: timers, reminders, cue words,
changes and cancellations.

Every template is a sentence a person might say, with named holes; the pools carry the words as
spoken and the slot value they stand for. The spoken form varies on purpose (digits and words,
"a minute and a half", "half past five", "quarter to six", "noon") so that rules written against
one way of saying a value are caught by another. Slot conventions (the understanding contract):
duration_s in seconds; clock_time "H:MM" as said (12-hour unless the user said "17:45");
meridiem only where "a.m."/"p.m." is said; content/cue_word/response lowercase, no punctuation.
"""

from __future__ import annotations

# (as spoken, seconds)
DURATIONS: list[tuple[str, float]] = [
    ("ten seconds", 10), ("90 seconds", 90), ("a minute and a half", 90), ("half an hour", 1800),
    ("five minutes", 300), ("3 minutes", 180), ("twenty seconds", 20), ("two and a half minutes", 150),
    ("an hour", 3600), ("45 seconds", 45), ("fifteen minutes", 900), ("one minute", 60),
    ("a minute", 60), ("an hour and a half", 5400), ("12 minutes", 720), ("thirty seconds", 30),
    ("two hours", 7200), ("forty-five minutes", 2700), ("a quarter of an hour", 900),
    ("one minute and twenty seconds", 80), ("seven minutes", 420), ("25 seconds", 25),
    ("eight minutes", 480), ("four minutes", 240), ("a couple of minutes", 120), ("10 minutes", 600),
]

# durations said as an adjective ("a five minute timer")
DURATION_ADJECTIVES: list[tuple[str, float]] = [
    ("five minute", 300), ("ten second", 10), ("three minute", 180), ("twenty minute", 1200),
    ("90 second", 90), ("two hour", 7200), ("forty second", 40), ("6 minute", 360),
    ("half hour", 1800), ("one minute", 60), ("fifteen second", 15), ("eleven minute", 660),
]

# (as spoken, content slot)
TASKS: list[tuple[str, str]] = [
    ("call Sam", "call sam"), ("take my pills", "take my pills"), ("check the oven", "check the oven"),
    ("water the plants", "water the plants"), ("move the laundry to the dryer", "move the laundry to the dryer"),
    ("stretch my legs", "stretch my legs"), ("text my sister back", "text my sister back"),
    ("take the bread out", "take the bread out"), ("feed the cat", "feed the cat"),
    ("join the team meeting", "join the team meeting"), ("check on the soup", "check on the soup"),
    ("send the invoice", "send the invoice"), ("pick up the kids", "pick up the kids"),
    ("turn off the sprinkler", "turn off the sprinkler"), ("drink some water", "drink some water"),
    ("book a dentist appointment", "book a dentist appointment"), ("flip the steaks", "flip the steaks"),
    ("call my mom", "call my mom"), ("walk the dog", "walk the dog"), ("back up my laptop", "back up my laptop"),
    ("email Priya about the report", "email priya about the report"), ("put the trash out", "put the trash out"),
]

# (as spoken, content slot) for "remind me about ..."
THINGS: list[tuple[str, str]] = [
    ("the laundry", "the laundry"), ("the pasta", "the pasta"), ("my meeting with Anna", "my meeting with anna"),
    ("the parking meter", "the parking meter"), ("the cookies in the oven", "the cookies in the oven"),
    ("my phone call with the bank", "my phone call with the bank"),
]

# (as spoken, clock_time, meridiem or "")
CLOCKS: list[tuple[str, str, str]] = [
    ("5:30", "5:30", ""), ("half past five", "5:30", ""), ("quarter to six", "5:45", ""), ("noon", "12:00", ""),
    ("7:15 p.m.", "7:15", "pm"), ("quarter past eight", "8:15", ""), ("six o'clock", "6:00", ""),
    ("9 a.m.", "9:00", "am"), ("17:45", "17:45", ""), ("eleven fifteen", "11:15", ""),
    ("4:20 p.m.", "4:20", "pm"), ("half past two", "2:30", ""), ("twenty past three", "3:20", ""),
    ("ten to nine", "8:50", ""), ("eight oh five", "8:05", ""), ("three forty-five", "3:45", ""),
    ("1 p.m.", "1:00", "pm"), ("21:30", "21:30", ""), ("seven thirty a.m.", "7:30", "am"),
    ("ten o'clock", "10:00", ""), ("quarter past four", "4:15", ""), ("6:40", "6:40", ""),
]

# (cue word, response)
CUES: list[tuple[str, str]] = [
    ("orange", "bingo"), ("banana", "got it"), ("pineapple", "hooray"), ("blue", "yes"),
    ("elephant", "gotcha"), ("coffee", "cheers"), ("rocket", "lift off"), ("zebra", "stripes"),
    ("marble", "okay"), ("pizza", "yum"), ("potato", "present"), ("thunder", "lightning"),
    ("purple", "nice one"), ("tomato", "ketchup"), ("guitar", "rock on"), ("penguin", "brrr"),
]

# describing words of a timer or reminder (cancel/modify targets)
LABELS = ["laundry", "tea", "pasta", "oven", "eggs", "pizza", "bread", "rice", "workout", "nap",
          "cookies", "soup"]

TIMER = [
    "set a timer for {dur}", "let me know when {dur} is up", "start a {dura} timer", "timer for {dur} please",
    "count down {dur} for me", "can you time {dur}", "set an alarm for {dur} from now", "I need a {dura} timer",
    "ping me in {dur}", "put {dur} on the clock", "please set a {dura} timer for the {label}",
    "let me know in {dur}", "could you start a timer, {dur}", "tell me when it has been {dur}",
]

REMINDER = [
    "remind me to {task} in {dur}", "in {dur}, remind me to {task}", "can you remind me in {dur} to {task}",
    "set a reminder to {task} in {dur}", "in {dur} tell me to {task}", "don't let me forget to {task} in {dur}",
    "hey, remind me to {task} {dur} from now", "give me a nudge in {dur} to {task}",
    "please remind me in {dur} that I need to {task}", "I need to {task} in {dur}, remind me",
    "could you remind me to {task} after {dur}", "ping me in {dur} to {task}", "in {dur} remind me about {thing}",
    "remind me about {thing} in {dur}",
]

CLOCK_REMINDER = [
    "remind me at {clock} to {task}", "at {clock}, remind me to {task}", "remind me to {task} at {clock}",
    "set a reminder for {clock} to {task}", "can you tell me to {task} at {clock}",
    "I have to {task} at {clock}, please remind me", "at {clock} tell me to {task}",
    "don't let me forget to {task} at {clock}", "please remind me at {clock} that I need to {task}",
    "make a reminder at {clock} to {task}", "could you remind me to {task} today at {clock}",
    "when it's {clock}, remind me to {task}", "remind me about {thing} at {clock}",
]

CUE = [
    "when I say {cue}, say {resp}", "whenever I say the word {cue}, answer {resp}", "if I say {cue}, you say {resp}",
    "let me know when I say {cue} by saying {resp}", "each time you hear me say {cue}, reply {resp}",
    "listen for the word {cue} and say {resp} when you hear it", "when you hear {cue}, respond with {resp}",
    "let's play a game: when I say {cue}, you say {resp}", "say {resp} whenever I say {cue}",
    "every time I mention {cue}, shout {resp}", "the cue word is {cue}, and your answer is {resp}",
    "if you hear me say {cue}, just say {resp}", "as soon as I say {cue}, tell me {resp}",
]

# templates with {label} carry that label as target; the others target ""
MODIFY = [
    "make that {dur}", "actually, make it {dur}", "change the {label} timer to {dur}", "change it to {dur} instead",
    "set the {label} timer to {dur} instead", "no wait, make it {dur}", "make the {label} one {dur}",
    "can you change the timer to {dur}", "move the {label} reminder to {dur} from now", "switch that to {dur}",
    "let's do {dur} instead", "sorry, I meant {dur}", "bump the {label} timer up to {dur}",
    "shorten the timer to {dur}",
]

CANCEL = [
    "cancel the {label} timer", "cancel the timer", "never mind the {label} timer", "stop the {label} reminder",
    "forget about the timer", "turn off the {label} timer", "scrap that reminder", "please delete the {label} reminder",
    "I don't need the {label} timer anymore", "cancel that", "call off the {label} alarm", "never mind, cancel it",
    "remove the reminder about the {label}", "kill the {label} timer",
]
