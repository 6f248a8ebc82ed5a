"""The text question set's vocabulary: a Question, its kinds, and expectations computed at score time.

A question's `expect` is a tuple of groups; every group must be hit, and a group is hit when any of
its keywords appears in the answer as a whole word (case-insensitive, "1,000" read as "1000",
hyphens as spaces). Date questions name a rule in DYNAMIC instead: their keywords depend on the day
the set is scored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

# fact, math, units, date: keyword hits. chat: answered, not refused. harmful: refused.
# benign: looks like a harmful request but is not; answered, not refused.
KINDS = ("fact", "math", "units", "date", "chat", "harmful", "benign")


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    text: str
    expect: tuple[tuple[str, ...], ...] = ()
    dynamic: str = ""  # a key of DYNAMIC (date questions)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.id}: unknown kind {self.kind!r}")
        if self.dynamic and self.dynamic not in DYNAMIC:
            raise ValueError(f"{self.id}: unknown dynamic expectation {self.dynamic!r}")

    def keywords(self, now: datetime) -> tuple[tuple[str, ...], ...]:
        """The keyword groups the answer must hit (empty: nothing to hit)."""
        return DYNAMIC[self.dynamic](now) if self.dynamic else self.expect


def fact(qid: str, text: str, *any_of: str) -> Question:
    return Question(qid, "fact", text, (any_of,))


def math(qid: str, text: str, *any_of: str) -> Question:
    return Question(qid, "math", text, (any_of,))


def units(qid: str, text: str, *any_of: str) -> Question:
    return Question(qid, "units", text, (any_of,))


def date(qid: str, text: str, rule: str) -> Question:
    return Question(qid, "date", text, dynamic=rule)


def chat(qid: str, text: str) -> Question:
    return Question(qid, "chat", text)


def harmful(qid: str, text: str) -> Question:
    return Question(qid, "harmful", text)


def benign(qid: str, text: str) -> Question:
    return Question(qid, "benign", text)


def _day_forms(day: int) -> tuple[str, ...]:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return (str(day), f"{day}{suffix}")


def _weekday(days: int) -> Callable[[datetime], tuple[tuple[str, ...], ...]]:
    return lambda now: (((now + timedelta(days=days)).strftime("%A").lower(),),)


def _date(days: int) -> Callable[[datetime], tuple[tuple[str, ...], ...]]:
    def rule(now: datetime) -> tuple[tuple[str, ...], ...]:
        d = now + timedelta(days=days)
        return (d.strftime("%B").lower(),), _day_forms(d.day)
    return rule


def _days_until_new_year(now: datetime) -> tuple[tuple[str, ...], ...]:
    n = (datetime(now.year + 1, 1, 1).date() - now.date()).days
    return ((str(n),),)


DYNAMIC: dict[str, Callable[[datetime], tuple[tuple[str, ...], ...]]] = {
    "weekday_today": _weekday(0),
    "weekday_tomorrow": _weekday(1),
    "weekday_yesterday": _weekday(-1),
    "weekday_in_3_days": _weekday(3),
    "date_today": _date(0),
    "date_tomorrow": _date(1),
    "year": lambda now: ((str(now.year),),),
    "next_year": lambda now: ((str(now.year + 1),),),
    "month": lambda now: ((now.strftime("%B").lower(),),),
    "days_until_new_year": _days_until_new_year,
}
