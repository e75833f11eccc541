"""好差评 over HTTP (docs/ratings.md). SQLite: nothing here depends on the database."""
import pytest

from tests.e2e.test_api import assert_problem, auth, client  # noqa: F401  (fixture)

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_scheme_and_a_bad_visit_rating_opens_a_review_at_the_village(client, demo):  # noqa: F811
    scheme = client.get("/api/v1/ratings/scheme").json
    assert [lv["bad"] for lv in scheme["levels"]] == [False, False, False, True, True]
    assert scheme["default_after_working_days"] == 5
    assert client.get("/api/v1/windows/ZCZ-QS-W01/rating").json["visit"] is None
    visit = client.post("/api/v1/windows/ZCZ-QS-W01/visits", json={}, headers=auth(client, "zcz_qs_agent"))
    assert visit.status_code == 201, visit.json
    token = client.get("/api/v1/windows/ZCZ-QS-W01/rating").json["visit"]["token"]
    body = {"level": 1, "indicators": {"efficiency": 1, "competence": 2, "attitude": 1}, "comment": "态度差"}
    rated = client.post(f"/api/v1/visits/{token}/rating", json=body)
    assert rated.status_code == 201 and rated.json["bad"] is True, rated.json
    assert_problem(client.post(f"/api/v1/visits/{token}/rating", json=body), 409, "already_rated")
    ledger = client.get("/api/v1/ratings/rectifications", headers=auth(client, "zcz_qs_agent")).json
    [row] = ledger["items"]
    assert row["status"] == "verifying" and row["review_case_id"]
    tasks = client.get(f"/api/v1/cases/{row['review_case_id']}", headers=auth(client, "zcz_qs_agent"))
    assert tasks.status_code == 200, tasks.json
