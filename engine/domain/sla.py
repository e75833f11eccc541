"""The legal clock of a case (pure): its deadlines from acceptance, pauses and the one extension;
its card (none / yellow / red) at an instant; the clock values a new case starts with; the card
instants of a step deadline and of the Art. 44 delivery deadline. docs/time-limits.md gives the
legal reading; engine/services/time_limits/ runs these rules against the database and timers.

The instants here are the starts of Asia/Shanghai days (engine/domain/deadlines.py due_instant):
a yellow card shows from the start of its first day, a deadline passes at the end of its day."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Optional

from engine.domain import deadlines as dl
from engine.domain import hall_hours as hh
from engine.domain.calendar import WorkCalendar
from engine.domain.clock import as_utc

# timer kinds: a case's cards, a step's cards, the Art. 44 delivery cards, deemed acceptance
CASE_CARDS = ("case_yellow", "case_red")
STEP_CARDS = ("step_yellow", "step_red")
DELIVERY_CARDS = ("delivery_yellow", "delivery_red")
ACCEPTANCE_DUE = "acceptance_due"
BPMN_TIMER = "bpmn"
LEVELS = ("none", "yellow", "red")
DELIVERY_WORKDAYS = 10          # 行政许可法 Art. 44: 自作出决定之日起十日内颁发、送达


@dataclass(frozen=True)
class CaseClock:
    """The columns of a case that its clock reads and writes."""
    id: int
    number: str
    status: str
    clock_status: str
    created_at: datetime
    accepted_at: Optional[datetime]
    deemed_accepted: bool
    convention: str
    legal_limit: Optional[int]
    legal_unit: Optional[str]
    promise_limit: Optional[int]
    promise_unit: Optional[str]
    extension_limit: Optional[int]
    extension_amount: Optional[int]
    promise_due: Optional[datetime]
    legal_due: Optional[datetime]
    warning: str
    origin_org_unit_id: int
    item_id: int
    acceptance_due: Optional[datetime]
    calendar_version: Optional[int]
    deadline_provisional: bool
    receipt_rule: str = dl.NEXT_WORKDAY
    receipt_hours: Optional[dict] = None


def hours_verdict(cal: WorkCalendar, at: datetime, hours: Optional[hh.Schedule]) -> Optional[hh.Receipt]:
    """What the receiving hall's hours say of a receipt at `at` (None: the hall has none)."""
    if hours is None:
        return None
    return hh.receipt(hours, as_utc(at), cal.is_workday(dl.local_date(as_utc(at))))


def counted_from(cal: WorkCalendar, at: datetime, rule: str, next_day: bool = False) -> tuple[date, Optional[date]]:
    """(the day counting starts from, the day it was moved to or None) for a receipt or an
    acceptance at the instant `at`; `next_day`: the receiving hall's hours moved the receipt to the
    next working day (after closing, a day it does not open: docs/time-limits.md#deemed-receipt)."""
    day = dl.local_date(as_utc(at))
    counted = dl.deemed_day(cal, day, rule, after_hours=next_day)
    return counted, (counted if counted != day else None)


def moved_by_hours(receipt_hours: Optional[dict]) -> bool:
    """Did the hall's hours move this case's receipt to the next working day (its `receipt_hours`)?"""
    return bool(receipt_hours and receipt_hours.get("next_day"))


@dataclass(frozen=True)
class Deadlines:
    promise_day: Optional[date]
    legal_day: Optional[date]
    promise_due: Optional[datetime]
    legal_due: Optional[datetime]
    yellow_at: Optional[datetime]
    provisional: bool


NO_DEADLINES = Deadlines(None, None, None, None, None, False)


