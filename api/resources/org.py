"""The organisation (docs/organisation.md): its structure — units, departments, halls, windows,
roles — read by every agency account (designers pick roles and departments for BPMN targets);
staff accounts and posts read by administrators and, in their scope, supervisors; every change by
administrators. DELETE never deletes: it deactivates (a post: ends it), refused with 409 and a
code naming what still needs it."""
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas as schemas
import api.schemas_org as so
from api.security import SecureResponse, actor, context
from engine.domain.errors import ValidationError
from engine.services import org_admin

bp = Blueprint("org", __name__, url_prefix="/api/v1/org", description="Organisation administration")
_CONFLICT = "deactivating is refused while something needs it: the code names what (e.g. window_has_open_cases)"


@bp.route("")
class Structure(MethodView):
    @bp.response(200, so.StructureOut)
    def get(self):
        """The whole structure at once: units, departments, halls, windows and roles (agency accounts)."""
        return org_admin.structure(context(), actor())


def _resource(kind: str, path: str, create, update, schema_in, schema_patch, schema_out, list_args, listing,
              create_doc: str):
    """GET (list) and POST on `path`, GET, PATCH and DELETE (deactivate) on `path/<id>`."""
    one_path = f"{path}/<id:{kind}_id>"

    class Many(MethodView):
        @bp.arguments(list_args, location="query")
        @bp.response(200, schema_out(many=True))
        def get(self, args):
            return listing(context(), actor(), **args)

        @bp.arguments(schema_in)
        @bp.response(201, schema_out)
        @bp.alt_response(422, schema=schemas.Problem)
        def post(self, body):
            ctx = context()
            row_id = create(ctx, actor(), body)
            return org_admin.one_staff(ctx, actor(), row_id) if kind == "staff" else org_admin.one(ctx, actor(),
                                                                                                  kind, row_id)

    class One(MethodView):
        @bp.response(200, schema_out)
        @bp.alt_response(404, schema=schemas.Problem)
        def get(self, **ids):
            ctx = context()
            return org_admin.one_staff(ctx, actor(), ids[f"{kind}_id"]) if kind == "staff" else org_admin.one(
                ctx, actor(), kind, ids[f"{kind}_id"])

        @bp.arguments(schema_patch)
        @bp.response(200, schema_out)
        @bp.alt_response(404, schema=schemas.Problem)
        @bp.alt_response(409, schema=schemas.Problem, description=_CONFLICT)
        def patch(self, body, **ids):
            ctx = context()
            update(ctx, actor(), ids[f"{kind}_id"], body)
            return One.get(self, **ids)

        @bp.response(204)
        @bp.alt_response(404, schema=schemas.Problem)
        @bp.alt_response(409, schema=schemas.Problem, description=_CONFLICT)
        def delete(self, **ids):
            update(context(), actor(), ids[f"{kind}_id"], {"active": False})

    Many.__name__, One.__name__ = f"{kind.title()}s", kind.title()
    Many.get.__doc__ = f"The {kind} list." + (" (administrators; supervisors: in their scope)" if kind == "staff"
                                              else " (agency accounts)")
    Many.post.__doc__ = create_doc + " (administrators)"
    One.get.__doc__ = f"One {kind}."
    One.patch.__doc__ = f"Change a {kind} (administrators); its code never changes."
    One.delete.__doc__ = f"Deactivate a {kind} (administrators): refused with 409 while something needs it."
    bp.route(path)(Many)
    bp.route(one_path)(One)


_resource("unit", "/units", org_admin.create_unit, org_admin.update_unit, so.UnitIn, so.UnitPatch, so.UnitOut,
          so.UnitArgs, org_admin.units, "Add a unit under its parent")
_resource("department", "/departments", org_admin.create_department, org_admin.update_department, so.DepartmentIn,
          so.NamePatch, so.DepartmentOut, so.DepartmentArgs, org_admin.departments, "Add a department to a unit")
_resource("hall", "/halls", org_admin.create_hall, org_admin.update_hall, so.HallIn, so.HallPatch, so.HallOut,
          so.UnitFilterArgs, org_admin.halls, "Add a service hall to a unit")
_resource("window", "/windows", org_admin.create_window, org_admin.update_window, so.WindowIn, so.WindowPatch,
          so.WindowOut, so.WindowArgs, org_admin.windows, "Add a window to a hall")
_resource("role", "/roles", org_admin.create_role, org_admin.update_role, so.RoleIn, so.RolePatch, so.RoleOut,
          schemas.Strict, lambda ctx, who: org_admin.roles(ctx, who), "Add a role: BPMN may name it at once")
