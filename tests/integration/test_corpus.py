"""The public corpus (tests/fixtures/corpus/: the BPMN MIWG reference suite and Camunda's
camunda-bpm-examples, each with its LICENSE and the COMMIT it was taken at) deployed file by file
through the deployment service on both databases. Each file has its expected outcome: deployed,
or refused with the codes found and a reason from REASONS — the table docs/camunda-bpmn.md
explains (every refusal that remains is a safety or routing rule, a data store, a file with nothing
to run, or a file whose elements name nothing — unnamed messages, service tasks without a topic).
The codes are what the first phase that finds a problem reports (the static checks run before
SpiffWorkflow's parser), the reason is what keeps the file out."""
from pathlib import Path

import pytest
from sqlalchemy import insert

from engine.bpmn.parser import SourceFile
from engine.domain.errors import DeployError
from engine.services import definitions
from engine.store.models import Staff
from tests.conftest import staff

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"
DEPLOYED = "deployed"

REASONS = {
    "connector": "a Camunda Connect connector (camunda:connector http-connector) runs HTTP from inside the "
                 "engine: Lianban calls no outside system itself; a worker does, from an external task topic",
    "unnamed_message": "message events with no named message (a catch a sender could never reach, a throw that "
                       "names nothing to send) and a service task with no implementation at all (no topic for a "
                       "worker); C.9.0 also calls a decision its file does not hold",
    "not_executable": "isExecutable=\"false\" (a drawing): nothing to run",
    "dmn_alone": "a decision table without a diagram: deployed beside the diagram that calls it",
    "data_store": "a data store outlives the case and is shared by all cases (an outside system: Payroll system, "
                  "Bank System): Lianban keeps no such store and reaches outside systems through workers; the "
                  "files also have unnamed messages or signals",
    "data_association": "service tasks with no implementation (no topic for a worker), and behind them a task "
                        "output associated with the process's own data output, which SpiffWorkflow cannot "
                        "resolve, between variables named by generated ids (_e115bb5b-...) that no form or "
                        "expression may use",
    "script_language": "a JavaScript/Groovy script: only sandboxed Python scripts run (safety)",
    "bean_assignee": "an assignee computed by a Spring bean's method "
                     "(#{jobAnnouncementService.findRequester(...)}): no method of any object is callable (safety); "
                     "its group engineering is no Lianban route either",
    "unknown_group": "candidateGroups naming a group Lianban does not have (management, clerks): an "
                     "explicit route that cannot be honoured is refused rather than guessed",
    "juel_method_call": "a JUEL method call (Spin's customer.prop(\"age\").numberValue()): no method of "
                        "any object is callable (safety); its steps' embedded HTML forms would keep it out too",
    "timer_empty": "a timer with no time: it could never fire",
    "called_process_missing": "a call activity whose process is in another file: deployed with that file "
                              "(GROUPS below)",
    "embedded_form": "an embedded HTML form (embedded:app:...html): the console renders forms from JSON Schema "
                     "only, never a diagram's HTML and script (safety)",
    "condition_language": "a condition in XPath (bpmn:getDataObject) or prose: it cannot be evaluated, "
                          "so the gateway could not route",
    "feel_spaced_name": "a FEEL condition over a name with spaces (Vacation Approval = \"Approved\"); with the "
                        "conditions renamed the file is still refused (bpmn_invalid: SpiffWorkflow cannot resolve a "
                        "data input association from the process's own ioSpecification inputs, as in C.7.0), its "
                        "output associations carry FEEL transformations, and the decision table its gateway needs "
                        "(Vacation Approval.dmn) is not in the suite (docs/camunda-bpmn.md#miwg-c81-vacation-request)",
}

