"""Sandboxed script engine for BPMN/DMN models (SpiffWorkflow 3.2.0).

SpiffWorkflow's default environment is plain eval/exec with full builtins, so an uploaded model
could run os.system from a script task *or* a gateway condition. Here:
- expressions (conditions, timers, DMN cells, payload/correlation, MI cardinality) -> simpleeval;
- scripts (script tasks, pre/post scripts) -> RestrictedPython with all guards + a line budget;
- both see a deep copy of task data: 3.2.0 shares nested containers between a task and its
  parent, so an in-place mutation would otherwise rewrite already completed tasks.
NOT covered: memory bombs in one C-level call ('x' * 10**9, f'{0:>999999999}') and slow single
C calls over large data. Run engine steps in a worker with RLIMIT_AS / CPU limits for that.
"""
import ast
import copy
import operator
import sys
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_exec, limited_builtins, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from RestrictedPython.PrintCollector import PrintCollector
from simpleeval import DEFAULT_OPERATORS, EvalWithCompoundTypes, NameNotDefined
from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment, PythonScriptEngine

# SpiffWorkflow maps traceback frames of this filename to "error on line N" in its messages,
# so scripts keep useful line numbers; the budget tracer also keys on it.
SCRIPT_FILENAME = '<string>'
MAX_POW_BITS = 10_000     # int ** int whose result exceeds this is refused (a single C op can't be traced)
MAX_RANGE = 100_000       # range() length; sum(range(10**12)) would otherwise run in C forever
MAX_WRITE_NODES = 1_000_000  # values written back per script (bounds shared-reference/DAG blowups)
MAX_WRITE_DEPTH = 100     # deeper (or cyclic) values are not written back


class ScriptPolicyError(Exception):
    """Script/expression rejected by policy. Deliberately not a SyntaxError: SpiffWorkflow's error
    formatter crashes on a SyntaxError without lineno."""

    def __init__(self, reason):
        super().__init__(reason)   # args[0] must be a str: spiff builds "Type:" + args[0]
        self.reason = reason


class ScriptBudgetExceeded(Exception):
    """A script executed more line events than its budget (endless loop)."""


def _safe_pow(base, exp, mod=None):
    if mod is not None:
        return pow(base, exp, mod)   # modular pow is bounded by the modulus
    if (isinstance(base, int) and isinstance(exp, int) and exp > 0 and abs(base) > 1
            and exp * base.bit_length() > MAX_POW_BITS):
        raise ScriptPolicyError(f'power result too large (more than {MAX_POW_BITS} bits)')
    return base ** exp


def _safe_range(*args):
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise ScriptPolicyError(f'range() longer than {MAX_RANGE} items')
    return result


_INPLACE = {'+=': operator.iadd, '-=': operator.isub, '*=': operator.imul, '/=': operator.itruediv,
            '//=': operator.ifloordiv, '%=': operator.imod, '**=': _safe_pow, '<<=': operator.ilshift,
            '>>=': operator.irshift, '&=': operator.iand, '|=': operator.ior, '^=': operator.ixor}

EXPR_FUNCTIONS = {f.__name__: f for f in (len, min, max, sum, abs, round, int, float, str, bool, any,
                                         all, sorted, list, dict, set, tuple)}
_EXPR_OPERATORS = {**DEFAULT_OPERATORS, ast.Pow: _safe_pow}

SCRIPT_BUILTINS = {**safe_builtins, **limited_builtins}
SCRIPT_BUILTINS.update({f.__name__: f for f in (
    sum, min, max, sorted, any, all, enumerate, zip, dict, list, set, tuple, reversed, filter, map,
    len, isinstance, round, abs, str, int, float, bool)})
SCRIPT_BUILTINS.update(range=_safe_range, pow=_safe_pow)
for _name in ('setattr', 'delattr', '__import__'):   # no mutation of arbitrary objects, no imports
    SCRIPT_BUILTINS.pop(_name, None)

# Exceptions a script may catch. ScriptBudgetExceeded must stay uncatchable: the trace function is
# removed by CPython once it raises, so a script that swallowed it (bare except, except Exception,
# or a finally block) could then loop forever untraced. Rebinding these names is refused too.
CATCHABLE = frozenset({'ArithmeticError', 'AssertionError', 'AttributeError', 'IndexError', 'KeyError',
                       'LookupError', 'NameError', 'OverflowError', 'RuntimeError', 'StopIteration',
                       'TypeError', 'UnicodeError', 'ValueError', 'ZeroDivisionError'})


