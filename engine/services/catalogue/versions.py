"""The 实施清单 catalogue (docs/catalogue.md#domain-rules): import all or nothing, versions draft → published →
retired, export. A case keeps the implementation version it started on (case.item_id), so a
version is never changed once written: a changed entry is a new version.

四级四同 on import: a basic item's name, legal basis and category may change only when the file
carries every live implementation of it; otherwise the other tiers' entries pin them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from engine.domain.actor import Actor
from engine.domain.catalogue import CatalogueProblem, Entry, check_catalogue, entry_values, parse_row
from engine.domain.catalogue_files import read_rows
from engine.domain.errors import Conflict, NotFound, ValidationError
from engine.services.accounts import access, org
from engine.store.uow import Transaction

# the columns a version's content consists of (compared to decide whether a row is a new version)
CONTENT = ("service_item_id", "local_code", "handling_item_code", "name", "category", "process_key", "deciding_tier",
           "org_unit_id", "body_name", "body_uscc", "tier", "delegation_mode", "entrusting_department",
           "accepting_tiers", "deciding_department", "legal_limit", "legal_unit", "promise_limit", "promise_unit",
           "extension_limit", "project_type", "onsite_visits", "handle_forms", "online_depth", "mobile", "express",
           "pay_online", "fee_required", "fee_basis", "fees", "materials", "tolerant_acceptance", "application_form",
           "guide")
BASIC = ("name", "category", "legal_basis", "power_source")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportResult:
    rows: int
    basic_created: int
    basic_updated: int
    created: tuple          # (code, version) of each new draft
    unchanged: int
    published: tuple        # (code, version) published by this import


class _Known:
    """What the database already holds that an import is checked against and builds on."""

    def __init__(self, tx: Transaction, file_codes: set[str]):
        self.basics = {r.code: r for r in tx.catalogue.basic_items()}
        code_of = {r.id: r.code for r in self.basics.values()}
        self.latest: dict = {}          # newest version per code (numbers the next one)
        self.live: dict = {}            # newest draft or published version (what a row is compared with)
        self.locked: set[str] = set()
        for r in tx.catalogue.all_versions():
            self.latest[r.code] = r
            if r.status != "retired":
                self.live[r.code] = r
                if r.code not in file_codes and r.service_item_id in code_of:
                    self.locked.add(code_of[r.service_item_id])
        self.units = {u.code: (u.id, u.tier) for u in tx.catalogue.org_units()}

    def pinned(self) -> dict[str, tuple[str, str, str]]:
        return {code: (r.name, r.legal_basis, r.category) for code, r in self.basics.items() if code in self.locked}


def _prepare(tx: Transaction, content: bytes, fmt: str):
    rows, problems = read_rows(content, fmt)
    entries: list[Entry] = []
    for row, raw in rows:
        entry, found = parse_row(raw, row)
        problems += found
        if entry is not None:
            entries.append(entry)
    known = _Known(tx, {e.code for e in entries})
    problems += check_catalogue(entries, known.pinned())
    for e in entries:
        unit = known.units.get(e.org_unit)
        if unit is None:
            problems.append(CatalogueProblem(e.row, "org_unit", "org_unit_unknown",
                                             f"no org unit has the code {e.org_unit!r}"))
        elif unit[1] != e.tier:
            problems.append(CatalogueProblem(e.row, "tier", "tier_mismatch",
                                             f"org unit {e.org_unit} is at the {unit[1]} tier, not {e.tier}"))
    return entries, sorted(problems, key=lambda p: (p.row, p.field)), known


def invalid(problems: list[CatalogueProblem]) -> ValidationError:
    first = problems[0]
    more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
    return ValidationError(f"the catalogue was not imported: {first}{more}", code="catalogue_invalid",
                           field=first.field or None,
                           detail={"row": first.row, "problems": [p.to_dict() for p in problems]})


def check_file(ctx, content: bytes, fmt: str) -> list[CatalogueProblem]:
    """Every problem an import of this file would report; writes nothing."""
    with ctx.uow.read() as tx:
        return _prepare(tx, content, fmt)[1]


def import_catalogue(ctx, content: bytes, fmt: str, actor: Actor, *, publish: bool = False,
                     progress: Optional[Progress] = None) -> ImportResult:
    """One transaction: any problem and nothing is written. Basic items are created or updated;
    an implementation whose content differs from its newest live (draft or published) version, or
    that has none, gets a new draft version (published at once with `publish`)."""
    access.require_role(actor, "admin")
    # another import may write a version of one of these codes meanwhile: this one then writes nothing
    with ctx.uow.begin() as tx, tx.catalogue.racing_import():
        return _import(ctx, tx, content, fmt, actor, publish, progress)


def _import(ctx, tx: Transaction, content: bytes, fmt: str, actor: Actor, publish: bool,
            progress: Optional[Progress]) -> ImportResult:
    entries, problems, known = _prepare(tx, content, fmt)
    if problems:
        raise invalid(problems)
    now = ctx.clock.now()
    basic_created = basic_updated = unchanged = 0
    created, published = [], []
    for done, e in enumerate(entries, start=1):
        values = entry_values(e)
        basic = known.basics.get(e.basic_code)
        wanted = {name: values[name] for name in BASIC}
        if basic is None:
            basic_id = tx.catalogue.insert_basic(e.basic_code, wanted, now)
            basic_created += 1
            known.basics[e.basic_code] = _Basic(basic_id, e.basic_code, **wanted)
        else:
            basic_id = basic.id
            if any(getattr(basic, k) != v for k, v in wanted.items()):
                tx.catalogue.update_basic(basic_id, wanted, now)
                basic_updated += 1
                known.basics[e.basic_code] = _Basic(basic_id, e.basic_code, **wanted)
        row = {**{c: values.get(c) for c in CONTENT}, "service_item_id": basic_id,
               "org_unit_id": known.units[e.org_unit][0]}
        latest, live = known.latest.get(e.code), known.live.get(e.code)
        if live is not None and all(getattr(live, c) == row[c] for c in CONTENT):
            unchanged += 1
            if publish and live.status == "draft":
                tx.catalogue.publish(e.code, live.id, now)
                published.append((e.code, live.version))
        else:
            version = latest.version + 1 if latest is not None else 1
            new_id = tx.catalogue.insert_version(e.code, version, "draft", row, attrs={}, created_at=now)
            created.append((e.code, version))
            if publish:
                tx.catalogue.publish(e.code, new_id, now)
                published.append((e.code, version))
        if progress:
            progress(done, len(entries))
    if created or published or basic_updated:
        tx.events.append("system", "catalogue_imported", actor, now, {
            "rows": len(entries), "created": [f"{c}@{v}" for c, v in created],
            "published": [f"{c}@{v}" for c, v in published], "basic_created": basic_created,
            "basic_updated": basic_updated})
    return ImportResult(len(entries), basic_created, basic_updated, tuple(created), unchanged, tuple(published))


@dataclass(frozen=True)
class _Basic:
    id: int
    code: str
    name: str
    category: str
    legal_basis: str
    power_source: Optional[str]


def _version(tx: Transaction, code: str, version: int):
    # lock every version of the code: two publishes of one code serialize here on PostgreSQL
    rows = tx.catalogue.lock_versions(code)
    row = next((r for r in rows if r.version == version), None)
    if row is None:
        raise NotFound(f"implementation {code} has no version {version}", code="catalogue_version_not_found",
                       field="version")
    return row


def publish(ctx, code: str, version: int, actor: Actor) -> None:
    access.require_role(actor, "admin")
    with ctx.uow.begin() as tx:
        row = _version(tx, code, version)
        if row.status != "draft":
            raise Conflict(f"version {version} of {code} is {row.status}; only a draft is published",
                           code="catalogue_version_not_draft", field="version")
        now = ctx.clock.now()
        tx.catalogue.publish(code, row.id, now)
        tx.events.append("system", "catalogue_published", actor, now, {"code": code, "version": version})


def retire(ctx, code: str, version: int, actor: Actor) -> None:
    """A published version retires (no new case can start on it) or a draft is set aside."""
    access.require_role(actor, "admin")
    with ctx.uow.begin() as tx:
        row = _version(tx, code, version)
        if row.status == "retired":
            raise Conflict(f"version {version} of {code} is already retired", code="catalogue_version_retired",
                           field="version")
        now = ctx.clock.now()
        tx.catalogue.retire(row.id, now)
        tx.events.append("system", "catalogue_retired", actor, now, {"code": code, "version": version})


def versions(ctx, code: str, actor: Actor) -> list[dict]:
    access.require_role(actor, "admin")
    with ctx.uow.read() as tx:
        rows = tx.catalogue.versions(code)
    if not rows:
        raise NotFound(f"implementation {code!r} does not exist", code="item_not_found", field="code")
    return [r._asdict() for r in rows]


def require_accepting_tier(ctx, tx: Transaction, item_id: int, window: org.WindowInfo) -> None:
    """Case start: the receiving window's tier must be one of the version's accepting tiers. A
    version's content never changes, so its tiers are cached per process."""
    tiers = ctx.caches.accepting_tiers.get_or_load(item_id, lambda: tx.catalogue.accepting_tiers(item_id))
    tier = org.directory(ctx, tx).units[window.org_unit_id].tier
    if tiers and tier not in tiers:
        raise ValidationError(f"this item is accepted at the {', '.join(tiers)} tier(s), not at a {tier} window",
                              code="item_not_accepted_here", field="window_id")
