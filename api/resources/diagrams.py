"""Process diagrams: a case's diagram (tokens, path taken, overdue steps) read like the case, and
a process version's heatmap of working days spent per step (docs/diagrams.md)."""
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas as schemas
import api.schemas_diagrams as sd
from api.security import SecureResponse, actor, context
from engine.services import diagrams

bp = Blueprint("diagrams", __name__, url_prefix="/api/v1", description="Process diagrams and heatmaps")


@bp.route("/cases/<id:case_id>/diagram")
class CaseDiagram(MethodView):
    @bp.response(200, sd.CaseDiagramOut)
    @bp.alt_response(403, schema=schemas.Problem)
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, case_id):
        """The case's diagram: its version's BPMN file and the state of each element it reached
        (the applicant her own case, staff in scope, as reading the case)."""
        return diagrams.case_diagram(context(), case_id, actor())


@bp.route("/process-definitions/<id:definition_id>/heatmap")
class Heatmap(MethodView):
    @bp.arguments(sd.HeatmapArgs(), location="query")
    @bp.response(200, sd.HeatmapOut)
    @bp.alt_response(200, content_type="text/csv", description="with format=csv")
    @bp.alt_response(403, schema=schemas.Problem)
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, args, definition_id):
        """Per step of the version: completed, mean and median working days spent, overdue and open
        counts, from every case of the version (designers, administrators, supervisors)."""
        result = diagrams.heatmap(context(), definition_id, actor())
        if args["format"] == "csv":
            return SecureResponse(diagrams.to_csv(result), mimetype="text/csv", headers={
                "Content-Disposition": f'attachment; filename="heatmap-{result.key}-v{result.version}.csv"'})
        return result
