"""engine.bpmn.sandbox: attacks from the SpiffWorkflow 3.2 probe (REPORT.md section 4) run as real
BPMN through SpiffWorkflow and must be blocked; ordinary models must keep working."""
import math
import time
from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.sandbox import (
    SandboxEnvironment,
    ScriptBudgetExceeded,
    ScriptPolicyError,
    check_expression,
    check_script,
    make_script_engine,
)

HEAD = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
        'id="defs" targetNamespace="http://example.org/bpmn"><bpmn:process id="p" isExecutable="true">')
TAIL = '</bpmn:process></bpmn:definitions>'


def script_task(task_id, script, incoming, outgoing):
    return (f'<bpmn:scriptTask id="{task_id}"><bpmn:incoming>{incoming}</bpmn:incoming>'
            f'<bpmn:outgoing>{outgoing}</bpmn:outgoing><bpmn:script>{escape(script)}</bpmn:script>'
            '</bpmn:scriptTask>')


def chain(*nodes):
    """start -> nodes... -> end; each node is (id, function (incoming, outgoing) -> xml)."""
    flows = [f'f{i}' for i in range(len(nodes) + 1)]
    ids = ['start'] + [node_id for node_id, _ in nodes] + ['end']
    xml = ['<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>']
    xml += [node(flows[i], flows[i + 1]) for i, (_, node) in enumerate(nodes)]
    xml.append(f'<bpmn:endEvent id="end"><bpmn:incoming>{flows[-1]}</bpmn:incoming></bpmn:endEvent>')
    xml += [f'<bpmn:sequenceFlow id="{f}" sourceRef="{ids[i]}" targetRef="{ids[i + 1]}"/>'
            for i, f in enumerate(flows)]
    return HEAD + ''.join(xml) + TAIL


def script(source, task_id='script'):
    return task_id, lambda incoming, outgoing: script_task(task_id, source, incoming, outgoing)


def user(task_id):
    return task_id, lambda incoming, outgoing: (
        f'<bpmn:userTask id="{task_id}"><bpmn:incoming>{incoming}</bpmn:incoming>'
        f'<bpmn:outgoing>{outgoing}</bpmn:outgoing></bpmn:userTask>')


def gateway(condition):
    """start -> exclusive gateway: condition -> 'yes' script, default -> 'no' script."""
    return HEAD + f'''
      <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
      <bpmn:exclusiveGateway id="gw" default="f_no"><bpmn:incoming>f0</bpmn:incoming>
        <bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing></bpmn:exclusiveGateway>
      {script_task('yes', "branch = 'yes'", 'f_yes', 'f1')}
      {script_task('no', "branch = 'no'", 'f_no', 'f2')}
      <bpmn:endEvent id="end1"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
      <bpmn:endEvent id="end2"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="gw"/>
      <bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="yes">
        <bpmn:conditionExpression>{escape(condition)}</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="no"/>
      <bpmn:sequenceFlow id="f1" sourceRef="yes" targetRef="end1"/>
      <bpmn:sequenceFlow id="f2" sourceRef="no" targetRef="end2"/>''' + TAIL


def timer_on_user_task(expression):
    return HEAD + f'''
      <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
      <bpmn:userTask id="review"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>
      <bpmn:boundaryEvent id="deadline" attachedToRef="review" cancelActivity="true">
        <bpmn:outgoing>f2</bpmn:outgoing><bpmn:timerEventDefinition>
        <bpmn:timeDuration>{escape(expression)}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
      <bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
      <bpmn:endEvent id="late"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="review"/>
      <bpmn:sequenceFlow id="f1" sourceRef="review" targetRef="end"/>
      <bpmn:sequenceFlow id="f2" sourceRef="deadline" targetRef="late"/>''' + TAIL


def workflow(xml, data=None, functions=None, engine=None):
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(xml.encode())
    wf = BpmnWorkflow(parser.get_spec('p'), parser.get_subprocess_specs('p'),
                      script_engine=engine or make_script_engine(functions))
    wf.task_tree.data.update(data or {})
    return wf


def run(xml, data=None, functions=None):
    wf = workflow(xml, data, functions)
    wf.do_engine_steps()
    return wf


def blocked(xml, data=None):
    """Runs the model and returns the exception chain of the (required) failure."""
    wf = workflow(xml, data)
    with pytest.raises(WorkflowException) as info:
        wf.do_engine_steps()
    chain_, exc = [], info.value
    while exc is not None and exc not in chain_:
        chain_.append(exc)
        exc = exc.__cause__ or exc.__context__
    return wf, chain_


def has(chain_, kind, text=''):
    return any(isinstance(e, kind) and text in str(e) for e in chain_)


def all_data_keys(wf):
    return set().union(*(t.data for t in wf.get_tasks())) | set(wf.data)


def task_data(wf, spec_name):
    return wf.get_tasks(spec_name=spec_name)[0].data


