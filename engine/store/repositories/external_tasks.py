"""External-task rows: what a worker fetches, locks, completes or fails (docs/integration.md).

A task is available to fetchAndLock when it is open, has retries left (None: never failed) and
no live lock (none, or expired: a worker that died gives its tasks back by letting the lock run
out; a failure's retryTimeout is a lock nobody holds). On PostgreSQL concurrent fetches skip each
other's rows (FOR UPDATE SKIP LOCKED), so no task is handed to two workers; SQLite has one writer."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Optional

from sqlalchemy import and_, bindparam, func, or_, select, update

from engine.store import doorbell
from engine.store import tables as t
from engine.store.repositories.base import Repository

_X = t.external_task.c
_COLUMNS = (_X.id, _X.case_id, _X.task_id, _X.element_id, _X.process_key, _X.topic, _X.priority, _X.variables,
            _X.state, _X.retries, _X.lock_owner, _X.lock_expires_at, _X.error_message, _X.error_details,
            _X.created_at, _X.completed_at, _X.completed_by)
_CANCEL = (update(t.external_task)
           .where(_X.case_id == bindparam("cid"), _X.task_id == bindparam("tid"), _X.state == "open")
           .values(state="cancelled"))


_OPEN_INCIDENT = select(t.incident.c.id).where(t.incident.c.external_task_id == _X.id, t.incident.c.state == "open")


def _available(now: datetime):
    return and_(_X.state == "open", or_(_X.retries.is_(None), _X.retries > 0),
                or_(_X.lock_expires_at.is_(None), _X.lock_expires_at <= now))


class ExternalTasks(Repository):
    __slots__ = ()

    # --- the workflow's side (the case's save) ---------------------------------------------------

    def open_many(self, rows: list[dict]) -> None:
        if rows:
            self.conn.execute(t.external_task.insert(), rows)
            doorbell.ring_on_commit(self.conn, (row["topic"] for row in rows))    # long polls wake up

    def cancel(self, case_id: int, task_ids: Iterable[str]) -> None:
        """Tasks the workflow left without a worker completing them (a boundary event, the case withdrawn)."""
        params = [{"cid": case_id, "tid": tid} for tid in task_ids]
        if params:
            self.conn.execute(_CANCEL, params)

    def cancel_case(self, case_id: int) -> None:
        self.conn.execute(update(t.external_task).where(_X.case_id == case_id, _X.state == "open")
                          .values(state="cancelled"))

    # --- the worker's side ---------------------------------------------------------------------

    def fetch_and_lock(self, topic: str, limit: int, worker: str, expires_at: datetime, now: datetime,
                       by_priority: bool, process_keys: Optional[list[str]] = None) -> list:
        """Lock up to `limit` available tasks of `topic` for `worker`; returns their rows."""
        order = (_X.priority.desc(), _X.id) if by_priority else (_X.id,)
        pick = select(_X.id).where(_X.topic == topic, _available(now))
        if process_keys:
            pick = pick.where(_X.process_key.in_(process_keys))
        pick = pick.order_by(*order).limit(limit)
        if self.postgres:
            pick = pick.with_for_update(skip_locked=True)
        ids = list(self.conn.execute(pick).scalars())
        if not ids:
            return []
        self.conn.execute(update(t.external_task).where(_X.id.in_(ids))
                          .values(lock_owner=worker, lock_expires_at=expires_at))
        rows = self.conn.execute(select(*_COLUMNS).where(_X.id.in_(ids))).all()
        position = {task_id: i for i, task_id in enumerate(ids)}
        return sorted(rows, key=lambda r: position[r.id])

    def get(self, task_id: int, lock: bool = False):
        query = select(*_COLUMNS).where(_X.id == task_id)
        if lock and self.postgres:
            query = query.with_for_update()
        return self.conn.execute(query).first()

    def case_of(self, task_id: int) -> Optional[int]:
        return self.conn.execute(select(_X.case_id).where(_X.id == task_id)).scalar()

    def close(self, task_id: int, state: str, worker: str, now: datetime) -> None:
        """The worker's outcome moved the workflow on: `completed`, or `bpmn_error` (caught)."""
        self.conn.execute(update(t.external_task).where(_X.id == task_id)
                          .values(state=state, completed_at=now, completed_by=worker, lock_owner=None,
                                  lock_expires_at=None))

    def fail(self, task_id: int, retries: int, message: Optional[str], details: Optional[str],
             available_at: Optional[datetime], now: Optional[datetime] = None) -> None:
        """A worker's failure: `retries` left; the task is fetchable again at `available_at` (a
        long poll is woken when that is `now`; a later time is found by the waiters' poll)."""
        topic = self.conn.execute(update(t.external_task).where(_X.id == task_id)
                                  .values(retries=retries, error_message=message, error_details=details,
                                          lock_owner=None, lock_expires_at=available_at)
                                  .returning(_X.topic)).scalar()
        if retries > 0 and topic is not None and now is not None and available_at is not None and available_at <= now:
            doorbell.ring_on_commit(self.conn, [topic])

    def extend_lock(self, task_id: int, expires_at: datetime) -> None:
        self.conn.execute(update(t.external_task).where(_X.id == task_id).values(lock_expires_at=expires_at))

    def unlock(self, task_id: int) -> None:
        self._available_now(update(t.external_task).where(_X.id == task_id)
                            .values(lock_owner=None, lock_expires_at=None))

    def set_retries(self, task_id: int, retries: int) -> None:
        self._available_now(update(t.external_task).where(_X.id == task_id)
                            .values(retries=retries, lock_owner=None, lock_expires_at=None))

    def _available_now(self, stmt) -> None:
        topic = self.conn.execute(stmt.returning(_X.topic)).scalar()
        if topic is not None:
            doorbell.ring_on_commit(self.conn, [topic])

    def any_available(self, topics: list[str], now: datetime) -> bool:
        """Whether one of `topics` has an available task: the long poll's cheap look, a read."""
        return self.conn.execute(select(_X.id).where(_X.topic.in_(topics), _available(now)).limit(1)).first() \
            is not None

    # --- reading -------------------------------------------------------------------------------

    def listing(self, *, topic: Optional[str] = None, case_id: Optional[int] = None, state: Optional[str] = None,
                locked: Optional[bool] = None, now: Optional[datetime] = None, offset: int = 0,
                limit: Optional[int] = 50, units: Optional[list[int]] = None, worker: Optional[str] = None,
                has_incident: Optional[bool] = None, retries: Optional[int] = None,
                task_id: Optional[int] = None) -> tuple[list, int]:
        """Rows (with `case_number` and their open incident's `incident_id`) and their total, id
        order; `units`: only cases received in these units."""
        equal = {_X.id: task_id, _X.topic: topic, _X.case_id: case_id, _X.state: state, _X.lock_owner: worker,
                 _X.retries: retries}
        where = [column == value for column, value in equal.items() if value is not None]
        if locked is not None and now is not None:
            live = and_(_X.lock_owner.is_not(None), _X.lock_expires_at > now)
            where.append(live if locked else ~live)
        if has_incident is not None:
            where.append(_OPEN_INCIDENT.exists() if has_incident else ~_OPEN_INCIDENT.exists())
        if units is not None:
            where.append(_X.case_id.in_(select(t.case.c.id).where(t.case.c.origin_org_unit_id.in_(units))))
        total = self.conn.execute(select(func.count()).select_from(t.external_task).where(*where)).scalar()
        query = (select(*_COLUMNS, t.case.c.number.label("case_number"),
                        _OPEN_INCIDENT.limit(1).scalar_subquery().label("incident_id"))
                 .join(t.case, t.case.c.id == _X.case_id).where(*where).order_by(_X.id).offset(offset))
        if limit is not None:
            query = query.limit(limit)
        return self.conn.execute(query).all(), total

    def by_topic(self, now: datetime, units: Optional[list[int]] = None) -> list:
        """Open tasks per topic: how many are available, locked by a worker, waiting out a
        retryTimeout, out of retries; the oldest creation and the next lock expiry."""
        live = and_(_X.lock_owner.is_not(None), _X.lock_expires_at > now)
        backing_off = and_(_X.lock_owner.is_(None), _X.lock_expires_at > now)
        query = (select(_X.topic, func.count().label("open"),
                        func.count().filter(_available(now)).label("available"),
                        func.count().filter(live).label("locked"),
                        func.count().filter(backing_off, _X.retries > 0).label("backing_off"),
                        func.count().filter(_X.retries == 0).label("out_of_retries"),
                        func.count(func.distinct(_X.lock_owner)).filter(live).label("workers"),
                        func.min(_X.created_at).label("oldest"),
                        func.min(_X.lock_expires_at).filter(live).label("next_expiry"))
                 .where(_X.state == "open").group_by(_X.topic).order_by(_X.topic))
        if units is not None:
            query = query.where(_X.case_id.in_(select(t.case.c.id).where(t.case.c.origin_org_unit_id.in_(units))))
        return self.conn.execute(query).all()
