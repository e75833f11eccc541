"""Tables. Mapping only: no behaviour lives here (domain rules are in engine/domain)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Optional

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JSONType = JSON().with_variant(JSONB(), "postgresql")
# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
BigId = BigInteger().with_variant(Integer(), "sqlite")
class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on every backend. SQLite keeps no offset, so
    a Beijing-time value stored as is would come back eight hours off: convert on the way in."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored (time is tz-aware everywhere)")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


UTC = UTCDateTime()


class Base(DeclarativeBase):
    pass


class OrgUnit(Base):
    __tablename__ = "org_unit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("org_unit.id"))
    # materialised path "/1/4/9/" so a supervisor's subtree is one indexed prefix match
    path: Mapped[str] = mapped_column(String(400), index=True)
    # never deleted (closed cases keep pointing at it): an administrator deactivates it instead
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class Department(Base):
    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("org_unit_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    code: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class Hall(Base):
    __tablename__ = "hall"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))  # service_center | convenience_center | convenience_station
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    # its opening hours (docs/time-limits.md#deemed-receipt), one or the other: `closes_at` "HH:MM"
    # Beijing time (the simple form: what arrives later on a working day counts from the next one),
    # or `hours`, seasons of weekday rules (engine/domain/hall_hours.py)
    closes_at: Mapped[Optional[str]] = mapped_column(String(5))
    hours: Mapped[Optional[list]] = mapped_column(JSONType)


class Window(Base):
    __tablename__ = "window"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("department.id"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))  # comprehensive | proxy | pickup | department
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class Role(Base):
    """A post role (综合受理, 审查, …) that BPMN routing targets `tier:role[@department]` name.
    Data, so an administrator can add one; seeded with the seven built-in roles by migration 0011."""
    __tablename__ = "role"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    description: Mapped[Optional[str]] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class Staff(Base):
    """An account: staff (roles per window via posts), an applicant, or a service account.
    System roles (admin, designer) are held by the account itself."""
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[Optional[str]] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    kind: Mapped[str] = mapped_column(String(16), default="staff")        # staff | applicant | service
    roles: Mapped[list] = mapped_column(JSONType, default=list)          # admin, designer
    staff_no: Mapped[Optional[str]] = mapped_column(String(32))         # 工号 (migration 0015; 好差评)


class ApiToken(Base):
    """Bearer tokens: login sessions (expire) and service-account tokens; stored as SHA-256."""
    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))          # session | service
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTC)
    expires_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTC)


class LoginThrottle(Base):
    """Failed logins counted per account name and per client address (docs/security.md): after
    too many in a window the key is locked until `locked_until`, each lockout twice as long as
    the one before. Kept in the database so that every API process sees the same lockout."""
    __tablename__ = "login_throttle"
    scope: Mapped[str] = mapped_column(String(8), primary_key=True)         # account | address
    subject: Mapped[str] = mapped_column(String(128), primary_key=True)     # a username as typed, an IP address
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTC)
    locked_until: Mapped[Optional[datetime]] = mapped_column(UTC)
    lockouts: Mapped[int] = mapped_column(Integer, default=0)


class SecurityVersion(Base):
    """One counter raised by every change that must end sessions at once (a token revoked, an
    account deactivated, its roles or password changed): each process compares it with the value
    its token cache was filled under, one primary-key read per request."""
    __tablename__ = "security_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class IdempotencyKey(Base):
    """A completed request's result, so that a retried request with the same key is answered
    with it instead of acting twice."""
    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("account_id", "key"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    key: Mapped[str] = mapped_column(String(128))
    request: Mapped[str] = mapped_column(String(64))       # hash of method, path and body
    response: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTC)


class StaffPost(Base):
    """A role a staff member holds at a window (and so at that window's org unit), from valid_from
    until valid_to. An ended post stays (who held which post when); only current ones
    (valid_to IS NULL) route tasks and authorise."""
    __tablename__ = "staff_post"
    __table_args__ = (
        # one current post per staff, window and role; ended ones may repeat it
        Index("uq_staff_post_current", "staff_id", "window_id", "role", unique=True,
              sqlite_where=text("valid_to IS NULL"), postgresql_where=text("valid_to IS NULL")),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("window.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("department.id"))
    role: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[Optional[datetime]] = mapped_column(UTC)     # None: held before history was kept
    valid_to: Mapped[Optional[datetime]] = mapped_column(UTC)       # None: current


class ServiceItem(Base):
    """基本目录: a basic catalogue item. Name, legal basis, category and code are shared by every
    implementation of it at every tier (四级四同); lower tiers add implementation fields only."""
    __tablename__ = "service_item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)       # 基本编码
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32))                # licensing | public_service | ...
    legal_basis: Mapped[str] = mapped_column(Text)                   # 设定依据
    power_source: Mapped[Optional[str]] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTC)
    updated_at: Mapped[datetime] = mapped_column(UTC)


class ItemImplementation(Base):
    """实施清单: one implementing body's entry for a basic item, versioned draft → published →
    retired. A case references the exact version it started with."""
    __tablename__ = "item_implementation"
    __table_args__ = (
        UniqueConstraint("code", "version"),
        # at most one published version per implementation code
        Index("uq_item_implementation_published", "code", unique=True,
              sqlite_where=text("status = 'published'"), postgresql_where=text("status = 'published'")),
        Index("ix_item_implementation_local_code", "local_code"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("service_item.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))                    # 实施编码 (31 chars, USCC prefix)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="published")   # draft | published | retired
    local_code: Mapped[Optional[str]] = mapped_column(String(64))    # 地方实施编码
    handling_item_code: Mapped[Optional[str]] = mapped_column(String(50))  # 业务办理项编码
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32))
    process_key: Mapped[str] = mapped_column(String(128))
    deciding_tier: Mapped[str] = mapped_column(String(16))
    # the implementing body (实施主体) and how the item reached its tier
    org_unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("org_unit.id"))
    body_name: Mapped[Optional[str]] = mapped_column(String(200))
    body_uscc: Mapped[Optional[str]] = mapped_column(String(18))
    tier: Mapped[Optional[str]] = mapped_column(String(16))
    delegation_mode: Mapped[Optional[str]] = mapped_column(String(16))   # devolved | entrusted | extended | pushed_down
    entrusting_department: Mapped[Optional[str]] = mapped_column(String(200))
    accepting_tiers: Mapped[list] = mapped_column(JSONType, default=list)
    deciding_department: Mapped[Optional[str]] = mapped_column(String(32))
    # time limits (法定/承诺办结时限) with their unit; the one extension the law allows
    legal_limit: Mapped[Optional[int]] = mapped_column(Integer)
    legal_unit: Mapped[str] = mapped_column(String(16), default="workday")
    promise_limit: Mapped[Optional[int]] = mapped_column(Integer)
    promise_unit: Mapped[str] = mapped_column(String(16), default="workday")
    extension_limit: Mapped[Optional[int]] = mapped_column(Integer)
    project_type: Mapped[str] = mapped_column(String(16), default="promised")   # instant | promised
    # channels and depth (docs/catalogue.md#implementation-list-elements)
    onsite_visits: Mapped[Optional[int]] = mapped_column(Integer)        # 到办事现场次数
    handle_forms: Mapped[list] = mapped_column(JSONType, default=list)   # window | online | mail
    online_depth: Mapped[Optional[int]] = mapped_column(Integer)         # 1..4 (Ⅳ = 全程网办)
    mobile: Mapped[bool] = mapped_column(Boolean, default=False)
    express: Mapped[bool] = mapped_column(Boolean, default=False)        # 是否支持物流快递
    pay_online: Mapped[bool] = mapped_column(Boolean, default=False)
    fee_required: Mapped[bool] = mapped_column(Boolean, default=False)
    fee_basis: Mapped[Optional[str]] = mapped_column(Text)
    fees: Mapped[list] = mapped_column(JSONType, default=list)
    materials: Mapped[list] = mapped_column(JSONType, default=list)
    tolerant_acceptance: Mapped[bool] = mapped_column(Boolean, default=False)   # on the 容缺 list
    application_form: Mapped[Optional[str]] = mapped_column(String(255))
    guide: Mapped[dict] = mapped_column(JSONType, default=dict)          # 办事指南 texts
    attrs: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    published_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    retired_at: Mapped[Optional[datetime]] = mapped_column(UTC)


class Deployment(Base):
    __tablename__ = "deployment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    deployed_at: Mapped[datetime] = mapped_column(UTC)
    deployed_by: Mapped[Optional[str]] = mapped_column(String(64))
    source: Mapped[Optional[str]] = mapped_column(String(255))    # Camunda's deployment-source (migration 0014)


class DeploymentResource(Base):
    __tablename__ = "deployment_resource"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(8))  # bpmn | dmn
    checksum: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)


class ProcessDefinition(Base):
    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version"),
                      Index("ix_process_definition_key_checksum", "key", "checksum"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(128))
    name: Mapped[Optional[str]] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    checksum: Mapped[str] = mapped_column(String(64))
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"))
    resource_name: Mapped[str] = mapped_column(String(255))
    spec: Mapped[str] = mapped_column(Text)       # serialized spec + called process specs, stored once per version
    user_tasks: Mapped[list] = mapped_column(JSONType, default=list)  # [{id, name, candidate_groups, ...}]
    created_at: Mapped[datetime] = mapped_column(UTC)
    # --- forms (migration 0008): the JSON Schemas this version uses, snapshotted at deploy so a
    # later edit of forms/ never changes a running version; NULL = deployed before forms were checked
    forms: Mapped[Optional[dict]] = mapped_column(JSONType)          # {form key: schema}
    start_form: Mapped[Optional[str]] = mapped_column(String(128))   # the start event's form key


class Case(Base):
    # PostgreSQL keeps 30 % of each page of this table free (migration 0032, fillfactor 70): every
    # command rewrites its case's row, and a new version on the same page updates no index
    __tablename__ = "case"
    __table_args__ = (
        # partial: only carded cases are in it, so the common write (no card) never touches it
        Index("ix_case_warning_unit", "status", "warning", "origin_org_unit_id",
              sqlite_where=text("warning != 'none'"), postgresql_where=text("warning != 'none'")),
        Index("ix_case_status_promise_due", "status", "promise_due"),    # also serves status alone
        # partial (migration 0010): most cases have neither, and a new case then adds no entry
        Index("ix_case_applicant_account_id", "applicant_account_id",
              sqlite_where=text("applicant_account_id IS NOT NULL"),
              postgresql_where=text("applicant_account_id IS NOT NULL")),
        Index("ix_case_parent_case_id", "parent_case_id",
              sqlite_where=text("parent_case_id IS NOT NULL"), postgresql_where=text("parent_case_id IS NOT NULL")),
        # messages correlated by business key (migration 0017); partial: most cases have none
        Index("ix_case_business_key", "business_key",
              sqlite_where=text("business_key IS NOT NULL"), postgresql_where=text("business_key IS NOT NULL")),
        # the supervisor dashboard (migration 0012): its counts come from these indexes alone
        Index("ix_case_running_unit", "origin_org_unit_id", "warning", "origin_window_id", "created_by",
              sqlite_where=text("status = 'running'"), postgresql_where=text("status = 'running'")),
        Index("ix_case_completed_at", "completed_at", "origin_org_unit_id", "promise_due", "legal_due",
              sqlite_where=text("status = 'completed'"), postgresql_where=text("status = 'completed'")),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item_implementation.id"))
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    origin_window_id: Mapped[int] = mapped_column(ForeignKey("window.id"))
    origin_org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    applicant: Mapped[dict] = mapped_column(JSONType)
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_account_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))
    status: Mapped[str] = mapped_column(String(16))  # running | completed | withdrawn
    stage: Mapped[Optional[str]] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(Text)       # workflow JSON WITHOUT the spec
    version: Mapped[int] = mapped_column(Integer)
    audit_seq: Mapped[int] = mapped_column(Integer)
    audit_head: Mapped[str] = mapped_column(String(64))
    next_timer_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    created_at: Mapped[datetime] = mapped_column(UTC)
    updated_at: Mapped[datetime] = mapped_column(UTC)
    completed_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    created_by: Mapped[Optional[str]] = mapped_column(String(64))
    # --- the legal clock (受理 starts it; pauses, one extension; yellow/red cards) ------------
    # pre_acceptance | running | paused | stopped
    clock_status: Mapped[str] = mapped_column(String(16), default="pre_acceptance")
    accepted_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    deemed_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    convention: Mapped[str] = mapped_column(String(16), default="exclude_start")
    # deemed receipt (docs/time-limits.md#deemed-receipt): the rule the case is counted under, and
    # the working day a receipt / an acceptance on a non-working day was moved to (None: not moved)
    receipt_rule: Mapped[str] = mapped_column(String(16), default="next_workday", server_default="as_received")
    deemed_received_on: Mapped[Optional[date]] = mapped_column(Date)
    # what the receiving hall's hours said of the receipt: verdict, season and rule (hall_hours.Receipt)
    receipt_hours: Mapped[Optional[dict]] = mapped_column(JSONType)
    deemed_accepted_on: Mapped[Optional[date]] = mapped_column(Date)
    legal_limit: Mapped[Optional[int]] = mapped_column(Integer)
    legal_unit: Mapped[str] = mapped_column(String(16), default="workday")
    promise_limit: Mapped[Optional[int]] = mapped_column(Integer)
    promise_unit: Mapped[str] = mapped_column(String(16), default="workday")
    extension_limit: Mapped[Optional[int]] = mapped_column(Integer)
    extension_amount: Mapped[int] = mapped_column(Integer, default=0)
    acceptance_due: Mapped[Optional[datetime]] = mapped_column(UTC)   # 补正告知 deadline before acceptance
    promise_due: Mapped[Optional[datetime]] = mapped_column(UTC)
    legal_due: Mapped[Optional[datetime]] = mapped_column(UTC)
    warning: Mapped[str] = mapped_column(String(8), default="none")    # none | yellow | red
    calendar_version: Mapped[Optional[int]] = mapped_column(Integer)
    deadline_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    # --- the case's lifecycle (docs/lifecycle.md#states-and-events), driven by the stages of its BPMN tasks ---------
    lifecycle: Mapped[str] = mapped_column(String(24), default="received")
    decision: Mapped[Optional[str]] = mapped_column(String(16))          # granted | refused
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    delivery_method: Mapped[Optional[str]] = mapped_column(String(16))   # pickup | mail | e_licence
    delivery: Mapped[Optional[dict]] = mapped_column(JSONType)           # address, tracking number, licence ref
    delivered_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    parent_case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("case.id"))   # 一件事 package
    # Camunda's businessKey of a case started through /engine-rest (migration 0014)
    business_key: Mapped[Optional[str]] = mapped_column(String(255))


class CasePause(Base):
    """A stretch during which the case's clock does not run (补正, 特别程序, 挂起)."""
    __tablename__ = "case_pause"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))          # supplement | special_procedure | hold
    procedure: Mapped[Optional[str]] = mapped_column(String(24))   # hearing, testing, appraisal, ...
    reason: Mapped[str] = mapped_column(String(500))
    notice: Mapped[str] = mapped_column(String(500))       # the written notice sent to the applicant
    started_at: Mapped[datetime] = mapped_column(UTC)
    started_by: Mapped[str] = mapped_column(String(64))
    ended_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    ended_by: Mapped[Optional[str]] = mapped_column(String(64))
    result: Mapped[Optional[str]] = mapped_column(String(500))


