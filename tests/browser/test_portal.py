"""The applicant portal in a browser: a citizen goes from the landing page through the guide to an
online application (ID and phone checked in the browser, a material uploaded, one case however
often she clicks), sees it among her cases, answers a 补正 by uploading the missing material,
withdraws a case, and files a document in her vault."""
import re

from engine.services import cases, materials, time_limits
from tests.conftest import staff, window_id
from tests.form_samples import sample

ELDERLY = "620100-GG-MZ-0002"          # 高龄津贴申领: ID card from the vault, 户口簿 to upload
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def check(visit, name):
    visit.axe()
    visit.no_sideways_scroll()
    visit.shot(name)


def my_case_numbers(page) -> list[str]:
    """The applicant's cases as the API tells her (same session as the page)."""
    return page.evaluate("async () => (await (await fetch('/api/v1/cases')).json()).map(c => c.number)")


def start_elderly_case(ctx) -> int:
    """An online 高龄津贴 case of applicant_zhang, as the portal would start it."""
    started = cases.start_case(ctx, cases.StartCase(
        ELDERLY, window_id(ctx, "LZXQ-W01"),
        {"name": "张三", "id_number": "11010519491231002X", "phone": "13800138000"},
        sample("apply_elderly_allowance"), "online"), staff(ctx, "applicant_zhang"))
    return started.case_id