EXPECTED = {
    "camunda-bpm-examples/bpmn-model-api/parse-bpmn/src/test/resources/process.bpmn": (('routing_target_malformed', 'script_policy_violation'), "unknown_group"),  # noqa: E501 (a path)
    "camunda-bpm-examples/clients/java/order-handling/order-handling.bpmn": DEPLOYED,
    "camunda-bpm-examples/deployment/ejb-pa-jakarta/src/main/resources/EjbExpressionResolvingTest.testResolveBean.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/deployment/embedded-spring-rest/src/main/resources/loanApproval.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/deployment/servlet-pa/src/main/resources/exampleProcess.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/deployment/spring-servlet-pa-tomcat/src/main/resources/SpringExpressionResolvingTest.testResolveBean.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/deployment/spring-servlet-pa-tomcat/src/main/resources/SpringExpressionResolvingTest.testResolveBeanFromJobExecutor.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/deployment/spring-servlet-pa-wildfly/src/main/resources/SpringExpressionResolvingTest.testResolveBean.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/deployment/spring-servlet-pa-wildfly/src/main/resources/SpringExpressionResolvingTest.testResolveBeanFromJobExecutor.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/dmn-engine/dmn-engine-drg/src/main/resources/org/camunda/bpm/example/drg/dinnerDecisions.dmn": (('no_executable_process',), "dmn_alone"),  # noqa: E501 (a path)
    "camunda-bpm-examples/migration/migrate-on-deployment/src/main/resources/exampleProcess.bpmn": DEPLOYED,
    "camunda-bpm-examples/multi-tenancy/schema-isolation/src/main/resources/processes/tenant1/tenant1_process.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/multi-tenancy/schema-isolation/src/main/resources/processes/tenant2/tenant2_process.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/multi-tenancy/tenant-identifier-embedded/src/main/resources/processes/tenant1/tenant1_process.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/multi-tenancy/tenant-identifier-embedded/src/main/resources/processes/tenant2/tenant2_process.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/multi-tenancy/tenant-identifier-shared/src/main/resources/processes/tenant1/tenant1_process.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/multi-tenancy/tenant-identifier-shared/src/main/resources/processes/tenant2/tenant2_process.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/multi-tenancy/tenant-identifier-shared-definitions/src/main/resources/processes/default/mainProcess.bpmn": (('call_activity_target_missing',), "called_process_missing"),  # noqa: E501 (a path)
    "camunda-bpm-examples/multi-tenancy/tenant-identifier-shared-definitions/src/main/resources/processes/default/subProcess.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/multi-tenancy/tenant-identifier-shared-definitions/src/main/resources/processes/tenant2/subProcess.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/process-engine-plugin/bpmn-parse-listener/src/main/resources/bpmnParseListener.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/process-engine-plugin/bpmn-parse-listener/src/main/resources/bpmnParseListenerOnUserTask.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/process-engine-plugin/custom-history-level/src/main/resources/process-history-activity.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/process-engine-plugin/custom-history-level/src/main/resources/process-history-custom-variable.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/process-engine-plugin/custom-history-level/src/main/resources/process-history-full.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/process-engine-plugin/custom-history-level/src/main/resources/process-history-none.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/process-engine-plugin/custom-history-level/src/main/resources/process.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/process-engine-plugin/failed-job-retry-profile/src/main/resources/retry-example.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/process-engine-plugin/handling-jpa-variables/src/test/resources/process.bpmn": DEPLOYED,
    "camunda-bpm-examples/quarkus-extension/datasource-example/src/main/resources/bpmn/process.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/quarkus-extension/spin-plugin-example/src/main/resources/process.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/scripttask/xslt-scripttask/src/main/resources/xslt-example.bpmn": DEPLOYED,
    "camunda-bpm-examples/servicetask/rest-service/src/main/resources/invokeRestService.bpmn": (("service_task_topic_missing",), "connector"),  # noqa: E501 (a path)
    "camunda-bpm-examples/servicetask/service-invocation-asynchronous/src/main/resources/asynchronousServiceInvocation.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/servicetask/service-invocation-synchronous/src/main/resources/synchronousServiceInvocation.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/spin/dataformat-configuration-global/src/main/resources/testProcess.bpmn": (('script_policy_violation',), "script_language"),  # noqa: E501 (a path)
    "camunda-bpm-examples/spin/dataformat-configuration-in-process-application/src/main/resources/testProcess.bpmn": (('script_policy_violation',), "script_language"),  # noqa: E501 (a path)
    "camunda-bpm-examples/spring-boot-starter/example-simple/src/main/resources/bpmn/sample.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/spring-boot-starter/example-twitter/src/main/resources/TwitterDemoProcess.bpmn": (("form_invalid_schema",), "embedded_form"),  # noqa: E501 (a path)
    "camunda-bpm-examples/spring-boot-starter/example-web/src/main/resources/bpmn/sample.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/spring-boot-starter/example-webapp/src/main/resources/bpmn/sample.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/spring-boot-starter/example-webapp-ee/src/main/resources/bpmn/sample.bpmn": DEPLOYED,
    "camunda-bpm-examples/spring-boot-starter/external-task-client/loan-granting-spring-boot-webapp/src/main/resources/bpmn/loan-granting.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/startevent/message-start/src/main/resources/instantiating_process.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/startevent/message-start/src/main/resources/message_start_process.bpmn": DEPLOYED,
    "camunda-bpm-examples/testing/assert/job-announcement-publication-process/src/test/resources/camunda-testing-job-announcement-publication.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/testing/assert/job-announcement-publication-process/src/test/resources/camunda-testing-job-announcement.bpmn": (('juel_unsupported', 'routing_target_malformed'), "bean_assignee"),  # noqa: E501 (a path)
    "camunda-bpm-examples/testing/junit5/camunda-bpm-junit-assert/src/test/resources/testProcess.bpmn": DEPLOYED,
    "camunda-bpm-examples/testing/junit5/camunda-bpm-junit-use-engine/src/test/resources/testProcess.bpmn": DEPLOYED,
    "camunda-bpm-examples/usertask/task-camunda-forms/src/main/resources/invoiceApproval.bpmn": DEPLOYED,  # noqa: E501 (a path)
    "camunda-bpm-examples/usertask/task-form-embedded/src/main/resources/loanApproval.bpmn": (("form_invalid_schema",), "embedded_form"),  # noqa: E501 (a path)
    "camunda-bpm-examples/usertask/task-form-embedded-bpmn-events/src/main/resources/invoicePayment.bpmn": (("form_invalid_schema",), "embedded_form"),  # noqa: E501 (a path)
    "camunda-bpm-examples/usertask/task-form-embedded-json-variables/src/main/resources/process.bpmn": (('juel_unsupported',), "juel_method_call"),  # noqa: E501 (a path)
    "camunda-bpm-examples/usertask/task-form-embedded-react/src/main/resources/react-example.bpmn": (("form_invalid_schema",), "embedded_form"),  # noqa: E501 (a path)
    "camunda-bpm-examples/wildfly/jackson-annotations/src/main/resources/waitingState.bpmn": DEPLOYED,
    "miwg/Reference/A.1.0.bpmn": (('no_executable_process',), "not_executable"),
    "miwg/Reference/A.2.0.bpmn": (('no_executable_process',), "not_executable"),
    "miwg/Reference/A.2.1.bpmn": (('no_executable_process',), "not_executable"),
    "miwg/Reference/A.3.0.bpmn": (('message_name_missing',), "not_executable"),
    "miwg/Reference/A.4.0.bpmn": (('no_executable_process',), "not_executable"),
    "miwg/Reference/A.4.1.bpmn": (('no_executable_process',), "not_executable"),
    "miwg/Reference/B.1.0.bpmn": (('data_store_unsupported', 'message_name_missing', 'service_task_topic_missing', 'timer_empty'), "timer_empty"),  # noqa: E501 (the codes found)
    "miwg/Reference/B.2.0.bpmn": (('data_store_unsupported', 'message_name_missing', 'service_task_topic_missing', 'signal_name_missing', 'timer_empty'), "timer_empty"),  # noqa: E501 (the codes found)
    "miwg/Reference/C.1.0.bpmn": (("message_name_missing", "service_task_topic_missing"), "unnamed_message"),
    "miwg/Reference/C.1.1.bpmn": (('expression_invalid', 'service_task_topic_missing'), "condition_language"),
    "miwg/Reference/C.2.0.bpmn": (('message_name_missing',), "not_executable"),
    "miwg/Reference/C.3.0.bpmn": (('expression_invalid',), "condition_language"),
    "miwg/Reference/C.4.0.bpmn": (('data_store_unsupported', 'message_name_missing', 'service_task_topic_missing'), "data_store"),  # noqa: E501 (the codes found)
    "miwg/Reference/C.5.0.bpmn": (('data_store_unsupported', 'signal_name_missing'), "data_store"),
    "miwg/Reference/C.6.0.bpmn": (('message_name_missing', 'service_task_topic_missing', 'timer_empty'), "timer_empty"),
    "miwg/Reference/C.7.0.bpmn": (('service_task_topic_missing',), "data_association"),
    "miwg/Reference/C.8.0.bpmn": (('expression_invalid',), "condition_language"),
    "miwg/Reference/C.8.1.bpmn": (('feel_unsupported',), "feel_spaced_name"),
    "miwg/Reference/C.9.0.bpmn": (('message_name_missing',), "unnamed_message"),
    "miwg/Reference/C.9.1.bpmn": DEPLOYED,
    "miwg/Reference/C.9.2.bpmn": (('routing_target_malformed',), "unknown_group"),
}

