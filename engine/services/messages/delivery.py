"""Delivering a message or a signal to the cases waiting for it (docs/integration.md#messages-and-signals).

A message goes to the ONE running case that waits for it and matches the correlation (case id,
case number, business key): none is 404 `message_not_correlated`, several are 409
`message_ambiguous`. A signal goes to every waiting case, each in its own transaction. The
waiting cases come from `event_subscription` (kept by every save of a case), so no workflow is
loaded to find them.

Idempotency: the sender's id is reserved in the delivering transaction before the case is locked;
the same id again is answered with the first answer (stored with the reservation), a concurrent
sender of the same id waits for the first one's commit and then reads that answer. A delivery
that failed (not correlated, a script error) leaves no reservation: sending again tries again."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Optional

from engine.bpmn.events import MESSAGE, SIGNAL
from engine.domain import messages as rules
from engine.domain.actor import Actor
from engine.domain.errors import Conflict, LianbanError, NotFound, ValidationError
from engine.services import calendar, cases, catalogue, definitions
from engine.services.accounts import access
from engine.services.cases import parents, progress
from engine.store.uow import Transaction

log = logging.getLogger(__name__)

SENDER_ROLES = ("integration", "admin")
# a signal's waiting cases are read this many at a time (each then delivered in its own
# transaction), so a broadcast to many cases holds no long transaction and no long list
SIGNAL_PAGE = 100
# a message sent to every matching case (all: true) reaches at most this many per request
MAX_ALL = 1000


@dataclass(frozen=True)
class Correlation:
    case_id: Optional[int] = None
    case_number: Optional[str] = None
    business_key: Optional[str] = None
    # variable matches: ((name, canonical value), ...) from rules.check_correlation (Correlation.of)
    variables: tuple = ()

    @classmethod
    def of(cls, case_id: Optional[int] = None, case_number: Optional[str] = None,
           business_key: Optional[str] = None, variables: Optional[dict] = None,
           field_name: str = "correlation") -> "Correlation":
        """With variable matches checked (a 400 names the variable)."""
        return cls(case_id, case_number, business_key,
                   tuple(sorted(rules.check_correlation(variables, field_name).items())))

    def given(self) -> dict:
        out = {k: v for k, v in (("case_id", self.case_id), ("case_number", self.case_number),
                                 ("business_key", self.business_key)) if v is not None}
        if self.variables:
            out["correlation"] = dict(self.variables)
        return out

    def may_start(self) -> bool:
        """Can a message with this correlation start a case? Not when it names a case or its
        variables; a business key is the new case's (Camunda's rule)."""
        return self.case_id is None and self.case_number is None and not self.variables

    def find(self, tx: Transaction, name: str, limit: int) -> list[int]:
        return tx.messages.waiting_cases(MESSAGE, name, case_id=self.case_id, number=self.case_number,
                                         business_key=self.business_key, values=dict(self.variables), limit=limit)


@dataclass
class SignalResult:
    name: str
    signal_id: Optional[str]
    case_ids: list = field(default_factory=list)
    failed: list = field(default_factory=list)       # {"case_id", "code", "message"}

    def to_dict(self) -> dict:
        return {"name": self.name, "signal_id": self.signal_id, "count": len(self.case_ids),
                "case_ids": list(self.case_ids), "failed": list(self.failed)}


@dataclass(frozen=True)
class StartAt:
    """What a case started by a message (a message start event) needs besides the message: the
    window that receives it (where its clock and routing start; the sender must hold a post there,
    as a clerk starting a case must), the applicant, and the item when several run the process.
    `fields`: how the caller's request names the three, for the errors."""
    window_id: Optional[int] = None
    applicant: Optional[dict] = None
    item_code: Optional[str] = None
    fields: tuple = ("window_id", "applicant", "item_code")


