"""Demo "一件事": 开办餐馆一件事 = 食品经营许可 (620100-XK-SCJG-0001) + 公共场所卫生许可 (620100-XK-WJ-0004,
workflows/hygiene_licence.bpmn); both items, with their materials, come with the demo catalogue
(catalogue/demo-catalogue.json). Idempotent, run by load_demo after deploying."""
from __future__ import annotations

from engine.domain.actor import Actor
from engine.domain.errors import NotFound
from engine.services import packages

# the hygiene item of the demo catalogue
HYGIENE = {"code": "11620100MB0000012X2001XK0040100", "local_code": "620100-XK-WJ-0004",
           "process_key": "hygiene_licence"}
RESTAURANT_PACKAGE = packages.PackageSpec(code="620100-YJS-0001", name="开办餐馆一件事", lead_department="market",
                                          members=["620100-XK-SCJG-0001", HYGIENE["local_code"]], promise_limit=15)


def load(ctx) -> None:
    try:
        packages.get_package(ctx, RESTAURANT_PACKAGE.code)
    except NotFound:
        packages.define_package(ctx, RESTAURANT_PACKAGE, Actor.system("demo"))
