"""A small, careful rule layer for requests that must not be answered with instructions: weapons and
explosives, malware and break-ins, self-harm methods, and harming or abusing other people.

Rules, not a classifier: each pattern needs a harmful *act* and a harmful *object* together ("how do
I make a pipe bomb", "write ransomware", "painless way to kill myself"), so the benign look-alikes
stay benign: "how do fireworks work", "kill a python process", "shoot a photo", "this song is the
bomb", "what is malware", "how to kill weeds". What to say instead (wording, the prompt policy) is
the reply's business; this only says whether, and which kind (`harm_kind`).
"""

from __future__ import annotations

import re

_HOW = (r"(?:how (?:do|can|could|would|should|might) (?:i|you|we|one|someone|a person)|how to|how i can|how you"
        r"|ways? to|steps to|instructions (?:for|to|on)|guide (?:for|to|on)|teach me(?: how)? to|show me how to"
        r"|help me|tell me how to|explain how to|what(?:'s| is) the (?:best|easiest|quickest|fastest|simplest) way to"
        r"|best way to|easiest way to|i want to|i need to|i'm going to|im going to|i am going to|let's|can you"
        r"|could you|recipe for|i wanna|want to)")
_MAKE = (r"(?:make|build|create|assemble|construct|produce|cook|synthesi[sz]e|manufacture|get|buy|obtain|brew|mix"
         r"|3d print)")
_WEAPON = (r"(?:(?:pipe |nail |car |fertili[sz]er |homemade |home made |dirty |letter |suicide )?bombs?|explosives?"
           r"|grenades?|molotov(?: cocktails?)?|napalm|(?:an )?ieds?|detonators?|thermite|tatp|c4|semtex|nitroglycerin"
           r"|nerve (?:agent|gas)|sarin|vx gas|ricin|anthrax|mustard gas|chlorine gas|bio ?weapons?"
           r"|biological weapons?|chemical weapons?|poison gas|ghost guns?|untraceable guns?|silencers?|suppressors?"
           r"|zip guns?|(?:an? )?(?:auto|fully automatic) (?:rifle|gun)|meth(?:amphetamine)?|fentanyl"
           r"|(?<!glue )(?<!water )(?<!nerf )(?<!squirt )(?<!toy )(?<!nail )(?<!staple )(?<!spray )(?<!heat )guns?"
           r"(?= at home| that can'?t be traced| without a (?:serial|license)|$| from scratch| with a 3d printer))")
_MALWARE = (r"(?:viruse?s?|computer virus|malware|ransomware|keyloggers?|key loggers?|trojans?|worms?|botnets?"
            r"|rootkits?|spyware|stalkerware|backdoors?|exploits?|phishing (?:emails?|pages?|sites?|kits?)"
            r"|credit card skimmers?|ddos (?:attack|tool)s?)")
_CODE = r"(?:write|code|program|develop|make|build|create|craft|design|generate|give me)"
_HACK = (r"(?:hack(?: into)?|break into|get into|log into|access|spy on|read)\s+(?:someone(?:'s| else's)?"
         r"|somebody(?:'s)?"
         r"|my (?:ex|wife|husband|girlfriend|boyfriend|partner|boss|neighbou?r|coworker|colleague)(?:'s)?"
         r"|(?:a|an|another|other) (?:person|people)(?:'s)?|(?:his|her|their)|other people's|a stranger's)\s+"
         r"(?:\w+\s+)?(?:account|email|e mail|phone|computer|wifi|wi fi|instagram|facebook|messages|texts|password)s?")
_STEAL = (r"(?:steal|crack|phish|harvest|sniff)\s+(?:\w+\s+){0,2}(?:passwords?|credit cards?|credentials|identities"
          r"|identity"
          r"|bank (?:details|accounts?)|social security numbers?)")
_DDOS = (r"(?:ddos|take down|knock (?:offline|down))\s+(?:a|someone's|his|her|their|the)\s+(?:\w+\s+)?(?:website"
         r"|server|site)")