class CaseExtension(Base):
    __tablename__ = "case_extension"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)   # the law allows one
    amount: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    approved_by: Mapped[str] = mapped_column(String(64))
    approved_at: Mapped[datetime] = mapped_column(UTC)


class CalendarVersion(Base):
    __tablename__ = "calendar_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTC)
    created_by: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(500))
    years: Mapped[list] = mapped_column(JSONType)


class CalendarYear(Base):
    """Which notice a year's working days come from; the newest version of a year wins."""
    __tablename__ = "calendar_year"
    __table_args__ = (UniqueConstraint("year", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(ForeignKey("calendar_version.id"))
    status: Mapped[str] = mapped_column(String(16))         # official | provisional
    source: Mapped[str] = mapped_column(String(500))


class CalendarDay(Base):
    """A day that differs from the weekday rule: a holiday, or a make-up working day (调休)."""
    __tablename__ = "calendar_day"
    __table_args__ = (UniqueConstraint("version", "day"), Index("ix_calendar_day_year", "year", "version"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(ForeignKey("calendar_version.id"))
    year: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(100))


class Task(Base):
    """Projection of the user tasks of every case: inbox queries read only this table."""
    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_inbox", "routed_org_unit_id", "routed_role", "state", "created_at"),
        # the open tasks someone holds, in inbox order (migration 0010): an unclaimed task never
        # enters it and a completed one leaves it, so most steps do not touch it
        Index("ix_task_assignee", "assignee_id", "created_at",
              sqlite_where=text("state = 'open' AND assignee_id IS NOT NULL"),
              postgresql_where=text("state = 'open' AND assignee_id IS NOT NULL")),
        Index("ix_task_warning_unit", "state", "warning", "routed_org_unit_id",
              sqlite_where=text("warning != 'none'"), postgresql_where=text("warning != 'none'")),
        Index("ix_task_open_unit", "routed_org_unit_id", "warning", "routed_department_id", "assignee_id",
              sqlite_where=text("state = 'open'"), postgresql_where=text("state = 'open'")),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow task UUID
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    spec_id: Mapped[str] = mapped_column(String(128))
    process_key: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16))  # open | completed | cancelled
    candidate_groups: Mapped[Optional[str]] = mapped_column(String(255))
    routed_org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    routed_department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("department.id"))
    routed_role: Mapped[str] = mapped_column(String(32))
    routing_error: Mapped[Optional[str]] = mapped_column(String(500))
    assignee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))
    form_key: Mapped[Optional[str]] = mapped_column(String(255))
    stage: Mapped[Optional[str]] = mapped_column(String(32))
    due_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    created_at: Mapped[datetime] = mapped_column(UTC)
    claimed_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    completed_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    completed_by: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))
    outcome: Mapped[Optional[dict]] = mapped_column(JSONType)
    warning: Mapped[str] = mapped_column(String(8), default="none")     # none | yellow | red (环节超时)


