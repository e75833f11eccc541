"""The console works on an offline government network and under its Content-Security-Policy:
every package pinned exactly and locked, nothing fetched from another origin, no inline script."""
import json
import re

import pytest

from tests.conftest import ROOT

WEB = ROOT / "web"
FOREIGN_URL = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(?!\s*</script>)", re.IGNORECASE)


def test_every_npm_package_is_pinned_exactly_and_locked():
    manifest = json.loads((WEB / "package.json").read_text())
    lock = json.loads((WEB / "package-lock.json").read_text())
    for section in ("dependencies", "devDependencies"):
        for name, version in manifest.get(section, {}).items():
            assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name}@{version} is not pinned exactly"
            assert lock["packages"][f"node_modules/{name}"]["version"] == version, name


def test_no_source_file_loads_anything_from_another_origin():
    offenders = []
    for path in [WEB / "index.html", *WEB.glob("src/**/*.vue"), *WEB.glob("src/**/*.js"), *WEB.glob("src/**/*.css")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FOREIGN_URL.search(line) or re.search(r"@import\s+url\(\s*['\"]?https?:", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, offenders


def test_the_page_has_no_inline_script_so_the_policy_can_forbid_it():
    sources = [WEB / "index.html"]
    built = WEB / "dist" / "index.html"
    if built.is_file():
        sources.append(built)
    for path in sources:
        html = path.read_text(encoding="utf-8")
        assert not INLINE_SCRIPT.search(html), f"inline script in {path.relative_to(ROOT)}"
        assert not re.search(r"\son[a-z]+\s*=", html), f"inline event handler in {path.relative_to(ROOT)}"
    for path in WEB.glob("src/**/*.vue"):
        assert "v-html" not in path.read_text(encoding="utf-8"), f"{path.relative_to(ROOT)} renders raw HTML"


@pytest.mark.parametrize("text, found", [('<script type="module" src="/assets/a.js"></script>', False),
                                          ("<script>alert(1)</script>", True), ("<script>\n</script>", False)])
def test_the_inline_script_check_itself(text, found):
    assert bool(INLINE_SCRIPT.search(text)) is found


def test_every_answer_is_built_as_a_secure_response():
    """api/security.py SecureResponse adds the security headers as an answer is sent: a route that
    built a plain flask.Response would answer without them."""
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "api").rglob("*.py")
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"(?<![A-Za-z_.])Response\(|from flask import .*\bResponse\b", line)]
    assert not offenders, offenders