def _script_policy_errors(tree):
    """Our rules on top of RestrictedPython (which only fails imports at run time)."""
    errors = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            errors.append(f'line {node.lineno}: import statements are not allowed')
        elif isinstance(node, ast.Try):
            if node.finalbody:
                errors.append(f'line {node.lineno}: try/finally is not allowed')
            for handler in node.handlers:
                types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                if not all(isinstance(t, ast.Name) and t.id in CATCHABLE for t in types):
                    errors.append(f'line {handler.lineno}: except must name specific exceptions '
                                  f'({", ".join(sorted(CATCHABLE))})')
        bound = (node.id if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)
                 else node.arg if isinstance(node, ast.arg)
                 else getattr(node, 'name', None) if isinstance(
                     node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler))
                 else None)
        if bound in CATCHABLE:
            errors.append(f'line {node.lineno}: the name {bound!r} cannot be rebound')
    return errors


class _Policy(RestrictingNodeTransformer):

    def visit_While(self, node):
        # `while True: pass` compiles to a JUMP_BACKWARD onto itself, which CPython 3.11 never
        # reports as a 'line' event, so the budget would not see it. A name load at the top of the
        # body gives every iteration (including `continue`) a real backward edge.
        node = self.node_contents_visit(node)
        tick = ast.copy_location(ast.Expr(ast.copy_location(ast.Name('_pow_', ast.Load()), node)), node)
        node.body.insert(0, tick)
        return node

    def visit_BinOp(self, node):
        # RestrictedPython does not guard `**`; route it through _pow_ so 10 ** 10 ** 8 fails fast.
        node = self.node_contents_visit(node)
        if not isinstance(node.op, ast.Pow):
            return node
        func = ast.copy_location(ast.Name('_pow_', ast.Load()), node)
        return ast.copy_location(ast.Call(func=func, args=[node.left, node.right], keywords=[]), node)


@lru_cache(maxsize=4096)
def _compile_script(script):
    try:
        tree = ast.parse(script, SCRIPT_FILENAME, 'exec')
    except SyntaxError as err:
        raise ScriptPolicyError(f'syntax error on line {err.lineno}: {err.msg}') from None
    errors = _script_policy_errors(tree)   # before RestrictedPython: its policy mutates the tree
    result = compile_restricted_exec(tree, filename=SCRIPT_FILENAME, policy=_Policy)
    errors += result.errors
    if errors:
        raise ScriptPolicyError('; '.join(errors))
    return result.code


@lru_cache(maxsize=4096)
def _parse_expression(expression):
    """Returns (ast body, names used). Cached: the same conditions/DMN cells run for every case."""
    try:
        tree = ast.parse(expression.strip(), '<expression>', 'eval')
    except SyntaxError as err:
        raise ScriptPolicyError(f'syntax error on line {err.lineno}: {err.msg}') from None
    nodes = sorted((n for n in ast.walk(tree) if hasattr(n, 'end_col_offset')),   # source order
                   key=lambda n: (n.end_lineno, n.end_col_offset))
    for node in nodes:
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ''
        if name.startswith('_'):
            raise ScriptPolicyError(f'{name!r} is not allowed (names starting with "_" are reserved)')
        if isinstance(node, ast.Lambda):
            raise ScriptPolicyError('lambda is not allowed in expressions')
    return tree.body, frozenset(n.id for n in nodes if isinstance(n, ast.Name))


def check_script(script: str) -> None:
    """Deploy-time check of a script; raises ScriptPolicyError with a readable reason."""
    _compile_script(script)


def check_expression(expression: str) -> None:
    """Deploy-time check of an expression; raises ScriptPolicyError with a readable reason."""
    _parse_expression(expression)


_SCALARS = frozenset({str, int, float, bool, type(None), Decimal, date, datetime})


class _NotPlain(Exception):
    """Value is not plain JSON-like data and is not written back."""