class TaskCandidate(Base):
    """The staff accounts an open task is offered to by name (camunda:candidateUsers): each sees it
    in her inbox and may claim it (docs/camunda-bpmn.md#assignees). Rows live while the task is
    open (claimed or not: handing it back offers it again) and go when it closes, so an inbox
    branch over `ix_task_candidate_staff` reads only the offers that are still open."""
    __tablename__ = "task_candidate"
    __table_args__ = (Index("ix_task_candidate_staff", "staff_id", "created_at"),)
    task_id: Mapped[str] = mapped_column(ForeignKey("task.id"), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTC)         # the task's, in inbox order


class Timer(Base):
    """Every pending wake-up of a case. The scheduler reads only this table to find work."""
    __tablename__ = "timer"
    __table_args__ = (Index("ix_timer_due", "state", "due_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    # bpmn | case_yellow | case_red | step_yellow | step_red | acceptance_due
    kind: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(64))        # SpiffWorkflow task id (bpmn, step_*) or "case"
    element: Mapped[Optional[str]] = mapped_column(String(128))
    due_at: Mapped[datetime] = mapped_column(UTC)
    state: Mapped[str] = mapped_column(String(16))      # pending | fired | cancelled | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[Optional[str]] = mapped_column(Text)
    retry_at: Mapped[Optional[datetime]] = mapped_column(UTC)     # back-off after a failed firing
    locked_by: Mapped[Optional[str]] = mapped_column(String(64))  # the worker that fired it
    fired_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    created_at: Mapped[datetime] = mapped_column(UTC)


class Event(Base):
    """Append-only audit trail, hash-chained per case (system events have case_id NULL)."""
    __tablename__ = "event"
    __table_args__ = (UniqueConstraint("stream", "seq"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    stream: Mapped[str] = mapped_column(String(32))   # "case:<id>" or "system"
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("case.id"))   # read by stream, not case_id
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(48))
    actor: Mapped[Optional[str]] = mapped_column(String(64))
    window_id: Mapped[Optional[int]] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTC)
    payload: Mapped[dict] = mapped_column(JSONType)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # the HTTP request that wrote it (X-Request-Id; docs/operations.md#logs-and-request-ids), chained
    # when present; NULL for events of the timer worker, the CLI and those written before 0023
    request_id: Mapped[Optional[str]] = mapped_column(String(64))


