"""The layout's rules, checked on the source (docs/architecture.md): imports point one way, each
layer imports only what it may, and nothing imports inside a function to dodge a cycle."""
from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("engine", "api", "demo")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@lru_cache(maxsize=None)
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")
            if "migrations" not in p.parts}


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported name, line, at module level) for each import statement, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    top = {id(n) for n in tree.body}
    top |= {id(n) for node in tree.body if isinstance(node, ast.If) for n in node.body}   # TYPE_CHECKING blocks
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            out.append((base, node.lineno, id(node) in top))
            out += [(f"{base}.{a.name}", node.lineno, id(node) in top) for a in node.names]
    return out


def _internal_edges() -> dict[str, set[str]]:
    """module -> the modules of ours it imports, with the packages whose __init__ an import runs."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for target, _line, _top in _imports(path):
            if target not in modules:
                continue
            if target != name:
                # named by the import: an edge even to the importer's own package (a module that
                # writes `from engine.services.cases import progress` depends on cases/__init__)
                graph[name].add(target)
            parts = target.split(".")
            for i in range(1, len(parts)):
                prefix = ".".join(parts[:i])
                # the packages above an imported module run too; those above the importer are
                # already being imported: no edge
                if prefix in modules and prefix != name and not name.startswith(prefix + "."):
                    graph[name].add(prefix)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan), or a self-loop."""
    return [sorted(comp) for comp in _Tarjan(graph).components()
            if len(comp) > 1 or comp[0] in graph.get(comp[0], ())]


class _Tarjan:
    """Tarjan's strongly connected components, visiting the nodes in sorted order."""

    def __init__(self, graph: dict[str, set[str]]):
        self.graph = graph
        self.index: dict[str, int] = {}
        self.low: dict[str, int] = {}
        self.stack: list[str] = []
        self.on: set[str] = set()
        self.found: list[list[str]] = []

    def components(self) -> list[list[str]]:
        """Each component in the order it completes, as popped from the stack (its root last)."""
        for v in sorted(self.graph):
            if v not in self.index:
                self._visit(v)
        return self.found

    def _visit(self, v: str) -> None:
        self.index[v] = self.low[v] = len(self.index)
        self.stack.append(v)
        self.on.add(v)
        for w in self.graph.get(v, ()):
            if w not in self.index:
                self._visit(w)
                self.low[v] = min(self.low[v], self.low[w])
            elif w in self.on:
                self.low[v] = min(self.low[v], self.index[w])
        if self.low[v] == self.index[v]:
            self.found.append(self._pop_component(v))

    def _pop_component(self, v: str) -> list[str]:
        comp = []
        while True:
            w = self.stack.pop()
            self.on.discard(w)
            comp.append(w)
            if w == v:
                return comp


def test_no_import_cycle_between_modules():
    assert _cycles(_internal_edges()) == []


def _capability(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] == ["engine", "services"] and len(parts) > 2:
        return ".".join(parts[:3])
    return None


def test_no_import_cycle_between_service_capabilities():
    """The capability packages under engine/services form layers: none reaches back up."""
    graph: dict[str, set[str]] = {}
    for module, targets in _internal_edges().items():
        here = _capability(module)
        if here is None:
            continue
        graph.setdefault(here, set())
        for target in targets:
            there = _capability(target)
            if there is not None and there != here:
                graph[here].add(there)
    assert _cycles(graph) == []


def test_no_import_inside_a_function():
    late = [f"{path.relative_to(ROOT)}:{line} {target}" for name, path in _modules().items()
            for target, line, top in _imports(path) if not top and target.split(".")[0] in PACKAGES]
    assert late == []


def _violations(prefix: str, forbidden: tuple[str, ...], allowed_in: tuple[str, ...] = ()) -> list[str]:
    found = []
    for name, path in _modules().items():
        if not (name == prefix or name.startswith(prefix + ".")) or name.startswith(allowed_in):
            continue
        for target, line, _top in _imports(path):
            if target.split(".")[0] in forbidden or any(target == f or target.startswith(f + ".")
                                                        for f in forbidden):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    return sorted(set(found))


def test_routes_call_services_never_the_store():
    assert _violations("api", ("engine.store", "sqlalchemy")) == []


def test_services_write_no_sql():
    assert _violations("engine.services", ("sqlalchemy", "engine.store.tables", "engine.store.models",
                                           "engine.store.fast", "psycopg")) == []


def test_flask_only_in_api():
    assert _violations("engine", ("flask", "flask_smorest", "werkzeug")) == []
    assert _violations("demo", ("flask", "flask_smorest", "werkzeug")) == []


def test_spiffworkflow_only_in_engine_bpmn():
    assert _violations("engine", ("SpiffWorkflow",), allowed_in=("engine.bpmn",)) == []
    assert _violations("api", ("SpiffWorkflow",)) == []
    assert _violations("demo", ("SpiffWorkflow",)) == []


def test_the_domain_imports_nothing_of_ours_but_the_domain():
    assert _violations("engine.domain", ("engine.bpmn", "engine.store", "engine.services", "engine.config", "api",
                                         "demo")) == []


def test_demo_data_stays_out_of_the_engine():
    assert _violations("engine", ("demo",)) == []


def test_services_reach_the_database_only_through_repositories():
    """No `tx.conn`, no `….execute(…)` in a service or the demo: statements live in repositories."""
    found = []
    for name, path in _modules().items():
        if not name.startswith(("engine.services", "demo")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("conn", "execute", "exec_driver_sql"):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    assert found == []
