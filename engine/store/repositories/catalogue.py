"""The 实施清单 catalogue: basic items (基本目录) and the versioned implementation entries."""
from __future__ import annotations

from sqlalchemy import bindparam, or_, select

from engine.store import tables as t
from engine.store.fast import FastRead
from engine.store.repositories.base import Repository

_I = t.item_implementation.c
# the published version of an implementation, by national or local code: what starting a case
# needs of it (read on every start, so on the raw driver)
_PUBLISHED_FOR_START = FastRead(
    select(_I.id, _I.code, _I.name, _I.process_key, _I.category, _I.legal_limit, _I.legal_unit, _I.promise_limit,
           _I.promise_unit, _I.extension_limit, _I.application_form, _I.materials, _I.tolerant_acceptance)
    .where(or_(_I.code == bindparam("code"), _I.local_code == bindparam("code")),
           # written into the SQL by FastRead (store/fast.py inline_constants): a bound value here
           # would decide the partial uq_item_implementation_published
           _I.status == "published"))


class Catalogue(Repository):
    __slots__ = ()

    def published_for_start(self, code: str):
        """The published version of an item by national or local implementation code, with what a
        case start reads of it (limits, forms, materials), or None."""
        return _PUBLISHED_FOR_START.first(self.conn, {"code": code})
