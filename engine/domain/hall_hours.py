"""A hall's opening hours (办公时间) as data, and what they say about a receipt (pure).

A schedule is a list of seasons (夏季/冬季作息), each a month-day range that may wrap over the new
year ("10-01" to "04-30"), together covering every day of the year exactly once. A season has
weekday rules: the ISO weekdays it applies to (1 Monday … 7 Sunday), the opening and closing time
and an optional lunch break (午休), all "HH:MM" Beijing time. A weekday without a rule is a day the
hall does not open. The hall's simple form, one closing time `closes_at`, is the schedule of one
season, every day of the week, closing then and with no opening time or lunch break (`simple`).

What a receipt at an instant means (docs/time-limits.md#deemed-receipt), `receipt`:
- a non-working day of the calendar (a weekend, a holiday) is `rest_day`, even when the hall
  serves that day (周六不打烊): the calendar moves it to the next working day;
- on a working day: before opening is `before_opening` and in the lunch break `lunch` (both the
  same day: the application waits for the hall within its day), at or after closing
  `after_closing` and a day the hall does not open `closed_day` (both the next working day), else
  `open`. On a make-up working day (调休上班) on a weekend the hall keeps the hours of the
  season's first Monday-to-Friday rule (not those of its weekend rule, if it has one).

`check` validates a schedule and returns every problem with its field path (`hours[0].days[1].lunch.from`)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional

from engine.domain.clock import SHANGHAI

TIME_FORMAT = "HH:MM"
_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")     # ASCII digits only (no '１７:３０', no '1٣:30')
_MONTH_DAY = re.compile(r"(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")
_LEAP = 2024                         # month-days are placed on a leap year, so 02-29 is a day too
MAX_SEASONS = 12
MAX_NAME = 20
# ISO weekday (1 Monday … 7 Sunday) in words: Chinese words in Chinese text, English ones in English
WEEKDAY_ZH = ("", "周一", "周二", "周三", "周四", "周五", "周六", "周日")
WEEKDAY_EN = ("", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LANGS = ("en", "zh")

OPEN, BEFORE_OPENING, LUNCH, AFTER_CLOSING, CLOSED_DAY, REST_DAY = (
    "open", "before_opening", "lunch", "after_closing", "closed_day", "rest_day")
VERDICTS = (OPEN, BEFORE_OPENING, LUNCH, AFTER_CLOSING, CLOSED_DAY, REST_DAY)
NEXT_DAY = (AFTER_CLOSING, CLOSED_DAY)     # the hall's hours move these to the next working day


def parse_time(text: str) -> time:
    """"HH:MM" on the 24-hour clock ("17:30"), ASCII digits; ValueError otherwise."""
    found = _TIME.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        raise ValueError(f"a time is {TIME_FORMAT} (24-hour clock), not {text!r}")
    return time(int(found[1]), int(found[2]))


def _month_day(text) -> Optional[int]:
    """The day of the (leap) year of "MM-DD", 1 to 366, or None."""
    found = _MONTH_DAY.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        return None
    try:
        return date(_LEAP, int(found[1]), int(found[2])).timetuple().tm_yday
    except ValueError:                                   # 02-30, 04-31
        return None


def _day_of_year(d: date) -> int:
    return date(_LEAP, d.month, d.day).timetuple().tm_yday


def _hhmm(t: Optional[time]) -> Optional[str]:
    return None if t is None else t.strftime("%H:%M")


@dataclass(frozen=True)
class DayRule:
    weekdays: tuple[int, ...]
    opens: Optional[time]            # None: the simple form, no opening time
    closes: time
    lunch: Optional[tuple[time, time]] = None

    def as_data(self) -> dict:
        out: dict = {"weekdays": list(self.weekdays)}
        if self.opens is not None:
            out["opens"] = _hhmm(self.opens)
        out["closes"] = _hhmm(self.closes)
        if self.lunch is not None:
            out["lunch"] = {"from": _hhmm(self.lunch[0]), "to": _hhmm(self.lunch[1])}
        return out

    def text(self) -> str:
        """"09:00–12:00, 14:00–17:30" (the simple form: "–17:30")."""
        opens = _hhmm(self.opens) or ""
        if self.lunch is None:
            return f"{opens}–{_hhmm(self.closes)}"
        return f"{opens}–{_hhmm(self.lunch[0])}, {_hhmm(self.lunch[1])}–{_hhmm(self.closes)}"


@dataclass(frozen=True)
class Season:
    name: Optional[str]
    first: str                      # "MM-DD"
    last: str
    days: tuple[DayRule, ...]

    def covers(self, d: date) -> bool:
        n, a, b = _day_of_year(d), _month_day(self.first), _month_day(self.last)
        return a <= n <= b if a <= b else (n >= a or n <= b)

    def rule_for(self, weekday: int, workday: bool) -> Optional[DayRule]:
        """The rule of `weekday`; on a make-up working day (a weekend day the calendar makes a
        working day) the season's first Monday-to-Friday rule, as on any working day."""
        if workday and weekday > 5:
            weekday = min((w for r in self.days for w in r.weekdays if w <= 5), default=weekday)
        return next((rule for rule in self.days if weekday in rule.weekdays), None)