_SELF = r"(?:myself|my self|my own life|my life)"
_SELF_HARM_METHOD = (
    rf"(?:{_HOW}|what|which|is there a)\b.{{0,40}}?\b(?:kill|hurt|harm|cut|hang|poison|shoot|drown|starve"
    rf"|burn)\s+{_SELF}\b"
    rf"|(?:{_HOW})\s+(?:commit suicide|end (?:it all|my life)|overdose|od)\b"
    r"|\b(?:painless|quick|quickest|easiest|best|surest)\s+(?:way|method|ways|methods)\s+(?:to|of)\s+"
    r"(?:die|suicide|kill myself|end (?:it|my life))\b"
    r"|\bhow many\s+(?:\w+\s+){0,3}(?:pills|tablets|sleeping pills|paracetamol|tylenol|ibuprofen|aspirin)\b.{0,30}?"
    r"\b(?:kill|die|overdose|od|lethal|fatal|to end it)\b"
    r"|\b(?:lethal|fatal|deadly) (?:dose|amount) of\b"
    r"|\bwhere (?:to|can i) (?:cut|hang)\b")
_SELF_HARM_STATEMENT = (
    r"\b(?:i (?:want|wanna|am going|'m going|plan|intend|need) to (?:die|kill myself|end (?:it all|my life)|hurt myself"
    r"|commit suicide|cut myself))\b"
    r"|\b(?:i'm|i am|im) (?:going to|gonna) (?:kill myself|end it all|end my life|hurt myself)\b"
    r"|\bi (?:don't|do not) want to (?:live|be alive)(?: anymore)?\b|\b(?:i'm|i am|im|i feel|feeling"
    r"|i've been) (?:so |really |very )?suicidal\b|\bsuicidal thoughts\b")
_OTHERS = (r"(?:someone|somebody|a person|people|my (?:wife|husband|girlfriend|boyfriend|partner|ex|boss|neighbou?r|mom"
           r"|mother|dad|father|brother|sister|teacher|coworker|colleague|roommate|kid|child|baby)|him|her|them|a child"
           r"|a kid|children|kids|a classmate|my classmates|a cop|the president|my family)")
_VIOLENCE = (rf"(?:{_HOW})\s+(?:\w+\s+){{0,2}}?(?:kill|murder|poison|stab|strangle|choke|drown|shoot|beat up|hurt"
             rf"|torture"
             rf"|hit|punch|slap|kick|scare|threaten|intimidate|bully|extort|force|coerce|frame|dox|swat|burn"
             rf"|kidnap|abduct|assault|rape|drug|roofie|stalk|blackmail|traffic|groom)\s+{_OTHERS}\b"
             r"|\b(?:get away with|cover up) (?:a )?(?:murder|killing|a crime|hitting someone)\b"
             r"|\b(?:hide|dispose of|get rid of) (?:a|the) (?:dead )?body\b"
             r"|\b(?:untraceable|undetectable) poisons?\b"
             r"|\b(?:leaves?|leaving) no (?:marks|bruises|evidence|trace)\b"
             r"|\b(?:scare|threaten|intimidate|blackmail|force|pressure|coerce"
             r"|bully)\s+(?:\w+\s+){0,3}?into\s+(?:giving|paying"
             r"|handing|sending|signing|sleeping|having sex)"
             r"|\b(?:sneak|smuggle|get|slip|carry)\s+(?:a |an |my )?(?:knife|gun|weapon|blade|firearm|explosive"
             r"|bomb)s?\s+"
             r"(?:past|through|into|onto|on)\s+(?:a |the )?(?:metal detector|security|airport|plane|school|stadium|tsa)"
             r"|\b(?:track|spy on|monitor|read|follow|locate|bug|tap|record|watch)\s+(?:[\w']+\s+){0,3}?(?:phone"
             r"|location"
             r"|messages|texts|emails?|calls|whereabouts|car)\b.{0,30}?\b(?:without (?:him|her|them|his|her|their)"
             r"(?: \w+)? (?:knowing|knowledge|consent|permission|noticing|finding out)|secretly)"
             r"|\bsecretly (?:track|record|follow|spy on|monitor|film|photograph)\b")
