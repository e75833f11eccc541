"""Sandboxed script engine for BPMN/DMN models (SpiffWorkflow 3.2.0).

SpiffWorkflow's default environment is plain eval/exec with full builtins, so an uploaded model
could run os.system from a script task *or* a gateway condition. Here:
- expressions (conditions, timers, DMN cells, payload/correlation, MI cardinality) -> simpleeval;
- scripts (script tasks, pre/post scripts) -> RestrictedPython with all guards + a line budget;
- both see a deep copy of task data: 3.2.0 shares nested containers between a task and its
  parent, so an in-place mutation would otherwise rewrite already completed tasks.
Resource limits (docs/security.md), each failing the script or condition with
ScriptResourceLimit (a ScriptBudgetExceeded, code `script_resource_limit`):
- size: every operation that can build a large value in one C call — `*` and `+` of strings and
  lists, `<<`, `**`, `%`, str.format, f-string widths, ljust/center/zfill/replace/expandtabs/join,
  list.extend, str()/repr() of containers — is checked before it runs: at most MAX_ITEMS
  characters or items in its result, and at most MAX_TOTAL_ITEMS built by one script in all;
- memory: checked every CHECK_EVERY lines, the process's resident memory may not grow by more than
  MAX_GROWTH_BYTES from the first check on (and a MemoryError fails the script, not the worker);
- CPU: at most `cpu_seconds` of the thread's CPU time per script, besides the line budget;
- depth: at most MAX_DEPTH nested calls of script functions (before Python's own limit).
"""
import ast
import copy
import operator
import re
import resource
import sys
import threading
import time
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
from simpleeval import DEFAULT_OPERATORS, EvalWithCompoundTypes, IterableTooLong, NameNotDefined, NumberTooHigh
from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment, PythonScriptEngine

# SpiffWorkflow maps traceback frames of this filename to "error on line N" in its messages,
# so scripts keep useful line numbers; the budget tracer also keys on it.
SCRIPT_FILENAME = '<string>'
MAX_POW_BITS = 10_000     # int ** int whose result exceeds this is refused (a single C op can't be traced)
MAX_RANGE = 100_000       # range() length; sum(range(10**12)) would otherwise run in C forever
MAX_WRITE_NODES = 1_000_000  # values written back per script (bounds shared-reference/DAG blowups)
MAX_WRITE_DEPTH = 100     # deeper (or cyclic) values are not written back
MAX_ITEMS = 1_000_000     # characters or items one operation may build
MAX_TOTAL_ITEMS = 10_000_000   # ... and one script in all (a loop of big values)
MAX_DEPTH = 100           # nested calls of script functions
MAX_GROWTH_BYTES = 256 * 1024 * 1024   # resident memory a script may add to the process
CHECK_EVERY = 1_000       # lines between two checks of CPU time and memory
MAX_FORMAT_DIGITS = 6     # a width or precision in a format has at most this many digits


class ScriptPolicyError(Exception):
    """Script/expression rejected by policy. Deliberately not a SyntaxError: SpiffWorkflow's error
    formatter crashes on a SyntaxError without lineno."""

    def __init__(self, reason):
        super().__init__(reason)   # args[0] must be a str: spiff builds "Type:" + args[0]
        self.reason = reason


class ScriptBudgetExceeded(Exception):
    """A script executed more line events than its budget (endless loop)."""


class ScriptResourceLimit(ScriptBudgetExceeded):
    """A script or condition would exceed a memory, size, CPU or depth limit."""


class PowerTooLarge(ScriptResourceLimit, ScriptPolicyError):
    """`**` whose result would be too large: a resource limit, refused as the policy always did."""

    def __init__(self, reason):
        ScriptPolicyError.__init__(self, reason)


def _safe_pow(base, exp, mod=None):
    if mod is not None:
        return pow(base, exp, mod)   # modular pow is bounded by the modulus
    if (isinstance(base, int) and isinstance(exp, int) and exp > 0 and abs(base) > 1
            and exp * base.bit_length() > MAX_POW_BITS):
        raise PowerTooLarge(f'power result too large (more than {MAX_POW_BITS} bits)')
    return base ** exp


_SIZED = (str, bytes, list, tuple)
_spent = threading.local()        # items built so far by the script running on this thread


def _charge(items: int) -> None:
    if items > MAX_ITEMS:
        raise ScriptResourceLimit(f'a value of more than {MAX_ITEMS} characters or items')
    total = getattr(_spent, 'items', 0) + items
    if total > MAX_TOTAL_ITEMS:
        raise ScriptResourceLimit(f'more than {MAX_TOTAL_ITEMS} characters or items built by one script')
    _spent.items = total