def send_message(ctx, actor: Actor, name: str, message_id: Optional[str], correlation: Correlation,
                 variables: Optional[dict] = None, *, require_id: bool = True, start: Optional[StartAt] = None) -> dict:
    """Deliver a message to the one case waiting for it, or start a case of the one published
    process whose message start event has this name; the answer: the case (id, number, status,
    version), the elements that caught it, the tasks open now, and `started` when it started it."""
    access.require_role(actor, *SENDER_ROLES)
    name = rules.check_name(name)
    message_id = rules.check_message_id(message_id, required=require_id)
    variables = rules.check_variables(variables)
    start = start or StartAt()
    given = correlation.given()
    request = rules.request_hash(MESSAGE, name, {**given, **_start_given(start)}, variables)
    if message_id is not None:
        earlier = _earlier(ctx, MESSAGE, message_id, request)
        if earlier is not None:
            return earlier
    try:
        with ctx.uow.begin() as tx:
            now = ctx.clock.now()
            if message_id is not None:
                tx.messages.claim(MESSAGE, message_id, name, request, actor.staff_id, now)
            answer = _correlate_one(ctx, tx, actor, name, message_id, correlation, start, variables, now)
            if message_id is not None:
                tx.messages.answer(MESSAGE, message_id, answer)
            return answer
    except Conflict as exc:
        if exc.code != "message_id_in_use":
            raise
    # another request with this id was delivering at the same moment: its answer is ours
    earlier = _earlier(ctx, MESSAGE, message_id, request)
    if earlier is None:
        raise Conflict("a message with this id is being delivered; send it again", code="message_id_in_use",
                       field="message_id")
    return earlier


def _correlate_one(ctx, tx: Transaction, actor: Actor, name: str, message_id: Optional[str],
                   correlation: Correlation, start: StartAt, variables: dict, now) -> dict:
    """In the delivering transaction: the one waiting case, or the case the message starts."""
    given = correlation.given()
    case_ids = correlation.find(tx, name, limit=2)
    starts = _startable(ctx, tx, name) if correlation.may_start() else []
    if starts:
        return _start_by_message(ctx, tx, actor, name, message_id, starts, case_ids, start,
                                 correlation.business_key, variables, now)
    if not case_ids:
        raise NotFound(f"no running case waits for message {name!r}" + (f" with {_describe(given)}" if given else ""),
                       code="message_not_correlated", field="name")
    if len(case_ids) > 1:
        raise Conflict(f"several running cases wait for message {name!r}"
                       + (f" with {_describe(given)}" if given else "")
                       + "; correlate with a case number, business key, case id or variables, "
                         "or send it to all of them (all: true)",
                       code="message_ambiguous", field="name", detail={"case_ids": case_ids})
    return _deliver_locked(ctx, tx, actor, case_ids[0], MESSAGE, name, message_id, variables, now)


def correlate_all(ctx, actor: Actor, name: str, correlation: Correlation, variables: Optional[dict] = None,
                  message_id: Optional[str] = None) -> dict:
    """Camunda's correlateAll (`all: true`): the message to every matching waiting case (at most
    MAX_ALL), each in its own transaction; a case where it fails is listed in `failed` and keeps
    waiting. NotFound when no case waits. With a message id, a resend gets the first answer; the
    id is reserved before the deliveries start (a resend meanwhile: message_id_in_use)."""
    access.require_role(actor, *SENDER_ROLES)
    name = rules.check_name(name)
    message_id = rules.check_message_id(message_id, required=False)
    variables = rules.check_variables(variables)
    given = correlation.given()
    request = rules.request_hash(MESSAGE, name, {**given, "all": True}, variables)
    if message_id is not None:
        earlier = _earlier(ctx, MESSAGE, message_id, request)
        if earlier is not None:
            return earlier
    with ctx.uow.read() as tx:
        case_ids = correlation.find(tx, name, limit=MAX_ALL)
    if not case_ids:
        raise NotFound(f"no running case waits for message {name!r}" + (f" with {_describe(given)}" if given else ""),
                       code="message_not_correlated", field="name")
    if message_id is not None:
        earlier = _reserve(ctx, actor, MESSAGE, message_id, name, request)
        if earlier is not None:
            return earlier
    results, failed = [], []
    for case_id in case_ids:
        try:
            with ctx.uow.begin() as tx:
                answer = _deliver_locked(ctx, tx, actor, case_id, MESSAGE, name, message_id, variables,
                                         ctx.clock.now(), missing_ok=True)
            if answer is not None:
                results.append(answer)
        except LianbanError as exc:            # this case's transaction rolled back; the others go on
            log.warning("message %s to case %s failed: %s", name, case_id, exc)
            failed.append({"case_id": case_id, "code": exc.code, "message": exc.message})
    answer = {"name": name, "message_id": message_id, "count": len(results),
              "case_ids": [a["case_id"] for a in results], "results": results, "failed": failed}
    if message_id is not None:
        with ctx.uow.begin() as tx:
            tx.messages.answer(MESSAGE, message_id, answer)
    return answer


