"""applicant_zhang's vault (云档案, docs/materials.md#trust-levels-and-e-licences): an A-level ID card
e-licence and business licence, so that her cases show 免证办 — the slots that accept them are
filled at case start, online (her account) or at a window (her ID number). The demo items'
materials come with the catalogue (catalogue/demo-catalogue.json)."""
from __future__ import annotations

from datetime import date

from engine.domain.actor import Actor
from engine.services.materials import vault

ZHANG_ID_NUMBER = "620102199001011233"          # a valid GB 11643 number (demo data only)
ZHANG_VAULT = [
    vault.NewDocument("id_card", "居民身份证（电子证照）", ZHANG_ID_NUMBER, "兰州市公安局", date(2036, 5, 1)),
    vault.NewDocument("business_licence", "营业执照（个体工商户，电子证照）", "92620100MA7XK1234L",
                      "兰州新区市场监督管理局", None),
]


def load(ctx) -> None:
    """Seed her vault (once: the loader calls this for a fresh organisation). An e-licence is issued
    to the person (ID number) and bound to her real-name account."""
    vault.file_e_licences(ctx, "applicant_zhang", ZHANG_ID_NUMBER, ZHANG_VAULT, Actor.system("demo"))
