"""A small worker library for Lianban's external tasks (docs/integration.md#external-tasks). It
talks to the Camunda 7 REST shape Lianban serves (/engine-rest/external-task/...) over HTTP with the
standard library only, and imports nothing of the engine: copy it next to any service.

    from lianban_worker import Client, Worker, BpmnError

    def check(task):
        if not paid(task.variables["case"]["number"]):
            raise BpmnError("FEE_UNPAID", "未缴费")
        return {"paid": True}

    Worker(Client("http://127.0.0.1:8000", "integration", "lianban-demo"), "fee-worker-1") \\
        .subscribe("fee-payment-check", check).run()
"""
from lianban_worker.client import Client, ExternalTask, HttpError, typed_variables, untyped_variables
from lianban_worker.worker import BpmnError, Worker

__all__ = ["Client", "ExternalTask", "HttpError", "typed_variables", "untyped_variables", "BpmnError", "Worker"]
