"""The plain values instance migration's rules work on (engine/domain/migration.py,
engine/domain/migration_scopes.py): the BPMN side (engine/bpmn/migration.py) describes both
versions' elements and a case's active elements with them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Element:
    """A BPMN element of one version: its kind (`userTask`, `parallelGateway`, ...; a
    multi-instance activity has the kind of the activity it repeats), the definition it waits on
    (a catching event's timer text or message name, '' otherwise), the boundary events attached to
    it as (id, definition) pairs, and where it stands among the version's scopes:

    - `scope`: the flow it is on: '' for the process itself, else the process a sub-process or a
      call activity runs (an embedded sub-process's own id, a called process's id);
    - `opens`: for a sub-process or call activity, the flow it runs (what its inner elements have
      as `scope`), '' otherwise;
    - `loop`: for a multi-instance (or loop) activity, how it repeats ('parallel cardinality=3',
      'sequential collection=reviewers'), '' otherwise;
    - `ambiguous`: the id is used in more than one process of the version (a called process from
      another file), so a mapping by id cannot tell them apart."""
    id: str
    kind: str
    waits_on: str = ""
    boundary: tuple = ()
    scope: str = ""
    opens: str = ""
    loop: str = ""
    ambiguous: bool = False
    name: str = ""             # its label in the diagram, for people


@dataclass(frozen=True)
class Active:
    """An element a case is in now: a READY user task (also one inside a sub-process, a called
    process or one instance of a multi-instance activity), a WAITING timer, a join waiting for its
    other branches, and every sub-process, call activity and multi-instance activity around them."""
    element: str


@dataclass(frozen=True)
class MigrationProblem:
    code: str
    message: str
    element: Optional[str] = None
    case_id: Optional[int] = None

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}
