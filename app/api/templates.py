"""``/api/templates``: publish a flow as a template, list and read templates, install one, and
update the flows installed from one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request
from sqlalchemy import select

from app.api.auth import authenticate, json_body, owned
from app.api.problems import ApiProblem
from app.extensions import db
from app.flows import templates
from app.flows.sanitizer import Marked, MarkError, Sanitized
from app.flows.templates import TemplateProblem, Texts
from app.models import Flow, Template, TemplateInstall
from app.models.template import CATEGORIES, VISIBILITIES
from nodes.engine.schema_errors import Problem

bp = Blueprint("templates", __name__, url_prefix="/api/templates")
bp.before_request(authenticate)


def language() -> str:
    return request.accept_languages.best_match(["en", "de"]) or "en"


def _checked_publication(body: dict[str, Any]) -> dict[str, Any]:
    """The publish request's fields, or 422 naming every field that is wrong."""
    found: list[Problem] = []
    for name in ("title", "description"):
        value = body.get(name)
        if not (isinstance(value, str) and value.strip()) and not (
            isinstance(value, dict)
            and any(isinstance(value.get(k), str) and value[k].strip() for k in ("en", "de"))
        ):
            found.append(
                Problem(
                    f"/{name}",
                    f"Give the template a {name}: a text, or one per language "
                    '({"en": …, "de": …}).',
                )
            )
    if body.get("category") not in CATEGORIES:
        found.append(Problem("/category", "Choose a category: " + ", ".join(CATEGORIES) + "."))
    if body.get("visibility", "private") not in VISIBILITIES:
        found.append(
            Problem(
                "/visibility",
                "Visibility is private (your shop), link (anyone with the "
                "link) or public (the gallery).",
            )
        )
    marked, mark_problems = _marks(body.get("parameters", []))
    if found or mark_problems:
        raise ApiProblem(422, "The template is not valid", errors=found + mark_problems)
    return {
        "title": Texts.of(body["title"]),
        "description": Texts.of(body["description"]),
        "category": body["category"],
        "visibility": body.get("visibility", "private"),
        "marked": marked,
    }


def _marks(given: Any) -> tuple[list[Marked], list[Problem]]:
    """The values the publisher marks as parameters: ``[{pointer, name, title}]``."""
    if not isinstance(given, list):
        return [], [Problem("/parameters", "Give a list of {pointer, name, title}.")]
    marked, found = [], []
    for index, item in enumerate(given):
        if not (
            isinstance(item, dict)
            and isinstance(item.get("pointer"), str)
            and isinstance(item.get("name"), str)
        ):
            found.append(
                Problem(f"/parameters/{index}", "Each parameter needs a pointer and a name.")
            )
            continue
        title = item.get("title") or item["name"]
        marked.append(Marked(item["pointer"], item["name"], Texts.of(title).as_dict()))
    return marked, found


def _flow(body: dict[str, Any]) -> Flow:
    flow_id = body.get("flow_id")
    if not isinstance(flow_id, str):
        raise ApiProblem(
            422,
            "The template is not valid",
            errors=[Problem("/flow_id", "Name the flow to publish (its id).")],
        )
    return owned(Flow, flow_id, deleted_at=None)


def _sanitized(flow: Flow, marked: list[Marked]) -> Sanitized:
    try:
        return templates.preview(flow, marked)
    except MarkError as error:
        raise ApiProblem(
            422, "The template is not valid", errors=[Problem("/parameters", str(error))]
        ) from None


@bp.post("/preview")
def preview_template():
    """What publishing would share and what it would remove; nothing is stored."""
    body = json_body()
    marked, problems = _marks(body.get("parameters", []))
    if problems:
        raise ApiProblem(422, "The template is not valid", errors=problems)
    shared = _sanitized(_flow(body), marked)
    return {
        "graph": shared.graph,
        "credential_slots": shared.credential_slots,
        "parameters": shared.parameters,
        "removed": shared.removed,
    }


@bp.post("")
def publish_template():
    body = json_body()
    fields = _checked_publication(body)
    flow = _flow(body)
    _sanitized(flow, fields["marked"])  # a bad mark is a 422 before anything is written
    template, version = templates.publish(flow, **fields)
    db.session.commit()
    return {"id": template.id, "version": version.number, "removed": version.removed}, 201


@bp.get("")
def list_templates():
    found = templates.listed(
        g.merchant_id, request.args.get("q", ""), request.args.get("category", "")
    )
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
def get_template(template_id: str):
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


@bp.post("/<template_id>/install")
def install_template(template_id: str):
    template = _visible(template_id)
    body = json_body()
    parameters = body.get("parameters", {})
    if not isinstance(parameters, dict):
        raise ApiProblem(
            422,
            "The template needs more from you",
            errors=[
                Problem("/parameters", "Give the parameters as an object of names and values.")
            ],
        )
    try:
        flow = templates.install(
            g.merchant_id, template, body.get("credentials", {}), parameters, language()
        )
    except TemplateProblem as problem:
        raise ApiProblem(422, problem.title, errors=problem.problems) from None
    db.session.commit()
    return {"flow_id": flow.id}, 201


@bp.get("/installs")
def list_installs():
    """The shop's flows made from templates, and whether a newer version is out."""
    return {"installs": [_install(i) for i in templates.installs_of(g.merchant_id)]}


def _install(installed: TemplateInstall) -> dict[str, Any]:
    template = db.session.get(Template, installed.template_id)
    latest = templates.latest_version(template)
    current = templates.version_of(template, installed.version)
    return {
        "flow_id": installed.flow_id,
        "template_id": template.id,
        "title": latest.title[language()],
        "version": installed.version,
        "latest_version": latest.number,
        "update_available": latest.number > installed.version,
        "changes": templates.changes(current.graph, latest.graph),
        "new_credential_slots": [
            s for s in latest.credential_slots if s["id"] not in installed.credentials
        ],
    }


@bp.post("/installs/<flow_id>/update")
def update_install(flow_id: str):
    flow = owned(Flow, flow_id, deleted_at=None)
    installed = db.session.scalar(select(TemplateInstall).filter_by(flow_id=flow.id))
    if installed is None:
        raise ApiProblem(404, "Not found", f"The flow {flow_id} was not made from a template.")
    body = request.get_json(silent=True) or {}
    try:
        templates.update(installed, flow, body if isinstance(body, dict) else {})
    except TemplateProblem as problem:
        raise ApiProblem(422, problem.title, errors=problem.problems) from None
    db.session.commit()
    return {"flow_id": flow.id, "version": flow.current_version.number}
