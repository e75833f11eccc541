"""Every error code the API can return has a text in Chinese (first) and English for the console
(web/src/i18n/errors.json: code -> [zh-CN, en]), and the table holds no code the server never produces.

The codes are read from the source, not from a list kept by hand: a regex over engine/**/*.py and
api/**/*.py finds a string literal given as
  - `code = "x"`: an exception class's default, or a local later passed as code=;
  - `code="x"`: the keyword of a raised error (`raise Conflict("...", code="case_not_running")`);
  - the first argument of `Problem("x", ...)`, `problems.add("x", ...)` and `TargetError("x", ...)`:
    a deployment problem, whose code a DeployError reports as its own (code=first.code);
  - the code argument of api/errors.py `problem(status, "x", ...)`;
each also as `"x" if ... else "y"`. api/errors.py `_HTTP_CODES` adds the codes of HTTP errors.

What the regex cannot see is listed in DYNAMIC below, each with the source text that makes it, which
the test checks is still there. Not enumerable statically, so not translated (the console shows the
server's own message, else errors.unknown):
  - api/errors.py `f"http_{status}"`: an HTTP status outside _HTTP_CODES (e.g. 416 for a bad Range
    header on a static file); werkzeug decides which statuses occur;
  - the codes of the items in a `problems` list (catalogue rows, deployment problems after the
    first): the console is shown the top-level code (catalogue_invalid, the first problem's).
"""
import json
import re
from collections import Counter

from api.errors import _HTTP_CODES
from tests.conftest import ROOT

TABLE = ROOT / "web" / "src" / "i18n" / "errors.json"
CLIENT_ONLY = {"unknown", "network_error"}      # made by the console itself (web/src/errors.js, web/src/api.js)

# code -> (file, texts in that file that make it), for codes passed through a variable or an f-string
_PAUSE, _GUIDES = "engine/services/time_limits/clock_commands.py", "engine/services/catalogue/published.py"
_AUTH, _DELIVERY = "engine/services/accounts/auth.py", "engine/services/delivery/handover.py"
_FORMS = "engine/services/definitions/forms.py"
DYNAMIC = {
    # _check_pause: for name in ("reason", "notice"): code=f"pause_{name}_required"
    "pause_reason_required": (_PAUSE, 'code=f"pause_{name}_required"', '(("reason", reason)'),
    "pause_notice_required": (_PAUSE, 'code=f"pause_{name}_required"', '("notice", notice)'),
    # list_guides: for name in tier, accepting_tier, category: code=f"{name}_unknown"
    "tier_unknown": (_GUIDES, 'code=f"{name}_unknown"', '(("tier", tier, TIERS)'),
    "accepting_tier_unknown": (_GUIDES, 'code=f"{name}_unknown"', '("accepting_tier", accepting_tier, TIERS)'),
    "category_unknown": (_GUIDES, 'code=f"{name}_unknown"', '("category", category, CATEGORIES)'),
    # _check_text(value, field, max_length): code=f"{field}_required", f"{field}_too_long"
    "username_required": (_AUTH, 'code=f"{field}_required"', '_check_text(username, "username", 64)'),
    "username_too_long": (_AUTH, 'code=f"{field}_too_long"', '_check_text(username, "username", 64)'),
    "name_required": (_AUTH, 'code=f"{field}_required"', '_check_text(name, "name", 100)'),
    "name_too_long": (_AUTH, 'code=f"{field}_too_long"', '_check_text(name, "name", 100)'),
    # engine/services/cases/lifecycle.py _reason(reason, code)
    "not_accepted_reason_required": ("engine/services/cases/lifecycle.py",
                                     '_reason(reason, "not_accepted_reason_required")'),
    # _text(value, field, limit, required, code)
    "delivery_tracking_required": (_DELIVERY, 'mail, "delivery_tracking_required")'),
    "delivery_carrier_invalid": (_DELIVERY, 'False, "delivery_carrier_invalid")'),
    "delivery_address_required": (_DELIVERY, 'mail, "delivery_address_required")'),
    "delivery_recipient_invalid": (_DELIVERY, 'False, "delivery_recipient_invalid")'),
    "delivery_licence_required": (_DELIVERY, 'licence, "delivery_licence_required")'),
    # _validate(..., missing_code): code=missing_code
    "form_not_deployed": (_FORMS, 'code=missing_code', '"data", "form_not_deployed")'),
    "application_form_not_deployed": (_FORMS, 'code=missing_code', 'prefix, "application_form_not_deployed")'),
}