class CaseCounter(Base):
    """Daily serial numbers for case numbers; incremented with a row lock so concurrent starts
    never share a number."""
    __tablename__ = "case_counter"
    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


# --- case lifecycle: documents issued at each step (文书; docs/lifecycle.md#documents) ---------------------

class CaseDocument(Base):
    """A document issued to the applicant (受理通知书, 补正告知书, 决定书, 送达回执 …), rendered
    from a template in the same transaction as the command that caused it. The content is kept
    as issued; its hash is in the audit event of seq `event_seq`."""
    __tablename__ = "case_document"
    __table_args__ = (UniqueConstraint("case_id", "number"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    number: Mapped[str] = mapped_column(String(80))
    format: Mapped[str] = mapped_column(String(8))        # html
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTC)
    created_by: Mapped[Optional[str]] = mapped_column(String(64))
    event_seq: Mapped[int] = mapped_column(Integer)


# --- forms and 一件事 packages (migration 0008) ---------------------------------------------------

class ItemPackage(Base):
    """A "一件事" package (docs/packages.md#domain-rules): one merged form and one material set over several
    implementation entries. Its cases are ordinary `case` rows: the parent runs against the
    package's own implementation entry (category `package`, process `yijianshi_package`) and each
    child has parent_case_id set (docs/packages.md)."""
    __tablename__ = "item_package"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    lead_department: Mapped[str] = mapped_column(String(32))              # 牵头部门 (department code)
    implementation_id: Mapped[int] = mapped_column(ForeignKey("item_implementation.id"))
    members: Mapped[list] = mapped_column(JSONType)       # [{code, name, fields: [form fields it takes]}]
    form: Mapped[dict] = mapped_column(JSONType)          # the merged application form (一表申请)
    materials: Mapped[list] = mapped_column(JSONType)     # the merged material set (一套材料)
    promise_limit: Mapped[int] = mapped_column(Integer)
    promise_unit: Mapped[str] = mapped_column(String(16), default="workday")
    created_at: Mapped[datetime] = mapped_column(UTC)


# --- materials, the applicant's vault (云档案) and mandates (docs/materials.md#domain-rules) ---

class Blob(Base):
    """An uploaded file, stored once per content hash (sha256 hex) whoever uploads it again."""
    __tablename__ = "blob"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(64))        # sniffed from the bytes
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTC)


