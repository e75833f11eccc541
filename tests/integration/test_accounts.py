"""Account and token rules the service enforces for every caller (CLI today, any API later)."""
import secrets

import pytest

from engine.domain.errors import Conflict, LianbanError, NotFound
from engine.services.accounts import auth
from tests.conftest import row_counts


@pytest.mark.parametrize("username, name, password, code, field", [
    ("", "窗口", None, "username_required", "username"),
    ("   ", "窗口", None, "username_required", "username"),
    ("u" * 65, "窗口", None, "username_too_long", "username"),
    ("clerk", "", None, "name_required", "name"),
    ("clerk", " \t", None, "name_required", "name"),
    ("clerk", "名" * 101, None, "name_too_long", "name"),
    ("clerk", "窗口", "", "password_too_short", "password"),
    ("clerk", "窗口", "1234567", "password_too_short", "password"),
])
def test_create_account_refuses_blank_names_and_short_passwords(ctx, username, name, password, code, field):
    before = row_counts(ctx)
    with pytest.raises(LianbanError) as refused:
        auth.create_account(ctx, username, name, "staff", password=password)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert row_counts(ctx) == before
    assert auth.create_account(ctx, "clerk", "窗口", "staff", password="12345678")    # the rule's edge passes


@pytest.mark.parametrize("days", [0, -1, auth.MAX_TOKEN_DAYS + 1, 10 ** 9])
def test_a_token_lives_one_day_at_least_and_ten_years_at_most(ctx, days):
    auth.create_account(ctx, "bot", "CI", "service")
    before = row_counts(ctx)
    with pytest.raises(LianbanError) as refused:
        auth.create_service_token(ctx, "bot", "ci", days)
    assert (refused.value.code, refused.value.field) == ("token_days_invalid", "days")
    assert row_counts(ctx) == before
    assert auth.create_service_token(ctx, "bot", "ci", auth.MAX_TOKEN_DAYS).startswith(auth.TOKEN_PREFIX)


def test_revoking_an_unknown_or_revoked_token_fails_and_logout_does_not(ctx, monkeypatch):
    auth.create_account(ctx, "bot", "CI", "service")
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n=None: "-starts-like-an-option")
    token = auth.create_service_token(ctx, "bot", "ci")
    assert token == "lb_-starts-like-an-option"
    with pytest.raises(NotFound) as unknown:
        auth.revoke(ctx, "lb_never-issued")
    assert unknown.value.code == "token_not_found"
    auth.revoke(ctx, token)
    with pytest.raises(Conflict) as again:
        auth.revoke(ctx, token)
    assert again.value.code == "token_already_revoked"
    auth.logout(ctx, token)                                  # a session ending twice is still ended
    with pytest.raises(auth.Unauthenticated):
        auth.authenticate(ctx, token)
