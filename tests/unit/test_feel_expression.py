"""The Camunda 8 FEEL translator (engine/bpmn/feel_expression.py): what each supported form
becomes, that the result evaluates in the sandbox as FEEL would, and that everything outside the
supported list — hostile or merely unsupported — is refused with a reason."""
import pytest

from engine.bpmn import feel_expression
from engine.bpmn.feel_expression import FeelUnsupported, is_feel, translate
from engine.bpmn.sandbox import SandboxEnvironment, ScriptPolicyError, check_expression

ENV = SandboxEnvironment(feel_expression.FUNCTIONS)


@pytest.mark.parametrize("feel, python", [
    ("=amount > 1000", "(amount > 1000)"),
    ("= approved ", "approved"),
    ('=x = "a"', "(x == 'a')"),
    ("=x != 1", "(x != 1)"), ("=x <= 1", "(x <= 1)"), ("=x >= 1.5", "(x >= 1.5)"),
    ("=a and b or c", "((a and b) or c)"),
    ("=a or b and c", "(a or (b and c))"),
    ("=not(approved)", "(not approved)"),
    ("=x in [1, 2, 3]", "(x in [1, 2, 3])"),
    ("=x in [1..10]", "(1 <= x <= 10)"),
    ("=x in (1..10]", "(1 < x <= 10)"),
    ("=x in ]1..10[", "(1 < x < 10)"),
    ('=x in ("a", < 5, [7..9])', "((x == 'a') or (x < 5) or (7 <= x <= 9))"),
    ("=x in allowed", "(x in feel_list(allowed))"),
    ("=x between 1 and 10", "(1 <= x <= 10)"),
    ('=some risk in riskLevels satisfies risk = "red"',
     "any([(risk == 'red') for risk in feel_list(riskLevels)])"),
    ('=every risk in riskLevels satisfies risk = "yellow"',
     "all([(risk == 'yellow') for risk in feel_list(riskLevels)])"),
    ('=list contains(tags, "urgent")', "('urgent' in feel_list(tags))"),
    ("=count(items) > 2", "(len(feel_list(items)) > 2)"),
    ("=sum(fees) + 1", "(sum(feel_list(fees)) + 1)"),
    ("=x = null", "(x == None)"), ("=x != null", "(x != None)"),
    ("=applicant.address.city", "applicant['address']['city']"),
    ("=items[1].name", "items[0]['name']"),
    ("=items[-1]", "items[-1]"),
    ('=if amount > 1000 then "senior" else "clerk"', "('senior' if (amount > 1000) else 'clerk')"),
    ("=2 ** 3 * -a", "((2 ** 3) * (-a))"),
    ("=a - b - c", "((a - b) - c)"),
    ('="双引号"', "'双引号'"),
    ('="a\\"b"', "'a\"b'"),
    ("=true", "True"), ("=false", "False"), ("=null", "None"),
])
def test_translations(feel, python):
    assert translate(feel) == python
    check_expression(python)


@pytest.mark.parametrize("feel, data, value", [
    ('=some risk in riskLevels satisfies risk = "red"', {"riskLevels": ["green", "red"]}, True),
    ('=some risk in riskLevels satisfies risk = "red"', {"riskLevels": ["green"]}, False),
    ('=some risk in riskLevels satisfies risk = "red"', {"riskLevels": "red"}, True),   # one value, a list of one
    ('=every risk in riskLevels satisfies risk = "yellow"', {"riskLevels": []}, True),
    ("=x in allowed", {"x": "ab", "allowed": "abc"}, False),      # FEEL: x = "abc", not a substring test
    ("=x in allowed", {"x": "b", "allowed": ["a", "b"]}, True),
    ("=x in (1..10]", {"x": 1}, False),
    ("=x in (1..10]", {"x": 10}, True),
    ('=list contains(tags, "urgent")', {"tags": ["urgent"]}, True),
    ("=count(items) > 2", {"items": [1, 2, 3]}, True),
    ("=items[1].name", {"items": [{"name": "甲"}, {"name": "乙"}]}, "甲"),
    ("=x = null", {"x": None}, True),
    ("=not(approved)", {"approved": False}, True),
    ('=if amount > 1000 then "senior" else "clerk"', {"amount": 5000}, "senior"),
])
def test_translation_evaluates_in_the_sandbox(feel, data, value):
    assert ENV.evaluate(translate(feel), data) == value


@pytest.mark.parametrize("feel, reason", [
    ("amount > 1", "not a FEEL expression"),
    ("=", "empty expression"),
    ("= date(\"2020-01-01\") > x", "function date() is not supported"),
    ("=now()", "function now() is not supported"),
    ("=x.y()", "method calls are not supported"),
    ("=for x in xs return x", "'for' expressions are not supported"),
    ("=function(x) x", "'function' expressions are not supported"),
    ("={a: 1}", "contexts"),
    ('=@"2020-01-01"', "temporal literals"),
    ("=xs[item > 1]", "a filter or computed index"),
    ("=xs[0]", "a filter or computed index"),
    ("=x instance of number", "'instance of'"),
    ("=a < b < c", "chained comparison"),
    ("=some x in xs, y in ys satisfies x = y", "several lists"),
    ("=first name", "names with spaces"),
    ("=__class__", "not allowed"),
    ("=x.__class__", "not allowed"),
    ("=x._secret", "not allowed"),
    ("=feel_list", "reserved"),
    ("=lambda", "reserved"),
    ("=import", "reserved"),
    ("=x ; y", "not part of the supported FEEL"),
    ("=x `y`", "not part of the supported FEEL"),
    ('="open', "unterminated string"),
    ('="a\\qb"', "escape sequence"),
    ("=count(a, b)", "takes 1 argument"),
    ("=" + "(" * 40 + "x" + ")" * 40, "nested deeper than"),
    ("=" + " + ".join(["x"] * 150), "more than 100 operators"),
    ("=x" + " " * 5000, "longer than"),
    ("=" + "-" * 3000 + "x", "more than 100 operators"),          # no deep recursion on unary signs
    ("=" + "[" * 50 + "]" * 50, "nested deeper than"),
    ("=" + "not(" * 40 + "x" + ")" * 40, "nested deeper than"),
    ("=" + ".".join(["a"] * 150), "more than 100 operators"),
    ("=x y", "names with spaces"),
    ("=if a then b", "expected 'else'"),
])
def test_refusals(feel, reason):
    with pytest.raises(FeelUnsupported) as err:
        translate(feel)
    assert reason in err.value.reason


def test_what_it_writes_never_reaches_an_attribute_or_a_function_it_did_not_name():
    """Every translation above is a subscript, an operator or one of the named functions; the
    sandbox itself refuses what could reach further even if the translator let it through."""
    for hostile in ('="".__class__', "=x.__globals__", "=x._y"):
        with pytest.raises(FeelUnsupported):
            translate(hostile)
    with pytest.raises(ScriptPolicyError):
        check_expression("x.__class__")


def test_detection():
    assert is_feel("= x") and is_feel("  =x") and not is_feel("${x}") and not is_feel("x == 1")
