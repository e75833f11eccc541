"""The unit of work: one command, one transaction (engine/store/db.py opens it), and the
repositories that run inside it. A service writes

    with ctx.uow.begin() as tx:
        case = tx.cases.lock(case_id)
        tx.tasks.claim(task_id, staff_id, now)

and never sees a statement or a connection (cosmicpython's `uow.products`)."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from engine.store.repositories.accounts import Accounts
from engine.store.repositories.blobs import Blobs
from engine.store.repositories.calendar import Calendar
from engine.store.repositories.cases import Cases
from engine.store.repositories.catalogue import Catalogue
from engine.store.repositories.clocks import Clocks
from engine.store.repositories.definitions import Definitions
from engine.store.repositories.deliveries import Deliveries
from engine.store.repositories.documents import Documents
from engine.store.repositories.events import Events
from engine.store.repositories.idempotency import IdempotencyKeys
from engine.store.repositories.materials import CaseMaterials
from engine.store.repositories.org import Organisation
from engine.store.repositories.packages import Packages
from engine.store.repositories.supervision import Supervision
from engine.store.repositories.tasks import Tasks
from engine.store.repositories.timers import Timers
from engine.store.repositories.vault import Vault


class _repository:
    """A repository made on first use in a transaction and kept on it (a transaction that never
    touches the vault never builds its repository)."""

    def __init__(self, cls):
        self.cls = cls

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, tx, owner=None):
        if tx is None:
            return self
        repo = tx.__dict__[self.name] = self.cls(tx.conn)
        return repo


class Transaction:
    cases = _repository(Cases)
    tasks = _repository(Tasks)
    timers = _repository(Timers)
    events = _repository(Events)
    calendar = _repository(Calendar)
    clocks = _repository(Clocks)
    documents = _repository(Documents)
    idempotency = _repository(IdempotencyKeys)
    definitions = _repository(Definitions)
    catalogue = _repository(Catalogue)
    packages = _repository(Packages)
    supervision = _repository(Supervision)
    org = _repository(Organisation)
    accounts = _repository(Accounts)
    materials = _repository(CaseMaterials)
    vault = _repository(Vault)
    blobs = _repository(Blobs)
    deliveries = _repository(Deliveries)

    def __init__(self, conn: Connection):
        self.conn = conn

    def after_commit(self, fn) -> None:
        """Run `fn` only once the transaction has committed (e.g. put a workflow back in the cache)."""
        self.conn.info["after_commit"].append(fn)

    @property
    def postgres(self) -> bool:
        return self.conn.dialect.name == "postgresql"

    def __getattr__(self, name):
        # TRANSITIONAL: code not yet moved to repositories still runs its statements on the
        # connection through the transaction; removed once services hold no SQL
        return getattr(self.conn, name)
