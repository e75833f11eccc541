"""送达 in the console: a decided case whose 制证 is done is delivered by mail from its case page;
the form asks for what the method needs, the receipt is issued and opens sandboxed, and nothing
lifecycle-changing is offered afterwards."""
import re

from engine.services import cases
from tests.browser.test_workbench import case_json, check_page
from tests.conftest import staff, window_id
from tests.form_samples import sample
from tests.integration.helpers import FOOD_TO_ISSUED, complete_steps

FOOD = "620100-XK-SCJG-0001"


def decided_case(ctx) -> tuple[int, str]:
    """A food licence walked through the services to its decision (granted) and 制证, so that no
    task blocks its delivery."""
    started = cases.start_case(ctx, cases.StartCase(FOOD, window_id(ctx, "ZCZ-QS-W01"), {"name": "王五"},
                                                    sample("apply_food_licence"), "proxy"), staff(ctx, "zcz_qs_agent"))
    complete_steps(ctx, started.tasks[0], FOOD_TO_ISSUED)
    return started.case_id, started.number


def test_a_clerk_delivers_a_decided_case_by_mail(visit, server):
    case_id, number = decided_case(server.ctx)
    page = visit.login("lzxq_issuer")
    visit.go(f"/console/cases/{case_id}")
    page.get_by_text(number).first.wait_for()
    assert "deliver" in case_json(visit, case_id)["allowed_actions"]
    page.locator('[data-test="documents"]').get_by_role("link", name=re.compile("准予行政许可决定书")).wait_for()
    actions = page.locator('[data-test="lifecycle-actions"]')
    actions.get_by_role("button", name="送达").click()
    dialog = page.get_by_role("dialog", name="送达")
    dialog.get_by_text("邮寄送达").click()
    dialog.get_by_role("button", name="确定送达").click()                # tracking number and address missing
    dialog.get_by_text(re.compile("请填写")).first.wait_for()
    check_page(visit, "deliver-dialog")
    dialog.get_by_label("快递单号").fill("SF1234567890")
    dialog.get_by_label("快递公司").fill("顺丰速运")
    dialog.get_by_label("邮寄地址").fill("兰州新区中川镇清水村1号")
    dialog.get_by_label("联系电话").fill("13800001234")
    dialog.get_by_role("button", name="确定送达").click()
    page.get_by_role("dialog", name="请确认").get_by_role("button", name="确定送达").click()
    page.locator('[data-test="action-done"]').wait_for()
    receipt = page.locator('[data-test="documents"]').get_by_role("link", name=re.compile("送达回执"))
    receipt.wait_for()
    assert case_json(visit, case_id)["lifecycle"] == "delivered"
    with page.expect_popup() as popup:                                  # opens in a new tab, sandboxed
        receipt.click()
    shown = popup.value
    shown.wait_for_load_state()
    text = shown.locator("body").inner_text()
    assert "SF1234567890" in text and "138****1234" in text             # the phone masked on the receipt
    shown.close()
    assert not actions.get_by_role("button", name=re.compile("退件|不予受理|送达")).count()
    check_page(visit, "delivered")
