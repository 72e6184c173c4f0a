"""``/api/templates``: publish a flow as a template, list and read templates, install one, and
update the flows installed from one."""

from __future__ import annotations

from typing import Any

from flask import g, request
from sqlalchemy import select

from app.api import schemas
from app.api.auth import authenticate, owned
from app.api.openapi import Blueprint
from app.api.problems import ApiProblem
from app.extensions import db
from app.flows import templates
from app.flows.sanitizer import Marked, MarkError, Sanitized
from app.flows.templates import TemplateProblem
from app.models import Flow, Template, TemplateInstall
from nodes.engine.schema_errors import Problem

bp = Blueprint("templates", __name__, url_prefix="/api/templates", description="Templates")
bp.before_request(authenticate)


def language() -> str:
    return request.accept_languages.best_match(["en", "de"]) or "en"


def _sanitized(flow: Flow, marked: list[Marked]) -> Sanitized:
    try:
        return templates.preview(flow, marked)
    except MarkError as error:
        raise ApiProblem(
            422, "The template is not valid", errors=[Problem("/parameters", str(error))]
        ) from None


@bp.post("/preview")
@bp.arguments(schemas.TemplatePreviewBody)
@bp.response(200, schemas.Shared)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def preview_template(body: dict[str, Any]):
    """What publishing would share and what it would remove; nothing is stored."""
    shared = _sanitized(owned(Flow, body["flow_id"], deleted_at=None), body["parameters"])
    return {
        "graph": shared.graph,
        "credential_slots": shared.credential_slots,
        "parameters": shared.parameters,
        "removed": shared.removed,
    }


@bp.post("")
@bp.arguments(schemas.TemplateBody)
@bp.response(201, schemas.TemplatePublished)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def publish_template(body: dict[str, Any]):
    """Publish a flow as a template, or as a new version of the template made from it."""
    flow = owned(Flow, body["flow_id"], deleted_at=None)
    _sanitized(flow, body["parameters"])  # a bad mark is a 422 before anything is written
    template, version = templates.publish(
        flow,
        title=body["title"],
        description=body["description"],
        category=body["category"],
        visibility=body["visibility"],
        marked=body["parameters"],
    )
    db.session.commit()
    return {"id": template.id, "version": version.number, "removed": version.removed}


@bp.get("")
@bp.arguments(schemas.TemplateQuery, location="query", error_status_code=400)
@bp.response(200, schemas.TemplateList)
def list_templates(query: dict[str, Any]):
    """The templates the shop may install: its own, Shopwire's and the public ones."""
    found = templates.listed(g.merchant_id, query["q"], query["category"])
    counts = templates.install_counts([t.id for t in found])
    return {"items": [_summary(t, counts.get(t.id, 0)) for t in found]}


def _summary(template: Template, installs: int) -> dict[str, Any]:
    version = templates.latest_version(template)
    lang = language()
    return {
        "id": template.id,
        "title": version.title[lang],
        "category": version.category,
        "connectors": version.connectors,
        "version": version.number,
        "installs": installs,
        "description": version.description[lang],
        "visibility": template.visibility,
        "own": template.merchant_id == g.merchant_id,
        "starter": template.starter is not None,
    }


def _visible(template_id: str) -> Template:
    template = templates.visible(g.merchant_id, template_id)
    if template is None:
        raise ApiProblem(404, "Not found", f"There is no template {template_id}.")
    return template


@bp.get("/<template_id>")
@bp.response(200, schemas.TemplateDetail)
@bp.alt_response(404, response="NOT_FOUND")
def get_template(template_id: str):
    """A template with its graph, the accounts and the values an install asks for."""
    template = _visible(template_id)
    version = templates.latest_version(template)
    return {
        **_summary(template, templates.install_counts([template.id]).get(template.id, 0)),
        "titles": version.title,
        "descriptions": version.description,
        "graph": version.graph,
        "credential_slots": version.credential_slots,
        "parameters": version.parameters,
    }


@bp.patch("/<template_id>")
@bp.arguments(schemas.TemplateChanges)
@bp.response(200, schemas.TemplateSummary)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def change_template(changes: dict[str, Any], template_id: str):
    """Change who may see a template the shop published."""
    template = owned(Template, template_id)
    if "visibility" not in changes:
        raise ApiProblem(
            422,
            schemas.TemplateChanges.problem_title,
            errors=[Problem("/visibility", schemas.VISIBILITY_CHOICE)],
        )
    templates.change_visibility(template, changes["visibility"])
    db.session.commit()
    return _summary(template, templates.install_counts([template.id]).get(template.id, 0))


@bp.delete("/<template_id>")
@bp.response(204)
@bp.alt_response(404, response="NOT_FOUND")
def delete_template(template_id: str):
    """Delete a template the shop published; flows installed from it stay, without updates."""
    templates.remove(owned(Template, template_id))
    db.session.commit()


@bp.post("/<template_id>/install")
@bp.arguments(schemas.InstallBody, required=False)
@bp.response(201, schemas.Installed)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def install_template(body: dict[str, Any], template_id: str):
    """Install the template as a switched-off flow of the shop, with the shop's accounts."""
    template = _visible(template_id)
    try:
        flow = templates.install(
            g.merchant_id, template, body["credentials"], body["parameters"], language()
        )
    except TemplateProblem as problem:
        raise ApiProblem(422, problem.title, errors=problem.problems) from None
    db.session.commit()
    return {"flow_id": flow.id}


@bp.get("/installs")
@bp.response(200, schemas.InstallList)
def list_installs():
    """The shop's flows made from templates, and whether a newer version is out."""
    return {"installs": [_install(i) for i in templates.installs_of(g.merchant_id)]}


def _install(installed: TemplateInstall) -> dict[str, Any]:
    update = templates.update_of(installed)
    return {
        "flow_id": installed.flow_id,
        "template_id": installed.template_id,
        "title": update.latest.title[language()],
        "version": installed.version,
        "latest_version": update.latest.number,
        "update_available": update.available,
        "changes": update.changes,
        "new_credential_slots": update.new_credential_slots,
    }


@bp.post("/installs/<flow_id>/update")
@bp.arguments(schemas.InstallBody, required=False)
@bp.response(200, schemas.Updated)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def update_install(more: dict[str, Any], flow_id: str):
    """Bring an installed flow to the template's latest version, keeping the choices made."""
    flow = owned(Flow, flow_id, deleted_at=None)
    installed = db.session.scalar(select(TemplateInstall).filter_by(flow_id=flow.id))
    if installed is None:
        raise ApiProblem(404, "Not found", f"The flow {flow_id} was not made from a template.")
    try:
        templates.update(installed, flow, more)
    except TemplateProblem as problem:
        raise ApiProblem(422, problem.title, errors=problem.problems) from None
    db.session.commit()
    return {"flow_id": flow.id, "version": flow.current_version.number}
