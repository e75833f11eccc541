"""Administering the organisation (docs/organisation.md): the four-tier tree of units, departments,
halls, windows, roles (data: BPMN routing may name a new one at once), staff accounts and their
posts with history; import and export of the whole of it as JSON or CSV."""
from engine.services.org_admin.commands import (
    create_department,
    create_hall,
    create_role,
    create_staff,
    create_unit,
    create_window,
    end_post,
    move_post,
    open_post,
    update_department,
    update_hall,
    update_role,
    update_staff,
    update_unit,
    update_window,
)
from engine.services.org_admin.reading import (
    departments,
    halls,
    one,
    one_post,
    one_staff,
    posts,
    roles,
    staff,
    structure,
    units,
    windows,
)
from engine.services.org_admin.transfer import ImportResult, check_file, export_organisation, import_organisation

__all__ = ["create_department", "create_hall", "create_role", "create_staff", "create_unit", "create_window",
           "end_post", "move_post", "open_post", "update_department", "update_hall", "update_role", "update_staff",
           "update_unit", "update_window", "departments", "halls", "one", "one_post", "one_staff", "posts", "roles",
           "staff", "structure", "units", "windows", "ImportResult", "check_file", "export_organisation",
           "import_organisation"]
