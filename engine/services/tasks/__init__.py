"""Tasks: claim, hand back, delegate, return and complete a case's user tasks; the inbox."""
from engine.services.tasks.commands import TaskView, claim, delegate, unclaim
from engine.services.tasks.completion import MAX_KEY_LENGTH, Completed, complete, return_to_previous
from engine.services.tasks.queues import inbox
from engine.services.tasks.worklist import CARDS, SCOPES, SORTS, WorkItem, Worklist, colleagues, work_item, worklist

__all__ = ["MAX_KEY_LENGTH", "Completed", "TaskView", "claim", "complete", "delegate", "return_to_previous",
           "unclaim", "inbox", "CARDS", "SCOPES", "SORTS", "WorkItem", "Worklist", "colleagues", "work_item",
           "worklist"]
