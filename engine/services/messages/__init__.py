"""Messages and signals from outside the engine: deliver a message to the one case waiting for
it, a signal to every waiting case (docs/integration.md#messages-and-signals); the signals and
messages thrown inside cases, through the outbox, and its pruning."""
from engine.services.messages.delivery import (
    SENDER_ROLES,
    Correlation,
    StartAt,
    correlate_all,
    send_message,
    send_signal,
)
from engine.services.messages.outbox import deliver_pending as deliver_outbox
from engine.services.messages.outbox import prune as prune_outbox

__all__ = ["SENDER_ROLES", "Correlation", "StartAt", "correlate_all", "send_message", "send_signal", "deliver_outbox",
           "prune_outbox"]
