"""Camunda 7 REST compatibility (/engine-rest, docs/camunda-modeler.md): start a process instance
as a case of the item that runs the process, and read a case as a process instance. Deployments
are the definitions package's (definitions.deploy_and_describe, list_deployments)."""
from engine.services.camunda.start import CASE_VARIABLES, ProcessInstance, applicant_of, instance, start_instance

__all__ = ["CASE_VARIABLES", "ProcessInstance", "applicant_of", "instance", "start_instance"]
