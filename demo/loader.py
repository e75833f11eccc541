"""Loading the demo: organisation, staff posts, service items and the BPMN in workflows/, all
through the services (the demo writes no SQL of its own)."""
from __future__ import annotations

from pathlib import Path

from demo import materials as demo_materials
from demo import packages as demo_packages
from demo.org import ACCOUNTS, DEMO_PASSWORD, DISTRICT, PARKS, township_windows, village_windows
from engine.bpmn.parser import SourceFile
from engine.config import PROJECT_ROOT
from engine.domain.actor import Actor
from engine.services import catalogue, definitions
from engine.services.accounts.seed import NewAccount, NewPost, NewUnit, NewWindow, seed

# the demo 实施清单: 27 items over the four tiers, including the three of workflows/
DEMO_CATALOGUE = PROJECT_ROOT / "catalogue" / "demo-catalogue.json"


def workflow_files(directory: Path) -> list[SourceFile]:
    paths = sorted(list(directory.glob("*.bpmn")) + list(directory.glob("*.dmn")))
    return [SourceFile(p.name, p.read_bytes()) for p in paths]


def load_demo(ctx, workflows_dir: Path | None = None) -> dict:
    """Idempotent: an existing organisation is left alone; the catalogue is imported and published
    (an unchanged entry is no new version) and the BPMN is (re)deployed, which creates versions
    only for changed processes."""
    fresh = seed(ctx, organisation(), [NewAccount(*account) for account in ACCOUNTS], DEMO_PASSWORD)
    catalogue.import_catalogue(ctx, DEMO_CATALOGUE.read_bytes(), "json", Actor.system("demo"), publish=True)
    if fresh:                     # applicant_zhang's vault (云档案): her A-level e-licences
        demo_materials.load(ctx)
    result = definitions.deploy(ctx, workflow_files(workflows_dir or ctx.settings.workflows_dir),
                                Actor.system("demo"), name="demo workflows")
    demo_packages.load(ctx)       # 一件事 demo (needs the deployed processes)
    return {"processes": [(p.key, p.version, p.created) for p in result.processes]}


def organisation() -> NewUnit:
    """The tree of demo/org.py: 新区 → parks → townships → villages."""
    return NewUnit(DISTRICT["code"], DISTRICT["name"], "district", DISTRICT["hall"],
                   tuple(DISTRICT["departments"]), _windows(DISTRICT["windows"]), tuple(
                       NewUnit(park["code"], park["name"], "park", park["hall"], (), _windows(park["windows"]),
                               tuple(_township(town) for town in park["townships"]))
                       for park in PARKS))


def _township(town: dict) -> NewUnit:
    villages = tuple(NewUnit(vcode, vname, "village", (f"{vcode}-BMFW", f"{vname}便民服务站", "convenience_station"),
                             (), _windows(village_windows(vcode))) for vcode, vname in town["villages"])
    return NewUnit(town["code"], town["name"], "township",
                   (f"{town['code']}-BMFW", f"{town['name']}便民服务中心", "convenience_center"),
                   (("social", "社会事务办"),), _windows(township_windows(town["code"])), villages)


def _windows(windows: list) -> tuple[NewWindow, ...]:
    return tuple(NewWindow(code, name, kind, department, tuple(NewPost(*post) for post in staff))
                 for code, name, kind, department, staff in windows)
