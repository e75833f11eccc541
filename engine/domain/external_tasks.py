"""The rules of external tasks (Camunda's external-task pattern; docs/integration.md): what a
worker may ask for, and when a task it failed comes back."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from engine.domain.errors import ValidationError

MAX_WORKER_ID = 255
MAX_TASKS = 1000                       # per fetchAndLock call
MAX_TOPICS = 100
MAX_LOCK_MS = 7 * 24 * 3600 * 1000     # a week: longer work should extend its lock
MAX_RETRIES = 1000
MAX_RETRY_TIMEOUT_MS = 30 * 24 * 3600 * 1000
MAX_ERROR_MESSAGE = 2000
MAX_ERROR_DETAILS = 20000
MAX_ERROR_CODE = 200
# the longest a fetchAndLock waits for tasks (asyncResponseTimeout); a reverse proxy in front must
# wait longer for an answer (nginx: proxy_read_timeout 75s, docs/operations.md)
MAX_WAIT_MS = 60_000
# what Camunda 7 itself refuses (its own limit): /engine-rest refuses above, waits MAX_WAIT_MS below
CAMUNDA_MAX_WAIT_MS = 1_800_000


@dataclass(frozen=True)
class TopicRequest:
    name: str
    lock_duration_ms: int
    variables: Optional[tuple[str, ...]] = None     # None: every variable
    process_keys: Optional[tuple[str, ...]] = None  # processDefinitionKey / processDefinitionKeyIn


def check_worker(worker_id) -> str:
    if not isinstance(worker_id, str) or not worker_id.strip():
        raise ValidationError("workerId is required", code="worker_id_required", field="workerId")
    if len(worker_id) > MAX_WORKER_ID:
        raise ValidationError(f"workerId has at most {MAX_WORKER_ID} characters", code="worker_id_too_long",
                              field="workerId")
    return worker_id


def check_fetch(max_tasks: int, topics: list[TopicRequest]) -> None:
    if not 0 <= max_tasks <= MAX_TASKS:
        raise ValidationError(f"maxTasks is from 0 to {MAX_TASKS}", code="max_tasks_invalid", field="maxTasks")
    if len(topics) > MAX_TOPICS:
        raise ValidationError(f"at most {MAX_TOPICS} topics per fetch", code="too_many_topics", field="topics")
    for i, topic in enumerate(topics):
        if not topic.name or not topic.name.strip():
            raise ValidationError("topicName is required", code="topic_name_required", field=f"topics.{i}.topicName")
        check_lock_duration(topic.lock_duration_ms, f"topics.{i}.lockDuration")


def check_wait(ms, field: str = "asyncResponseTimeout", limit: int = MAX_WAIT_MS) -> int:
    """How long a fetch may wait for tasks (ms; 0 or None: answer at once)."""
    if ms is None:
        return 0
    if isinstance(ms, bool) or not isinstance(ms, int) or not 0 <= ms <= limit:
        raise ValidationError(f"{field} is from 0 to {limit} ms", code="async_response_timeout_invalid", field=field)
    return ms


def check_lock_duration(ms, field: str) -> int:
    if isinstance(ms, bool) or not isinstance(ms, int) or not 0 < ms <= MAX_LOCK_MS:
        raise ValidationError(f"a lock lasts from 1 ms to {MAX_LOCK_MS} ms (a week)", code="lock_duration_invalid",
                              field=field)
    return ms


def check_failure(retries, retry_timeout_ms, message, details) -> None:
    if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= MAX_RETRIES:
        raise ValidationError(f"retries is from 0 to {MAX_RETRIES}", code="retries_invalid", field="retries")
    if retry_timeout_ms is not None and (isinstance(retry_timeout_ms, bool) or not isinstance(retry_timeout_ms, int)
                                         or not 0 <= retry_timeout_ms <= MAX_RETRY_TIMEOUT_MS):
        raise ValidationError(f"retryTimeout is from 0 to {MAX_RETRY_TIMEOUT_MS} ms", code="retry_timeout_invalid",
                              field="retryTimeout")
    if message is not None and len(message) > MAX_ERROR_MESSAGE:
        raise ValidationError(f"errorMessage has at most {MAX_ERROR_MESSAGE} characters", code="error_message_too_long",
                              field="errorMessage")
    if details is not None and len(details) > MAX_ERROR_DETAILS:
        raise ValidationError(f"errorDetails has at most {MAX_ERROR_DETAILS} characters", code="error_details_too_long",
                              field="errorDetails")


def check_error_code(code) -> str:
    if not isinstance(code, str) or not code.strip() or len(code) > MAX_ERROR_CODE:
        raise ValidationError(f"errorCode is required, at most {MAX_ERROR_CODE} characters",
                              code="error_code_required", field="errorCode")
    return code


def available_again(now: datetime, retries: int, retry_timeout_ms: Optional[int]) -> Optional[datetime]:
    """When a failed task can be fetched again: after its retryTimeout while retries are left;
    never (None, with retries 0: an incident) otherwise."""
    if retries <= 0:
        return None
    return now + timedelta(milliseconds=retry_timeout_ms or 0)
