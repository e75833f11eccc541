"""DMN cells written by Camunda's modeler (simple FEEL) as the Python SpiffWorkflow's DMN engine
evaluates in our sandbox. Rewritten in the DMN tree at deploy time, before SpiffWorkflow parses it.

- input and output expressions: the expression grammar of engine/bpmn/juel.py (a bare `amount`,
  `applicant.age`, `"text"`, arithmetic, comparisons);
- input entries (simple unary tests): `-` or empty (any), `"a"`, `5`, `true`, `< 10`, `>= x`,
  `[1..10]`, `]1..10[`, `"a","b"` (one of), `not("a","b")`, `null`. SpiffWorkflow's DMN engine puts
  the input value where a `?` stands (dmn/engine/DMNEngine.py), so each test becomes an expression
  over `?`.

Anything else (FEEL functions, date("..."), ranges over strings with functions) raises
JuelUnsupported: the deployment names the rule."""
from __future__ import annotations

from engine.bpmn.juel import JuelUnsupported, is_juel, translate, translate_body

ANY = "-"


def expression(text: str) -> str:
    """An input or output expression (FEEL or JUEL `${...}`) as Python."""
    return translate(text) if is_juel(text) else translate_body(text)


def _split_top(text: str, sep: str = ",") -> list[str]:
    """Split at `sep` outside quotes and brackets."""
    parts, depth, quote, start = [], 0, None, 0
    for i, ch in enumerate(text):
        if quote:
            if ch == "\\":
                continue
            if ch == quote:
                quote = None
        elif ch == '"':
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _interval(test: str) -> str | None:
    """`[a..b]`, `(a..b)`, `]a..b[` and mixes: a Python chained comparison over `?`."""
    if len(test) < 5 or test[0] not in "[(]" or test[-1] not in "])[" or ".." not in test:
        return None
    low, high = test[1:-1].split("..", 1)
    low_op = "<=" if test[0] == "[" else "<"
    high_op = "<=" if test[-1] == "]" else "<"
    return f"({expression(low.strip())} {low_op} ? {high_op} {expression(high.strip())})"


def _positive_test(test: str) -> str:
    if not test:
        raise JuelUnsupported("empty test in a list of tests")
    for op in ("<=", ">=", "<", ">"):
        if test.startswith(op):
            return f"(? {op} {expression(test[len(op):].strip())})"
    interval = _interval(test)
    if interval is not None:
        return interval
    if test == "null":
        return "(? == None)"
    return f"(? == {expression(test)})"


def input_entry(text: str | None) -> str | None:
    """A rule's input entry as a Python test over `?`; None or "-" stay as they are (any)."""
    if text is None or not text.strip() or text.strip() == ANY:
        return text
    test = text.strip()
    negate = test.startswith("not(") and test.endswith(")")
    if negate:
        test = test[4:-1].strip()
    tests = [_positive_test(t) for t in _split_top(test)]
    joined = tests[0] if len(tests) == 1 else "(" + " or ".join(tests) + ")"
    return f"(not {joined})" if negate else joined
