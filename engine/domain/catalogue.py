"""The 实施清单 catalogue: one entry per implementing body's implementation of a basic item, and
the validators an import must pass (docs/catalogue.md#domain-rules). Pure: the service passes in what
it knows from the database (existing basic items, org units).

Every problem names the row (1-based, as the file counts it: the JSON list position, or the
spreadsheet row of a CSV file whose header is row 1) and the field, so a clerk can fix the file."""
from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any, Optional

from engine.domain import catalogue_fields as f
from engine.domain.catalogue_shapes import (
    check_fees,
    check_guide,
    check_materials,
    normal_fees,
    normal_guide,
    normal_materials,
)
from engine.domain.codes import USCC_ALPHABET, uscc_problem

TIERS = ("district", "park", "township", "village")
# 事项类型: power items and public services
CATEGORIES = ("licensing", "confirmation", "adjudication", "benefit", "reward", "filing", "other_power",
              "public_service")
# national code table A (aplanmis ItemType) and the Chinese labels; other platforms' codes
# differ, so only this table is read and everything else must use the English names
CATEGORY_ALIASES = {
    "01": "licensing", "05": "benefit", "07": "confirmation", "08": "reward", "09": "adjudication",
    "20": "other_power", "21": "public_service",
    "行政许可": "licensing", "行政确认": "confirmation", "行政裁决": "adjudication", "行政给付": "benefit",
    "行政奖励": "reward", "行政备案": "filing", "其他行政权力": "other_power", "公共服务": "public_service",
}
DELEGATION_MODES = ("devolved", "entrusted", "extended", "pushed_down")   # 下放 委托 延伸 下沉
PROJECT_TYPES = ("instant", "promised")                                  # 即办件 承诺件
HANDLE_FORMS = ("window", "online", "mail")
# processes that are Lianban's own internal work (the 差评 review, docs/ratings.md): their items are
# published so that cases can run, but they are no service to the public — not in the guide, the
# catalogue export, the service items or the channel statistics, and not startable at a window
INTERNAL_PROCESS_KEYS = ("rating_review",)
# units as the deadline engine names them (engine/domain/deadlines.py); 自然日 is a calendar day
UNITS = ("workday", "calendar_day")
UNIT_ALIASES = {"natural_day": "calendar_day", "工作日": "workday", "自然日": "calendar_day"}
DEPTHS = (1, 2, 3, 4)                                                    # 网上办理深度 Ⅰ–Ⅳ


@dataclass(frozen=True)
class CatalogueProblem:
    row: int
    field: str
    code: str
    message: str

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message} [{self.code}]"


@dataclass
class Entry:
    """One implementation entry with its basic item's fields (the file repeats them per row)."""
    code: str                                  # 实施编码: body USCC + 13 characters
    basic_code: str                            # 基本编码
    name: str                                  # 事项名称 (四级四同)
    category: str                              # 事项类型 (四级四同)
    legal_basis: str                           # 设定依据 (四级四同)
    process_key: str
    org_unit: str                              # code of the implementing body's org unit
    body_name: str                             # 实施主体
    body_uscc: str
    tier: str
    deciding_tier: str
    legal_limit: int
    promise_limit: int
    onsite_visits: int
    online_depth: int
    power_source: Optional[str] = None
    local_code: Optional[str] = None
    handling_item_code: Optional[str] = None
    delegation_mode: Optional[str] = None
    entrusting_department: Optional[str] = None
    accepting_tiers: list = field(default_factory=list)
    deciding_department: Optional[str] = None
    legal_unit: str = "workday"
    promise_unit: str = "workday"
    extension_limit: Optional[int] = None
    project_type: str = "promised"
    handle_forms: list = field(default_factory=list)
    mobile: bool = False
    express: bool = False
    pay_online: Optional[bool] = None          # None: not stated (a fee item must state it)
    fee_required: bool = False
    fee_basis: Optional[str] = None
    fees: list = field(default_factory=list)
    materials: list = field(default_factory=list)
    tolerant_acceptance: bool = False
    application_form: Optional[str] = None
    guide: dict = field(default_factory=dict)
    row: int = 0


