"""Loading the demo: organisation, staff posts, service items and the BPMN in workflows/."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, insert, select

from demo import materials as demo_materials
from demo import packages as demo_packages
from demo.org import ACCOUNTS, DEMO_PASSWORD, DISTRICT, PARKS, township_windows, village_windows
from engine.bpmn.parser import SourceFile
from engine.config import PROJECT_ROOT
from engine.domain.actor import Actor
from engine.services import catalogue, definitions
from engine.services.accounts import org
from engine.services.accounts.auth import hash_password
from engine.store.models import OrgUnit, Staff

# the demo 实施清单: 27 items over the four tiers, including the three of workflows/
DEMO_CATALOGUE = PROJECT_ROOT / "catalogue" / "demo-catalogue.json"


def workflow_files(directory: Path) -> list[SourceFile]:
    paths = sorted(list(directory.glob("*.bpmn")) + list(directory.glob("*.dmn")))
    return [SourceFile(p.name, p.read_bytes()) for p in paths]


def load_demo(ctx, workflows_dir: Path | None = None) -> dict:
    """Idempotent: an existing organisation is left alone; the catalogue is imported and published
    (an unchanged entry is no new version) and the BPMN is (re)deployed, which creates versions
    only for changed processes."""
    with ctx.uow.begin() as tx:
        fresh = tx.execute(select(func.count()).select_from(OrgUnit)).scalar() == 0
        if fresh:
            _write_org(tx)
            for username, name, kind, roles in ACCOUNTS:
                tx.execute(insert(Staff).values(username=username, name=name, kind=kind, roles=list(roles),
                                                  active=True))
            # one salted hash shared by all demo accounts: scrypt is slow on purpose
            tx.execute(Staff.__table__.update().values(password_hash=hash_password(DEMO_PASSWORD)))
    org.invalidate(ctx)
    catalogue.import_catalogue(ctx, DEMO_CATALOGUE.read_bytes(), "json", Actor.system("demo"), publish=True)
    if fresh:
        with ctx.uow.begin() as tx:      # applicant_zhang's vault (云档案): her A-level e-licences
            demo_materials.load(tx, ctx.settings, ctx.clock.now())
    result = definitions.deploy(ctx, workflow_files(workflows_dir or ctx.settings.workflows_dir),
                           Actor.system("demo"), name="demo workflows")
    demo_packages.load(ctx)       # 一件事 demo (needs the deployed processes)
    return {"processes": [(p.key, p.version, p.created) for p in result.processes]}


def _write_windows(tx, unit_id: int, hall, windows, departments: dict) -> None:
    hall_id = org.add_hall(tx, unit_id, *hall)
    for code, name, kind, dept, staff in windows:
        dept_id = departments.get(dept) if dept else None
        window_id = org.add_window(tx, hall_id, code, name, kind, dept_id)
        for username, person, role in staff:
            staff_id = tx.execute(select(Staff.id).where(Staff.username == username)).scalar()
            if staff_id is None:
                staff_id = org.add_staff(tx, username, person)
            org.add_post(tx, staff_id, window_id, role, dept_id)


def _write_org(tx) -> None:
    district = org.add_unit(tx, DISTRICT["code"], DISTRICT["name"], "district", None)
    depts = {code: org.add_department(tx, district, code, name) for code, name in DISTRICT["departments"]}
    _write_windows(tx, district, DISTRICT["hall"], DISTRICT["windows"], depts)
    for park in PARKS:
        park_id = org.add_unit(tx, park["code"], park["name"], "park", district)
        _write_windows(tx, park_id, park["hall"], park["windows"], {})
        for town in park["townships"]:
            town_id = org.add_unit(tx, town["code"], town["name"], "township", park_id)
            town_depts = {"social": org.add_department(tx, town_id, "social", "社会事务办")}
            _write_windows(tx, town_id, (f"{town['code']}-BMFW", f"{town['name']}便民服务中心", "convenience_center"),
                           township_windows(town["code"]), town_depts)
            for vcode, vname in town["villages"]:
                vid = org.add_unit(tx, vcode, vname, "village", town_id)
                _write_windows(tx, vid, (f"{vcode}-BMFW", f"{vname}便民服务站", "convenience_station"),
                               village_windows(vcode), {})

