"""A case's materials (upload, vault, declaration, 容缺, verification), the applicant's vault
(vault.py), proxy mandates (mandates.py) and the file store (blobs.py)."""
from engine.services.materials.case_materials import (
                                                      MaterialView,
                                                      attach_document,
                                                      case_file,
                                                      case_materials,
                                                      check_completeness,
                                                      declare,
                                                      on_case_started,
                                                      tolerate,
                                                      upload,
                                                      verify,
)

__all__ = ["MaterialView", "attach_document", "case_file", "case_materials", "check_completeness", "declare",
           "on_case_started", "tolerate", "upload", "verify"]
