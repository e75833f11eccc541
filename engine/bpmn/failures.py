"""A failure inside the engine (a script, a condition, a call to a service) as the CaseError the
API reports: the element it happened at and the real cause (SpiffWorkflow 3.2.0 wraps errors of
call_service in NameError('script'))."""
from __future__ import annotations

from engine.bpmn import sandbox
from engine.domain.errors import CaseError


_SANDBOX_FAILURES = (sandbox.ScriptBudgetExceeded, sandbox.ScriptPolicyError, RecursionError, MemoryError)


def _root_cause(exc: BaseException) -> BaseException:
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        context = exc.__context__
        # SpiffWorkflow raises its WorkflowTaskException while handling a script's own error
        inner = exc.__cause__ or (context if (isinstance(exc, NameError) and "script" in str(exc))
                                  or isinstance(context, _SANDBOX_FAILURES) else None)
        if inner is None:
            break
        exc = inner
    return exc


def case_error(exc: Exception) -> CaseError:
    task = getattr(exc, "task", None)
    element = getattr(getattr(task, "task_spec", None), "bpmn_id", None) or getattr(exc, "task_spec", None)
    element = getattr(element, "bpmn_id", element)
    cause = _root_cause(exc)
    if isinstance(cause, (sandbox.ScriptResourceLimit, RecursionError, MemoryError)):
        code = "script_resource_limit"
    elif isinstance(cause, sandbox.ScriptBudgetExceeded):
        code = "script_budget_exceeded"
    elif isinstance(cause, sandbox.ScriptPolicyError):
        code = "script_policy_violation"
    else:
        code = "case_engine_error"
    message = str(exc) if cause is exc else f"{exc} ({type(cause).__name__}: {cause})"
    return CaseError(message, code=code, detail={"element": element} if element else None)
