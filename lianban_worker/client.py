"""The HTTP calls of Camunda 7's external-task API, as Lianban serves them: fetchAndLock, complete,
failure, bpmnError, extendLock, unlock. Standard library only (urllib), JSON in and out; an error
answer raises HttpError with Camunda's `type` and `message` and Lianban's `lianbanCode`."""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Optional


class HttpError(Exception):
    def __init__(self, status: int, body: dict):
        super().__init__(f"HTTP {status}: {body.get('message', body)}")
        self.status = status
        self.body = body
        self.code = body.get("lianbanCode")


def typed_variables(values: dict) -> dict:
    """Plain values as Camunda's typed variables (objects and lists as Json text)."""
    out = {}
    for name, value in (values or {}).items():
        if value is None:
            out[name] = {"value": None, "type": "Null"}
        elif isinstance(value, bool):
            out[name] = {"value": value, "type": "Boolean"}
        elif isinstance(value, int):
            out[name] = {"value": value, "type": "Integer" if -2 ** 31 <= value < 2 ** 31 else "Long"}
        elif isinstance(value, float):
            out[name] = {"value": value, "type": "Double"}
        elif isinstance(value, (dict, list)):
            out[name] = {"value": json.dumps(value, ensure_ascii=False), "type": "Json"}
        else:
            out[name] = {"value": str(value), "type": "String"}
    return out


def untyped_variables(typed: dict) -> dict:
    """Camunda's typed variables as plain values (Json text parsed)."""
    out = {}
    for name, var in (typed or {}).items():
        value = var.get("value")
        if var.get("type") == "Json" and isinstance(value, str):
            value = json.loads(value)
        out[name] = value
    return out


@dataclass
class ExternalTask:
    id: str
    topic: str
    worker_id: str
    lock_expiration: Optional[str]
    process_instance_id: str
    activity_id: str
    retries: Optional[int]
    error_message: Optional[str]
    priority: int
    variables: dict = field(default_factory=dict)     # plain values

    @classmethod
    def from_json(cls, body: dict) -> "ExternalTask":
        return cls(body["id"], body["topicName"], body["workerId"], body.get("lockExpirationTime"),
                   body.get("processInstanceId"), body.get("activityId"), body.get("retries"),
                   body.get("errorMessage"), body.get("priority", 0), untyped_variables(body.get("variables")))


class Client:
    """One Lianban server and one account: Basic (username and password) or Bearer (a token)."""

    def __init__(self, base_url: str, username: Optional[str] = None, password: Optional[str] = None, *,
                 token: Optional[str] = None, timeout: float = 30.0):
        self.base = base_url.rstrip("/") + "/engine-rest"
        if token:
            self._auth = "Bearer " + token
        else:
            self._auth = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self.timeout = timeout

    def _post(self, path: str, body: Optional[dict] = None, wait_s: float = 0.0) -> Any:
        data = json.dumps(body or {}, ensure_ascii=False).encode()
        request = urllib.request.Request(self.base + path, data=data, method="POST", headers={
            "Authorization": self._auth, "Content-Type": "application/json", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout + wait_s) as response:
                text = response.read()
        except urllib.error.HTTPError as exc:
            try:
                detail = json.loads(exc.read() or b"{}")
            except ValueError:
                detail = {"message": exc.reason}
            raise HttpError(exc.code, detail) from None
        return json.loads(text) if text else None

    def fetch_and_lock(self, worker_id: str, topics: list[dict], max_tasks: int = 10,
                       use_priority: bool = False, async_response_timeout_ms: int = 0) -> list[ExternalTask]:
        """`topics`: [{"topicName": ..., "lockDuration": ms, "variables": [...] (optional)}]. With
        `async_response_timeout_ms`, the server holds the request up to that long (at most 60 s)
        while nothing is available, and answers as soon as a task is."""
        body = {"workerId": worker_id, "maxTasks": max_tasks, "usePriority": use_priority, "topics": topics}
        if async_response_timeout_ms:
            body["asyncResponseTimeout"] = async_response_timeout_ms
        return [ExternalTask.from_json(t) for t in self._post("/external-task/fetchAndLock", body,
                                                              wait_s=async_response_timeout_ms / 1000)]

    def complete(self, task_id: str, worker_id: str, variables: Optional[dict] = None) -> None:
        self._post(f"/external-task/{task_id}/complete",
                   {"workerId": worker_id, "variables": typed_variables(variables or {})})

    def failure(self, task_id: str, worker_id: str, message: str, details: Optional[str], retries: int,
                retry_timeout_ms: int) -> None:
        self._post(f"/external-task/{task_id}/failure", {
            "workerId": worker_id, "errorMessage": message[:2000], "errorDetails": (details or "")[:20000] or None,
            "retries": retries, "retryTimeout": retry_timeout_ms})

    def bpmn_error(self, task_id: str, worker_id: str, code: str, message: Optional[str] = None,
                   variables: Optional[dict] = None) -> None:
        self._post(f"/external-task/{task_id}/bpmnError", {
            "workerId": worker_id, "errorCode": code, "errorMessage": message,
            "variables": typed_variables(variables or {})})

    def extend_lock(self, task_id: str, worker_id: str, new_duration_ms: int) -> None:
        self._post(f"/external-task/{task_id}/extendLock", {"workerId": worker_id, "newDuration": new_duration_ms})

    def unlock(self, task_id: str) -> None:
        self._post(f"/external-task/{task_id}/unlock")
