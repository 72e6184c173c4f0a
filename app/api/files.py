"""``/api/files/<id>``: download a file a step saved (a label, an invoice PDF).

Only the shop's own users get it; another shop's file id is a 404 like any unknown one. Files
are always sent as attachments with their recorded type, so a saved HTML file never renders
as a page of this site.
"""

from __future__ import annotations

import io

from flask import g, send_file

from app.api.auth import authenticate
from app.api.openapi import Blueprint
from app.api.problems import ApiProblem
from app.runtime import files

bp = Blueprint("files", __name__, url_prefix="/api/files", description="Files steps saved")
bp.before_request(authenticate)


@bp.get("/<file_id>")
@bp.alt_response(404, response="NOT_FOUND")
def download_file(file_id: str):
    """The file's bytes, as an attachment with its name and media type."""
    stored = files.owned_file(g.merchant_id, file_id)
    data = None if stored is None else files.content(stored)
    if data is None:
        raise ApiProblem(404, "Not found", f"There is no file {file_id}.")
    reply = send_file(
        io.BytesIO(data),
        mimetype=stored.media_type,
        as_attachment=True,
        download_name=stored.filename,
        etag=stored.sha256,
        max_age=0,
    )
    reply.headers["X-Content-Type-Options"] = "nosniff"
    reply.headers["Content-Security-Policy"] = "sandbox"
    return reply