FIELD_NAMES = tuple(x.name for x in fields(Entry) if x.name != "row")
REQUIRED = tuple(x.name for x in fields(Entry) if x.default is MISSING and x.default_factory is MISSING)
_TEXT = {"code": 31, "basic_code": 12, "name": 200, "category": 32, "legal_basis": 4000, "process_key": 128,
         "org_unit": 32, "body_name": 200, "body_uscc": 18, "tier": 16, "deciding_tier": 16, "power_source": 200,
         "local_code": 64, "handling_item_code": 50, "delegation_mode": 16, "entrusting_department": 200,
         "deciding_department": 32, "legal_unit": 16, "promise_unit": 16, "project_type": 16, "fee_basis": 4000,
         "application_form": 255}
_INT = ("legal_limit", "promise_limit", "onsite_visits", "online_depth", "extension_limit")
_BOOL = ("mobile", "express", "pay_online", "fee_required", "tolerant_acceptance")
_LIST = ("accepting_tiers", "handle_forms")


# each field's reader: raw value -> (typed value or None, what is wrong with it or None)
_READERS = ([(n, lambda v, n=n: f.text(v, _TEXT[n])) for n in _TEXT] + [(n, f.integer) for n in _INT]
            + [(n, f.boolean) for n in _BOOL] + [(n, f.string_list) for n in _LIST]
            + [("fees", lambda v: f.structured(v, list)), ("materials", lambda v: f.structured(v, list)),
               ("guide", lambda v: f.structured(v, dict))])


def parse_row(raw: Any, row: int) -> tuple[Optional[Entry], list[CatalogueProblem]]:
    """Typed values of one row, or the problems that stop it being read."""
    if not isinstance(raw, dict):
        return None, [CatalogueProblem(row, "", "row_not_object", "each entry must be an object")]
    problems = _unknown_fields(raw, row)
    values, wrong_type = _read_fields(raw, row)
    problems += wrong_type
    problems += _missing_fields(values, problems, row)
    if problems:
        return None, problems
    return Entry(row=row, **_normalised(values)), []


def _unknown_fields(raw: dict, row: int) -> list[CatalogueProblem]:
    return [CatalogueProblem(row, str(name), "unknown_field", f"unknown field {name!r}")
            for name in raw if name not in FIELD_NAMES]


def _read_fields(raw: dict, row: int) -> tuple[dict, list[CatalogueProblem]]:
    """(the fields that read as their type, a problem for each that did not)."""
    values: dict = {}
    problems: list[CatalogueProblem] = []
    for name, read in _READERS:
        value, message = read(raw.get(name))
        if message:
            problems.append(CatalogueProblem(row, name, "field_type", f"{name} {message}"))
        if value is not None:
            values[name] = value
    return values, problems


def _missing_fields(values: dict, problems: list[CatalogueProblem], row: int) -> list[CatalogueProblem]:
    """A required field that is absent, unless it already has a problem of its own."""
    return [CatalogueProblem(row, name, "field_required", f"{name} is required") for name in REQUIRED
            if name not in values and not any(p.field == name for p in problems)]


def _normalised(values: dict) -> dict:
    """The category and units in the names the engine uses (the file may use the aliases)."""
    values["category"] = CATEGORY_ALIASES.get(values["category"], values["category"])
    for unit in ("legal_unit", "promise_unit"):
        if unit in values:
            values[unit] = UNIT_ALIASES.get(values[unit], values[unit])
    return values


