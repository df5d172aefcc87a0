"""The audit log, read-only, for auditors and admins: search it, page through it, export it."""

from __future__ import annotations

from flask import Blueprint, Response, flash, render_template, request

from tumorboard.audit.operations import record
from tumorboard.audit.queries import EXPORT_LIMIT, export_frame, patient_named, search
from tumorboard.audit.search import parse_audit_filter
from tumorboard.extensions import db
from tumorboard.program.settings import program_zone
from tumorboard.vocab import RecordType, Role
from tumorboard.web.access import allow
from tumorboard.web.actor import current_actor

bp = Blueprint("audit", __name__, url_prefix="/audit")

READERS = (Role.AUDITOR, Role.ADMIN)


@bp.route("/")
@allow(*READERS)
def index() -> str:
    """The newest entries first, searchable by who, what, which record, which patient or case and when, paged."""
    f, problems = parse_audit_filter(request.args)
    for problem in problems:
        flash(problem, "warning")
    found = search(f, request.args.get("page", 1, type=int) or 1)
    patient = patient_named(f.patient_id)
    if patient is not None:
        record(current_actor(), "view", "patient", patient.id, "audit log")  # the heading names them
    html = render_template("audit/index.html", found=found, f=f, args=f.as_args(), export_limit=EXPORT_LIMIT,
                           patient=patient, record_types=RecordType, zone=program_zone().key)
    db.session.commit()
    return html


@bp.route("/export.csv")
@allow(*READERS)
def export() -> Response:
    """The matching entries as CSV, oldest first (at most EXPORT_LIMIT); the export is itself audited."""
    f, _ = parse_audit_filter(request.args)
    frame = export_frame(f)
    detail = f"rows={len(frame)};" + ";".join(f"{k}={v}" for k, v in f.as_args().items())
    record(current_actor(), "export", "audit_log", None, detail)
    db.session.commit()
    return Response(
        frame.to_csv(index=False),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )
