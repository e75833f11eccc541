"""External tasks (docs/integration.md#external-tasks): service tasks done by workers over HTTP,
Camunda's external-task pattern. A worker fetches and locks tasks of a topic, then completes
(the workflow goes on), fails (retries, then an incident), extends its lock, reports a BPMN error
or unlocks. Authorised for the `integration` role (and administrators)."""
from engine.domain.external_tasks import MAX_WAIT_MS, TopicRequest
from engine.services.external_tasks.fetching import LockedTask, fetch_and_lock
from engine.services.external_tasks.outcomes import bpmn_error, complete, extend_lock, failure, unlock
from engine.services.external_tasks.reading import (
    ExternalTaskView,
    TopicView,
    get_external_task,
    list_external_tasks,
    topics,
)

__all__ = ["MAX_WAIT_MS", "TopicRequest", "LockedTask", "fetch_and_lock", "bpmn_error", "complete", "extend_lock",
           "failure", "unlock", "ExternalTaskView", "TopicView", "get_external_task", "list_external_tasks", "topics"]