def check_entry(e: Entry) -> list[CatalogueProblem]:
    """The rules one entry must keep on its own."""
    out: list[CatalogueProblem] = []

    def bad(name: str, code: str, message: str) -> None:
        out.append(CatalogueProblem(e.row, name, code, message))

    _check_codes(e, bad)
    for name, value, allowed in (("category", e.category, CATEGORIES), ("tier", e.tier, TIERS),
                                 ("deciding_tier", e.deciding_tier, TIERS), ("project_type", e.project_type,
                                 PROJECT_TYPES), ("legal_unit", e.legal_unit, UNITS),
                                 ("promise_unit", e.promise_unit, UNITS), ("online_depth", e.online_depth, DEPTHS)):
        if value not in allowed:
            bad(name, f"{name}_unknown", f"{name} {value!r} is not one of {', '.join(map(str, allowed))}")
    if e.delegation_mode is not None and e.delegation_mode not in DELEGATION_MODES:
        bad("delegation_mode", "delegation_mode_unknown",
            f"delegation_mode {e.delegation_mode!r} is not one of {', '.join(DELEGATION_MODES)}")
    if e.delegation_mode == "entrusted" and not e.entrusting_department:
        bad("entrusting_department", "entrusting_department_required", "an entrusted (委托) item names the "
            "entrusting department (委托部门)")
    _check_sets(e, bad)
    _check_limits(e, bad)
    _check_channels(e, bad)
    _check_fees(e, bad)
    for name, code, message in check_materials(e.materials, e.tolerant_acceptance):
        bad(name, code, message)
    for name, code, message in check_guide(e.guide):
        bad(name, code, message)
    return out


def _check_codes(e: Entry, bad) -> None:
    if not (e.basic_code.isascii() and e.basic_code.isalnum() and e.basic_code == e.basic_code.upper()):
        bad("basic_code", "basic_code_invalid", "a basic code (基本编码) is up to 12 characters of 0-9 and A-Z")
    uscc = uscc_problem(e.body_uscc)
    if uscc:
        bad("body_uscc", "uscc_invalid", f"body_uscc {e.body_uscc}: {uscc}")
    if len(e.code) != 31 or any(ch not in USCC_ALPHABET for ch in e.code):
        bad("code", "implementation_code_invalid", "an implementation code (实施编码) is 31 characters of "
            "0-9 and A-Z without I, O, S, V, Z")
        return
    prefix = uscc_problem(e.code[:18])
    if prefix:
        bad("code", "implementation_code_uscc_invalid", f"the USCC in the first 18 characters of {e.code}: {prefix}")
    elif e.code[:18] != e.body_uscc:
        bad("code", "implementation_code_body_mismatch",
            f"the first 18 characters {e.code[:18]} must be the implementing body's USCC {e.body_uscc}")


def _check_sets(e: Entry, bad) -> None:
    for name, values, allowed in (("accepting_tiers", e.accepting_tiers, TIERS),
                                  ("handle_forms", e.handle_forms, HANDLE_FORMS)):
        unknown = [v for v in values if v not in allowed]
        if unknown:
            bad(name, f"{name}_unknown", f"{name}: {unknown[0]!r} is not one of {', '.join(allowed)}")
        elif not values:
            bad(name, f"{name}_required", f"{name} lists at least one of {', '.join(allowed)}")
        elif len(set(values)) != len(values):
            bad(name, f"{name}_duplicate", f"{name} lists a value twice")


def _check_limits(e: Entry, bad) -> None:
    """Both limits are positive; the promise is at most the law's limit, in the same unit."""
    for name, value in (("legal_limit", e.legal_limit), ("promise_limit", e.promise_limit)):
        if value < 1:
            bad(name, "limit_not_positive", f"{name} must be a positive whole number of days")
    if e.extension_limit is not None and e.extension_limit < 0:
        bad("extension_limit", "limit_not_positive", "extension_limit must not be negative")
    if e.legal_unit in UNITS and e.promise_unit in UNITS and e.legal_unit != e.promise_unit:
        bad("promise_unit", "promise_unit_mismatch",
            f"the promised limit is counted in {e.promise_unit} but the legal limit in {e.legal_unit}")
    elif e.promise_limit > e.legal_limit >= 1:
        bad("promise_limit", "promise_exceeds_legal",
            f"the promised limit {e.promise_limit} exceeds the legal limit {e.legal_limit} (承诺时限 ≤ 法定时限)")


