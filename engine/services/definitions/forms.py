"""Forms at deploy time (every form a process uses must resolve to a valid JSON Schema, and the
schema is snapshotted with the definition version) and at run time (submitted data is validated
against the snapshot of the case's version, with compiled validators cached per version)."""
from __future__ import annotations

from typing import Optional

from engine.bpmn.user_data import check_user_data
from engine.domain import forms as rules
from engine.domain.actor import Actor
from engine.domain.errors import DeployError, NotFound, Problem, ValidationError
from engine.services.accounts import access
from engine.store.uow import Transaction


def is_form_file(name: str) -> bool:
    """A form uploaded beside the diagrams: JSON Schema (`<key>.schema.json`) or a Camunda Form (`.form`)."""
    return name.endswith((".json", rules.CAMUNDA_SUFFIX))


class Resolver:
    """Form key -> schema for one deployment: files uploaded with the BPMN first, then the forms
    directory. Each file is read, checked (a Camunda Form converted) once; problems name the BPMN
    file and element."""

    def __init__(self, forms_dir, uploaded: dict[str, bytes], embedded: Optional[dict[str, str]] = None):
        self.forms_dir = forms_dir
        self.uploaded = uploaded
        self.embedded = embedded or {}           # Camunda 8: form id -> the form-js JSON a process embeds
        # name -> (schema, None, None) or (None, why, problem code)
        self._cache: dict[str, tuple[Optional[dict], Optional[str], Optional[str]]] = {}
        self._form_ids: dict[str, str] = {}          # a Camunda Form's own id -> its uploaded file

    def check_uploads(self) -> list[Problem]:
        problems = []
        for name, content in sorted(self.uploaded.items()):
            if not name.endswith((rules.SUFFIX, rules.CAMUNDA_SUFFIX)):
                problems.append(Problem("form_file_name", f"form files are named <key>{rules.SUFFIX} (or, a "
                                        f"Camunda Form, <name>{rules.CAMUNDA_SUFFIX})", file=name))
                continue
            schema, why, code = self._read(name, content)
            if schema is None:
                problems.append(Problem(code, f"form {name}: {why}", file=name))
        return problems

    def _read(self, name: str, content: bytes):
        if name not in self._cache:
            if name.endswith(rules.CAMUNDA_SUFFIX):
                schema, form_id, why = rules.parse_camunda_form(content)
                if form_id and name in self.uploaded:
                    self._form_ids.setdefault(form_id, name)
                code = "camunda_form_unsupported" if why and why.startswith("Camunda Form:") else \
                    "form_invalid_schema"
            else:
                schema, why = rules.parse_schema(content)
                code = "form_invalid_schema"
            self._cache[name] = (schema, why, None if schema is not None else code)
        return self._cache[name]

    def resolve(self, form_key: str) -> tuple[Optional[dict], Optional[str], Optional[str], Optional[str]]:
        """(schema, canonical key, None, None) or (None, None, why, problem code)."""
        try:
            name = rules.file_name(form_key)
        except rules.FormKeyError as exc:
            return None, None, str(exc), "form_invalid_schema"
        if name.startswith(rules.EMBEDDED_PREFIX):
            return self._embedded(form_key, name[len(rules.EMBEDDED_PREFIX):])
        if name.startswith(rules.REF_PREFIX):
            ref = name[len(rules.REF_PREFIX):]
            name = self._by_form_id(ref)
            if name is None:
                code = "form_missing"
                return None, None, f"camunda:formRef {ref!r}: no Camunda Form with that id in the deployment", code
        if name not in self._cache:
            if name in self.uploaded:
                self._read(name, self.uploaded[name])
            elif (self.forms_dir / name).is_file():
                self._read(name, (self.forms_dir / name).read_bytes())
            else:
                code = "form_missing"
                self._cache[name] = (None, f"form {form_key!r}: no file {name} in the deployment or in the "
                                           f"forms directory", code)
        schema, why, code = self._cache[name]
        if schema is None:
            return None, None, why if why.startswith("form ") else f"form {form_key!r} ({name}): {why}", code
        return schema, rules.canonical_key(form_key), None, None

    def _embedded(self, form_key: str, form_id: str):
        """A zeebe:userTaskForm of the deployment, converted as a Camunda Form file is."""
        if form_id not in self.embedded:
            return None, None, f"no zeebe:userTaskForm with id {form_id!r} in the deployment", "form_missing"
        schema, _id, why = rules.parse_camunda_form(self.embedded[form_id].encode("utf-8"))
        if schema is None:
            code = "camunda_form_unsupported" if why.startswith("Camunda Form:") else "form_invalid_schema"
            return None, None, f"embedded form {form_id!r}: {why}", code
        return schema, rules.canonical_key(form_key), None, None

    def _by_form_id(self, form_id: str) -> Optional[str]:
        for name, content in sorted(self.uploaded.items()):
            if name.endswith(rules.CAMUNDA_SUFFIX):
                self._read(name, content)
        return self._form_ids.get(form_id)


def snapshot(ctx, tx: Transaction, bundle, uploaded: dict[str, bytes]) -> dict[str, tuple[dict, Optional[str]]]:
    """process key -> (forms {canonical key: schema}, start form key) for every process of the
    bundle, or a DeployError listing each form that is missing or not a valid JSON Schema.
    Also snapshots the application forms that catalogue entries of the process name (when they
    resolve: the catalogue may name a form before it is written; starting such a case says so)."""
    resolver = Resolver(ctx.settings.forms_dir, uploaded, bundle.embedded_forms)
    problems = resolver.check_uploads()
    out = {}
    for key, proc in sorted(bundle.processes.items()):
        forms, start = _bpmn_forms(resolver, bundle, proc, problems)
        for form_key in tx.catalogue.application_forms(key):
            schema, canonical, _why, _code = resolver.resolve(form_key)
            if schema is not None:
                forms[canonical] = schema
        out[key] = (forms, start)
    if problems:
        raise DeployError(_unique(problems))
    return out