# files that deploy together as one deployment (a call activity and the process it calls)
GROUPS = [("camunda-bpm-examples/multi-tenancy/tenant-identifier-shared-definitions/src/main/resources/"
           "processes/default/mainProcess.bpmn",
           "camunda-bpm-examples/multi-tenancy/tenant-identifier-shared-definitions/src/main/resources/"
           "processes/default/subProcess.bpmn")]
# files deployed beside a diagram: the Camunda Forms its steps name (each example keeps them elsewhere)
FORMS_DIR = "camunda-bpm-examples/usertask/task-camunda-forms/src/main/webapp/"
BESIDE = {"camunda-bpm-examples/usertask/task-camunda-forms/src/main/resources/invoiceApproval.bpmn":
          (FORMS_DIR + "start-form.form", FORMS_DIR + "task-form.form")}
# staff accounts the Camunda examples assign tasks to (camunda:assignee names a staff account)
ASSIGNEES = ("demo", "Kermit", "Fozzie")


def _files(*paths: str) -> list[SourceFile]:
    return [SourceFile(Path(p).name, (CORPUS / p).read_bytes()) for p in paths]


def test_the_corpus_is_complete_and_each_refusal_has_a_reason():
    found = sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.suffix in (".bpmn", ".dmn"))
    assert found == sorted(EXPECTED) and len(found) == 76        # 75 diagrams and one decision table
    assert {r for r in EXPECTED.values() if r != DEPLOYED and r[1] not in REASONS} == set()
    assert (CORPUS / "miwg" / "LICENSE.txt").exists() and (CORPUS / "camunda-bpm-examples" / "LICENSE").exists()


