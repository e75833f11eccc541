"""Starting a process instance the Camunda way (POST /engine-rest/process-definition/.../start):
a case of the published service item that runs the process, at a receiving window, for the
applicant the variables name; the other variables are its application form.

Camunda starts a bare process; a Lianban case also needs the item (its time limits and forms), a
window (where the clock and routing start from) and an applicant. How they are found
(docs/camunda-modeler.md#starting-a-process-instance):
  - the item: the published item whose process is this definition's key (variable `itemCode` when
    several are);
  - the window: variable `windowId`, else the one window receiving the item where the caller
    holds a receiving post;
  - the applicant: variable `applicant` (Json: name, id_type, id_number, phone) or `applicantName`;
  - the channel: variable `channel` (default window);
  - everything else: the application form, validated as any case start validates it.
What cannot be mapped is refused (400) with what to send. The case starts on the latest version
of its process, as every case does: a definition id of an older version is refused."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Optional

from engine.domain import camunda
from engine.domain.actor import Actor
from engine.domain.errors import NotFound, ValidationError
from engine.domain.org import RECEIVING_ROLES, TIERS
from engine.services import cases, definitions
from engine.services.accounts import access, org
from engine.store.uow import Transaction

# variables that say how to start the case rather than what the applicant filled in
CASE_VARIABLES = ("itemCode", "windowId", "applicant", "applicantName", "channel")
APPLICANT_FIELDS = {"name": 200, "id_type": 32, "id_number": 64, "phone": 32, "mobile": 32}


@dataclass(frozen=True)
class ProcessInstance:
    case_id: int
    number: str
    definition_id: int
    key: str
    version: int
    business_key: Optional[str]
    ended: bool
    item_code: str
    window_id: int


def start_instance(ctx, actor: Actor, *, definition_id: Optional[str] = None, key: Optional[str] = None,
                   business_key: Optional[str] = None, variables: Optional[dict] = None,
                   idempotency_key: Optional[str] = None) -> ProcessInstance:
    """Start a case for the definition (Camunda id or row id) or the latest version of `key`.
    With an `idempotency_key` (Lianban's header; Camunda has none), a retried request gets the
    first instance instead of a second case."""
    if business_key is not None and (not isinstance(business_key, str) or len(business_key) > camunda.MAX_BUSINESS_KEY):
        raise ValidationError(f"businessKey is text of at most {camunda.MAX_BUSINESS_KEY} characters",
                              code="business_key_invalid", field="businessKey")
    values = camunda.variable_values(variables)

    def start(tx) -> dict:
        definition = _definition(ctx, tx, definition_id, key)
        item = _item(tx, definition.key, values.pop("itemCode", None))
        window_id = _window(ctx, tx, actor, item, values.pop("windowId", None))
        applicant = _applicant(values.pop("applicant", None), values.pop("applicantName", None))
        channel = values.pop("channel", None) or "window"
        if not isinstance(channel, str):
            raise ValidationError("variable 'channel' is a String", code="variable_invalid", field="variables.channel")
        started = cases.start_case(ctx, cases.StartCase(item.code, window_id, applicant, values, channel,
                                                        business_key=business_key), actor, tx=tx)
        return asdict(ProcessInstance(started.case_id, started.number, definition.id, definition.key,
                                      definition.version, business_key, started.status != "running", item.code,
                                      window_id))

    if idempotency_key and actor.staff_id:
        request = [definition_id, key, business_key, variables]
        return ProcessInstance(**cases.run_once(ctx, actor, idempotency_key, "process_instance", request, start))
    with ctx.uow.begin() as tx:
        return ProcessInstance(**start(tx))


def instance(ctx, actor: Actor, case_id: int) -> ProcessInstance:
    """A case as a process instance, for whoever may read the case."""
    with ctx.uow.read() as tx:
        access.require_case_access(ctx, tx, actor, case_id)
        row = tx.cases.view(case_id)
        if row is None:
            raise NotFound(f"Process instance with id {case_id} does not exist", code="case_not_found", field="id")
        definition = tx.definitions.by_id(row.definition_id)
    return ProcessInstance(row.id, row.number, definition.id, definition.key, definition.version, row.business_key,
                           row.status != "running", row.item_code, row.origin_window_id)


def _definition(ctx, tx: Transaction, definition_id: Optional[str], key: Optional[str]):
    if key is not None:
        latest = definitions.latest(ctx, tx, key)
        if latest is None:
            raise NotFound(f"No matching process definition with key: {key} and no tenant-id",
                           code="definition_not_found", field="key")
        return latest
    parsed = camunda.parse_definition_id(definition_id or "")
    row = tx.definitions.by_id(parsed[2]) if parsed else None
    if row is None or (parsed[0] is not None and (row.key, row.version) != parsed[:2]):
        raise NotFound(f"No matching definition with id {definition_id}", code="definition_not_found", field="id")
    latest = definitions.latest(ctx, tx, row.key)
    if latest.id != row.id:
        raise ValidationError(f"a case starts on the latest version of its process: {row.key} is at version "
                              f"{latest.version} ({camunda.definition_id(row.key, latest.version, latest.id)}), "
                              f"not {row.version}", code="definition_not_latest", field="id")
    return latest


def _item(tx: Transaction, process_key: str, item_code):
    items = [i for i in tx.catalogue.published_items() if i.process_key == process_key]
    if item_code is not None:
        mine = [i for i in items if item_code in (i.code, i.local_code)]
        if not mine:
            raise ValidationError(f"variable itemCode: {item_code!r} is not a published item of process "
                                  f"{process_key!r} (its items: {_codes(items) or 'none'})",
                                  code="item_not_of_process", field="variables.itemCode")
        items = mine
    if not items:
        raise ValidationError(f"no published service item runs process {process_key!r}: a case is a case of an "
                              f"item (publish one in the catalogue first)", code="process_not_offered", field="key")
    if len(items) > 1:
        raise ValidationError(f"several published items run process {process_key!r} ({_codes(items)}): name one "
                              f"with the String variable itemCode", code="item_ambiguous", field="variables.itemCode")
    return tx.catalogue.published_for_application(items[0].code)


def _codes(items) -> str:
    return ", ".join(i.local_code or i.code for i in items)


def _window(ctx, tx: Transaction, actor: Actor, item, window_id) -> int:
    if window_id is not None:
        if isinstance(window_id, bool) or not isinstance(window_id, int) or not 0 < window_id < 2 ** 31:
            raise ValidationError("variable windowId is a window's id (Integer)", code="variable_invalid",
                                  field="variables.windowId")
        return window_id
    receiving = tx.catalogue.receiving_windows(item.org_unit_id, item.accepting_tiers or TIERS, RECEIVING_ROLES)
    mine = {unit for unit, _dept, role in (org.posts_of(ctx, tx, actor.staff_id) if actor.staff_id else ())
            if role in RECEIVING_ROLES}
    candidates = [w.id for w in receiving if org.window(ctx, tx, w.id).org_unit_id in mine]
    if len(candidates) == 1:
        return candidates[0]
    listed = ", ".join(str(w.id) for w in receiving[:20])
    if not candidates:
        raise ValidationError(f"you hold no receiving post at a window that accepts item {item.code}: name the "
                              f"window with the Integer variable windowId (windows receiving it: {listed or 'none'})",
                              code="window_required", field="variables.windowId")
    raise ValidationError(f"you receive item {item.code} at several windows ({', '.join(map(str, candidates))}): "
                          f"name one with the Integer variable windowId", code="window_required",
                          field="variables.windowId")


def _applicant(applicant, name) -> dict:
    return applicant_of(applicant, name, "variables")


def applicant_of(applicant, name, prefix: str) -> dict:
    """The applicant a Camunda caller names in its variables (prefix: where they are, for errors)."""
    if applicant is not None:
        if not isinstance(applicant, dict):
            raise ValidationError("variable applicant is a Json object: {name, id_type, id_number, phone}",
                                  code="variable_invalid", field=f"{prefix}.applicant")
        for field_name, value in applicant.items():     # what POST /api/v1/cases accepts of an applicant
            limit = APPLICANT_FIELDS.get(field_name)
            if limit is None or not isinstance(value, str) or len(value) > limit:
                raise ValidationError(f"variable applicant: {field_name!r} is not one of "
                                      f"{', '.join(APPLICANT_FIELDS)} as text of at most {limit or '…'} characters",
                                      code="variable_invalid", field=f"{prefix}.applicant.{field_name}")
        return applicant
    if name is not None:
        if not isinstance(name, str):
            raise ValidationError("variable applicantName is a String", code="variable_invalid",
                                  field=f"{prefix}.applicantName")
        return {"name": name}
    raise ValidationError("a case needs its applicant: send the String variable applicantName or the Json variable "
                          "applicant ({name, id_type, id_number, phone})", code="applicant_required",
                          field=f"{prefix}.applicantName")