def send_signal(ctx, actor: Actor, name: str, signal_id: Optional[str], variables: Optional[dict] = None,
                *, require_id: bool = True) -> dict:
    """Broadcast a signal to every running case waiting for it, each case in its own transaction
    (one that fails is reported in `failed` and left waiting); the answer: how many and which."""
    access.require_role(actor, *SENDER_ROLES)
    name = rules.check_name(name)
    signal_id = rules.check_message_id(signal_id, field="signal_id", required=require_id)
    variables = rules.check_variables(variables)
    request = rules.request_hash(SIGNAL, name, {}, variables)
    if signal_id is not None:
        earlier = _earlier(ctx, SIGNAL, signal_id, request)
        if earlier is not None:
            return earlier
        try:
            with ctx.uow.begin() as tx:        # reserve the id first: a resend during the broadcast waits or reads
                tx.messages.claim(SIGNAL, signal_id, name, request, actor.staff_id, ctx.clock.now())
        except Conflict:
            earlier = _earlier(ctx, SIGNAL, signal_id, request)
            if earlier is None:
                raise Conflict("a signal with this id is being delivered", code="message_id_in_use",
                               field="signal_id") from None
            return earlier
    result = SignalResult(name, signal_id)
    cursor = 0
    while True:
        with ctx.uow.read() as tx:
            page = tx.messages.signal_waiters(name, cursor, SIGNAL_PAGE)
        for case_id in page:
            _signal_one(ctx, actor, case_id, name, signal_id, variables, result)
        if len(page) < SIGNAL_PAGE:
            break
        cursor = page[-1]
    answer = result.to_dict()
    if signal_id is not None:
        with ctx.uow.begin() as tx:
            tx.messages.answer(SIGNAL, signal_id, answer)
    return answer


def _signal_one(ctx, actor, case_id, name, signal_id, variables, result: SignalResult) -> None:
    try:
        with ctx.uow.begin() as tx:
            answer = _deliver_locked(ctx, tx, actor, case_id, SIGNAL, name, signal_id, variables, ctx.clock.now(),
                                     missing_ok=True)
        if answer is not None:
            result.case_ids.append(case_id)
    except LianbanError as exc:            # this case's transaction rolled back; the others go on
        log.warning("signal %s to case %s failed: %s", name, case_id, exc)
        result.failed.append({"case_id": case_id, "code": exc.code, "message": exc.message})


def _deliver_locked(ctx, tx: Transaction, actor: Actor, case_id: int, kind: str, name: str,
                    sender_id: Optional[str], variables: dict, now, missing_ok: bool = False) -> Optional[dict]:
    case = tx.cases.lock(case_id)
    return deliver_to_case(ctx, tx, actor, case, kind, name, sender_id, variables, now, missing_ok=missing_ok)


def deliver_to_case(ctx, tx: Transaction, actor: Actor, case, kind: str, name: str, sender_id: Optional[str],
                    variables: dict, now, missing_ok: bool = False, audit: Optional[dict] = None) -> Optional[dict]:
    """Deliver to a case whose lock the caller holds; the answer (None when it does not wait and
    `missing_ok`). `audit`: more of what the trail's event says (the throwing case of a signal)."""
    if case.status != "running":
        if missing_ok:
            return None
        raise NotFound(f"case {case.number} is {case.status}", code="message_not_correlated", field="name")
    if tx.messages.is_package_parent(case.id):
        # a 一件事 parent waits for its children: its result is theirs (docs/packages.md), never a sender's
        if missing_ok:
            return None
        raise Conflict(f"case {case.number} is a 一件事 parent: it ends when its children do",
                       code="message_to_package_parent", field="name")
    progress.load_workflow(ctx, tx, case)
    caught = ctx.runtime.deliver(case.workflow, kind, name, variables, ctx.clock, calendar.current(ctx, tx),
                                 ctx.settings.start_day_convention)
    if not caught:         # the subscription row and the workflow disagree: never act on a guess
        if missing_ok:
            return None
        raise NotFound(f"case {case.number} does not wait for {kind} {name!r}", code="message_not_correlated",
                       field="name")
    case.audit.add(f"{kind}_received", actor, now, {
        "name": name, "id": sender_id, "elements": caught, "variables": sorted(variables), **(audit or {})})
    progress.save(ctx, tx, case, actor, now)
    parents.after_child_step(ctx, tx, case, actor, now)          # a 一件事 child that this ended
    open_tasks = [{"id": rt.id, "element": rt.spec_id, "name": rt.name}
                  for rt in ctx.runtime.ready_user_tasks(case.workflow)]
    return {"case_id": case.id, "case_number": case.number, "status": case.status, "version": case.version,
            "name": name, "caught_by": caught, "tasks": open_tasks}