def _bpmn_forms(resolver: Resolver, bundle, proc, problems: list[Problem]) -> tuple[dict[str, dict], Optional[str]]:
    """({canonical key: schema}, start form key) of the forms the process's user tasks and start
    event name; a problem for each that does not resolve, naming the file and element."""
    forms: dict[str, dict] = {}
    start = None
    metas = list(proc.user_tasks) + ([proc.start_form] if proc.start_form else [])
    for meta in metas:
        if not meta.form_key:
            continue
        schema, canonical, why, code = resolver.resolve(meta.form_key)
        if schema is None:
            owner = bundle.processes.get(meta.process)
            what = "start event" if meta is proc.start_form else "user task"
            problems.append(Problem(code, f"{what} {meta.id}: {why}", file=owner.resource if owner else proc.resource,
                                    element=meta.id, line=meta.line))
            continue
        forms[canonical] = schema
        if meta is proc.start_form:
            start = canonical
    return forms, start


def _unique(problems: list[Problem]) -> list[Problem]:
    """Each (file, element, message) once: a called process's form is checked for every caller."""
    seen, unique = set(), []
    for p in problems:
        if (p.file, p.element, p.message) not in seen:
            seen.add((p.file, p.element, p.message))
            unique.append(p)
    return unique


def _definition_forms(ctx, tx: Transaction, definition_id: int) -> tuple[Optional[dict], Optional[str]]:
    cache = ctx.caches.definition_forms
    hit = cache.get(definition_id)
    if hit is None:
        row = tx.definitions.forms_of(definition_id)
        if row is None:
            raise NotFound(f"process definition {definition_id} does not exist", code="definition_not_found")
        hit = cache.put(definition_id, (row.forms, row.start_form))
    return hit


def check(ctx, cache_key, schema: dict, data, prefix: str) -> None:
    """Validate `data` against `schema` (compiled once per `cache_key`); a ValidationError
    `form_invalid` lists every offending field as {field, message, validator}."""
    validator = ctx.caches.form_validators.get_or_load(cache_key, lambda: rules.compile_validator(schema))
    errors = rules.field_errors(validator, data, prefix)
    if errors:
        first = errors[0]
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ValidationError(f"{first['field']}: {first['message']}{more}", code="form_invalid",
                              field=first["field"], detail={"errors": errors})


def _validate(ctx, tx, definition_id: int, form_key: str, data: dict, prefix: str, missing_code: str) -> None:
    forms, _start = _definition_forms(ctx, tx, definition_id)
    if forms is None:       # deployed before forms were snapshotted (migration 0008): nothing to check
        return
    key = rules.canonical_key(form_key)
    schema = forms.get(key)
    if schema is None:
        raise ValidationError(f"form {key!r} is not deployed with this process version; deploy the process again",
                              code=missing_code, field=prefix)
    check(ctx, (definition_id, key), schema, data, prefix)


def validate_task_data(ctx, tx: Transaction, definition_id: int, form_key: Optional[str], data: dict) -> None:
    """Task completion: the data must satisfy the task's form (tasks without a form take any data)."""
    if form_key:
        check_user_data(data)       # engine-level refusals (reserved keys, non-JSON) name their field first
        _validate(ctx, tx, definition_id, form_key, data, "data", "form_not_deployed")


def application_form_key(ctx, tx: Transaction, definition_id: int, item_form: Optional[str]) -> Optional[str]:
    """The item's application form (实施清单 application_form), else the BPMN start event's form."""
    if item_form:
        return item_form
    return _definition_forms(ctx, tx, definition_id)[1]


def validate_application(ctx, tx: Transaction, definition_id: int, item_form: Optional[str], form: dict,
                         prefix: str = "form") -> None:
    key = application_form_key(ctx, tx, definition_id, item_form)
    if key:
        _validate(ctx, tx, definition_id, key, form, prefix, "application_form_not_deployed")


def application_schema(ctx, tx: Transaction, definition_id: int, item_form: Optional[str]) -> Optional[dict]:
    key = application_form_key(ctx, tx, definition_id, item_form)
    forms, _start = _definition_forms(ctx, tx, definition_id)
    return (forms or {}).get(rules.canonical_key(key)) if key else None


# --- reading schemas (console, integrators) ------------------------------------------------------

def task_form(ctx, task_id: str, actor: Actor) -> dict:
    """The schema of a task's form, from its case's definition version (None when it has none)."""
    with ctx.uow.read() as tx:
        row = tx.definitions.form_of_task(task_id)
        if row is None:
            raise NotFound(f"task {task_id} does not exist", code="task_not_found", field="task_id")
        access.require_case_access(ctx, tx, actor, row.case_id, reading=True)
        forms, _start = _definition_forms(ctx, tx, row.definition_id)
    key = rules.canonical_key(row.form_key) if row.form_key else None
    return {"key": key, "definition_id": row.definition_id, "schema": (forms or {}).get(key) if key else None}


def deployed_form(ctx, key: str) -> dict:
    """A form by key as the newest process version that carries it deployed it."""
    try:
        canonical = rules.canonical_key(key)
    except rules.FormKeyError as exc:
        raise NotFound(str(exc), code="form_not_found", field="key") from None
    with ctx.uow.read() as tx:
        row = tx.definitions.newest_with_form(canonical)
    if row is None:
        raise NotFound(f"no deployed process uses form {canonical!r}", code="form_not_found", field="key")
    return {"key": canonical, "definition_id": row.id, "process_key": row.key, "version": row.version,
            "schema": row.forms[canonical]}
