"""Starting a case with an Idempotency-Key (issue 14): a retry answers the first case, a changed
body with the same key is refused, and two requests racing with one key on PostgreSQL make one
case."""
import threading

import pytest
from sqlalchemy import func, select

from api import create_app
from engine.config import Settings
from engine.services.context import Context
from engine.store.models import Case
from tests.e2e.test_api import FOOD, assert_problem, auth
from tests.conftest import app_for, window_id
from tests.form_samples import sample


@pytest.fixture
def client(demo):
    return app_for(demo).test_client()


def _body(demo, shop="面馆"):
    return {"item_code": FOOD, "window_id": window_id(demo, "ZCZ-QS-W01"), "channel": "proxy",
            "applicant": {"name": "张三", "id_number": "620102199001011233"},
            "form": sample("apply_food_licence", shop_name=shop)}


def _cases(demo) -> int:
    with demo.uow.read() as tx:
        return tx.conn.execute(select(func.count()).select_from(Case)).scalar()


def test_a_retried_start_answers_the_first_case(client, demo):
    agent = {"Idempotency-Key": "apply-1", **auth(client, "zcz_qs_agent")}
    first = client.post("/api/v1/cases", headers=agent, json=_body(demo))
    again = client.post("/api/v1/cases", headers=agent, json=_body(demo))
    assert first.status_code == again.status_code == 201 and first.json == again.json
    assert _cases(demo) == 1
    assert_problem(client.post("/api/v1/cases", headers=agent, json=_body(demo, "另一家")), 409,
                   "idempotency_key_reused")
    assert_problem(client.post("/api/v1/cases", headers={**agent, "Idempotency-Key": "k" * 129}, json=_body(demo)),
                   422, "idempotency_key_invalid")
    # a key is the account's own: another clerk's same key is another request
    other = {"Idempotency-Key": "apply-1", **auth(client, "zcz_bc_agent")}
    assert client.post("/api/v1/cases", headers=other, json={**_body(demo), "window_id": window_id(
        demo, "ZCZ-BC-W01")}).status_code == 201
    # without a key every request is a new case
    plain = auth(client, "zcz_qs_agent")
    assert client.post("/api/v1/cases", headers=plain, json=_body(demo)).status_code == 201
    assert _cases(demo) == 3


def test_two_starts_racing_with_one_key_make_one_case(db_url, request):
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite's single writer serializes the two requests; the race is PostgreSQL's")
    demo = request.getfixturevalue("demo")
    contexts = [Context.create(Settings(database_url=db_url), clock=demo.clock) for _ in range(2)]
    clients = []
    for ctx in contexts:
        app = create_app(context=ctx)
        app.testing = True
        clients.append(app.test_client())
    headers = {"Idempotency-Key": "race-1", **auth(clients[0], "zcz_qs_agent")}
    body, answers, barrier = _body(demo), [], threading.Barrier(2)

    def post(c):
        barrier.wait()
        r = c.post("/api/v1/cases", headers=headers, json=body)
        answers.append((r.status_code, r.json))

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for ctx in contexts:
        ctx.dispose()
    assert [status for status, _ in answers] == [201, 201], answers
    assert answers[0][1] == answers[1][1]
    assert _cases(demo) == 1


def _package_body(demo, shop="面馆"):
    return {"window_id": window_id(demo, "ZCZ-QS-W01"), "channel": "proxy",
            "applicant": {"name": "张三", "id_number": "620102199001011233"},
            "form": sample("apply_hygiene_licence", business_scope=["热食类食品制售"], shop_name=shop)}


def test_a_retried_package_start_answers_the_first_package(client, demo):
    from demo.packages import RESTAURANT_PACKAGE
    url = f"/api/v1/packages/{RESTAURANT_PACKAGE.code}/cases"
    agent = {"Idempotency-Key": "package-1", **auth(client, "zcz_qs_agent")}
    first = client.post(url, headers=agent, json=_package_body(demo))
    assert first.status_code == 201, first.json
    made = _cases(demo)
    assert made == 1 + len(first.json["children"]) > 1                   # the parent and its children
    again = client.post(url, headers=agent, json=_package_body(demo))
    assert again.status_code == 201 and again.json == first.json and _cases(demo) == made
    assert_problem(client.post(url, headers=agent, json=_package_body(demo, "另一家")), 409, "idempotency_key_reused")
    # a key used for a package is not a key for a single case
    assert_problem(client.post("/api/v1/cases", headers=agent, json=_body(demo)), 409, "idempotency_key_reused")
    assert _cases(demo) == made


def test_a_retried_camunda_start_answers_the_first_instance(client, demo):
    agent = {"Idempotency-Key": "instance-1", **auth(client, "zcz_qs_agent")}
    from tests.e2e.test_engine_rest import _variables       # what the Modeler's start dialog sends
    body = {"businessKey": "order-7", "variables": _variables()}
    first = client.post("/engine-rest/process-definition/key/food_licence/start", headers=agent, json=body)
    assert first.status_code == 200, first.json
    again = client.post("/engine-rest/process-definition/key/food_licence/start", headers=agent, json=body)
    assert again.status_code == 200 and again.json["id"] == first.json["id"] and _cases(demo) == 1
    changed = client.post("/engine-rest/process-definition/key/food_licence/start", headers=agent,
                          json={**body, "businessKey": "order-8"})
    assert changed.status_code == 409 and changed.json["lianbanCode"] == "idempotency_key_reused"   # Camunda-shaped
    assert _cases(demo) == 1