def _check_channels(e: Entry, bad) -> None:
    """Consistency of handling forms, on-site visits and online depth."""
    if e.onsite_visits < 0:
        bad("onsite_visits", "onsite_visits_negative", "onsite_visits must not be negative")
    online = "online" in e.handle_forms
    if e.online_depth in DEPTHS and online != (e.online_depth >= 2):
        bad("online_depth", "online_depth_inconsistent",
            f"depth {e.online_depth} does not match handle_forms: online handling means depth Ⅱ or more "
            "(Ⅰ is information only), and depth Ⅱ or more means online is in handle_forms")
    if e.online_depth == 4 and e.onsite_visits > 0:
        bad("onsite_visits", "full_online_needs_zero_visits", "全程网办 (depth Ⅳ) means zero on-site visits")
    if e.onsite_visits == 0 and "mail" not in e.handle_forms and not (online and e.online_depth == 4):
        bad("handle_forms", "zero_visits_needs_mail", "zero on-site visits (零跑动) needs mail in handle_forms, "
            "or full online handling (depth Ⅳ)")


def _check_fees(e: Entry, bad) -> None:
    """A charged item states its basis, whether it can be paid online, and its fee items."""
    for name, code, message in check_fees(e.fees):
        bad(name, code, message)
    if e.fee_required:
        if not e.fee_basis:
            bad("fee_basis", "fee_basis_required", "a charged item (是否收费 = 是) states its fee basis (收费依据)")
        if e.pay_online is None:
            bad("pay_online", "pay_online_required", "a charged item states whether it can be paid online")
        if not e.fees:
            bad("fees", "fees_required", "a charged item lists at least one fee item (收费项目)")
    elif e.fees:
        bad("fees", "fees_without_charge", "fee items are listed but fee_required is false")


def check_catalogue(entries: list[Entry], existing: dict[str, tuple[str, str, str]] | None = None
                    ) -> list[CatalogueProblem]:
    """Every entry's own rules, duplicate rows, and 四级四同 across rows and against the basic items
    `existing` (basic code → (name, legal basis, category)) that this file may not change."""
    out = [p for e in entries for p in check_entry(e)]
    first_row: dict[str, int] = {}
    basics: dict[str, Entry] = {}
    for e in entries:
        if e.code in first_row:
            out.append(CatalogueProblem(e.row, "code", "duplicate_row",
                                        f"implementation {e.code} already appears in row {first_row[e.code]}"))
        first_row.setdefault(e.code, e.row)
        reference = basics.setdefault(e.basic_code, e)
        known = (existing or {}).get(e.basic_code)
        for i, name in enumerate(("name", "legal_basis", "category")):
            value = getattr(e, name)
            if reference is not e and value != getattr(reference, name):
                out.append(CatalogueProblem(e.row, name, "four_same_violation",
                                            f"basic item {e.basic_code} has {name} {getattr(reference, name)!r} in "
                                            f"row {reference.row}, not {value!r} (四级四同)"))
            elif known is not None and value != known[i]:
                out.append(CatalogueProblem(e.row, name, "four_same_violation",
                                            f"basic item {e.basic_code} has {name} {known[i]!r} in the catalogue "
                                            f"(implemented at other tiers), not {value!r} (四级四同)"))
    return sorted(out, key=lambda p: (p.row, p.field))


def entry_values(e: Entry) -> dict:
    """The entry as plain values (the export and content comparison use this)."""
    values = {name: getattr(e, name) for name in FIELD_NAMES}
    values.update(pay_online=bool(e.pay_online), materials=normal_materials(e.materials), fees=normal_fees(e.fees),
                  guide=normal_guide(e.guide))
    return values