class ApplicantDocument(Base):
    """A document in an applicant's vault (云档案), reused across her cases. Owned by an applicant
    account and/or by the keyed hash of her ID number (walk-in applicants without an account)."""
    __tablename__ = "applicant_document"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    owner_account_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"), index=True)
    owner_key: Mapped[Optional[str]] = mapped_column(String(64), index=True)    # HMAC of the ID number
    kind: Mapped[str] = mapped_column(String(48))               # id_card | business_licence | ...
    title: Mapped[str] = mapped_column(String(200))
    number: Mapped[Optional[str]] = mapped_column(String(64))   # shown masked only
    issuer: Mapped[Optional[str]] = mapped_column(String(200))
    valid_until: Mapped[Optional[date]] = mapped_column(Date)
    trust_level: Mapped[str] = mapped_column(String(1))         # A | B | C | D
    source: Mapped[str] = mapped_column(String(16))             # e_licence | window | upload | declaration
    blob_sha256: Mapped[Optional[str]] = mapped_column(ForeignKey("blob.sha256"))
    created_at: Mapped[datetime] = mapped_column(UTC)
    created_by: Mapped[str] = mapped_column(String(64))
    verified_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    verified_by: Mapped[Optional[str]] = mapped_column(String(64))


class CaseMaterial(Base):
    """How one material of a case's implementation was satisfied; no row = missing."""
    __tablename__ = "case_material"
    __table_args__ = (UniqueConstraint("case_id", "code"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    code: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(16))               # upload | vault | e_licence | declaration | tolerated
    trust_level: Mapped[Optional[str]] = mapped_column(String(1))
    blob_sha256: Mapped[Optional[str]] = mapped_column(ForeignKey("blob.sha256"))
    filename: Mapped[Optional[str]] = mapped_column(String(255))
    document_id: Mapped[Optional[int]] = mapped_column(ForeignKey("applicant_document.id"))
    declaration: Mapped[Optional[str]] = mapped_column(Text)    # 告知承诺 text (D)
    deadline: Mapped[Optional[date]] = mapped_column(Date)      # 容缺: committed supplement date
    commitment: Mapped[Optional[str]] = mapped_column(Text)     # 容缺受理承诺书
    auto_filled: Mapped[bool] = mapped_column(Boolean, default=False)   # 免证办
    created_at: Mapped[datetime] = mapped_column(UTC)
    created_by: Mapped[str] = mapped_column(String(64))
    verified_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    verified_by: Mapped[Optional[str]] = mapped_column(String(64))


class CaseMandate(Base):
    """代办服务委托书: the applicant (principal) mandates a window agent for a proxy case."""
    __tablename__ = "case_mandate"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    agent_account_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    principal_name: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(16))              # full_proxy | step_help | guidance
    blob_sha256: Mapped[Optional[str]] = mapped_column(ForeignKey("blob.sha256"))
    filename: Mapped[Optional[str]] = mapped_column(String(255))
    document_id: Mapped[Optional[int]] = mapped_column(ForeignKey("applicant_document.id"))
    signed_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTC)
    created_by: Mapped[str] = mapped_column(String(64))