def _safe_mul(a, b):
    if isinstance(a, _SIZED) and isinstance(b, int):
        _charge(len(a) * max(b, 0))
    elif isinstance(b, _SIZED) and isinstance(a, int):
        _charge(len(b) * max(a, 0))
    return a * b


def _safe_add(a, b):
    if isinstance(a, _SIZED) and isinstance(b, _SIZED):
        _charge(len(a) + len(b))
    return a + b


def _safe_lshift(a, b):
    if isinstance(a, int) and isinstance(b, int) and b > 0 and a.bit_length() + b > MAX_POW_BITS:
        raise ScriptResourceLimit(f'shift result too large (more than {MAX_POW_BITS} bits)')
    return a << b


_FORMAT_NUMBER = re.compile(r'\d{%d,}' % (MAX_FORMAT_DIGITS + 1))
_PERCENT_STAR = re.compile(r'%[-+ #0]*(\*|\.\*|\d*\.\*)')


def _check_template(template) -> None:
    """A format template may not ask for a width or precision of more than MAX_FORMAT_DIGITS digits."""
    text = template.decode('latin-1') if isinstance(template, bytes) else template
    if _FORMAT_NUMBER.search(text) or _PERCENT_STAR.search(text):
        raise ScriptResourceLimit(f'a format width or precision of more than {MAX_FORMAT_DIGITS} digits')


def _safe_mod(a, b):
    if isinstance(a, (str, bytes)):
        _check_template(a)
        _charge(len(a) + sum(_text_size(v) for v in (b if isinstance(b, tuple) else (b,))))
    return a % b


def _text_size(value, budget=None) -> int:
    """About how many characters str()/repr() of `value` makes (containers walked, at most
    MAX_ITEMS + 1 counted): the walk stops as soon as the limit is passed."""
    budget = [MAX_ITEMS + 1] if budget is None else budget
    kind = type(value)
    if kind in (str, bytes):
        size = len(value)
    elif kind in (list, tuple, set, frozenset):
        size = 2
        for item in value:
            size += _text_size(item, budget) + 2
            if budget[0] - size < 0:
                break
    elif kind is dict:
        size = 2
        for key, item in value.items():
            size += _text_size(key, budget) + _text_size(item, budget) + 4
            if budget[0] - size < 0:
                break
    else:
        size = 24
    return size


def _safe_str(*args, **kwargs):
    if args and not isinstance(args[0], (str, int, float, bool, type(None))):
        _charge(_text_size(args[0]))
    return str(*args, **kwargs)


def _safe_repr(value):
    _charge(_text_size(value))
    return repr(value)


def _width(width):
    _charge(width if isinstance(width, int) else 0)


def _guard_pad(method):
    def padded(width, *args):
        _width(width)
        return method(width, *args)
    return padded


def _guard_expandtabs(method):
    def expanded(tabsize=8):
        text = method.__self__
        _charge(len(text) * max(tabsize if isinstance(tabsize, int) else 0, 1))
        return method(tabsize)
    return expanded


def _guard_replace(method):
    def replaced(old, new, count=-1):
        text = method.__self__
        if isinstance(old, type(text)) and isinstance(new, type(text)) and len(new) > len(old):
            found = text.count(old) if old else len(text) + 1
            if isinstance(count, int) and count >= 0:
                found = min(found, count)
            _charge(len(text) + found * (len(new) - len(old)))
        return method(old, new, count)
    return replaced


def _guard_join(method):
    def joined(iterable):
        items = list(iterable)
        _charge(sum(len(i) if isinstance(i, (str, bytes)) else 0 for i in items)
                + len(method.__self__) * max(len(items) - 1, 0))
        return method(items)
    return joined


def _guard_format(method):
    def formatted(*args, **kwargs):
        _check_template(method.__self__)
        _charge(len(method.__self__) + sum(_text_size(v) for v in (*args, *kwargs.values())))
        return method(*args, **kwargs)
    return formatted


def _guard_extend(method):
    def extended(iterable):
        items = iterable if isinstance(iterable, _SIZED) else list(iterable)
        _charge(len(method.__self__) + len(items))
        return method(items)
    return extended


