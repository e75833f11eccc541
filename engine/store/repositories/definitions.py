"""Deployed process definitions and their deployments: a version is written once by a deploy and
never changed, so every case of that version shares it (its spec, user tasks and form snapshots).

Writes `process_definition`, `deployment` and `deployment_resource`; lists deployments as Camunda's
REST API does (filters, sort, paging); reads `task` and `case` for the form of a task, and the
catalogue and the departments for the designer studio (read models)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import bindparam, func, select

from engine.store import tables as t
from engine.store.models import Department, OrgUnit
from engine.store.fast import FastRead
from engine.store.repositories.base import Repository

_PD, _R = t.process_definition.c, t.deployment_resource.c
# the newest version of a process: read by every case start, so on the raw driver
_LATEST = FastRead(select(_PD.id, _PD.version, _PD.key).where(_PD.key == bindparam("key"))
                   .order_by(_PD.version.desc()).limit(1))
_LATEST_VERSION = select(func.max(_PD.version)).where(_PD.key == bindparam("key"))
_BY_ID = select(t.process_definition).where(_PD.id == bindparam("id"))
# the form snapshots of a version: read once per version and process (ctx.caches.definition_forms)
_FORMS_OF = FastRead(select(_PD.forms, _PD.start_form).where(_PD.id == bindparam("id")))
_SAME_CONTENT = (select(_PD.id, _PD.version).where(_PD.key == bindparam("key"), _PD.checksum == bindparam("checksum"))
                 .order_by(_PD.version.desc()).limit(1))
_INSERT_DEPLOYMENT = t.deployment.insert().returning(t.deployment.c.id)
_INSERT_RESOURCE = t.deployment_resource.insert()
_INSERT_DEFINITION = t.process_definition.insert().returning(_PD.id)
_D = t.deployment.c
_LISTING = (select(_PD.id, _PD.key, _PD.name, _PD.version, _PD.deployment_id, _PD.resource_name,
                   _PD.created_at, _PD.user_tasks, _D.deployed_by, _D.name.label("deployment_name"))
            .join(t.deployment, _D.id == _PD.deployment_id).order_by(_PD.key, _PD.version.desc()))
_I = t.item_implementation.c
# which catalogue entries name each process (the studio's "used by"), every status
_ITEMS_BY_PROCESS = (select(_I.process_key, _I.code, _I.local_code, _I.name, _I.version, _I.status,
                            _I.accepting_tiers).order_by(_I.process_key, _I.code, _I.version.desc()))
# the departments a routing target may name, with the tiers where each exists (the studio's picker)
_DEPARTMENT_TIERS = (select(Department.code, Department.name, OrgUnit.tier)
                     .join(OrgUnit, OrgUnit.id == Department.org_unit_id).order_by(Department.code))
_LATEST_VERSIONS = select(_PD.key, func.max(_PD.version)).group_by(_PD.key).order_by(_PD.key)
_SOURCE = (select(_R.content, _R.name)
           .join(t.process_definition, (_PD.deployment_id == _R.deployment_id) & (_PD.resource_name == _R.name))
           .where(_PD.id == bindparam("id")))
_WITH_FORMS = select(_PD.id, _PD.key, _PD.version, _PD.forms).order_by(_PD.id.desc())
_D = t.deployment.c
_DEPLOYMENT = select(_D.id, _D.name, _D.deployed_at, _D.deployed_by, _D.source)
_DEPLOYMENT_SORT = {"id": _D.id, "name": _D.name, "deploymentTime": _D.deployed_at}
_DEFINITIONS_BY_ID = select(_PD.id, _PD.key, _PD.name, _PD.version, _PD.deployment_id, _PD.resource_name)
_TASK_FORM = (select(t.task.c.case_id, t.task.c.form_key, t.case.c.definition_id)
              .join(t.case, t.case.c.id == t.task.c.case_id).where(t.task.c.id == bindparam("task_id")))


class Definitions(Repository):
    __slots__ = ()

    # --- looking a version up -------------------------------------------------------------------

    def latest(self, key: str):
        """(id, version, key) of the newest version of a process, or None."""
        return _LATEST.first(self.conn, {"key": key})

    def latest_version(self, key: str) -> int:
        """The highest version number of a process (0 when none is deployed)."""
        return self.conn.execute(_LATEST_VERSION, {"key": key}).scalar() or 0

    def by_id(self, definition_id: int):
        """The whole version row (spec, user tasks, forms), or None."""
        return self.conn.execute(_BY_ID, {"id": definition_id}).first()

    def forms_of(self, definition_id: int):
        """(forms, start_form) snapshotted with a version, or None when there is no such version."""
        return _FORMS_OF.first(self.conn, {"id": definition_id})

    def same_content(self, key: str, checksum: str):
        """(id, version) of the newest version of `key` deployed with this checksum, or None."""
        return self.conn.execute(_SAME_CONTENT, {"key": key, "checksum": checksum}).first()

    def newest_with_form(self, form_key: str):
        """(id, key, version, forms) of the newest version whose snapshot carries `form_key`, or
        None. Rows are read newest first and only until one has it."""
        for row in self.conn.execute(_WITH_FORMS):
            if row.forms and form_key in row.forms:
                return row
        return None

    def form_of_task(self, task_id: str):
        """(case_id, form_key, definition_id) of a task, or None."""
        return self.conn.execute(_TASK_FORM, {"task_id": task_id}).first()

    # --- listing ------------------------------------------------------------------------------

    def listing(self) -> list:
        """Every version (id, key, name, version, deployment_id, resource_name, created_at, user_tasks,
        deployed_by, deployment_name), by key and newest first."""
        return self.conn.execute(_LISTING).all()

    def items_by_process(self) -> list:
        """(process_key, code, local_code, name, version, status, accepting_tiers) of every catalogue
        entry version, by process key and code, newest version first."""
        return self.conn.execute(_ITEMS_BY_PROCESS).all()

    def department_tiers(self) -> list:
        """(code, name, tier) of every department, by code."""
        return self.conn.execute(_DEPARTMENT_TIERS).all()

    def latest_versions(self) -> list[tuple[str, int]]:
        """(key, newest version) of every deployed process, by key."""
        return [(key, version) for key, version in self.conn.execute(_LATEST_VERSIONS)]

    def source(self, definition_id: int):
        """(content, name) of the BPMN file a version was deployed from, or None."""
        return self.conn.execute(_SOURCE, {"id": definition_id}).first()

    # --- deployments (Camunda's /engine-rest/deployment) ----------------------------------------

    def _deployments_where(self, query, name: Optional[str], name_like: Optional[str], source: Optional[str]):
        if name is not None:
            query = query.where(_D.name == name)
        if name_like is not None:       # Camunda's nameLike: the caller writes the % and _ wildcards
            query = query.where(_D.name.like(name_like))
        if source is not None:
            query = query.where(_D.source == source)
        return query

    def deployments(self, *, name: Optional[str] = None, name_like: Optional[str] = None,
                    source: Optional[str] = None, sort_by: str = "id", descending: bool = False,
                    offset: int = 0, limit: Optional[int] = None) -> list:
        """(id, name, deployed_at, deployed_by, source) of the deployments matching the filters, in
        `sort_by` order (id, name or deploymentTime; ties by id), from `offset`, at most `limit`."""
        column = _DEPLOYMENT_SORT[sort_by]
        query = self._deployments_where(_DEPLOYMENT, name, name_like, source).order_by(
            column.desc() if descending else column.asc(), _D.id.desc() if descending else _D.id.asc())
        return self.conn.execute(query.offset(offset).limit(limit)).all()

    def count_deployments(self, *, name: Optional[str] = None, name_like: Optional[str] = None,
                          source: Optional[str] = None) -> int:
        query = self._deployments_where(select(func.count()).select_from(t.deployment), name, name_like, source)
        return self.conn.execute(query).scalar_one()

    def deployment(self, deployment_id: int):
        """(id, name, deployed_at, deployed_by, source) of one deployment, or None."""
        return self.conn.execute(_DEPLOYMENT.where(_D.id == deployment_id)).first()

    def definitions_by_id(self, definition_ids: list[int]) -> list:
        """(id, key, name, version, deployment_id, resource_name) of these versions, by id."""
        if not definition_ids:
            return []
        return self.conn.execute(_DEFINITIONS_BY_ID.where(_PD.id.in_(definition_ids)).order_by(_PD.id)).all()

    # --- deploying ----------------------------------------------------------------------------

    def insert_deployment(self, name: str, deployed_at: datetime, deployed_by: str,
                          resources: list[dict], source: Optional[str] = None) -> int:
        """A deployment and its files ({name, kind, checksum, content}); returns its id."""
        deployment_id = self.conn.execute(_INSERT_DEPLOYMENT, {"name": name, "deployed_at": deployed_at,
                                                               "deployed_by": deployed_by,
                                                               "source": source}).scalar_one()
        self.conn.execute(_INSERT_RESOURCE, [{"deployment_id": deployment_id, **r} for r in resources])
        return deployment_id

    def insert_definition(self, *, key: str, name: Optional[str], version: int, checksum: str, deployment_id: int,
                          resource_name: str, spec: str, user_tasks: list, forms: dict, start_form: Optional[str],
                          created_at: datetime) -> int:
        """A new version of a process; returns its id."""
        return self.conn.execute(_INSERT_DEFINITION, {
            "key": key, "name": name, "version": version, "checksum": checksum, "deployment_id": deployment_id,
            "resource_name": resource_name, "spec": spec, "user_tasks": user_tasks, "created_at": created_at,
            "forms": forms, "start_form": start_form}).scalar_one()