def _plain_copy(value, budget, depth=0):
    """Copy of a JSON-like value, or _NotPlain. Exact type checks only: a script-defined dict
    subclass could carry methods that would later run outside the sandbox, and no script code
    (e.g. a custom __eq__) may run here, outside the line budget. Tuples become lists (as in JSON)."""
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_WRITE_DEPTH:
        raise _NotPlain()
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list or kind is tuple:
        return [_plain_copy(item, budget, depth + 1) for item in value]
    if kind is dict and all(type(key) in _SCALARS for key in value):
        return {key: _plain_copy(item, budget, depth + 1) for key, item in value.items()}
    raise _NotPlain()


class SandboxEnvironment(BasePythonScriptEngineEnvironment):

    def __init__(self, functions: dict | None = None, max_lines: int = 100_000):
        super().__init__(dict(functions or {}))   # self.globals: whitelisted helpers
        self.max_lines = max_lines

    def evaluate(self, expression, context, external_context=None):
        body, used = _parse_expression(expression)
        external = external_context or {}
        # Copy only the names the expression uses; task data wins over external (as in spiff).
        names = {name: copy.deepcopy(context[name] if name in context else external[name])
                 for name in used if name in context or name in external}
        # fresh dicts per call: EvalWithCompoundTypes mutates the functions dict it is given
        evaluator = EvalWithCompoundTypes(names=names, functions={**EXPR_FUNCTIONS, **self.globals},
                                          operators=_EXPR_OPERATORS)
        try:
            return evaluator.eval(expression, previously_parsed=body)
        except NameNotDefined as err:
            # a real NameError lets spiff add its "Did you mean ...?" hint
            raise NameError(f"name '{err.name}' is not defined", name=err.name) from err

    def execute(self, script, context, external_context=None):
        external = external_context or {}
        overlap = (set(self.globals) | set(external)) & set(context)
        if overlap:
            raise ValueError(f'task data overwrites predefined names: {sorted(overlap)}')
        code = _compile_script(script)
        script_globals = {
            '__builtins__': SCRIPT_BUILTINS, '__name__': 'bpmn_script', '__metaclass__': type,
            '_getattr_': safer_getattr, '_getitem_': default_guarded_getitem,
            '_getiter_': default_guarded_getiter, '_iter_unpack_sequence_': guarded_iter_unpack_sequence,
            '_unpack_sequence_': guarded_unpack_sequence, '_write_': full_write_guard,
            '_inplacevar_': lambda op, x, y: _INPLACE[op](x, y), '_pow_': _safe_pow,
            '_apply_': lambda func, *args, **kwargs: func(*args, **kwargs),  # f(*a, **kw) calls
            '_print_': PrintCollector,   # print() is collected and discarded
            **self.globals, **copy.deepcopy(external)}
        namespace = dict(script_globals)
        namespace.update(copy.deepcopy(context))
        self._run_with_budget(code, namespace)
        for key in [key for key in context if key not in namespace]:
            del context[key]                     # the script deleted it
        budget = [MAX_WRITE_NODES]
        for key, value in namespace.items():
            if key in script_globals or key.startswith('_'):
                continue
            try:
                context[key] = _plain_copy(value, budget)
            except _NotPlain:
                pass   # modules, callables, sets, objects...: dropped (an existing value stays as is)
        return True

    def _run_with_budget(self, code, namespace):
        remaining = [self.max_lines]

        def count_lines(frame, event, arg):
            if event == 'line':
                remaining[0] -= 1
                if remaining[0] < 0:
                    raise ScriptBudgetExceeded(f'script exceeded its budget of {self.max_lines} lines')
            return count_lines

        def on_call(frame, event, arg):
            # only frames compiled from BPMN scripts are traced; helpers run at full speed
            return count_lines if frame.f_code.co_filename == SCRIPT_FILENAME else None

        previous = sys.gettrace()
        sys.settrace(on_call)        # per thread, so concurrent workers each get their own budget
        try:
            exec(code, namespace)
        finally:
            sys.settrace(previous)

    def call_service(self, context, **kwargs):
        raise ScriptPolicyError('service tasks are not configured')


def make_script_engine(functions: dict | None = None, max_lines: int = 100_000) -> PythonScriptEngine:
    return PythonScriptEngine(environment=SandboxEnvironment(functions, max_lines))