@dataclass(frozen=True)
class Schedule:
    seasons: tuple[Season, ...]
    simple: bool = False            # made from a closing time alone (`closes_at`)

    def season_of(self, d: date) -> Optional[Season]:
        return next((s for s in self.seasons if s.covers(d)), None)

    def as_data(self) -> list[dict]:
        return [{**({"name": s.name} if s.name else {}), "from": s.first, "to": s.last,
                 "days": [r.as_data() for r in s.days]} for s in self.seasons]


def simple(closes_at: str) -> Schedule:
    """The schedule of a hall given only a closing time: every day of the year closes then."""
    return Schedule((Season(None, "01-01", "12-31", (DayRule(tuple(range(1, 8)), None, parse_time(closes_at)),)),),
                    simple=True)


def of_hall(closes_at: Optional[str], hours) -> Optional[Schedule]:
    """A hall's opening hours from its row: its schedule (`hours`), else the simple form of its
    closing time, else none (what a hall stores was checked when it was written)."""
    if hours:
        schedule, problems = check(hours)
        return None if problems else schedule
    return simple(closes_at) if closes_at else None


@dataclass(frozen=True)
class HoursProblem:
    path: str
    code: str
    message: str


def _problem(path: str, *, code: str, message: str) -> HoursProblem:
    return HoursProblem(path, code, message)


def check(data, path: str = "hours") -> tuple[Optional[Schedule], list[HoursProblem]]:
    """(the schedule, []) or (None, every problem with its field path)."""
    if not isinstance(data, list) or not data:
        return None, [_problem(path, code="hours_invalid", message="hours are a non-empty list of seasons")]
    if len(data) > MAX_SEASONS:
        return None, [_problem(path, code="hours_invalid", message=f"at most {MAX_SEASONS} seasons")]
    problems: list[HoursProblem] = []
    seasons = [_season(item, f"{path}[{i}]", problems) for i, item in enumerate(data)]
    if not problems:
        _coverage(seasons, path, problems)
    return (None, problems) if problems else (Schedule(tuple(seasons)), [])


def _keys(item, allowed: tuple[str, ...], required: tuple[str, ...], path: str, problems: list) -> bool:
    if not isinstance(item, dict):
        problems.append(_problem(path, code="hours_invalid", message=f"{path} is an object"))
        return False
    problems += [_problem(f"{path}.{k}", code="hours_invalid", message=f"unknown field {k!r}")
                 for k in item if k not in allowed]
    problems += [_problem(f"{path}.{k}", code="hours_invalid", message=f"{k} is required")
                 for k in required if item.get(k) in (None, "", [])]
    return True


def _season(item, path: str, problems: list) -> Optional[Season]:
    if not _keys(item, ("name", "from", "to", "days"), ("from", "to", "days"), path, problems):
        return None
    name = item.get("name")
    if name is not None and (not isinstance(name, str) or len(name) > MAX_NAME):
        problems.append(_problem(f"{path}.name", code="hours_invalid",
                                 message=f"a season's name is text of at most {MAX_NAME} characters"))
    for key in ("from", "to"):
        if item.get(key) not in (None, "") and _month_day(item[key]) is None:
            problems.append(_problem(f"{path}.{key}", code="hours_day_invalid",
                                     message=f"{key} is a day of the year as MM-DD (\"05-01\"), not {item[key]!r}"))
    rules = _rules(item.get("days"), path, problems)
    name = name.strip() or None if isinstance(name, str) else None
    return Season(name, item.get("from"), item.get("to"), tuple(rules))


