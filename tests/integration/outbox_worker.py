"""An outbox worker for the delivery tests, in its own process: one pass of
engine.services.messages.deliver_outbox, optionally SIGKILLing itself inside the transaction of
its (KILL_AT+1)-th delivery, before it commits. Run as
`python -m tests.integration.outbox_worker DB_URL ISO_NOW NAME KILL_AT LEASE_SECONDS`
(KILL_AT -1: never). Prints `delivered N`."""
import os
import signal
import sys
from datetime import datetime

from engine.config import Settings
from engine.domain.clock import FrozenClock
from engine.services import messages
from engine.services.context import Context


def main() -> None:
    url, now, name = sys.argv[1], datetime.fromisoformat(sys.argv[2]), sys.argv[3]
    kill_at, lease = int(sys.argv[4]), float(sys.argv[5])
    ctx = Context.create(Settings(database_url=url), clock=FrozenClock(now))
    seen = []

    def before_commit(outbox_id: int, case_id: int) -> None:
        seen.append(case_id)
        if 0 <= kill_at < len(seen):
            print(f"killing myself while delivering outbox {outbox_id} to case {case_id}", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    total = 0
    while True:
        done = messages.deliver_outbox(ctx, name, lease_seconds=lease, before_commit=before_commit)
        total += done
        if not done:
            break
    print(f"delivered {total}", flush=True)


if __name__ == "__main__":
    main()
