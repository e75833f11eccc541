"""The 实施清单 catalogue: import (all or nothing) as versions, publish and retire them; the
published catalogue for the public guide, the service items, its export and the checks at case start."""
from engine.services.catalogue.published import (
                                                 export_catalogue,
                                                 guide,
                                                 item_of_process,
                                                 items_of_process,
                                                 list_guides,
                                                 published_item,
                                                 published_items,
)
from engine.services.catalogue.versions import (
                                                ImportResult,
                                                check_file,
                                                import_catalogue,
                                                invalid,
                                                publish,
                                                require_accepting_tier,
                                                retire,
                                                versions,
)

__all__ = ["export_catalogue", "guide", "item_of_process", "items_of_process", "list_guides", "published_item",
           "published_items",
           "ImportResult", "check_file", "import_catalogue", "invalid", "publish", "require_accepting_tier",
           "retire", "versions"]
