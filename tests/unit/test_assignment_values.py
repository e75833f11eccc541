"""What an assignee or candidate-users expression may give (engine/domain/assignment.py): one
username for an assignee; a username, a list of usernames or a comma-separated text for candidate
users. Everything else is refused with the value shown, never guessed at."""
import pytest

from engine.bpmn import feel_expression, juel
from engine.bpmn.runtime import Runtime
from engine.domain.assignment import MAX_CANDIDATES, AssignmentInvalid, assignee_name, candidate_names, shown


@pytest.mark.parametrize("value, names", [
    ("alice", ["alice"]),
    (" alice , bob,", ["alice", "bob"]),
    (["alice", " bob ", "alice"], ["alice", "bob"]),
    (("carol",), ["carol"]),
])
def test_candidate_users_are_a_name_a_list_or_a_comma_separated_text(value, names):
    assert candidate_names(value) == names


@pytest.mark.parametrize("value, reason", [
    (None, "gave None"),
    ("", "empty text"),
    (" , ", "empty text"),
    ([], "empty list"),
    (42, "gave 42"),
    ({"name": "alice"}, "gave {'name': 'alice'}"),
    (["alice", 7], "holds 7"),
    (["alice", ""], "empty username"),
    (["x" * 65], "longer than a username"),
    ([f"u{i}" for i in range(MAX_CANDIDATES + 1)], f"at most {MAX_CANDIDATES}"),
])
def test_anything_else_is_refused_with_the_value(value, reason):
    with pytest.raises(AssignmentInvalid) as err:
        candidate_names(value)
    assert reason in err.value.reason


def test_an_assignee_is_one_username():
    assert assignee_name(" alice ") == "alice"
    for value, reason in ((["alice"], "one username"), ("alice,bob", "several names"), ("  ", "empty username"),
                          (None, "gave None"), (3, "gave 3")):
        with pytest.raises(AssignmentInvalid) as err:
            assignee_name(value)
        assert reason in err.value.reason


def test_a_large_value_is_shown_bounded():
    assert len(shown("x" * 10_000)) <= 201


@pytest.mark.parametrize("expression, data, names", [
    ("${reviewers}", {"reviewers": ["a", "b"]}, ["a", "b"]),
    ("${form.reviewers}", {"form": {"reviewers": "a, b"}}, ["a", "b"]),
    ("${urgent ? boss : clerks}", {"urgent": False, "boss": "x", "clerks": ["c"]}, ["c"]),
    ("=reviewers", {"reviewers": ["a"]}, ["a"]),
    ('=["a", boss.name]', {"boss": {"name": "b"}}, ["a", "b"]),
    ("=if count(xs) > 1 then xs else boss", {"xs": ["y"], "boss": "z"}, ["z"]),
])
def test_translated_expressions_evaluate_in_the_sandbox_to_names(expression, data, names):
    """What the deployment stores (the translation) and the step's opening evaluates."""
    python = (feel_expression if feel_expression.is_feel(expression) else juel).translate(expression)
    assert candidate_names(Runtime().evaluate(python, data)) == names
