"""Small helpers for integration tests: deploy a fixture file and register a service item."""
from pathlib import Path

from sqlalchemy import insert

from engine.bpmn.parser import SourceFile
from engine.domain.actor import Actor
from engine.services import definitions
from engine.store.models import ItemImplementation

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def deploy_files(ctx, *paths: Path, name: str = "test"):
    return definitions.deploy(ctx, [SourceFile(p.name, p.read_bytes()) for p in paths], Actor.system("test"), name=name)


def add_item(ctx, code: str, process_key: str, tier: str = "township") -> None:
    with ctx.uow.begin() as s:
        s.conn.execute(insert(ItemImplementation).values(code=code, name=code, category="test", process_key=process_key,
                                             deciding_tier=tier, attrs={}))