_GUARDED_METHODS = {
    (str, 'ljust'): _guard_pad, (str, 'rjust'): _guard_pad, (str, 'center'): _guard_pad,
    (str, 'zfill'): _guard_pad, (bytes, 'ljust'): _guard_pad, (bytes, 'rjust'): _guard_pad,
    (bytes, 'center'): _guard_pad, (bytes, 'zfill'): _guard_pad,
    (str, 'expandtabs'): _guard_expandtabs, (bytes, 'expandtabs'): _guard_expandtabs,
    (str, 'replace'): _guard_replace, (bytes, 'replace'): _guard_replace,
    (str, 'join'): _guard_join, (bytes, 'join'): _guard_join,
    (str, 'format'): _guard_format, (str, 'format_map'): _guard_format,
    (list, 'extend'): _guard_extend,
}
_BUILTIN_METHOD = type(''.join)


def guard_attribute(value):
    """A method of a string or list that could build a huge value in one call, wrapped in its
    size check; anything else as it is."""
    if type(value) is _BUILTIN_METHOD:
        guard = _GUARDED_METHODS.get((type(value.__self__), value.__name__))
        if guard is not None:
            return guard(value)
    return value


def _guarded_getattr(obj, name, default=None):
    return guard_attribute(safer_getattr(obj, name, default))


def _safe_range(*args):
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise ScriptPolicyError(f'range() longer than {MAX_RANGE} items')
    return result


_INPLACE = {'+=': _safe_add, '-=': operator.isub, '*=': _safe_mul, '/=': operator.itruediv,
            '//=': operator.ifloordiv, '%=': _safe_mod, '**=': _safe_pow, '<<=': _safe_lshift,
            '>>=': operator.irshift, '&=': operator.iand, '|=': operator.ior, '^=': operator.ixor}

EXPR_FUNCTIONS = {f.__name__: f for f in (len, min, max, sum, abs, round, int, float, str, bool, any,
                                         all, sorted, list, dict, set, tuple)}
_EXPR_OPERATORS = {**DEFAULT_OPERATORS, ast.Pow: _safe_pow}

SCRIPT_BUILTINS = {**safe_builtins, **limited_builtins}
SCRIPT_BUILTINS.update({f.__name__: f for f in (
    sum, min, max, sorted, any, all, enumerate, zip, dict, list, set, tuple, reversed, filter, map,
    len, isinstance, round, abs, str, int, float, bool)})
SCRIPT_BUILTINS.update(range=_safe_range, pow=_safe_pow, str=_safe_str, repr=_safe_repr)
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
        elif isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            problem = _format_spec_problem(node.format_spec)
            if problem:
                errors.append(f'line {node.lineno}: {problem}')
        bound = (node.id if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)
                 else node.arg if isinstance(node, ast.arg)
                 else getattr(node, 'name', None) if isinstance(
                     node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler))
                 else None)
        if bound in CATCHABLE:
            errors.append(f'line {node.lineno}: the name {bound!r} cannot be rebound')
    return errors


def _format_spec_problem(spec) -> str | None:
    """An f-string's format spec: written out (no `{width}` computed at run time) and with no
    width or precision of more than MAX_FORMAT_DIGITS digits."""
    for part in spec.values:
        if isinstance(part, ast.FormattedValue):
            return 'a format width computed at run time is not allowed'
        if isinstance(part, ast.Constant) and _FORMAT_NUMBER.search(str(part.value)):
            return f'a format width or precision of more than {MAX_FORMAT_DIGITS} digits'
    return None


_GUARDED_BINOPS = {ast.Pow: '_pow_', ast.Mult: '_mul_', ast.Add: '_add_', ast.LShift: '_lshift_', ast.Mod: '_mod_'}


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
        # RestrictedPython guards none of these: each goes through its size check so that
        # 10 ** 10 ** 8, 'a' * 10 ** 10 or 1 << 10 ** 10 fails before it allocates
        node = self.node_contents_visit(node)
        guard = _GUARDED_BINOPS.get(type(node.op))
        if guard is None:
            return node
        func = ast.copy_location(ast.Name(guard, ast.Load()), node)
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
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            problem = _format_spec_problem(node.format_spec)
            if problem:
                raise ScriptPolicyError(problem)
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


class _Evaluator(EvalWithCompoundTypes):
    """simpleeval with the size checks of scripts on the methods it may call."""

    def _eval_attribute(self, node):
        return guard_attribute(super()._eval_attribute(node))


_PAGE = resource.getpagesize()


def _rss_bytes() -> int:
    """The process's resident memory now (Linux: /proc/self/statm, ~5 µs), else its peak."""
    try:
        with open('/proc/self/statm', 'rb') as statm:
            return int(statm.read().split()[1]) * _PAGE
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == 'darwin' else peak * 1024      # Linux counts kilobytes