# ---- the nine attacks from REPORT.md section 4 ---------------------------------------------------

def test_attack1_import_os_in_script_is_rejected():
    wf, errors = blocked(chain(script('import os; pid = os.getpid()')))
    assert has(errors, ScriptPolicyError, 'import statements are not allowed')
    assert not {'os', 'pid'} & all_data_keys(wf)


def test_attack2_dunder_import_system_in_script_is_rejected(tmp_path):
    marker = tmp_path / 'pwned'
    wf, errors = blocked(chain(script(f"__import__('os').system('touch {marker}')")))
    assert has(errors, ScriptPolicyError, '__import__')
    assert not marker.exists()


def test_attack3_open_file_in_script_is_blocked(tmp_path):
    secret = tmp_path / 'secret.txt'
    secret.write_text('top secret')
    wf, errors = blocked(chain(script(f"content = open('{secret}').read()")))
    assert has(errors, NameError, 'open')
    assert 'content' not in all_data_keys(wf)


def test_attack4_frame_walk_to_live_workflow_is_rejected():
    wf, errors = blocked(chain(script(
        "import sys\nsys._getframe(2).f_locals['task'].workflow.data['pwned'] = True")))
    assert has(errors, ScriptPolicyError, 'import statements are not allowed')
    assert has(errors, ScriptPolicyError, '_getframe')
    assert 'pwned' not in wf.data and 'pwned' not in all_data_keys(wf)


def test_attack5_subclasses_catch_warnings_escape_is_rejected(tmp_path):
    marker = tmp_path / 'pwned'
    source = ("for c in ().__class__.__base__.__subclasses__():\n"
              "    if c.__name__ == 'catch_warnings':\n"
              f"        c()._module.__builtins__['__import__']('os').system('touch {marker}')\n")
    wf, errors = blocked(chain(script(source)))
    assert has(errors, ScriptPolicyError, '__class__')
    assert not marker.exists()


def test_attack6_system_call_in_gateway_condition_is_rejected(tmp_path):
    marker = tmp_path / 'pwned'
    wf, errors = blocked(gateway(f"__import__('os').system('touch {marker}') == 0"))
    assert has(errors, ScriptPolicyError, '__import__')
    assert not marker.exists()
    assert 'branch' not in all_data_keys(wf)


def test_attack7_dunder_traversal_in_gateway_condition_is_rejected():
    wf, errors = blocked(gateway("len(().__class__.__base__.__subclasses__()) > 0"))
    assert has(errors, ScriptPolicyError, '__class__')
    assert 'branch' not in all_data_keys(wf)


def test_attack8_huge_power_in_gateway_condition_fails_fast():
    started = time.perf_counter()
    wf, errors = blocked(gateway('10 ** 10 ** 8 > 0'))
    assert time.perf_counter() - started < 1
    assert has(errors, ScriptPolicyError, 'too large')
    assert 'branch' not in all_data_keys(wf)


def test_attack9_endless_loop_in_script_hits_budget():
    started = time.perf_counter()
    wf, errors = blocked(chain(script('while True: pass')))
    assert time.perf_counter() - started < 1
    assert has(errors, ScriptBudgetExceeded)


# ---- hardening around the attacks ---------------------------------------------------------------

def test_budget_exception_cannot_be_swallowed():
    # CPython drops the trace function once it raises, so a swallowed budget error would leave the
    # rest of the script untraced: catch-all handlers and finally blocks are refused up front.
    source = 'while True:\n    try:\n        while True:\n            pass\n    except Exception:\n        pass'
    wf, errors = blocked(chain(script(source)))
    assert has(errors, ScriptPolicyError, 'except must name specific exceptions')
    for bad in ('try:\n    x = 1\nexcept:\n    pass', 'try:\n    x = 1\nfinally:\n    pass',
                'KeyError = Exception', 'try:\n    x = 1\nexcept (KeyError, BaseException):\n    pass'):
        with pytest.raises(ScriptPolicyError):
            check_script(bad)


def test_power_in_script_is_bounded():
    wf, errors = blocked(chain(script('x = 10 ** 10 ** 8')))
    assert has(errors, ScriptPolicyError, 'too large')


def test_service_task_is_refused():
    xml = chain(('svc', lambda i, o: (f'<bpmn:serviceTask id="svc"><bpmn:extensionElements>'
                              '<spiffworkflow:serviceTaskOperator id="lookup" resultVariable="r"/>'
                              f'</bpmn:extensionElements><bpmn:incoming>{i}</bpmn:incoming>'
                              f'<bpmn:outgoing>{o}</bpmn:outgoing></bpmn:serviceTask>')))
    wf = workflow(xml)
    with pytest.raises(Exception) as info:   # 3.2.0 masks it as NameError 'script'
        wf.do_engine_steps()
    assert isinstance(info.value.__context__, ScriptPolicyError)
    with pytest.raises(ScriptPolicyError, match='not configured'):
        SandboxEnvironment().call_service({}, operation='lookup')