def _rules(days, path: str, problems: list) -> list[DayRule]:
    """A season's weekday rules; a weekday named by two rules is a problem of the later one."""
    if days in (None, []):
        return []
    if not isinstance(days, list) or len(days) > 7:
        problems.append(_problem(f"{path}.days", code="hours_invalid", message="days is a list of at most 7 rules"))
        return []
    rules: list[DayRule] = []
    seen: dict[int, int] = {}
    for j, rule in enumerate(days):
        made = _rule(rule, f"{path}.days[{j}]", problems)
        if made is None:
            continue
        for w in made.weekdays:
            if w in seen:
                problems.append(_problem(
                    f"{path}.days[{j}].weekdays", code="hours_weekday_repeated",
                    message=f"{WEEKDAY_EN[w]} (weekday {w}) already has a rule: {path}.days[{seen[w]}]"))
            seen.setdefault(w, j)
        rules.append(made)
    return rules


def _time(rule: dict, key: str, path: str, problems: list) -> Optional[time]:
    try:
        return parse_time(rule[key])
    except ValueError as exc:
        problems.append(_problem(path, code="hours_time_invalid", message=str(exc)))
        return None


def _rule(rule, path: str, problems: list) -> Optional[DayRule]:
    if not _keys(rule, ("weekdays", "opens", "closes", "lunch"), ("weekdays", "opens", "closes"), path, problems):
        return None
    before = len(problems)
    weekdays = rule.get("weekdays")
    if weekdays not in (None, []) and (not isinstance(weekdays, list) or any(
            isinstance(w, bool) or not isinstance(w, int) or not 1 <= w <= 7 for w in weekdays)):
        problems.append(_problem(f"{path}.weekdays", code="hours_invalid",
                                 message="weekdays is a list of 1 (Monday) to 7 (Sunday)"))
    elif weekdays and len(set(weekdays)) != len(weekdays):
        problems.append(_problem(f"{path}.weekdays", code="hours_weekday_repeated",
                                 message="a weekday is named twice"))
    opens = _time(rule, "opens", f"{path}.opens", problems) if rule.get("opens") not in (None, "") else None
    closes = _time(rule, "closes", f"{path}.closes", problems) if rule.get("closes") not in (None, "") else None
    if opens and closes and closes <= opens:
        problems.append(_problem(f"{path}.closes", code="hours_closes_before_opens",
                                 message=f"the hall closes ({_hhmm(closes)}) after it opens ({_hhmm(opens)})"))
    lunch = _lunch(rule.get("lunch"), f"{path}.lunch", opens, closes, problems)
    if len(problems) > before:
        return None
    return DayRule(tuple(sorted(weekdays)), opens, closes, lunch)


def _lunch(value, path: str, opens, closes, problems: list) -> Optional[tuple[time, time]]:
    if value is None:
        return None
    if not _keys(value, ("from", "to"), ("from", "to"), path, problems):
        return None
    if value.get("from") in (None, "") or value.get("to") in (None, ""):
        return None
    start = _time(value, "from", f"{path}.from", problems)
    end = _time(value, "to", f"{path}.to", problems)
    if start is None or end is None:
        return None
    if end <= start:
        problems.append(_problem(f"{path}.to", code="hours_lunch_outside",
                                 message=f"the lunch break ends ({_hhmm(end)}) after it starts ({_hhmm(start)})"))
    elif opens and closes and not opens < start < end < closes:
        problems.append(_problem(f"{path}.from" if start <= opens else f"{path}.to", code="hours_lunch_outside",
                                 message=f"the lunch break {_hhmm(start)}–{_hhmm(end)} lies within the opening hours "
                                         f"{_hhmm(opens)}–{_hhmm(closes)}"))
    else:
        return start, end
    return None


def _coverage(seasons: list[Season], path: str, problems: list) -> None:
    """Seasons cover each day of the year once: the first day two seasons share, or the first day
    none covers, is a problem."""
    owner: dict[int, int] = {}
    for i, season in enumerate(seasons):
        a, b = _month_day(season.first), _month_day(season.last)
        days = range(a, b + 1) if a <= b else [*range(a, 367), *range(1, b + 1)]
        clash = next((n for n in days if n in owner), None)
        if clash is not None:
            problems.append(_problem(f"{path}[{i}].from", code="hours_seasons_overlap",
                                     message=f"{path}[{i}] and {path}[{owner[clash]}] both cover {_md(clash)}"))
            return
        owner.update((n, i) for n in days)
    gap = next((n for n in range(1, 367) if n not in owner), None)
    if gap is not None:
        problems.append(_problem(path, code="hours_seasons_gap",
                                 message=f"no season covers {_md(gap)}: together they cover the whole year"))


