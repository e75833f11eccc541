"""Cases (办件): start one, read it and the cases an actor may see, withdraw it; a case's lifecycle,
documents and progress live in this package's modules."""
from engine.domain.intake import CHANNELS
from engine.services.cases.once import run_once
from engine.services.cases.start import StartCase, Started, start_case
from engine.services.cases.views import CaseSummary, CaseView, audit_trail, get_case, list_cases
from engine.services.cases.withdrawal import withdraw

__all__ = ["CHANNELS", "StartCase", "Started", "start_case", "CaseSummary", "CaseView",
           "audit_trail", "get_case", "list_cases", "run_once", "withdraw"]
