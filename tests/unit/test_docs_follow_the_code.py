"""Docs and comments follow the code: every repository path they name exists, every anchor into
docs/ exists, and nothing points outside the repository (the domain research lives in docs/)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOP = ("engine", "api", "demo", "docs", "tests", "bench", "workflows", "forms", "catalogue", ".ci")
# a path into the repository as prose writes it: engine/services/cases/start.py, docs/lifecycle.md#case-number
PATH = re.compile(r"(?<![\w./-])((?:%s)/[\w./-]*\w)(#[\w-]+)?" % "|".join(map(re.escape, TOP)))
OUTSIDE = re.compile(r"\.\./shared|DOMAIN\.md|DESIGN\.md|STYLE\.md|LAYOUT-SKETCH|reference/spiffworkflow")


def _sources() -> list[Path]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for top in ("engine", "api", "demo", "tests", "bench"):
        files += [p for p in sorted((ROOT / top).rglob("*.py")) if "migrations" not in p.parts]
    files += sorted((ROOT / "api" / "static").glob("*.js")) + sorted((ROOT / "api" / "templates").glob("*.html"))
    return files


def _anchors(doc: Path) -> set[str]:
    out = set()
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            out.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return out


def test_every_path_named_in_docs_and_comments_exists():
    missing = []
    for source in _sources():
        if source == Path(__file__).resolve():
            continue
        text = source.read_text(encoding="utf-8")
        for match in PATH.finditer(text):
            path, anchor = match.group(1).rstrip("."), match.group(2)
            target = ROOT / path
            if text[match.end():match.end() + 1] in ("<", "*", "{"):      # a pattern, not a path
                continue
            if not target.exists():
                missing.append(f"{source.relative_to(ROOT)}: {path}")
            elif anchor and target.suffix == ".md" and anchor[1:] not in _anchors(target):
                missing.append(f"{source.relative_to(ROOT)}: {path}{anchor}")
    assert missing == []


def test_nothing_points_outside_the_repository():
    found = [f"{s.relative_to(ROOT)}:{n}" for s in _sources() if s != Path(__file__).resolve()
             for n, line in enumerate(s.read_text(encoding="utf-8").splitlines(), 1)
             if OUTSIDE.search(line) and "domain-references" not in s.name]
    assert found == []
