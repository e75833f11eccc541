"""The services behind /engine-rest on both databases: deployments listed with Camunda's filters and
paging, a deploy with nothing new answering the deployment that holds it, and a process instance
started as a case that keeps its business key (the HTTP side: tests/e2e/test_engine_rest.py)."""
from sqlalchemy import select

from engine.bpmn.parser import SourceFile
from engine.services import camunda, definitions
from engine.store.models import Case
from tests.conftest import ROOT, staff
from tests.form_samples import sample


def test_deployments_listing_duplicates_and_a_started_instance(demo):
    designer, clerk = staff(demo, "designer"), staff(demo, "zcz_qs_agent")
    text = (ROOT / "workflows" / "food_licence.bpmn").read_text(encoding="utf-8")
    text = text.replace("乡镇初审", "乡镇初审（集成）")
    files = [SourceFile("food_licence.bpmn", text.encode())]
    made = definitions.deploy_and_describe(demo, files, designer, "食品 100%_模型器", "Camunda Modeler")
    assert made.created and [(d.key, d.version) for d in made.definitions] == [("food_licence", 2)]
    same = definitions.deploy_and_describe(demo, files, designer, "another name", None)
    assert (same.id, same.created, same.definitions, same.source) == (made.id, False, (), "Camunda Modeler")

    rows, total = definitions.list_deployments(demo, designer, limit=0)
    assert rows == [] and total == 2
    newest, _ = definitions.list_deployments(demo, designer, sort_by="deploymentTime", descending=True, limit=1)
    assert [d.id for d in newest] == [made.id]
    second, _ = definitions.list_deployments(demo, designer, offset=1, limit=5)
    assert [d.id for d in second] == [made.id]
    assert [d.id for d in definitions.list_deployments(demo, designer, name_like="食品 100%")[0]] == [made.id]
    assert definitions.list_deployments(demo, designer, name="食品", source="Camunda Modeler")[1] == 0
    assert definitions.get_deployment(demo, designer, made.id).name == "食品 100%_模型器"

    form = sample("apply_food_licence")
    variables = {name: {"value": value} for name, value in form.items()}
    variables.update({"itemCode": {"value": "620100-XK-SCJG-0001"}, "applicantName": {"value": "张三"},
                      "channel": {"value": "proxy"}})
    started = camunda.start_instance(demo, clerk, key="food_licence", business_key="业务-1", variables=variables)
    assert (started.key, started.version, started.ended) == ("food_licence", 2, False)
    with demo.uow.read() as tx:
        assert tx.conn.execute(select(Case.business_key).where(Case.id == started.case_id)).scalar_one() == "业务-1"