# --- 好差评 (migration 0015, docs/ratings.md) ---------------------------------------------------------
class Rating(Base):
    """One rating of a case (online, 一事一评) or of a visit at a window (on site, 一次一评), bound
    to where and by whom it was served. `rater_account_id` never leaves the service layer to staff."""
    __tablename__ = "rating"
    __table_args__ = (
        # one rating per case and channel (re-ratings of a fix point at their parent)
        Index("uq_rating_case_channel", "case_id", "channel", unique=True,
              sqlite_where=text("parent_id IS NULL AND case_id IS NOT NULL"),
              postgresql_where=text("parent_id IS NULL AND case_id IS NOT NULL")),
        # the figures read this index alone: a unit's month is one range of it (a subtree's
        # units probed one by one; bench/bench_ratings.py)
        Index("ix_rating_figures", "org_unit_id", "created_at", "level", "source", "channel", "rater_account_id",
              "id",
              sqlite_where=text("voided_at IS NULL AND parent_id IS NULL"),
              postgresql_where=text("voided_at IS NULL AND parent_id IS NULL")),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("case.id"))
    visit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("rating_visit.id"), unique=True)
    item_code: Mapped[Optional[str]] = mapped_column(String(31))
    window_id: Mapped[Optional[int]] = mapped_column(ForeignKey("window.id"))
    staff_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))
    hall_id: Mapped[Optional[int]] = mapped_column(ForeignKey("hall.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("department.id"))
    channel: Mapped[str] = mapped_column(String(16))           # online | on_site
    level: Mapped[int] = mapped_column(Integer)
    indicators: Mapped[dict] = mapped_column(JSONType)
    comment: Mapped[Optional[str]] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(16))            # active | default
    scheme_version: Mapped[int] = mapped_column(Integer)
    rater_account_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTC)
    voided_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    void_reason: Mapped[Optional[str]] = mapped_column(String(500))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("rating.id"))


class RatingInvitation(Base):
    """一事一评: the applicant is invited to rate a case once it is 办结; unanswered by `due_at`,
    the default rating is recorded."""
    __tablename__ = "rating_invitation"
    __table_args__ = (Index("ix_rating_invitation_due", "state", "due_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    account_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"), index=True)
    invited_at: Mapped[datetime] = mapped_column(UTC)
    due_at: Mapped[datetime] = mapped_column(UTC)
    state: Mapped[str] = mapped_column(String(16))             # open | rated | defaulted
    rating_id: Mapped[Optional[int]] = mapped_column(BigId)


