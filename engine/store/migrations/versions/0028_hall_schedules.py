"""Halls publish opening hours by season and weekday; a case keeps the rule its receipt met

A hall may now have a schedule (`hours`: seasons by month-day range, weekday rules with opening
and closing time and lunch break, engine/domain/hall_hours.py) instead of one closing time. A hall
has one or the other: `closes_at` stays as the simple form (one season, every day, that closing
time), and writing either clears the other.

A case's `receipt_closes_at` (revision 0024) becomes `receipt_hours`: what the hall's hours said
of the receipt (the verdict: open, before_opening, lunch, after_closing, closed_day, rest_day; the
season and weekday rule that applied; whether it moved the receipt to the next working day). Cases
received under a closing time keep it in the simple form, with the verdict worked out from their
receipt instant, so a deemed acceptance later counts from the same day as before
(docs/time-limits.md#deemed-receipt).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""
from datetime import time, timezone, timedelta

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_BEIJING = timezone(timedelta(hours=8))


def _utc(value):
    if isinstance(value, str):                      # SQLite hands back text
        from datetime import datetime
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _record(created_at, closes_at: str) -> dict:
    local = _utc(created_at).astimezone(_BEIJING)
    after = local.time() >= time(int(closes_at[:2]), int(closes_at[3:5]))
    # the old rule looked at the time only on working days; a non-working day moved by the calendar
    # anyway, so 'after_closing' there counts from the same (next working) day
    return {"verdict": "after_closing" if after else "open", "weekday": local.isoweekday(), "next_day": after,
            "closes_at": closes_at}


def upgrade() -> None:
    with op.batch_alter_table('hall') as batch:
        batch.add_column(sa.Column('hours', _JSON, nullable=True))
    with op.batch_alter_table('case') as batch:
        batch.add_column(sa.Column('receipt_hours', _JSON, nullable=True))
    case = sa.table('case', sa.column('id', sa.Integer), sa.column('created_at', sa.DateTime(timezone=True)),
                    sa.column('receipt_closes_at', sa.String), sa.column('receipt_hours', _JSON))
    bind = op.get_bind()
    rows = bind.execute(sa.select(case.c.id, case.c.created_at, case.c.receipt_closes_at)
                        .where(case.c.receipt_closes_at.is_not(None))).all()
    for row in rows:
        bind.execute(case.update().where(case.c.id == row.id)
                     .values(receipt_hours=_record(row.created_at, row.receipt_closes_at)))
    with op.batch_alter_table('case') as batch:
        batch.drop_column('receipt_closes_at')


def downgrade() -> None:
    with op.batch_alter_table('case') as batch:
        batch.add_column(sa.Column('receipt_closes_at', sa.String(length=5), nullable=True))
    case = sa.table('case', sa.column('id', sa.Integer), sa.column('receipt_closes_at', sa.String),
                    sa.column('receipt_hours', _JSON))
    bind = op.get_bind()
    for row in bind.execute(sa.select(case.c.id, case.c.receipt_hours).where(case.c.receipt_hours.is_not(None))):
        hours = row.receipt_hours or {}
        closes = hours.get("closes_at") or (hours.get("rule") or {}).get("closes")
        if closes:
            bind.execute(case.update().where(case.c.id == row.id).values(receipt_closes_at=closes))
    with op.batch_alter_table('case') as batch:
        batch.drop_column('receipt_hours')
    with op.batch_alter_table('hall') as batch:
        batch.drop_column('hours')
