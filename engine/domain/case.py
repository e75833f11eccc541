"""A case as a command holds it: read under its row lock, with the audit chain the command
extends, the workflow it runs, and what the last save projected from that workflow."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from engine.domain.audit import CaseAudit


@dataclass
class LoadedCase:
    id: int
    version: int
    status: str
    definition_id: int
    origin_org_unit_id: int
    number: str
    audit: CaseAudit
    stage: Optional[str] = None
    completed_at: Optional[datetime] = None
    workflow: object = None
    new_tasks: list = field(default_factory=list)       # ids of the tasks this command opened
    unroutable: list = field(default_factory=list)      # routing errors of the tasks this command opened
    open_before: dict = field(default_factory=dict)     # task id -> ReadyTask
    timers_before: dict = field(default_factory=dict)   # task id -> (element, due)
    waits_before: dict = field(default_factory=dict)    # (task id, kind, name) -> element: messages, signals
    externals_before: frozenset = frozenset()           # ids of the service tasks waiting for a worker
    stored_status: Optional[str] = None                 # the status the row holds (save writes a change)
    # read with the lock, so the lifecycle step after a completion and the 一件事 parent check
    # need no query of their own; None / parent_read=False: not read (callers query it)
    lifecycle: Optional[str] = None
    parent_case_id: Optional[int] = None
    parent_read: bool = False
    item_id: Optional[int] = None     # its implementation (whose implementing body routing aims at)

    def __post_init__(self):
        if self.stored_status is None:
            self.stored_status = self.status