class _Tracer:
    """The budget of one script run: lines, CPU time, memory growth, depth of its functions."""

    def __init__(self, max_lines: int, cpu_seconds: float):
        self.max_lines = self.remaining = max_lines
        self.cpu_seconds = cpu_seconds
        self.cpu_deadline = time.thread_time() + cpu_seconds
        # memory is first measured at the first check: a short script (most) reads /proc not at
        # all, and what a run builds before that check is bounded by MAX_TOTAL_ITEMS anyway
        self.rss_limit = None

    def check_resources(self) -> None:
        if time.thread_time() > self.cpu_deadline:
            raise ScriptResourceLimit(f'script used more than {self.cpu_seconds:g} s of CPU time')
        if self.rss_limit is None:
            self.rss_limit = _rss_bytes() + MAX_GROWTH_BYTES
        elif _rss_bytes() > self.rss_limit:
            raise ScriptResourceLimit(f'script grew the process by more than {MAX_GROWTH_BYTES >> 20} MB')

    def count_lines(self, frame, event, arg):
        if event == 'line':
            self.remaining -= 1
            if self.remaining < 0:
                raise ScriptBudgetExceeded(f'script exceeded its budget of {self.max_lines} lines')
            if self.remaining % CHECK_EVERY == 0:
                self.check_resources()
        return self.count_lines

    def on_call(self, frame, event, arg):
        # only frames compiled from BPMN scripts are traced; helpers run at full speed
        if frame.f_code.co_filename != SCRIPT_FILENAME:
            return None
        depth, outer = 0, frame
        while outer is not None and depth <= MAX_DEPTH:
            depth += outer.f_code.co_filename == SCRIPT_FILENAME
            outer = outer.f_back
        if depth > MAX_DEPTH:
            raise ScriptResourceLimit(f'script functions nested more than {MAX_DEPTH} deep')
        return self.count_lines


class SandboxEnvironment(BasePythonScriptEngineEnvironment):

    def __init__(self, functions: dict | None = None, max_lines: int = 100_000, cpu_seconds: float = 2.0):
        super().__init__(dict(functions or {}))   # self.globals: whitelisted helpers
        self.max_lines = max_lines
        self.cpu_seconds = cpu_seconds

    def evaluate(self, expression, context, external_context=None):
        _spent.items = 0
        try:
            return self._evaluate(expression, context, external_context)
        except (IterableTooLong, NumberTooHigh) as err:
            raise ScriptResourceLimit(str(err)) from None
        except (MemoryError, RecursionError) as err:
            raise ScriptResourceLimit(f'the condition used too much ({type(err).__name__})') from None

    def _evaluate(self, expression, context, external_context=None):
        body, used = _parse_expression(expression)
        external = external_context or {}
        # Copy only the names the expression uses; task data wins over external (as in spiff).
        names = {name: copy.deepcopy(context[name] if name in context else external[name])
                 for name in used if name in context or name in external}
        # fresh dicts per call: EvalWithCompoundTypes mutates the functions dict it is given
        evaluator = _Evaluator(names=names, functions={**EXPR_FUNCTIONS, **self.globals},
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
            '_getitem_': default_guarded_getitem,
            '_getiter_': default_guarded_getiter, '_iter_unpack_sequence_': guarded_iter_unpack_sequence,
            '_unpack_sequence_': guarded_unpack_sequence, '_write_': full_write_guard,
            '_inplacevar_': lambda op, x, y: _INPLACE[op](x, y), '_pow_': _safe_pow, '_mul_': _safe_mul,
            '_add_': _safe_add, '_lshift_': _safe_lshift, '_mod_': _safe_mod, '_getattr_': _guarded_getattr,
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
        tracer = _Tracer(self.max_lines, self.cpu_seconds)
        _spent.items = 0
        previous = sys.gettrace()
        sys.settrace(tracer.on_call)        # per thread, so concurrent workers each get their own budget
        try:
            exec(code, namespace)
        except (MemoryError, RecursionError) as err:
            raise ScriptResourceLimit(f'script used too much ({type(err).__name__})') from None
        finally:
            sys.settrace(previous)
        if time.thread_time() > tracer.cpu_deadline:      # one long C call has no line event
            raise ScriptResourceLimit(f'script used more than {self.cpu_seconds:g} s of CPU time')

    def call_service(self, context, **kwargs):
        raise ScriptPolicyError('service tasks are not configured')


def make_script_engine(functions: dict | None = None, max_lines: int = 100_000,
                       cpu_seconds: float = 2.0) -> PythonScriptEngine:
    return PythonScriptEngine(environment=SandboxEnvironment(functions, max_lines, cpu_seconds))