_resource("staff", "/staff", org_admin.create_staff, org_admin.update_staff, so.StaffIn, so.StaffPatch, so.StaffOut,
          schemas.Strict, lambda ctx, who: org_admin.staff(ctx, who), "Add a staff account")


@bp.route("/posts")
class Posts(MethodView):
    @bp.arguments(so.PostArgs, location="query")
    @bp.response(200, so.PostOut(many=True))
    def get(self, args):
        """Current posts (include_ended: the history too), newest first (administrators; supervisors: in
        their scope)."""
        return org_admin.posts(context(), actor(), **args)

    @bp.arguments(so.PostIn)
    @bp.response(201, so.PostOut)
    @bp.alt_response(409, schema=schemas.Problem, description="post_exists")
    @bp.alt_response(422, schema=schemas.Problem)
    def post(self, body):
        """Open a post: a staff member takes a role at a window from now (administrators)."""
        ctx = context()
        return org_admin.one_post(ctx, actor(), org_admin.open_post(ctx, actor(), body["staff_id"],
                                                                    body["window_id"], body["role"]))


@bp.route("/posts/<id:post_id>")
class Post(MethodView):
    @bp.response(200, so.PostOut)
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, post_id):
        """One post, current or ended."""
        return org_admin.one_post(context(), actor(), post_id)

    @bp.response(204)
    @bp.alt_response(409, schema=schemas.Problem, description="post_ended, or post_has_claimed_tasks")
    def delete(self, post_id):
        """End a post now; it stays in the history (administrators)."""
        org_admin.end_post(context(), actor(), post_id)


@bp.route("/posts/<id:post_id>/move")
class MovePost(MethodView):
    @bp.arguments(so.PostMove)
    @bp.response(201, so.PostOut)
    @bp.alt_response(409, schema=schemas.Problem, description="post_ended, or post_has_claimed_tasks")
    def post(self, body, post_id):
        """Move a staff member: the post ends and a new one at another window begins, in one step
        (administrators)."""
        ctx = context()
        new_id = org_admin.move_post(ctx, actor(), post_id, body["window_id"], body.get("role"))
        return org_admin.one_post(ctx, actor(), new_id)


def _upload() -> tuple[bytes, str | None]:
    """The file: a multipart `file` part, or the request body itself (JSON or CSV)."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ValidationError("upload the organisation file as the multipart part `file`", code="file_required",
                                  field="file")
        name = (upload.filename or "").lower()
        return upload.read(), ("csv" if name.endswith(".csv") else "json" if name.endswith(".json") else None)
    return request.get_data(cache=False), ("csv" if request.mimetype == "text/csv" else "json")


@bp.route("/imports")
class Imports(MethodView):
    @bp.arguments(so.OrgImportArgs, location="query")
    @bp.response(201, so.OrgImportOut)
    @bp.alt_response(200, schema=so.OrgImportOut, description="dry_run=true: the problems, nothing written")
    @bp.alt_response(422, schema=schemas.Problem, description="org_file_invalid: `problems` lists kind, row, field, "
                                                               "code and message of each; nothing was written")
    @bp.doc(requestBody={"content": {
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "file": {"type": "string", "format": "binary"}}}},
        "application/json": {"schema": {"type": "object"}},
        "text/csv": {"schema": {"type": "string"}}}})
    def post(self, args):
        """Import an organisation file (JSON or CSV, all or nothing, matched by code: importing it again
        changes nothing) (administrators)."""
        content, guessed = _upload()
        fmt = args.get("format") or guessed or "json"
        if args["dry_run"]:
            problems = org_admin.check_file(context(), content, fmt, actor())
            return {"records": 0, "counts": {}, "problems": [p.to_dict() for p in problems]}, 200
        result = org_admin.import_organisation(context(), content, fmt, actor())
        return {"records": result.records, "counts": result.counts, "problems": []}


@bp.route("/export")
class Export(MethodView):
    @bp.arguments(so.OrgExportArgs, location="query")
    @bp.response(200, content_type="application/json")
    @bp.alt_response(200, content_type="text/csv", description="with format=csv (UTF-8 with BOM, one `record` "
                                                              "column naming each row's kind)")
    def get(self, args):
        """The whole organisation in the import's format (administrators): current posts, no passwords."""
        fmt = args["format"]
        body = org_admin.export_organisation(context(), fmt, actor())
        return SecureResponse(body, mimetype="text/csv" if fmt == "csv" else "application/json", headers={
            "Content-Disposition": f'attachment; filename="organisation.{fmt}"'})
