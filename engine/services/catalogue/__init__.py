"""The 实施清单 catalogue: import (all or nothing) as versions, publish and retire them; the
published catalogue for the public guide, its export and the checks at case start."""
from engine.services.catalogue.published import export_catalogue, guide, list_guides
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

__all__ = ["export_catalogue", "guide", "list_guides", "ImportResult", "check_file",
           "import_catalogue", "invalid", "publish", "require_accepting_tier", "retire", "versions"]