_CODE = r'"([a-z][a-z0-9_]*)"(?:\s+if\b[^\n]*?\belse\s+"([a-z][a-z0-9_]*)")?'
_WHERE = (r"\bcode\s*=\s*",                     # class attribute, keyword argument, local passed as code=
          r"(?<![\w.])Problem\(\s*",            # a deployment problem (engine.domain.errors.Problem)
          r"\bproblems\.add\(\s*",              # ProblemList.add
          r"\bTargetError\(\s*",                # a routing target, reported as a deployment problem
          r"\bproblem\(\s*\w+,\s*")             # api/errors.py problem(status, code, ...)
_PATTERN = re.compile("(?:" + "|".join(_WHERE) + ")" + _CODE)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_I18N_SYNTAX = re.compile(r"[{}@|$%]")          # vue-i18n message syntax: a literal one breaks the text


def scanned_codes(sources=None) -> dict[str, str]:
    """code -> the first file:line that produces it."""
    if sources is None:
        sources = [(p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8"))
                   for top in ("engine", "api") for p in sorted((ROOT / top).rglob("*.py"))]
    found: dict[str, str] = {}
    for name, text in sources:
        for m in _PATTERN.finditer(text):
            for code in filter(None, m.groups()):
                found.setdefault(code, f"{name}:{text.count(chr(10), 0, m.start()) + 1}")
    return found


def produced_codes() -> set[str]:
    return set(scanned_codes()) | set(_HTTP_CODES.values()) | set(DYNAMIC)


def load_table() -> dict:
    pairs = json.loads(TABLE.read_text(encoding="utf-8"), object_pairs_hook=list)
    duplicates = [code for code, n in Counter(code for code, _ in pairs).items() if n > 1]
    assert not duplicates, f"errors.json lists these codes twice: {duplicates}"
    return dict(pairs)


def test_the_scan_sees_every_kind_of_error_code():
    found = scanned_codes()
    for code, where in [("validation_error", "engine/domain/errors.py"),            # class attribute
                        ("case_not_running", "engine/services/"),                    # code="..."
                        ("csrf_failed", "api/security.py"),
                        ("xml_malformed", "engine/bpmn/xml.py"),                     # Problem("...")
                        ("stage_unknown", "engine/bpmn/parser.py"),                  # problems.add("...")
                        ("routing_unknown_tier", "engine/domain/org.py"),            # TargetError("...")
                        ("script_import_forbidden", "engine/bpmn/parser.py"),        # "..." if ... else "..."
                        ("script_policy_violation", "engine/bpmn/"),
                        ("request_invalid", "api/errors.py")]:                       # problem(status, "...")
        assert code in found and found[code].startswith(where), (code, found.get(code))
    assert len(found) > 150
    sample = [("x.py", 'raise Conflict("gone", code="brand_new_code")\nclass E(LianbanError):\n    code = "e_x"\n'
                       'q.where(item_code="not_me", status_code = "nor_me")\nif code == "nor_this": pass\n')]
    assert set(scanned_codes(sample)) == {"brand_new_code", "e_x"}


def test_every_code_the_server_produces_is_translated_in_chinese_and_english():
    table = load_table()
    problems = []
    for code in sorted(produced_codes() | CLIENT_ONLY):
        texts = table.get(code)
        if not (isinstance(texts, list) and len(texts) == 2 and all(isinstance(t, str) for t in texts)):
            problems.append(f"{code}: no [zh-CN, en] pair in errors.json")
            continue
        zh, en = (t.strip() for t in texts)
        if not zh or not _CJK.search(zh):
            problems.append(f"{code}: the zh-CN text has no Chinese")
        if not en or _CJK.search(en):
            problems.append(f"{code}: the English text is empty or has Chinese in it")
        if _I18N_SYNTAX.search(zh + en):
            problems.append(f"{code}: a text has a character vue-i18n reads as syntax ({{ }} @ | $ %)")
    assert not problems, "\n".join(problems)


def test_errors_json_has_no_code_the_server_never_produces():
    stale = set(load_table()) - produced_codes() - CLIENT_ONLY
    assert not stale, f"errors.json translates codes no code in engine/ or api/ produces: {sorted(stale)}"


def test_the_dynamic_codes_are_still_made_where_the_list_says():
    for code, (path, *texts) in DYNAMIC.items():
        source = (ROOT / path).read_text(encoding="utf-8")
        missing = [text for text in texts if text not in source]
        assert not missing, f"{code}: {path} no longer has {missing}"


def test_errors_json_is_sorted_by_code():
    codes = list(load_table())
    assert codes == sorted(codes)
