"""Shared set-up for benchmarks: a throw-away database with a minimal three-tier organisation,
the bare SpiffWorkflow baseline, and the RESULT line format."""
from __future__ import annotations

import gc
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from lxml import etree
from sqlalchemy import insert, text

from engine.bpmn.parser import SourceFile
from engine.config import Settings
from engine.domain.actor import Actor
from engine.services import definitions
from engine.services.accounts import org
from engine.services.context import Context
from engine.store.db import reachable
from engine.store.models import Base, ItemImplementation
from engine.store.schema import upgrade

HERE = Path(__file__).resolve().parent
# benchmarks work in their own schema of the test database, so they never disturb the test suite's;
# one schema per run (named once, inherited by the processes a run starts), so two runs at once
# don't drop each other's tables. A URL given in LIANBAN_BENCH_POSTGRES_URL names its schema in its
# search_path, and that is the one made and dropped.
_GIVEN_URL = os.environ.get("LIANBAN_BENCH_POSTGRES_URL")
_GIVEN_SCHEMA = re.search(r"search_path%3D(\w+)", _GIVEN_URL or "")
PG_SCHEMA = (_GIVEN_SCHEMA.group(1) if _GIVEN_SCHEMA
             else os.environ.setdefault("LIANBAN_BENCH_SCHEMA", f"lianban_bench_{os.getpid()}"))
PG_URL = _GIVEN_URL or f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{PG_SCHEMA}"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"


def result(name: str, value) -> None:
    print(f"RESULT {name} {value:.4g}" if isinstance(value, float) else f"RESULT {name} {value}", flush=True)


def routed(xml: bytes, group: str = "village:agent") -> bytes:
    """The reference model has no routing; give every user task a candidate group (nothing else
    changes, so the engine work is the same as in the bare run)."""
    root = etree.fromstring(xml)
    for task in root.iter(f"{{{BPMN}}}userTask"):
        task.set(f"{{{CAMUNDA}}}candidateGroups", group)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def chain_xml(n: int, pid: str) -> bytes:
    tasks = "".join(f'<bpmn:userTask id="ut{i}" name="Step {i}"/>' for i in range(1, n + 1))
    nodes = ["start"] + [f"ut{i}" for i in range(1, n + 1)] + ["end"]
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
                    for i, (a, b) in enumerate(zip(nodes, nodes[1:])))
    return (f'<bpmn:definitions xmlns:bpmn="{BPMN}" id="d" targetNamespace="http://bench">'
            f'<bpmn:process id="{pid}" isExecutable="true"><bpmn:startEvent id="start"/>{tasks}'
            f'<bpmn:endEvent id="end"/>{flows}</bpmn:process></bpmn:definitions>').encode()


def schema_of(url: str) -> str:
    """The schema a PostgreSQL URL of a benchmark works in (its search_path)."""
    named = re.search(r"search_path%3D(\w+)", url)
    return named.group(1) if named else PG_SCHEMA


def fresh_context(url: str) -> Context:
    ctx = Context.create(Settings(database_url=url))
    if url.startswith("postgresql"):
        schema = schema_of(url)
        with ctx.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    upgrade(ctx.engine)
    return ctx


def sqlite_url() -> str:
    return f"sqlite:///{tempfile.mkdtemp(prefix='lianban-bench-')}/bench.db"


def setup_org(ctx) -> tuple[int, Actor]:
    """district → township → village, one proxy window with one agent. Returns (window, agent)."""
    with ctx.uow.begin() as s:
        d = org.add_unit(s, "D", "新区", "district", None)
        t = org.add_unit(s, "T", "乡镇", "township", d)
        v = org.add_unit(s, "V", "村", "village", t)
        hall = org.add_hall(s, v, "V-H", "便民服务站", "convenience_station")
        win = org.add_window(s, hall, "V-W", "帮办代办窗口", "proxy")
        sid = org.add_staff(s, "agent", "代办员")
        org.add_post(s, sid, win, "agent")
    org.invalidate(ctx)
    return win, Actor("agent", staff_id=sid, window_id=win)


def deploy_item(ctx, code: str, name: str, xml: bytes, pid: str) -> None:
    definitions.deploy(ctx, [SourceFile(name, xml)], Actor.system("bench"))
    with ctx.uow.begin() as s:
        s.conn.execute(insert(ItemImplementation).values(code=code, name=code, category="bench", process_key=pid,
                                             deciding_tier="village", attrs={}))


def timed_median(fn, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def postgres_available() -> bool:
    return reachable(PG_URL)


def drop_all(ctx) -> None:
    if ctx.engine.dialect.name == "postgresql":
        with ctx.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema_of(ctx.settings.database_url)} CASCADE"))
    else:
        Base.metadata.drop_all(ctx.engine)
    ctx.dispose()
