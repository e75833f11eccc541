"""Deployments as Camunda's REST API lists them (/engine-rest/deployment): the deployments with
their name, time and source, and what one deploy did — the deployment it made, or, when every
process of it was already deployed with that content, the deployment that holds them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import engine.services.definitions.deployment as deployment
from engine.domain.actor import Actor
from engine.domain.errors import NotFound, ValidationError

SORT_KEYS = ("id", "name", "deploymentTime")


@dataclass(frozen=True)
class DeploymentInfo:
    id: int
    name: str
    deployed_at: object
    deployed_by: Optional[str]
    source: Optional[str]
    definitions: tuple = ()     # (id, key, name, version, deployment_id, resource_name) it created now
    created: bool = True        # False: nothing new was deployed, this is the deployment that has it


def _info(row, definitions=(), created=True) -> DeploymentInfo:
    return DeploymentInfo(row.id, row.name, row.deployed_at, row.deployed_by, row.source, tuple(definitions), created)


def list_deployments(ctx, actor: Actor, *, name: Optional[str] = None, name_like: Optional[str] = None,
                     source: Optional[str] = None, sort_by: str = "id", descending: bool = False,
                     offset: int = 0, limit: Optional[int] = None) -> tuple[list[DeploymentInfo], int]:
    """A page of the deployments matching the filters, and how many match. Any logged-in account
    may read them, as it may read the deployed versions."""
    if sort_by not in SORT_KEYS:
        raise ValidationError(f"sortBy is one of {', '.join(SORT_KEYS)}", code="sort_invalid", field="sortBy")
    with ctx.uow.read() as tx:
        total = tx.definitions.count_deployments(name=name, name_like=name_like, source=source)
        if limit == 0:              # Camunda Modeler's connection check asks for none
            return [], total
        rows = tx.definitions.deployments(name=name, name_like=name_like, source=source, sort_by=sort_by,
                                          descending=descending, offset=offset, limit=limit)
    return [_info(r) for r in rows], total


def get_deployment(ctx, actor: Actor, deployment_id: int) -> DeploymentInfo:
    with ctx.uow.read() as tx:
        row = tx.definitions.deployment(deployment_id)
    if row is None:
        raise NotFound(f"Deployment with id '{deployment_id}' does not exist", code="deployment_not_found",
                       field="id")
    return _info(row)


def deploy_and_describe(ctx, files, actor: Actor, name: str, source: Optional[str]) -> DeploymentInfo:
    """Deploy (deployment.deploy: all or nothing, a process whose content is already its latest
    version is not deployed again) and describe the outcome as a deployment: the new one with the
    versions it created, or, when nothing was new, the newest deployment holding the processes'
    current versions (Camunda's duplicate filtering answers the existing deployment)."""
    result = deployment.deploy(ctx, files, actor, name=name, source=source)
    with ctx.uow.read() as tx:
        if result.deployment_id is not None:
            created = [p.definition_id for p in result.processes if p.created]
            return _info(tx.definitions.deployment(result.deployment_id), tx.definitions.definitions_by_id(created))
        holders = tx.definitions.definitions_by_id([p.definition_id for p in result.processes])
        if not holders:
            raise ValidationError("the files hold no executable process to deploy", code="nothing_to_deploy",
                                  field="files")
        return _info(tx.definitions.deployment(max(h.deployment_id for h in holders)), created=False)