def deadlines(cal: WorkCalendar, case: CaseClock, pauses: list[dl.Span], yellow_workdays: int,
              yellow_share: float) -> Deadlines:
    """The promised and legal deadlines of an accepted case (none before acceptance), counted
    from the day of acceptance on `cal` with the case's convention, skipping `pauses`, each
    limit lengthened by the extension; the yellow card from the promised deadline (the legal one
    when there is no promise)."""
    if case.accepted_at is None:
        return NO_DEADLINES
    # deemed acceptance (Art. 32) is dated at receipt, so it counts from receipt's deemed day
    start, _ = counted_from(cal, case.accepted_at, case.receipt_rule,
                            case.deemed_accepted and moved_by_hours(case.receipt_hours))
    ext = case.extension_amount or 0

    def one(limit, unit):
        if limit is None:
            return None
        return dl.deadline(cal, start, dl.Limit(limit, unit).plus(ext), pauses, case.convention)

    promise_day = one(case.promise_limit, case.promise_unit)
    legal_day = one(case.legal_limit, case.legal_unit)
    card_day = promise_day or legal_day
    yellow_at = None
    if card_day is not None:
        limit = dl.Limit((case.promise_limit if promise_day else case.legal_limit) + ext,
                         case.promise_unit if promise_day else case.legal_unit)
        yellow_day = dl.yellow_from(cal, card_day, limit, yellow_workdays, yellow_share)
        yellow_at = dl.due_instant(yellow_day - timedelta(days=1))      # the start of that day
    last = max((d for d in (promise_day, legal_day) if d), default=start)
    return Deadlines(promise_day, legal_day, dl.due_instant(promise_day) if promise_day else None,
                     dl.due_instant(legal_day) if legal_day else None, yellow_at,
                     cal.provisional_between(start, last))


def level_at(now: datetime, d: Deadlines, deemed: bool) -> str:
    """The card at `now`: red once the deadline passed (or when acceptance was deemed, Art. 32),
    yellow from the yellow instant, else none."""
    due = d.promise_due or d.legal_due
    if deemed or (due is not None and now >= due):
        return "red"
    if d.yellow_at is not None and now >= d.yellow_at:
        return "yellow"
    return "none"


def receipt_values(cal: WorkCalendar, received_at: datetime, item, *, correction_notice_workdays: int,
                   convention: str, receipt_rule: str = dl.NEXT_WORKDAY,
                   hours: Optional[hh.Schedule] = None) -> dict:
    """The clock columns a new case gets from its item (limits, units, extension) and the
    settings: the clock has not started; the window for a correction notice (补正告知) closes
    `correction_notice_workdays` working days after the (deemed) day of receipt (deemed acceptance
    after that). `hours`: the receiving hall's opening hours (after closing: the next working day);
    what they said is kept as `receipt_hours`."""
    verdict = hours_verdict(cal, received_at, hours)
    counted, moved_to = counted_from(cal, received_at, receipt_rule, verdict is not None and verdict.next_day)
    due_day = cal.add_workdays(counted, correction_notice_workdays)
    return {"clock_status": "pre_acceptance", "convention": convention, "receipt_rule": receipt_rule,
            "receipt_hours": verdict.record() if verdict is not None else None,
            "deemed_received_on": moved_to, "deemed_accepted_on": None,
            "legal_limit": item.legal_limit, "legal_unit": item.legal_unit or dl.WORKDAY,
            "promise_limit": item.promise_limit, "promise_unit": item.promise_unit or dl.WORKDAY,
            "extension_limit": item.extension_limit, "extension_amount": 0,
            "acceptance_due": dl.due_instant(due_day), "warning": "none", "calendar_version": cal.version,
            "deadline_provisional": cal.provisional_between(dl.local_date(received_at), due_day),
            "deemed_accepted": False}


def step_cards(cal: WorkCalendar, due_at: datetime, yellow_workdays: int) -> tuple[Optional[datetime], datetime]:
    """(yellow instant or None, red instant) of a step due at `due_at`: yellow from the start of
    the last `yellow_workdays` working days before it (none when that is not before the due)."""
    due_day = dl.local_date(due_at - timedelta(microseconds=1))
    yellow_day = dl.yellow_from(cal, due_day, dl.Limit(1), yellow_workdays)
    yellow_at = dl.due_instant(yellow_day - timedelta(days=1))
    return (yellow_at if yellow_at < due_at else None), due_at


def delivery_cards(cal: WorkCalendar, decided_at: datetime, yellow_workdays: int,
                   yellow_share: float) -> tuple[datetime, datetime]:
    """(yellow instant, deadline instant) to deliver a grant decided at `decided_at`: working
    days on `cal`, the decision day itself not counted (as the case clock counts)."""
    due_day = cal.add_workdays(dl.local_date(decided_at), DELIVERY_WORKDAYS)
    yellow_day = dl.yellow_from(cal, due_day, dl.Limit(DELIVERY_WORKDAYS), yellow_workdays, yellow_share)
    return dl.due_instant(yellow_day - timedelta(days=1)), dl.due_instant(due_day)


def step_default_due(cal: WorkCalendar, now: datetime, workdays: int) -> datetime:
    """A step deadline of `workdays` working days from `now` (the role's default), as a UTC instant."""
    return dl.due_instant(cal.add_workdays(dl.local_date(now), workdays)).astimezone(timezone.utc)
