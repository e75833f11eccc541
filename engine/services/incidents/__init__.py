"""Incidents (docs/integration.md#incidents): what the engine's own work could not do — an
external task out of retries, a timer that failed for good, a script failing in a continuation.
List and filter them, retry (the external task fetchable again, the timer fired again now) or
resolve them with a note. Administrators and designers see every incident, supervisors those of
cases received in the part of the tree they supervise. Raising one is
engine/services/cases/incidents.py (the work that failed calls it)."""
from engine.services.incidents.commands import resolve, retry
from engine.services.incidents.reading import KINDS, IncidentView, count_open, get_incident, list_incidents

__all__ = ["resolve", "retry", "KINDS", "IncidentView", "count_open", "get_incident", "list_incidents"]
