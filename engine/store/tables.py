"""Core table handles for the hot paths (statements on these skip the ORM layer)."""
from engine.store.models import (
                                 ApplicantDocument,
                                 Blob,
                                 Case,
                                 CaseCounter,
                                 CaseMandate,
                                 CaseMaterial,
                                 Deployment,
                                 DeploymentResource,
                                 Event,
                                 EventOutbox,
                                 EventOutboxReceipt,
                                 EventSubscription,
                                 EventSubscriptionValue,
                                 ExternalTask,
                                 Incident,
                                 ItemImplementation,
                                 ItemPackage,
                                 MessageDelivery,
                                 MessageStart,
                                 ProcessDefinition,
                                 ServiceItem,
                                 StartSchedule,
                                 StartScheduleRun,
                                 Task,
                                 TaskCandidate,
                                 Timer,
)

case = Case.__table__
task = Task.__table__
task_candidate = TaskCandidate.__table__
timer = Timer.__table__
event = Event.__table__
event_subscription = EventSubscription.__table__
event_subscription_value = EventSubscriptionValue.__table__
message_delivery = MessageDelivery.__table__
message_start = MessageStart.__table__
start_schedule = StartSchedule.__table__
start_schedule_run = StartScheduleRun.__table__
event_outbox = EventOutbox.__table__
event_outbox_receipt = EventOutboxReceipt.__table__
case_counter = CaseCounter.__table__
process_definition = ProcessDefinition.__table__
deployment = Deployment.__table__
deployment_resource = DeploymentResource.__table__
item_implementation = ItemImplementation.__table__
service_item = ServiceItem.__table__
item_package = ItemPackage.__table__

blob = Blob.__table__
applicant_document = ApplicantDocument.__table__
case_material = CaseMaterial.__table__
case_mandate = CaseMandate.__table__
external_task = ExternalTask.__table__
incident = Incident.__table__