def _md(n: int) -> str:
    return (date(_LEAP, 1, 1) + timedelta(days=n - 1)).strftime("%m-%d")


@dataclass(frozen=True)
class Receipt:
    """What the hall's hours say about a receipt: the verdict, the season and the rule that applied."""
    verdict: str
    weekday: int
    season: Optional[Season] = None
    rule: Optional[DayRule] = None
    simple: bool = False

    @property
    def next_day(self) -> bool:
        """The hall's hours move the receipt to the next working day (after closing, a closed day)."""
        return self.verdict in NEXT_DAY

    def record(self) -> dict:
        """What a case keeps of it (`receipt_hours`): enough to say which rule applied, and to count
        again from the same day (deemed acceptance)."""
        out: dict = {"verdict": self.verdict, "weekday": self.weekday, "next_day": self.next_day}
        if self.simple:
            out["closes_at"] = _hhmm(self.rule.closes) if self.rule else None
        elif self.season is not None:
            out["season"] = {"name": self.season.name, "from": self.season.first, "to": self.season.last}
            if self.rule is not None:
                out["rule"] = self.rule.as_data()
        return out


def receipt(schedule: Schedule, at: datetime, workday: bool) -> Receipt:
    """The verdict of the hall's hours on a receipt at `at` (read in Beijing time), on a day the
    calendar says is a working day or not."""
    local = at.astimezone(SHANGHAI)
    day, now, weekday = local.date(), local.time(), local.isoweekday()
    season = schedule.season_of(day)
    rule = season.rule_for(weekday, workday) if season is not None else None
    if not workday:
        return Receipt(REST_DAY, weekday, season, rule, schedule.simple)
    if rule is None:
        return Receipt(CLOSED_DAY if season is not None else OPEN, weekday, season, None, schedule.simple)
    if now >= rule.closes:
        verdict = AFTER_CLOSING
    elif rule.opens is not None and now < rule.opens:
        verdict = BEFORE_OPENING
    elif rule.lunch is not None and rule.lunch[0] <= now < rule.lunch[1]:
        verdict = LUNCH
    else:
        verdict = OPEN
    return Receipt(verdict, weekday, season, rule, schedule.simple)


def hours_text(rule: dict) -> str:
    """A weekday rule's hours (as stored): "09:00–12:00, 13:30–17:30"."""
    opens, lunch = rule.get("opens", ""), rule.get("lunch")
    return f"{opens}–{lunch['from']}, {lunch['to']}–{rule['closes']}" if lunch else f"{opens}–{rule['closes']}"


def weekday_name(weekday: int, lang: str = "en") -> str:
    """An ISO weekday in the words of `lang` ("en": "Friday", "zh": "周五")."""
    if lang not in LANGS:
        raise ValueError(f"lang is one of {', '.join(LANGS)}, not {lang!r}")
    return (WEEKDAY_ZH if lang == "zh" else WEEKDAY_EN)[weekday]


def describe(record: Optional[dict], lang: str = "en") -> str:
    """A receipt record in the words of `lang`: "after closing (closes 17:00, 冬季 10-01–04-30, Friday)" or
    "下班后 (下班时间 17:00, 冬季 10-01–04-30, 周五)". A season's name is the hall's own data, kept as given."""
    if lang not in LANGS:
        raise ValueError(f"lang is one of {', '.join(LANGS)}, not {lang!r}")
    if not record:
        return ""
    words = {"open": ("办公时间内", "within opening hours"), "before_opening": ("开门前", "before opening"),
             "lunch": ("午休时间", "in the lunch break"), "after_closing": ("下班后", "after closing"),
             "closed_day": ("当日不办公", "on a day the hall does not open"),
             "rest_day": ("非工作日", "on a non-working day")}[record["verdict"]]
    word = words[0] if lang == "zh" else words[1]
    parts = []
    if record.get("closes_at"):
        parts.append(("下班时间 " if lang == "zh" else "closes ") + record["closes_at"])
    rule, season = record.get("rule"), record.get("season")
    if rule:
        parts.append(hours_text(rule))
    if season:
        parts.append(f"{season.get('name') or ''} {season['from']}–{season['to']}".strip())
    parts.append(weekday_name(record["weekday"], lang))
    return f"{word} ({', '.join(parts)})"
