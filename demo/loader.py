"""Loading the demo: organisation, staff posts, service items and the BPMN in workflows/, all
through the services (the demo writes no SQL of its own). The organisation is a file,
demo/organisation.json, imported like any administrator's file (docs/organisation.md)."""
from __future__ import annotations

from pathlib import Path

from demo import materials as demo_materials
from demo import packages as demo_packages
from demo.org import APPLICANT, DEMO_PASSWORD
from engine.bpmn.parser import SourceFile
from engine.config import PROJECT_ROOT
from engine.domain.actor import Actor
from engine.services import catalogue, definitions, org_admin
from engine.services.accounts import auth

# the demo 实施清单: 27 items over the four tiers, including the three of workflows/
DEMO_CATALOGUE = PROJECT_ROOT / "catalogue" / "demo-catalogue.json"
# Lianban's own internal items (the 差评 review): published, but no service to the public
INTERNAL_ITEMS = PROJECT_ROOT / "catalogue" / "internal-items.json"
# 兰州新区: 2 parks, 3 townships, 6 villages, their departments, halls, windows, staff and posts
DEMO_ORGANISATION = PROJECT_ROOT / "demo" / "organisation.json"


def workflow_files(directory: Path) -> list[SourceFile]:
    paths = sorted(list(directory.glob("*.bpmn")) + list(directory.glob("*.dmn")))
    return [SourceFile(p.name, p.read_bytes()) for p in paths]


def load_demo(ctx, workflows_dir: Path | None = None) -> dict:
    """Idempotent: the organisation file imported again changes nothing; the catalogue is imported
    and published (an unchanged entry is no new version) and the BPMN is (re)deployed, which
    creates versions only for changed processes."""
    fresh = load_organisation(ctx)
    catalogue.import_catalogue(ctx, DEMO_CATALOGUE.read_bytes(), "json", Actor.system("demo"), publish=True)
    catalogue.import_catalogue(ctx, INTERNAL_ITEMS.read_bytes(), "json", Actor.system("demo"), publish=True)
    if fresh:                     # applicant_zhang's vault (云档案): her A-level e-licences
        demo_materials.load(ctx)
    result = definitions.deploy(ctx, workflow_files(workflows_dir or ctx.settings.workflows_dir),
                                Actor.system("demo"), name="demo workflows")
    demo_packages.load(ctx)       # 一件事 demo (needs the deployed processes)
    return {"processes": [(p.key, p.version, p.created) for p in result.processes]}


def load_organisation(ctx) -> bool:
    """The demo organisation and the demo applicant; True when the database had no organisation.
    Every demo account shares ONE salted hash of the demo password: scrypt is slow on purpose,
    and a hash per account would make each load of the demo seconds slower."""
    system = Actor.system("demo")
    fresh = not any(u["code"] == "LZXQ" for u in org_admin.units(ctx, system))
    hashes = {DEMO_PASSWORD: auth.hash_password(DEMO_PASSWORD)} if fresh else {}
    # loaded before: the same file changes nothing (and hashes nothing)
    org_admin.import_organisation(ctx, DEMO_ORGANISATION.read_bytes(), "json", system, password_hashes=hashes)
    if fresh:
        auth.create_account(ctx, *APPLICANT, "applicant", password_hash=hashes[DEMO_PASSWORD])
    return fresh