_ABUSE = (r"\b(?:groom(?:ing)?|lure|sext(?:ing)?|seduce)\s+(?:a |an )?(?:child|kid|minor|teen|teenager|underage)"
          r"|\bchild (?:porn|pornography|sexual abuse material|csam)\b|\bcsam\b"
          r"|\bhow (?:do|can) i (?:hit|beat|slap|punish physically) (?:my )?(?:wife|husband|partner|girlfriend"
          r"|boyfriend"
          r"|kid|child|children|dog|cat)\b")
_BENIGN = re.compile(
    r"\b(?:kill|end|stop|terminate)\s+(?:a |the |this |my |that |all )?(?:\w+ )?(?:process(?:es)?|task|job|thread|app"
    r"|program|server|session|container|tab|window|service|terminal)\b"
    r"|\b(?:kill|killing) (?:time|the lights|weeds|bacteria|germs|mold|mould|the music|it at)\b"
    r"|\bhow (?:do|does|did) (?:\w+ ){0,2}(?:work|explode|go off)\b(?!.*\b(?:make|build)\b)"
    r"|\b(?:bath|photo|yoga|bomb(?:ed)? (?:the|my|an?) (?:test|exam|interview|presentation))\b")

_KINDS: list[tuple[str, re.Pattern[str]]] = [(kind, re.compile(p)) for kind, p in [
    ("self_harm", _SELF_HARM_METHOD),
    ("self_harm", _SELF_HARM_STATEMENT),
    ("weapons", rf"(?:{_HOW}|{_MAKE}|recipe|ingredients|formula|blueprint|schematic)s?\b.{{0,30}}?\b{_MAKE}?\s*"
                rf"(?:a |an |some |the |my own |your own |homemade )?{_WEAPON}\b"),
    ("weapons", rf"\b{_MAKE} (?:a |an |some |the |my own |homemade )?{_WEAPON}\b"),
    ("malware", rf"\b{_CODE}\s+(?:me\s+)?(?:a |an |some |the |my own )?(?:\w+\s+)?{_MALWARE}\b"),
    ("malware", _HACK),
    ("malware", rf"\b{_STEAL}"),
    ("malware", rf"\b{_DDOS}"),
    ("violence", _VIOLENCE),
    ("abuse", _ABUSE),
]]


def _normal(text: str) -> str:
    t = text.lower().replace("’", "'")
    t = re.sub(r"[^a-z0-9' ]+", " ", t)
    return re.sub(r"\s+", " ", t).strip()


def harm_kind(text: str) -> str | None:
    """'weapons', 'malware', 'self_harm', 'violence' or 'abuse' when text asks for harm; None otherwise.

    'self_harm' also covers saying one wants to die: the reply should answer the person, not the words.
    """
    t = _normal(text)
    if not t:
        return None
    for kind, pattern in _KINDS:
        m = pattern.search(t)
        if m is None:
            continue
        if kind in ("weapons", "malware", "violence") and _BENIGN.search(t) and not _firmly(kind, t):
            continue
        return kind
    return None


def _firmly(kind: str, t: str) -> bool:
    """A request that names both a making verb and a weapon, even beside a benign phrase ("kill the process
    and then build a bomb")."""
    return kind == "weapons" and re.search(rf"\b(?:make|build|assemble) (?:a |an )?{_WEAPON}\b", t) is not None


def is_harmful(text: str) -> bool:
    """Does text ask for weapons, malware, self-harm methods or harming others? Benign look-alikes do not."""
    return harm_kind(text) is not None