def _start_given(start: StartAt) -> dict:
    return {k: v for k, v in (("window_id", start.window_id), ("applicant", start.applicant),
                              ("item_code", start.item_code)) if v is not None}


def _startable(ctx, tx: Transaction, name: str) -> list[tuple[str, int]]:
    """(process key, definition id) of each process whose LATEST version has a message start
    event of this name (an older version's start does not count: cases start on the latest)."""
    out = []
    for key, definition_id, _element in tx.messages.starts(name):
        latest = definitions.latest(ctx, tx, key)
        if latest is not None and latest.id == definition_id and (key, definition_id) not in out:
            out.append((key, definition_id))
    return out


def _start_by_message(ctx, tx: Transaction, actor: Actor, name: str, message_id: Optional[str], starts: list,
                      case_ids: list, start: StartAt, business_key: Optional[str], variables: dict, now) -> dict:
    """Start a case of the one process this message starts (docs/integration.md#message-start-events),
    in the caller's transaction, and hand it the message (its start event waits for it)."""
    keys = [key for key, _ in starts]
    if len(starts) > 1 or case_ids:
        what = (f"starts {len(keys)} processes ({', '.join(keys)})" if len(starts) > 1 else
                f"starts process {keys[0]} and running cases wait for it")
        raise Conflict(f"message {name!r} {what}: correlate with a case, or deploy one start per message name",
                       code="message_start_ambiguous", field="name",
                       detail={"process_keys": keys, "case_ids": list(case_ids)})
    window_field, applicant_field, item_field = start.fields
    item = catalogue.item_of_process(tx, keys[0], start.item_code, item_field)
    if start.window_id is None:
        raise ValidationError(f"message {name!r} starts a case of item {item.code}: name the window that receives it "
                              f"({window_field}; you must hold a post at its unit)", code="window_required",
                              field=window_field)
    if not start.applicant or not isinstance(start.applicant, dict) or not start.applicant.get("name"):
        raise ValidationError(f"message {name!r} starts a case: name its applicant ({applicant_field})",
                              code="applicant_required", field=applicant_field)
    started = cases.start_case(ctx, cases.StartCase(item.code, start.window_id, dict(start.applicant),
                                                    dict(variables), "window", business_key=business_key),
                               actor, tx=tx)
    answer = _deliver_locked(ctx, tx, actor, started.case_id, MESSAGE, name, message_id, variables, now)
    return {**answer, "started": True, "business_key": business_key}


def _reserve(ctx, actor: Actor, kind: str, sender_id: str, name: str, request: str) -> Optional[dict]:
    """Reserve a broadcast's id in a transaction of its own, before the deliveries start; the
    earlier answer when the id was used (a resend), Conflict while that one is still running."""
    try:
        with ctx.uow.begin() as tx:
            tx.messages.claim(kind, sender_id, name, request, actor.staff_id, ctx.clock.now())
        return None
    except Conflict:
        field_name = "message_id" if kind == MESSAGE else "signal_id"
        earlier = _earlier(ctx, kind, sender_id, request)
        if earlier is None:
            raise Conflict(f"a {kind} with this id is being delivered", code="message_id_in_use",
                           field=field_name) from None
        return earlier


def _earlier(ctx, kind: str, sender_id: str, request: str) -> Optional[dict]:
    with ctx.uow.read() as tx:
        row = tx.messages.delivery(kind, sender_id)
    if row is None:
        return None
    if row.request != request:
        field_name = "message_id" if kind == MESSAGE else "signal_id"
        raise Conflict(f"this {field_name} was used for a different {kind}", code="message_id_reused",
                       field=field_name)
    if not row.response:
        raise Conflict(f"a {kind} with this id is being delivered; send it again", code="message_id_in_use",
                       field="message_id" if kind == MESSAGE else "signal_id")
    return row.response


def _describe(given: dict) -> str:
    return ", ".join(f"{k} {v!r}" for k, v in given.items())
