"""Loading the demo: organisation, staff posts, service items and the BPMN in workflows/."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, insert, select

from engine.bpmn.parser import SourceFile
from engine.services import demo_materials, deploy, org
from engine.services.context import Actor
from engine.services.auth import hash_password
from engine.services.demo_org import (ACCOUNTS, BASIC_ITEMS, DEMO_PASSWORD, DISTRICT, ITEMS, PARKS, township_windows,
                                      village_windows)
from engine.store.models import ItemImplementation, OrgUnit, ServiceItem, Staff


def workflow_files(directory: Path) -> list[SourceFile]:
    paths = sorted(list(directory.glob("*.bpmn")) + list(directory.glob("*.dmn")))
    return [SourceFile(p.name, p.read_bytes()) for p in paths]


def load_demo(ctx, workflows_dir: Path | None = None) -> dict:
    """Idempotent: an existing organisation is left alone; the BPMN is (re)deployed, which
    creates versions only for changed processes."""
    with ctx.uow.begin() as conn:
        if conn.execute(select(func.count()).select_from(OrgUnit)).scalar() == 0:
            _write_org(conn)
            for username, name, kind, roles in ACCOUNTS:
                conn.execute(insert(Staff).values(username=username, name=name, kind=kind, roles=list(roles),
                                                  active=True))
            # one salted hash shared by all demo accounts: scrypt is slow on purpose
            conn.execute(Staff.__table__.update().values(password_hash=hash_password(DEMO_PASSWORD)))
            _write_items(conn, ctx.clock.now())
            demo_materials.load(conn, ctx.settings, ctx.clock.now())
    org.invalidate(ctx)
    result = deploy.deploy(ctx, workflow_files(workflows_dir or ctx.settings.workflows_dir),
                           Actor.system("demo"), name="demo workflows")
    return {"processes": [(p.key, p.version, p.created) for p in result.processes]}


def _write_windows(conn, unit_id: int, hall, windows, departments: dict) -> None:
    hall_id = org.add_hall(conn, unit_id, *hall)
    for code, name, kind, dept, staff in windows:
        dept_id = departments.get(dept) if dept else None
        window_id = org.add_window(conn, hall_id, code, name, kind, dept_id)
        for username, person, role in staff:
            staff_id = conn.execute(select(Staff.id).where(Staff.username == username)).scalar()
            if staff_id is None:
                staff_id = org.add_staff(conn, username, person)
            org.add_post(conn, staff_id, window_id, role, dept_id)


def _write_org(conn) -> None:
    district = org.add_unit(conn, DISTRICT["code"], DISTRICT["name"], "district", None)
    depts = {code: org.add_department(conn, district, code, name) for code, name in DISTRICT["departments"]}
    _write_windows(conn, district, DISTRICT["hall"], DISTRICT["windows"], depts)
    for park in PARKS:
        park_id = org.add_unit(conn, park["code"], park["name"], "park", district)
        _write_windows(conn, park_id, park["hall"], park["windows"], {})
        for town in park["townships"]:
            town_id = org.add_unit(conn, town["code"], town["name"], "township", park_id)
            town_depts = {"social": org.add_department(conn, town_id, "social", "社会事务办")}
            _write_windows(conn, town_id, (f"{town['code']}-BMFW", f"{town['name']}便民服务中心", "convenience_center"),
                           township_windows(town["code"]), town_depts)
            for vcode, vname in town["villages"]:
                vid = org.add_unit(conn, vcode, vname, "village", town_id)
                _write_windows(conn, vid, (f"{vcode}-BMFW", f"{vname}便民服务站", "convenience_station"),
                               village_windows(vcode), {})


def _write_items(conn, now) -> None:
    basic = {}
    for code, name, category, basis in BASIC_ITEMS:
        basic[code] = (conn.execute(insert(ServiceItem).values(
            code=code, name=name, category=category, legal_basis=basis, created_at=now, updated_at=now)
            .returning(ServiceItem.id)).scalar_one(), name, category)
    district = conn.execute(select(OrgUnit.id).where(OrgUnit.code == DISTRICT["code"])).scalar_one()
    for code, local, basic_code, key, tier, legal, promise, extension, body, uscc in ITEMS:
        basic_id, name, category = basic[basic_code]
        conn.execute(insert(ItemImplementation).values(
            code=code, local_code=local, service_item_id=basic_id, version=1, status="published", name=name,
            category=category, process_key=key, deciding_tier=tier, org_unit_id=district, body_name=body,
            body_uscc=uscc, tier="district", delegation_mode=None, accepting_tiers=list(("district", "park",
            "township", "village")), legal_limit=legal, legal_unit="workday", promise_limit=promise,
            promise_unit="workday", extension_limit=extension, handle_forms=["window", "online", "mail"],
            fees=[], materials=[], guide={}, attrs={}, created_at=now, published_at=now))
