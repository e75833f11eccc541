"""The console's shell: logging in (and failing to), the language switch, the headers."""
import re


def test_a_wrong_password_is_told_in_chinese_then_the_clerk_lands_on_her_workbench(visit):
    visit.expect_status(401)
    page = visit.go("/login")
    assert page.title().startswith("联办")
    page.get_by_label("用户名").fill("zcz_qs_agent")
    page.get_by_label("密码").fill("not the password")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("用户名或密码不正确").wait_for()
    visit.axe()
    visit.no_sideways_scroll()
    visit.shot("login-failed")
    visit.login("zcz_qs_agent")
    assert re.search(r"/console$", page.url)


def test_the_language_switch_turns_the_page_into_english_and_back(visit):
    page = visit.go("/login")
    if visit.width_name == "phone":
        page.get_by_role("button", name="菜单").click()
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Log in to Lianban").wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    page.get_by_role("button", name="中文").click()          # (on a phone the menu stays open)
    page.get_by_role("heading", name="登录联办").wait_for()