def test_a_citizen_applies_online_from_the_landing_page(visit, server):
    page = visit.go("/")
    page.get_by_label("搜索办事事项").fill("高龄津贴")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="高龄津贴申领").click()
    page.locator("main").get_by_role("link", name="在线办理").click()

    # not logged in: the login page first, then straight back to the application
    page.wait_for_url(re.compile(r"/login\?next="))
    page.get_by_label("用户名").fill("applicant_zhang")
    page.get_by_label("密码").fill("lianban-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/portal/apply/"))
    page.get_by_role("heading", name=re.compile("在线申请")).wait_for()

    # a wrong check digit and a bad phone number are told in Chinese before anything is sent
    page.get_by_label("身份证号码").fill("110105194912310021")
    page.get_by_label("手机号码").fill("12345")
    page.get_by_role("button", name="提交申请").click()
    page.get_by_text("身份证号码校验位不正确").wait_for()
    page.get_by_text("请输入11位手机号码").wait_for()
    page.get_by_text("请按提示修改标红的内容后再提交").wait_for()
    check(visit, "apply-invalid")
    assert my_case_numbers(page) == []

    page.get_by_label("身份证号码").fill("11010519491231002X")
    page.get_by_label("手机号码").fill("13800138000")
    form = sample("apply_elderly_allowance")
    for label, key in (("老年人姓名", "elder_name"), ("公民身份号码", "id_card_no"), ("户籍地址", "household_address"),
                       ("津贴发放账号", "bank_account")):
        page.get_by_label(re.compile(label)).fill(form[key])
    fill_date(page, "出生日期", form["birth_date"])
    # the ID card comes from the vault by itself; the 户口簿 is uploaded
    assert "将自动调取云档案中的“居民身份证（电子证照）”" in page.inner_text("main")
    page.locator("[data-test=file-M02]").set_input_files(
        files=[{"name": "hukou.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_text("已选择：hukou.pdf").wait_for()
    # the chosen window's hall and its 办公时间, with what happens to an application sent after them
    hours = page.locator("[data-test=window-hours]")
    shown = hours.inner_text()
    assert "兰州新区政务服务中心 · 办公时间" in shown and "10月1日—4月30日" in shown
    assert "09:00–12:00，13:30–17:30" in shown
    assert "工作日下班后" in shown and "视为下一个工作日收件" in shown
    check(visit, "apply-filled")

    page.locator("[data-test=submit-application]").dblclick()
    page.get_by_text("申请已提交").wait_for()
    shown = page.locator("[data-test=new-case-number]").inner_text()
    numbers = my_case_numbers(page)
    assert len(numbers) == 1, numbers                   # a double click made exactly one case
    assert numbers[0] in shown
    check(visit, "apply-done")

    page.get_by_role("link", name="查看办件").click()
    page.get_by_role("heading", name="高龄津贴申领").wait_for()
    main = page.inner_text("main")
    assert "提交申请（网上办理）" in main and "上传材料：户口簿" in main and "自动调取电子证照：申请人身份证" in main
    check(visit, "my-case-new")

    page.get_by_role("link", name="返回我的办件").click()
    card = page.locator("[data-test=case-card]").filter(has_text=numbers[0])
    card.wait_for()
    assert "高龄津贴申领" in card.inner_text() and "已收件" in card.inner_text()
    check(visit, "my-cases")


def fill_date(page, label, value):
    """A date field of the schema form: typed as YYYY-MM-DD and confirmed (a picker accepts typing too)."""
    field = page.get_by_label(re.compile(label))
    field.fill(value)
    field.press("Enter")


def test_the_applicant_answers_a_correction_notice_by_uploading_the_missing_material(visit, server):
    case_id = start_elderly_case(server.ctx)
    time_limits.notify_correction(server.ctx, case_id, "请补充户口簿首页及本人页", staff(server.ctx, "lzxq_receiver"))
    visit.login("applicant_zhang")
    page = visit.page
    card = page.locator("[data-test=case-card]").first
    card.wait_for()
    assert "补正告知" in card.inner_text() and "需要您补正材料" in card.inner_text()
    check(visit, "my-cases-correction")
    card.get_by_role("link").click()
    page.get_by_role("heading", name="窗口要求补正材料").wait_for()
    assert "补正内容：请补充户口簿首页及本人页" in page.inner_text("main")
    correction = page.locator("[data-test=correction]")
    slot = correction.locator("[data-test=material-slot][data-code=M02]")
    assert "待提交" in slot.inner_text()
    check(visit, "correction-before")
    slot.locator("[data-test=file-M02]").set_input_files(
        files=[{"name": "hukou.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_text("“户口簿”已提交").wait_for()
    assert correction.locator("[data-test=material-slot][data-code=M02]").count() == 0
    assert "上传材料：户口簿" in page.locator("[data-test=timeline]").inner_text()
    # the engine has the file at trust level C, for the window to check against the original
    listed = materials.case_materials(server.ctx, case_id, staff(server.ctx, "applicant_zhang"))["materials"]
    state = {m.code: m for m in listed}
    assert state["M02"].status == "unverified"
    check(visit, "correction-after")


def test_the_applicant_withdraws_a_case_after_confirming(visit, server):
    case_id = start_elderly_case(server.ctx)
    visit.login("applicant_zhang")
    page = visit.go(f"/portal/cases/{case_id}")
    page.get_by_role("heading", name="高龄津贴申领").wait_for()
    page.locator("[data-test=withdraw]").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("撤件后本办件将终止办理，且不可恢复").wait_for()
    dialog.get_by_role("button", name="确认撤件").click()
    dialog.get_by_text("请填写撤件原因", exact=True).wait_for()            # no reason, no withdrawal
    dialog.get_by_role("textbox").fill("材料准备不全，下次再办")
    visit.shot("withdraw-confirm")
    dialog.get_by_role("button", name="确认撤件").click()
    page.locator("[data-test=withdraw-notice]").get_by_text("已撤回申请").wait_for()
    assert page.locator("[data-test=case-state]").inner_text() == "已撤件"
    assert page.locator("[data-test=withdraw]").count() == 0
    assert "撤回申请：材料准备不全，下次再办" in page.locator("[data-test=timeline]").inner_text()
    assert cases.get_case(server.ctx, case_id, staff(server.ctx, "applicant_zhang")).lifecycle == "withdrawn"
    check(visit, "withdrawn")


def test_the_applicant_files_a_scan_in_her_vault(visit, server):
    visit.login("applicant_zhang")
    page = visit.go("/portal/vault")
    page.get_by_role("heading", name="居民身份证（电子证照）").wait_for()
    check(visit, "vault")
    page.get_by_role("button", name="上传新文件").click()
    page.get_by_text("请选择证件类型").wait_for()
    page.get_by_text("请选择要上传的文件").wait_for()
    page.get_by_role("combobox", name="证件类型").click(force=True)
    page.get_by_role("option", name="户口簿").click()
    page.get_by_label("名称").fill("户口簿（首页）")
    page.locator("[data-test=vault-file]").set_input_files(
        files=[{"name": "hukou.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="上传新文件").click()
    page.get_by_text("已上传“户口簿（首页）”").wait_for()
    assert page.locator("[data-test=vault-document]").count() == 3
    assert "C 本人上传（待核验）" in page.locator("[data-test=vault-document]").nth(2).inner_text()
    check(visit, "vault-uploaded")