class RatingVisit(Base):
    """一次一评: a visit a clerk opened at a window, rated once through the window's QR page."""
    __tablename__ = "rating_visit"
    __table_args__ = (Index("ix_rating_visit_window", "window_id", "opened_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("window.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("case.id"))
    opened_at: Mapped[datetime] = mapped_column(UTC)
    expires_at: Mapped[datetime] = mapped_column(UTC)
    rated_at: Mapped[Optional[datetime]] = mapped_column(UTC)


class Rectification(Base):
    """The handling of one 差评 (its ledger row): it follows the review case's steps."""
    __tablename__ = "rectification"
    __table_args__ = (Index("ix_rectification_unit", "org_unit_id", "status"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("rating.id"), unique=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    review_case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("case.id"))
    status: Mapped[str] = mapped_column(String(16))
    path: Mapped[Optional[str]] = mapped_column(String(16))
    due_on: Mapped[Optional[date]] = mapped_column(Date)
    reply: Mapped[Optional[str]] = mapped_column(String(2000))
    replied_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    revisited_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    revisit_note: Mapped[Optional[str]] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTC)


class EventSubscription(Base):
    """A message or signal a running case waits for (engine/bpmn/events.py): written by the save
    that reaches the wait, removed by the save that leaves it, so a sender finds the waiting
    cases without loading a workflow (docs/integration.md#messages-and-signals)."""
    __tablename__ = "event_subscription"
    __table_args__ = (Index("ix_event_subscription_name", "kind", "name", "case_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))             # message | signal
    name: Mapped[str] = mapped_column(String(255))
    element_id: Mapped[str] = mapped_column(String(255))
    task_id: Mapped[str] = mapped_column(String(36))          # the waiting SpiffWorkflow task
    created_at: Mapped[datetime] = mapped_column(UTC)


class EventSubscriptionValue(Base):
    """A scalar variable of a waiting message subscription's task (name, canonical JSON text):
    what a sender correlating by variables is matched against (engine/domain/messages.py)."""
    __tablename__ = "event_subscription_value"
    __table_args__ = (Index("ix_event_subscription_value", "name", "value"),)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("event_subscription.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class MessageStart(Base):
    """A message start event of a deployed version: a message of this name starts a case of it
    (docs/integration.md#message-start-events). Written at deploy."""
    __tablename__ = "message_start"
    __table_args__ = (Index("ix_message_start_name", "name", "definition_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    process_key: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(255))
    element_id: Mapped[str] = mapped_column(String(255))


class StartSchedule(Base):
    """A timer start event of a deployed version: the schedule that starts a new case at each of
    its times (docs/camunda-bpmn.md#timer-start-events). Written inactive at deploy; activated by
    naming the receiving window; a newer version of the process replaces it (status `replaced`)."""
    __tablename__ = "start_schedule"
    __table_args__ = (UniqueConstraint("definition_id", "element_id"),
                      Index("ix_start_schedule_due", "status", "next_due_at"),
                      Index("ix_start_schedule_key", "process_key"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    process_key: Mapped[str] = mapped_column(String(128))
    element_id: Mapped[str] = mapped_column(String(255))
    timer_kind: Mapped[str] = mapped_column(String(16))      # date | duration | cycle | cron
    timer_text: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))          # inactive | active | finished | replaced
    window_id: Mapped[Optional[int]] = mapped_column(ForeignKey("window.id"))
    item_code: Mapped[Optional[str]] = mapped_column(String(64))
    anchor_at: Mapped[Optional[datetime]] = mapped_column(UTC)      # when it was activated
    next_due_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    last_case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("case.id"))
    last_error: Mapped[Optional[str]] = mapped_column(String(500))
    changed_by: Mapped[Optional[str]] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTC)
    updated_at: Mapped[datetime] = mapped_column(UTC)


class StartScheduleRun(Base):
    """One due time of a schedule, taken once: the unique key is what makes two workers start one
    case per due time (the second one's insert fails and its transaction rolls back)."""
    __tablename__ = "start_schedule_run"
    __table_args__ = (UniqueConstraint("schedule_id", "due_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("start_schedule.id"))
    due_at: Mapped[datetime] = mapped_column(UTC)
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("case.id"))
    error: Mapped[Optional[str]] = mapped_column(String(500))
    worker: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTC)


class MessageDelivery(Base):
    """A message or signal delivered, by its sender's id: the same id sent again is answered
    with the first answer instead of being delivered twice."""
    __tablename__ = "message_delivery"
    __table_args__ = (UniqueConstraint("kind", "message_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    message_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(255))
    request: Mapped[str] = mapped_column(String(64))          # hash of what was sent
    response: Mapped[dict] = mapped_column(JSONType)
    account_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTC)


class EventOutbox(Base):
    """A signal or a message thrown inside a case, waiting to be delivered to the other cases
    waiting for it: written by the throwing case's save, delivered by the scheduler, each receiving
    case in its own transaction (docs/integration.md#signals-thrown-inside-a-case,
    docs/integration.md#messages-thrown-between-cases)."""
    __tablename__ = "event_outbox"
    __table_args__ = (Index("ix_event_outbox_pending", "id", sqlite_where=text("state = 'pending'"),
                            postgresql_where=text("state = 'pending'")),
                      Index("ix_event_outbox_done", "done_at", sqlite_where=text("state = 'done'"),
                            postgresql_where=text("state = 'done'")))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)     # the signal's id on every receiving case
    kind: Mapped[str] = mapped_column(String(8))                  # signal | message
    name: Mapped[str] = mapped_column(String(255))
    variables: Mapped[dict] = mapped_column(JSONType)
    source_case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    element_id: Mapped[Optional[str]] = mapped_column(String(255))
    # the highest event_subscription id at the throw: the cases waiting then receive it
    watermark: Mapped[int] = mapped_column(BigId)
    state: Mapped[str] = mapped_column(String(16))               # pending | done | failed (a message's incident)
    lock_owner: Mapped[Optional[str]] = mapped_column(String(128))
    lock_expires_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    delivered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTC)
    done_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    # a message's receiver: {"variables": {name: canonical value}, "business_key": text} (0029)
    correlation: Mapped[Optional[dict]] = mapped_column(JSONType)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    expires_at: Mapped[Optional[datetime]] = mapped_column(UTC)   # a message's time to live


class EventOutboxReceipt(Base):
    """One outbox row delivered to one case (outcome delivered | failed): the primary key is what
    makes each case receive a throw at most once."""
    __tablename__ = "event_outbox_receipt"
    outbox_id: Mapped[int] = mapped_column(ForeignKey("event_outbox.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTC)
# --- external tasks and incidents (docs/integration.md) ------------------------------------------

class ExternalTask(Base):
    """A service task waiting for an external worker (Camunda's external-task pattern): made when
    the workflow reaches the task, fetched and locked by a worker on its topic, completed (the
    workflow goes on) or failed (retries, then an incident)."""
    __tablename__ = "external_task"
    __table_args__ = (
        # fetchAndLock's scan: only open tasks are in it, a completed one leaves the index
        Index("ix_external_task_fetch", "topic", "priority", "id",
              sqlite_where=text("state = 'open'"), postgresql_where=text("state = 'open'")),
        Index("ix_external_task_case", "case_id", "state"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    task_id: Mapped[str] = mapped_column(String(36))          # the SpiffWorkflow task waiting in STARTED
    element_id: Mapped[str] = mapped_column(String(128))
    process_key: Mapped[str] = mapped_column(String(128))
    topic: Mapped[str] = mapped_column(String(200))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    variables: Mapped[dict] = mapped_column(JSONType)         # the task's data when it was reached
    state: Mapped[str] = mapped_column(String(16))            # open | completed | cancelled
    retries: Mapped[Optional[int]] = mapped_column(Integer)   # None until a worker reports a failure
    lock_owner: Mapped[Optional[str]] = mapped_column(String(255))
    lock_expires_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    error_message: Mapped[Optional[str]] = mapped_column(String(2000))
    error_details: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTC)
    completed_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    completed_by: Mapped[Optional[str]] = mapped_column(String(255))


class Incident(Base):
    """Something the engine could not do on its own and a person must look at: an external task
    out of retries, a timer that failed for good, a script failing in a continuation."""
    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_state_unit", "state", "org_unit_id", "created_at"),
                      Index("ix_incident_case", "case_id"),
                      Index("ix_incident_external_task", "external_task_id"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))   # the case's receiving unit (scope)
    process_key: Mapped[str] = mapped_column(String(128))
    element_id: Mapped[Optional[str]] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))             # external_task | timer | script | signal
    message: Mapped[str] = mapped_column(String(2000))
    details: Mapped[Optional[str]] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))            # open | resolved
    external_task_id: Mapped[Optional[int]] = mapped_column(ForeignKey("external_task.id"))
    timer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("timer.id"))
    created_at: Mapped[datetime] = mapped_column(UTC)
    resolved_at: Mapped[Optional[datetime]] = mapped_column(UTC)
    resolved_by: Mapped[Optional[str]] = mapped_column(String(64))
    resolution: Mapped[Optional[str]] = mapped_column(String(16))    # retried | resolved
    note: Mapped[Optional[str]] = mapped_column(String(1000))
    # a signal thrown by another case whose delivery to this one failed (a retry delivers it again)
    outbox_id: Mapped[Optional[int]] = mapped_column(ForeignKey("event_outbox.id", name="fk_incident_outbox"))
