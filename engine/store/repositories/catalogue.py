"""The 实施清单 catalogue: basic items (基本目录) and the versioned implementation entries.

A version is never changed once written (a case keeps the version it started on): an import
writes new versions, publishing retires the previous published one of its code. Writes
`service_item` and `item_implementation`; reads the organisation for its own answers (the
implementing body's name, the windows that receive an item)."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from typing import Iterator, Optional

from sqlalchemy import bindparam, literal_column, or_, select, update
from sqlalchemy.exc import IntegrityError

from engine.domain.catalogue import INTERNAL_PROCESS_KEYS
from engine.domain.errors import Conflict, RowsChanged
from engine.store import pg_pipeline
from engine.store import tables as t
from engine.store.fast import FastRead
from engine.store.models import Hall, OrgUnit, StaffPost, Window
from engine.store.repositories.base import Repository

_I, _S = t.item_implementation.c, t.service_item.c
# a service to the public (engine/domain/catalogue.py INTERNAL_PROCESS_KEYS)
_PUBLIC = or_(_I.process_key.is_(None), _I.process_key.notin_(INTERNAL_PROCESS_KEYS))
_CODE = or_(_I.code == bindparam("code"), _I.local_code == bindparam("code"))      # national or local
# the newest deployed version of the item's process, read with the item: one round trip per start
_PD = t.process_definition.c
_NEWEST = select(_PD.id, _PD.version).where(_PD.key == _I.process_key).order_by(_PD.version.desc()).limit(1)
# the published version of an implementation, by national or local code: what starting a case
# needs of it (read on every start, so on the raw driver)
_PUBLISHED_FOR_START = FastRead(
    select(_I.id, _I.code, _I.name, _I.process_key, _I.category, _I.legal_limit, _I.legal_unit, _I.promise_limit,
           _I.promise_unit, _I.extension_limit, _I.application_form, _I.materials, _I.tolerant_acceptance,
           _NEWEST.with_only_columns(_PD.id).scalar_subquery().label("definition_id"),
           _NEWEST.with_only_columns(_PD.version).scalar_subquery().label("definition_version"))
    .where(or_(_I.code == bindparam("code"), _I.local_code == bindparam("code")),
           # written into the SQL by FastRead (store/fast.py inline_constants): a bound value here
           # would decide the partial uq_item_implementation_published
           _I.status == "published"))
# PostgreSQL: the same with the row's version (xmin), for a later start to begin from it without
# reading it (`unchanged_for_start`, engine/services/caches.py CheckedRows)
_PUBLISHED_FOR_START_PG = FastRead(_PUBLISHED_FOR_START.stmt.add_columns(
    literal_column("item_implementation.xmin::text").label("item_xmin")))
# ... and the check that it is still that row, published, with that newest deployed version: a
# guard, which divides by zero otherwise (engine/store/pg_pipeline.py GUARDED)
_START_ITEM_UNCHANGED = (
    "SELECT 1 / count(*) FROM item_implementation AS i WHERE i.id = %(iid)s AND i.xmin = %(x)s::text::xid "
    "AND i.status = 'published' AND (SELECT d.id FROM process_definition AS d WHERE d.key = i.process_key "
    "ORDER BY d.version DESC LIMIT 1) IS NOT DISTINCT FROM %(def)s::bigint")
# the published catalogue with its basic item and implementing body (guide, export)
_PUBLISHED = (select(t.item_implementation, _S.code.label("basic_code"), _S.legal_basis, _S.power_source,
                     OrgUnit.code.label("org_unit"), OrgUnit.name.label("org_unit_name"))
              .join(t.service_item, _S.id == _I.service_item_id)
              .join(OrgUnit, OrgUnit.id == _I.org_unit_id)
              .where(_I.status == "published", _PUBLIC))
_PUBLISHED_GUIDE = _PUBLISHED.where(_CODE)
# what the service-items resource shows of a published version
_ITEM = select(_I.code, _I.local_code, _I.version, _I.status, _I.name, _I.category, _I.process_key, _I.deciding_tier,
               _I.legal_limit, _I.legal_unit, _I.promise_limit, _I.promise_unit, _I.extension_limit)
_ITEMS = _ITEM.where(_I.status == "published", _PUBLIC).order_by(_I.code)
_ITEM_BY_CODE = _ITEM.where(_CODE, _I.status == "published")
_PUBLISHED_VERSION = select(t.item_implementation).where(_CODE, _I.status == "published")
_FOR_APPLICATION = select(_I.id, _I.code, _I.local_code, _I.name, _I.process_key, _I.org_unit_id, _I.accepting_tiers,
                          _I.handle_forms, _I.application_form).where(_I.status == "published", _CODE)
_UNIT_PATH = select(OrgUnit.path).where(OrgUnit.id == bindparam("unit_id"))
_WINDOWS = (select(Window.id, Window.code, Window.name, OrgUnit.code.label("unit"), OrgUnit.name.label("unit_name"),
                   OrgUnit.tier, Window.org_unit_id, Hall.name.label("hall_name"), Hall.closes_at, Hall.hours)
            .join(OrgUnit, OrgUnit.id == Window.org_unit_id).join(Hall, Hall.id == Window.hall_id))
# the halls of the implementing body's unit, with their opening hours (办公时间, the public guide)
_UNIT_HALLS = (select(Hall.name, Hall.closes_at, Hall.hours).where(Hall.org_unit_id == bindparam("unit_id"),
                                                                   Hall.active.is_(True)).order_by(Hall.code))
_CODE_TAKEN = select(_I.id).where(_CODE)
_ACCEPTING_TIERS = select(_I.accepting_tiers).where(_I.id == bindparam("item_id"))
_BODY_UNIT = select(_I.org_unit_id).where(_I.id == bindparam("item_id"))
_APPLICATION_FORMS = (select(_I.application_form).distinct()
                      .where(_I.process_key == bindparam("process_key"), _I.application_form.is_not(None)))
# --- import, versions ------------------------------------------------------------------------
_BASICS = select(_S.id, _S.code, _S.name, _S.category, _S.legal_basis, _S.power_source)
_ALL_VERSIONS = select(t.item_implementation).order_by(_I.code, _I.version)
_UNITS = select(OrgUnit.id, OrgUnit.code, OrgUnit.tier)
_INSERT_BASIC = t.service_item.insert().returning(_S.id)
_UPDATE_BASIC = update(t.service_item).where(_S.id == bindparam("basic_id"))
_INSERT_VERSION = t.item_implementation.insert().returning(_I.id)
_RETIRE_PUBLISHED = (update(t.item_implementation)
                     .where(_I.code == bindparam("of_code"), _I.status == "published", _I.id != bindparam("item_id"))
                     .values(status="retired", retired_at=bindparam("now")))
_PUBLISH = (update(t.item_implementation).where(_I.id == bindparam("item_id"))
            .values(status="published", published_at=bindparam("now")))
_RETIRE = (update(t.item_implementation).where(_I.id == bindparam("item_id"))
           .values(status="retired", retired_at=bindparam("now")))
_LOCK_VERSIONS = select(_I.id, _I.version, _I.status).where(_I.code == bindparam("code")).with_for_update()
_VERSIONS = (select(_I.id, _I.code, _I.version, _I.status, _I.name, _I.created_at, _I.published_at, _I.retired_at)
             .where(_CODE).order_by(_I.version))


class Catalogue(Repository):
    __slots__ = ()

    # --- the published catalogue ------------------------------------------------------------

    def published_for_start(self, code: str):
        """The published version of an item by national or local implementation code, with what a
        case start reads of it (limits, forms, materials) and the id and version of its process's
        newest deployed version (`definition_id`, `definition_version`: None when none is), or
        None."""
        return (_PUBLISHED_FOR_START_PG if self.postgres else _PUBLISHED_FOR_START).first(self.conn, {"code": code})

    def unchanged_for_start(self, row):
        """PostgreSQL, in a unit of work: `row` (as `published_for_start` read it earlier, with its
        `item_xmin`), with the check queued that the item is still that published row and its
        process's newest deployed version still `row.definition_id`; otherwise the command fails
        with RowsChanged at its next exchange, before its writes run."""
        pg_pipeline.guard(self.conn, _START_ITEM_UNCHANGED,
                          {"iid": row.id, "x": row.item_xmin, "def": row.definition_id}, RowsChanged)
        return row

    def published(self, *, tier: Optional[str] = None, category: Optional[str] = None,
                  keyword: Optional[str] = None) -> list:
        """Published versions with their basic item and implementing body, by code; optionally of
        one implementing tier, one category, or matching a keyword (name, codes, body)."""
        q = _PUBLISHED.order_by(_I.code)
        if tier:
            q = q.where(_I.tier == tier)
        if category:
            q = q.where(_I.category == category)
        if keyword:
            like = f"%{keyword}%"
            q = q.where(or_(_I.name.like(like), _I.code.like(like), _I.local_code.like(like), _I.body_name.like(like)))
        return self.conn.execute(q).all()

    def published_guide(self, code: str):
        """One published version as `published` reads it, by national or local code, or None."""
        return self.conn.execute(_PUBLISHED_GUIDE, {"code": code}).first()

    def unit_halls(self, unit_id: int) -> list:
        """(name, closes_at, hours) of the active halls of a unit, by code."""
        return self.conn.execute(_UNIT_HALLS, {"unit_id": unit_id}).all()

    def published_items(self) -> list:
        """Every published version with its time limits and process, by code."""
        return self.conn.execute(_ITEMS).all()

    def published_item(self, code: str):
        """One published version with its time limits and process, or None."""
        return self.conn.execute(_ITEM_BY_CODE, {"code": code}).first()

    def published_version(self, code: str):
        """The whole row of the published version of a code (national or local), or None."""
        return self.conn.execute(_PUBLISHED_VERSION, {"code": code}).first()

    def published_for_application(self, code: str):
        """What an online application reads of a published version (forms, accepting tiers,
        handling forms, implementing body), or None."""
        return self.conn.execute(_FOR_APPLICATION, {"code": code}).first()

    def receiving_windows(self, body_unit_id: Optional[int], accepting_tiers, roles) -> list:
        """(id, code, name, unit, unit_name, tier, org_unit_id, hall_name, closes_at, hours: the hall's
        opening hours) of the windows at or below the implementing body's unit (anywhere when the
        entry names none), in a unit of an accepting tier (any tier when it names none, as case
        start reads it), where someone holds one of `roles`; by unit path and window code."""
        receiving = select(StaffPost.window_id).where(StaffPost.role.in_(list(roles)), StaffPost.valid_to.is_(None))
        query = _WINDOWS.where(Window.id.in_(receiving), Window.active.is_(True))
        if body_unit_id is not None:
            body_path = self.conn.execute(_UNIT_PATH, {"unit_id": body_unit_id}).scalar_one()
            query = query.where(OrgUnit.path.startswith(body_path, autoescape=True))
        if accepting_tiers:
            query = query.where(OrgUnit.tier.in_(list(accepting_tiers)))
        return self.conn.execute(query.order_by(OrgUnit.path, Window.code)).all()

    def code_taken(self, code: str) -> bool:
        """Whether any version (any status) has this national or local code."""
        return self.conn.execute(_CODE_TAKEN, {"code": code}).first() is not None

    def body_unit(self, item_id: int) -> Optional[int]:
        """The org unit of a version's implementing body (None when the entry names none)."""
        return self.conn.execute(_BODY_UNIT, {"item_id": item_id}).scalar()

    def accepting_tiers(self, item_id: int) -> tuple:
        """The tiers whose windows accept a version (empty: any tier)."""
        return tuple(self.conn.execute(_ACCEPTING_TIERS, {"item_id": item_id}).scalar() or ())

    def application_forms(self, process_key: str) -> list[str]:
        """The application forms that entries of a process name (snapshotted when it is deployed)."""
        return list(self.conn.execute(_APPLICATION_FORMS, {"process_key": process_key}).scalars())

    # --- import -------------------------------------------------------------------------------

    @contextmanager
    def racing_import(self) -> Iterator[None]:
        """An import reads what it builds on without locks, so on PostgreSQL another one may write
        the same version of a code (or the next system event) first: the unique constraint then
        stops this one, which becomes a Conflict and is rolled back whole (SQLite has one writer)."""
        try:
            yield
        except IntegrityError:
            raise Conflict("the catalogue changed while this file was imported; import it again",
                           code="catalogue_changed_concurrently") from None

    def basic_items(self) -> list:
        """Every basic item: (id, code, name, category, legal_basis, power_source)."""
        return self.conn.execute(_BASICS).all()

    def all_versions(self) -> list:
        """Every version of every implementation entry, whole rows, by code and version."""
        return self.conn.execute(_ALL_VERSIONS).all()

    def org_units(self) -> list:
        """(id, code, tier) of every org unit: an entry names its implementing body by code."""
        return self.conn.execute(_UNITS).all()

    def insert_basic(self, code: str, values: dict, now: datetime) -> int:
        """A new basic item with `values` (name, category, legal basis, power source); its id."""
        return self.conn.execute(_INSERT_BASIC, {"code": code, "created_at": now, "updated_at": now,
                                                 **values}).scalar_one()

    def update_basic(self, basic_id: int, values: dict, now: datetime) -> None:
        self.conn.execute(_UPDATE_BASIC, {"basic_id": basic_id, "updated_at": now, **values})

    def insert_version(self, code: str, version: int, status: str, content: dict, *, attrs: dict,
                       created_at: datetime, published_at: Optional[datetime] = None) -> int:
        """A new version of an implementation entry with its content columns; returns its id."""
        values = {"code": code, "version": version, "status": status, "attrs": attrs, "created_at": created_at,
                  **content}
        if published_at is not None:
            values["published_at"] = published_at
        return self.conn.execute(_INSERT_VERSION, values).scalar_one()

    # --- versions -----------------------------------------------------------------------------

    def lock_versions(self, code: str) -> list:
        """(id, version, status) of every version of a code, locked: two commands on one code
        serialize here on PostgreSQL."""
        return self.conn.execute(_LOCK_VERSIONS, {"code": code}).all()

    def publish(self, code: str, item_id: int, now: datetime) -> None:
        """Publish a version; the code's previously published one retires (one published per code)."""
        self.conn.execute(_RETIRE_PUBLISHED, {"of_code": code, "item_id": item_id, "now": now})
        self.conn.execute(_PUBLISH, {"item_id": item_id, "now": now})

    def retire(self, item_id: int, now: datetime) -> None:
        self.conn.execute(_RETIRE, {"item_id": item_id, "now": now})

    def versions(self, code: str) -> list:
        """(id, code, version, status, name, created_at, published_at, retired_at) of every version
        of a national or local code, by version."""
        return self.conn.execute(_VERSIONS, {"code": code}).all()