@pytest.fixture
def designer(ctx):
    with ctx.uow.begin() as tx:
        for name in ASSIGNEES + ("corpus_designer",):
            tx.conn.execute(insert(Staff).values(username=name, name=name, kind="staff", active=True,
                                                 roles=["designer"] if name == "corpus_designer" else []))
    return staff(ctx, "corpus_designer")


def test_each_file_deploys_or_is_refused_for_its_reason(ctx, designer):
    outcomes = {}
    for path in sorted(EXPECTED):
        try:
            definitions.deploy(ctx, _files(path, *BESIDE.get(path, ())), designer, dry_run=True)
            outcomes[path] = DEPLOYED
        except DeployError as exc:
            codes = tuple(sorted({p.code for p in exc.problems}))
            expected = EXPECTED[path]
            outcomes[path] = (codes, expected[1]) if expected != DEPLOYED and expected[0] == codes else (codes, "?")
    assert outcomes == EXPECTED
    deployed = sum(1 for o in outcomes.values() if o == DEPLOYED)
    assert deployed == 44


def test_a_call_activity_deploys_with_the_process_it_calls(ctx, designer):
    for group in GROUPS:
        result = definitions.deploy(ctx, _files(*group), designer)
        assert {p.key for p in result.processes} == {"mainProcess", "subProcess"}
