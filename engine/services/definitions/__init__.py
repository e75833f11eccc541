"""Process definitions: deploy BPMN/DMN (all or nothing, versioned by content), look a version up,
list the versions and their source files, load a spec into the runtime; the deployments as
Camunda's REST API lists them (deployments.py); the JSON Schema forms deployed with them (forms.py);
what the designer studio reads besides (studio.py)."""
from engine.services.definitions.deployed import (
                                                  LoadedDefinition,
                                                  external_resolver,
                                                  latest,
                                                  latest_version,
                                                  load,
                                                  metas_from_json,
                                                  source,
                                                  versions,
)
from engine.services.definitions.deployment import DeployedProcess, DeployResult, deploy
from engine.services.definitions.deployments import (
                                                     DeploymentInfo,
                                                     deploy_and_describe,
                                                     get_deployment,
                                                     list_deployments,
)
from engine.services.definitions.studio import routing_options, usage

__all__ = ["DeployedProcess", "DeployResult", "deploy", "DeploymentInfo", "deploy_and_describe", "get_deployment",
           "list_deployments", "LoadedDefinition", "external_resolver", "latest",
           "latest_version", "load", "metas_from_json", "routing_options", "source", "usage", "versions"]
