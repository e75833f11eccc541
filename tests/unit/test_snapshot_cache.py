"""A value a process keeps that another process may change (engine/services/caches.py `Snapshot`):
read again when too old, unless a cheaper question says it did not change."""
from engine.services.caches import Snapshot


class Counting:
    def __init__(self):
        self.loads = 0
        self.asked = 0

    def load(self):
        self.loads += 1
        return {"read": self.loads}

    def unchanged(self, answer: bool):
        def ask(_value) -> bool:
            self.asked += 1
            return answer
        return ask


def expire(snapshot: Snapshot) -> None:
    snapshot._read_at -= snapshot.seconds + 1


def test_a_value_too_old_is_asked_first_and_kept_when_unchanged():
    snap, count = Snapshot(30), Counting()
    first = snap.get(count.load, count.unchanged(True))
    assert snap.get(count.load, count.unchanged(True)) is first and count.asked == 0     # fresh: not asked
    expire(snap)
    assert snap.get(count.load, count.unchanged(True)) is first and (count.loads, count.asked) == (1, 1)
    assert snap.get(count.load, count.unchanged(True)) is first and count.asked == 1      # fresh again


def test_a_changed_value_is_read_again():
    snap, count = Snapshot(30), Counting()
    first = snap.get(count.load, count.unchanged(False))
    expire(snap)
    second = snap.get(count.load, count.unchanged(False))
    assert second == {"read": 2} and second is not first and count.asked == 1


def test_invalidation_reads_again_without_asking_and_zero_seconds_keeps_nothing():
    snap, count = Snapshot(30), Counting()
    snap.get(count.load, count.unchanged(True))
    snap.invalidate()
    assert snap.get(count.load, count.unchanged(True)) == {"read": 2} and count.asked == 0
    never = Snapshot(0)
    never.get(count.load, count.unchanged(True))
    never.get(count.load, count.unchanged(True))
    assert count.loads == 4 and count.asked == 0       # no caching at all: always read
