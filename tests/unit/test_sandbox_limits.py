"""Resource limits of scripts and conditions (engine/bpmn/sandbox.py, docs/security.md): each bomb
runs as real BPMN through SpiffWorkflow and fails with ScriptResourceLimit (or the line budget)
quickly, without the process growing; ordinary scripts keep working."""
import resource
import time

import pytest

from engine.bpmn import failures
from engine.bpmn.sandbox import (
    MAX_ITEMS,
    SandboxEnvironment,
    ScriptBudgetExceeded,
    ScriptPolicyError,
    ScriptResourceLimit,
    check_expression,
    check_script,
)
from tests.unit.test_sandbox import blocked, chain, gateway, has, run, script, task_data

BOMBS = {
    "string": "x = 'a' * 10**10",
    "list": "x = [0] * 10**9",
    "power": "x = 2 ** 10**8",
    "shift": "x = 1 << 10**10",
    "recursion": "def f(n):\n    return f(n + 1)\nf(0)",
    "doubling": "s = 'ab'\nfor i in range(40):\n    s += s",
    "extend": "x = [1]\nfor i in range(60):\n    x.extend(x)",
    "many_big_values": "xs = []\nfor i in range(100000):\n    xs.append('a' * 999999)",
    "padding": "x = 'a'.ljust(10**10)",
    "join": "s = 'a' * 999999\nx = ''.join(s for i in range(1000))",
    "replace": "x = 'ab'.replace('', 'c' * 999999)",
    "percent_width": "x = '%999999999d' % 1",
    "repr_of_container": "s = 'a' * 1000\nx = str([s] * 100000)",
}


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_memory_bomb_in_a_script_task_fails_with_a_resource_limit(name):
    before, started = _peak_mb(), time.perf_counter()
    _, errors = blocked(chain(script(BOMBS[name])))
    assert has(errors, ScriptResourceLimit), [repr(e) for e in errors]
    assert time.perf_counter() - started < 5
    assert _peak_mb() - before < 100          # refused before it allocated


@pytest.mark.parametrize("source", ["while True: pass", "x = [i for i in range(100000) for j in range(100000)]"])
def test_endless_work_is_stopped_by_the_line_budget(source):
    _, errors = blocked(chain(script(source)))
    assert has(errors, ScriptBudgetExceeded)


def test_cpu_time_is_bounded_even_within_the_line_budget():
    env = SandboxEnvironment({}, max_lines=10**9, cpu_seconds=0.2)
    started = time.thread_time()
    with pytest.raises(ScriptResourceLimit, match="CPU time"):
        env.execute("x = 0\nwhile True:\n    x = sorted(range(50000))[0]", {})
    assert time.thread_time() - started < 2


def test_a_script_cannot_catch_a_resource_limit():
    # RecursionError is a RuntimeError (catchable); the depth limit is not
    _, errors = blocked(chain(script("def f(n):\n    return f(n + 1)\ntry:\n    f(0)\nexcept RuntimeError:\n"
                                     "    pass\nwhile True:\n    pass")))
    assert has(errors, ScriptResourceLimit, "nested")


@pytest.mark.parametrize("condition", ["'a' * 10**10 == ''", "len('a'.ljust(10**10)) > 0", "len([0] * 10**9) > 0"])
def test_a_memory_bomb_in_a_condition_fails_with_a_resource_limit(condition):
    _, errors = blocked(gateway(condition))
    assert has(errors, ScriptResourceLimit)


@pytest.mark.parametrize("text", ["x = f'{1:>999999999}'", "x = f'{1:>{n}}'"])
def test_a_huge_or_computed_format_width_is_refused_at_deploy(text):
    with pytest.raises(ScriptPolicyError, match="format width"):
        check_script(text)
    with pytest.raises(ScriptPolicyError, match="format width"):
        check_expression(text[4:])


def test_the_failure_is_a_case_error_with_the_code_and_the_element():
    from engine.bpmn.runtime import Runtime
    from tests.unit.test_sandbox import workflow
    wf = workflow(chain(script(BOMBS["string"], task_id="big_script")))
    with pytest.raises(Exception) as info:
        wf.do_engine_steps()
    error = failures.case_error(info.value)
    assert error.code == "script_resource_limit" and error.detail == {"element": "big_script"}
    assert Runtime is not None


def test_ordinary_scripts_keep_working_at_the_limits():
    wf = run(chain(script("a = 'x' * 1000 + 'y'\nb = [0] * 1000\nc = '%s-%05d' % ('n', 42)\n"
                          f"d = 'z'.ljust({MAX_ITEMS})\ne = ', '.join(['p', 'q'])\nf = str([1, 2])\n"
                          "g = 2 ** 100\nh = 1 << 40\ni = f'{3.14159:.2f}'\nj = [1]\nj.extend([2, 3])\n"
                          "k = sum(i * i for i in range(1000))")))
    data = task_data(wf, "script")
    assert data["a"] == "x" * 1000 + "y" and data["b"] == [0] * 1000 and data["c"] == "n-00042"
    assert len(data["d"]) == MAX_ITEMS and data["e"] == "p, q" and data["f"] == "[1, 2]"
    assert data["g"] == 2 ** 100 and data["h"] == 1 << 40 and data["i"] == "3.14" and data["j"] == [1, 2, 3]
    assert data["k"] == sum(i * i for i in range(1000))
