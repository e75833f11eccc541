"""A timer worker that SIGKILLs itself in the middle of a sweep: after firing `kill_at` timers,
inside the transaction of the next one, before it commits. Run as
`python -m tests.integration.kill_worker DB_URL ISO_NOW KILL_AT`."""
import os
import signal
import sys
from datetime import datetime

from engine.config import Settings
from engine.domain.clock import FrozenClock
from engine.services.context import Context
from engine.services.time_limits import timers


def main() -> None:
    url, now, kill_at = sys.argv[1], datetime.fromisoformat(sys.argv[2]), int(sys.argv[3])
    ctx = Context.create(Settings(database_url=url), clock=FrozenClock(now))
    seen = []

    def before_commit(timer_id: int) -> None:
        seen.append(timer_id)
        if len(seen) > kill_at:
            print(f"killing myself while firing timer {timer_id}", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    timers.fire_due(ctx, "doomed", before_commit=before_commit)


if __name__ == "__main__":
    main()