# ---- ordinary models keep working ---------------------------------------------------------------

def test_benign_script_and_gateway_condition():
    xml = chain(script('total = sum([x*factor for x in items])'))
    wf = run(xml, {'items': [1, 2, 3], 'factor': 3})
    assert wf.is_completed() and task_data(wf, 'script')['total'] == 18
    wf = run(gateway('total > 10'), {'total': 18})
    assert wf.is_completed() and task_data(wf, 'yes')['branch'] == 'yes'
    wf = run(gateway('total > 10'), {'total': 5})
    assert task_data(wf, 'no')['branch'] == 'no'


def test_script_runtime_errors_keep_line_numbers():
    wf, errors = blocked(chain(script('a = 1\nb = missing_name')))
    assert errors[0].line_number == 2 and has(errors, NameError, 'missing_name')


def test_whitelisted_function_in_timer_expression_and_script():
    functions = {'sla': lambda days: f'P{days}D'}
    wf = run(timer_on_user_task('sla(sla_days)'), {'sla_days': 3}, functions)
    timer = wf.get_tasks(spec_name='deadline')[0]
    assert timer.state == TaskState.WAITING and timer.internal_data['event_value']
    wf = run(chain(script('due = sla(5)')), functions=functions)
    assert task_data(wf, 'script')['due'] == 'P5D'
    assert 'sla' not in all_data_keys(wf)


def test_script_cannot_rewrite_completed_user_task_data():
    xml = chain(user('form'), script("applicant['address']['city'] = 'Narva'"), user('after'))

    def fill_form_and_continue(wf):
        wf.do_engine_steps()
        form = wf.get_tasks(state=TaskState.READY, manual=True)[0]
        form.data.update(applicant={'address': {'city': 'Tartu'}})
        form.run()
        wf.do_engine_steps()
        return form

    # control: the stock engine shows the 3.2.0 aliasing bug this test is about
    stock = workflow(xml, engine=PythonScriptEngine())
    assert fill_form_and_continue(stock).data['applicant']['address']['city'] == 'Narva'

    wf = workflow(xml)
    form = fill_form_and_continue(wf)
    assert task_data(wf, 'script')['applicant']['address']['city'] == 'Narva'
    assert form.data['applicant']['address']['city'] == 'Tartu'


def test_expression_cannot_mutate_task_data():
    wf = run(gateway('items.append(99) or True'), {'items': [1]})
    assert task_data(wf, 'yes')['items'] == [1] and wf.task_tree.data['items'] == [1]


def test_script_deleting_a_key_removes_it():
    wf = run(chain(script('del temp\nkept = 1')), {'temp': 'x', 'other': 2})
    data = task_data(wf, 'script')
    assert 'temp' not in data and data['other'] == 2 and data['kept'] == 1


def test_modules_callables_and_private_names_do_not_leak_into_data():
    source = ('def helper(x):\n    return x * 2\n'
              'doubled = helper(21)\nm = mathlib\nfn = len\nseen = {1, 2}\npair = (1, 2)\n'
              'root = math_sqrt(16)\n_ = 1')  # "_" is the one underscore name RestrictedPython allows
    wf = run(chain(script(source)), functions={'mathlib': math, 'math_sqrt': math.sqrt})
    data = task_data(wf, 'script')
    assert data['doubled'] == 42 and data['root'] == 4.0 and data['pair'] == [1, 2]
    assert not {'helper', 'm', 'fn', 'seen', '_', 'mathlib', 'math_sqrt'} & all_data_keys(wf)


# ---- deploy-time checks -------------------------------------------------------------------------

@pytest.mark.parametrize('source, reason', [
    ('import os', 'import statements are not allowed'),
    ('from os import path', 'import statements are not allowed'),
    ('x = ().__class__', '__class__'),
    ('x = (1,\ny = 2', 'syntax error on line 1'),
    ('a = 1\nif a\n    b = 2', 'syntax error on line 2'),
])
def test_check_script_rejects_with_readable_reason(source, reason):
    with pytest.raises(ScriptPolicyError) as info:
        check_script(source)
    assert reason in info.value.reason


@pytest.mark.parametrize('expression, reason', [
    ("__import__('os')", '__import__'),
    ('().__class__.__base__', '__class__'),
    ('total >', 'syntax error on line 1'),
    ('x = 1', 'syntax error'),
    ('lambda: 1', 'lambda'),
])
def test_check_expression_rejects_with_readable_reason(expression, reason):
    with pytest.raises(ScriptPolicyError) as info:
        check_expression(expression)
    assert reason in info.value.reason


def test_checks_accept_benign_code():
    check_script('total = sum([x*factor for x in items])\n'
                 'try:\n    v = data["k"]\nexcept (KeyError, TypeError):\n    v = None')
    check_expression('total > 10 and applicant["address"]["city"] == "Tartu"')
    check_expression('"P3D"')
