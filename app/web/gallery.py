"""The template pages: the gallery, a template with its preview and install form, publishing a
flow (with a preview of what is shared and what is removed), and updating an installed flow."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext, lazy_gettext
from sqlalchemy import select

from app.credentials import store
from app.credentials.vault import vault
from app.extensions import db
from app.flows import portable, templates
from app.flows.sanitizer import Marked, MarkError, Sanitized
from app.flows.templates import TemplateProblem, Texts
from app.models import Credential, Flow, Template, TemplateInstall
from app.models.template import CATEGORIES, VISIBILITIES
from app.web.pages import can_change, own_flow
from nodes.engine.schema_errors import Problem, pointer, schema_problems, validator_for
from nodes.kit import registry

bp = Blueprint("gallery", __name__)

# Badge colours of the connectors' icons (the rest get the neutral one).
BRAND = {
    "shopify": "#5e8e3e",
    "stripe": "#635bff",
    "woocommerce": "#7f54b3",
    "shopware": "#189eff",
    "paypal": "#003087",
    "mollie": "#0a0a0a",
    "klarna": "#e0527d",
    "dhl": "#d40511",
    "dpd": "#dc0032",
    "ups": "#351c15",
    "hermes": "#0091cd",
    "sendcloud": "#112857",
    "lexoffice": "#b58500",  # lexoffice's yellow, dark enough for a white letter
    "datev": "#008a3e",
    "email": "#475569",
}

CATEGORY_NAMES = {
    "payments": lazy_gettext("Payments"),
    "shipping": lazy_gettext("Shipping"),
    "accounting": lazy_gettext("Accounting"),
    "marketing": lazy_gettext("Marketing"),
    "marketplaces": lazy_gettext("Marketplaces"),
    "shop": lazy_gettext("Shop"),
    "operations": lazy_gettext("Operations"),
}
VISIBILITY_NAMES = {
    "private": lazy_gettext("only your shop"),
    "link": lazy_gettext("anyone with the link"),
    "public": lazy_gettext("public in the gallery"),
}
CHANGE_NAMES = {
    "added": lazy_gettext("added: %(steps)s"),
    "removed": lazy_gettext("removed: %(steps)s"),
    "changed": lazy_gettext("changed: %(steps)s"),
}


@bp.context_processor
def _names() -> dict[str, Any]:
    return {"category_names": CATEGORY_NAMES, "visibility_names": VISIBILITY_NAMES}


@bp.app_context_processor
def _template_updates() -> dict[str, Any]:
    """``template_updates()`` for the pages that show a flow (dashboard, editor): the shop's
    flows a newer template version is out for, by flow id, as :func:`update_summary` says."""
    return {
        "template_updates": lambda: {
            flow_id: update_summary(update)
            for flow_id, update in templates.updates_of(session["merchant_id"]).items()
        },
        "can_update_flows": can_change,
    }


def in_language(texts: dict[str, str]) -> str:
    """A text declared or published in English and German, in the page's language (English on
    pages in a language added since)."""
    return texts.get(g.lang) or texts["en"]


def connector_icon(key: str) -> dict[str, str]:
    found = registry.connector(key)
    title = in_language(found.title) if found else gettext("Token or secret")
    return {
        "key": key,
        "title": title,
        "letter": title[:1].upper(),
        "color": BRAND.get(key, "#5b6578"),
    }


# The gallery


@bp.get("/templates")
def show_gallery():
    merchant_id = session["merchant_id"]
    query, category = request.args.get("q", ""), request.args.get("category", "")
    found = templates.listed(merchant_id, query, category)
    counts = templates.install_counts([t.id for t in found])
    return render_template(
        "gallery.html",
        items=[_card(t, counts.get(t.id, 0)) for t in found],
        query=query,
        category=category,
        updates=[update_summary(u) for u in templates.updates_of(merchant_id).values()],
    )


def _card(template: Template, installs: int) -> dict[str, Any]:
    version = templates.latest_version(template)
    return {
        "id": template.id,
        "title": in_language(version.title),
        "description": in_language(version.description),
        "category": version.category,
        "icons": [connector_icon(key) for key in version.connectors],
        "installs": installs,
        "version": version.number,
        "starter": template.starter is not None,
        "own": template.merchant_id == session["merchant_id"],
        "visibility": template.visibility,
    }


def update_summary(update: templates.Update) -> dict[str, Any]:
    """An available update in words: which version, what it changes, whether it asks for more."""
    return {
        "flow_id": update.installed.flow_id,
        "flow_name": db.session.get(Flow, update.installed.flow_id).name,
        "version": update.latest.number,
        "changes": _changes(update.changes),
        "needs_more": update.needs_more,
    }


def _changes(changes: dict[str, list[str]]) -> list[str]:
    """What an update adds, removes and changes, in words."""
    return [
        str(text) % {"steps": ", ".join(changes[kind])}
        for kind, text in CHANGE_NAMES.items()
        if changes[kind]
    ]


# A template: preview and install


def _visible(template_id: str) -> Template:
    template = templates.visible(session["merchant_id"], template_id)
    if template is None:
        abort(404)
    return template


@bp.get("/templates/<template_id>")
def show_template(template_id: str):
    return _template_page(_visible(template_id), {}, {})


def _template_page(template: Template, errors: dict[str, str], given: dict[str, Any], status=200):
    version = templates.latest_version(template)
    link = url_for("gallery.show_template", template_id=template.id)
    return render_template(
        "gallery_template.html",
        template=template,
        link=(current_app.config["SHOPWIRE_PUBLIC_URL"] or request.host_url).rstrip("/") + link,
        card=_card(template, templates.install_counts([template.id]).get(template.id, 0)),
        preview=flow_preview(version.graph),
        slots=[_slot(slot, version.graph) for slot in version.credential_slots],
        fields=parameter_fields(version.parameters),
        errors=errors,
        given=given,
    ), status


def _slot(slot: dict[str, Any], graph: dict[str, Any]) -> dict[str, Any]:
    names = {n["id"]: n.get("name") or n["id"] for n in graph["nodes"]}
    accounts = db.session.execute(
        select(Credential.id, Credential.name)
        .where(
            Credential.merchant_id == session["merchant_id"],
            Credential.connector == slot["connector"],
        )
        .order_by(Credential.name)
    ).all()
    schema = store.auth_schema(slot["connector"]) or {"properties": {}}
    return {
        "id": slot["id"],
        "icon": connector_icon(slot["connector"]),
        "steps": ", ".join(names.get(n, n) for n in slot["nodes"]),
        "accounts": accounts,
        "new_fields": [
            {
                "name": name,
                "title": sub.get("title", name),
                "description": sub.get("description", ""),
                "secret": bool(sub.get("writeOnly")),
                "options": sub.get("enum"),
                "default": sub.get("default", ""),
                "required": name in schema.get("required", []),
            }
            for name, sub in schema.get("properties", {}).items()
        ],
    }


def parameter_fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """A form field per template parameter, from its JSON Schema."""
    flows = None
    fields = []
    for name, sub in (schema.get("properties") or {}).items():
        title = (sub.get("x-title") or {}).get(g.lang) or sub.get("title") or name
        kind = _kind(sub)
        options = sub.get("enum")
        if kind == "flow":
            if flows is None:
                flows = db.session.execute(
                    select(Flow.id, Flow.name).where(
                        Flow.merchant_id == session["merchant_id"], Flow.deleted_at.is_(None)
                    )
                ).all()
            options = [(flow_id, flow_name) for flow_id, flow_name in flows]
        elif options:
            options = [(option, option) for option in options]
        default = sub.get("default", "")
        fields.append(
            {
                "name": name,
                "title": title,
                "kind": kind,
                "options": options,
                "default": ", ".join(default) if isinstance(default, list) else default,
                "required": name in schema.get("required", []),
                "description": sub.get("description", ""),
            }
        )
    return fields


def _kind(schema: dict[str, Any]) -> str:
    if schema.get("format") == "flow":
        return "flow"
    if "enum" in schema:
        return "select"
    return {"boolean": "checkbox", "integer": "number", "number": "number", "array": "list"}.get(
        schema.get("type"), "text"
    )


def parameter_values(schema: dict[str, Any], form) -> dict[str, Any]:
    """The posted form as parameter values of the schema's types (empty fields left out)."""
    values: dict[str, Any] = {}
    for name, sub in (schema.get("properties") or {}).items():
        kind, raw = _kind(sub), form.get(f"param-{name}", "")
        if kind == "checkbox":
            values[name] = raw == "on"
        elif not raw.strip():
            continue
        elif kind == "list":
            values[name] = [part.strip() for part in raw.split(",") if part.strip()]
        elif kind == "number":
            try:
                values[name] = int(raw) if sub.get("type") == "integer" else float(raw)
            except ValueError:
                values[name] = raw  # the schema check names the field
        else:
            values[name] = raw.strip()
    return values


@bp.post("/templates/<template_id>/install")
def install_template(template_id: str):
    template = _visible(template_id)
    version = templates.latest_version(template)
    errors: dict[str, str] = {}
    credentials = {slot["id"]: _chosen_account(slot, errors) for slot in version.credential_slots}
    parameters = parameter_values(version.parameters, request.form)
    if not errors:
        try:
            flow = templates.install(
                session["merchant_id"], template, credentials, parameters, g.lang
            )
        except TemplateProblem as problem:
            errors.update({p.pointer: p.message for p in problem.problems})
    if errors:
        db.session.rollback()  # no new account is kept from a failed attempt
        flash(gettext("The template could not be installed: see the marked fields."), "bad")
        return _template_page(template, errors, request.form, 422)
    db.session.commit()
    flash(
        gettext(
            "“%(name)s” was installed, switched off. Check it, then switch it on.",
            name=flow.name,
        ),
        "ok",
    )
    return redirect(url_for("pages.edit_flow", flow_id=flow.id))


def _chosen_account(slot: dict[str, Any], errors: dict[str, str]) -> str | None:
    """The account picked for the slot, or the one connected on the spot."""
    choice = request.form.get(f"credential-{slot['id']}", "")
    if choice != "new":
        return choice or None
    schema = store.auth_schema(slot["connector"]) or {"properties": {}}
    data = {
        name: request.form.get(f"new-{slot['id']}-{name}", "")
        for name in schema.get("properties", {})
        if request.form.get(f"new-{slot['id']}-{name}", "")
    }
    problems = list(schema_problems(validator_for(schema), data))
    for problem in problems:
        field = problem.pointer.strip("/") or next(iter(schema.get("required", [])), "")
        title = schema["properties"].get(field, {}).get("title", field)
        errors[f"/credentials/{slot['id']}/{field}"] = f"{title}: {problem.message}"
    if problems:
        return None
    credential = Credential(
        merchant_id=session["merchant_id"],
        connector=slot["connector"],
        name=request.form.get(f"new-{slot['id']}-name", "").strip()
        or connector_icon(slot["connector"])["title"],
        secret=vault().encrypt(data),
    )
    db.session.add(credential)
    db.session.flush()
    return credential.id


# The publisher's own templates: who sees them, deleting them


def _own_template(template_id: str) -> Template:
    template = db.session.scalar(
        select(Template).filter_by(id=template_id, merchant_id=session["merchant_id"])
    )
    if template is None:
        abort(404)
    return template


@bp.post("/templates/<template_id>/visibility")
def change_visibility(template_id: str):
    template = _own_template(template_id)
    visibility = request.form.get("visibility")
    if visibility not in VISIBILITIES:
        abort(400)
    templates.change_visibility(template, visibility)
    db.session.commit()
    flash(
        gettext("Now visible to: %(who)s.", who=VISIBILITY_NAMES[visibility]),
        "ok",
    )
    return redirect(url_for("gallery.show_template", template_id=template.id))


@bp.post("/templates/<template_id>/delete")
def delete_template(template_id: str):
    template = _own_template(template_id)
    title = in_language(templates.latest_version(template).title)
    templates.remove(template)
    db.session.commit()
    flash(
        gettext(
            "The template “%(title)s” was deleted. Flows installed from it stay with the shops "
            "that installed them.",
            title=title,
        ),
        "ok",
    )
    return redirect(url_for("gallery.show_gallery"))


# Updating an installed flow

UPDATE_RETURNS = {
    "home": "pages.home",
    "editor": "pages.edit_flow",
    "gallery": "gallery.show_gallery",
}


def _pending_update(flow_id: str) -> tuple[Flow, templates.Update]:
    flow = own_flow(flow_id)
    installed = db.session.scalar(select(TemplateInstall).filter_by(flow_id=flow.id))
    if installed is None:
        abort(404)
    return flow, templates.update_of(installed)


@bp.get("/flows/<flow_id>/template-update")
def update_form(flow_id: str):
    flow, update = _pending_update(flow_id)
    return _update_page(flow, update, {}, {})


def _update_page(flow: Flow, update: templates.Update, errors, given, status=200):
    return render_template(
        "gallery_update.html",
        flow=flow,
        update=update,
        summary=update_summary(update),
        template_title=in_language(update.latest.title),
        preview=flow_preview(update.latest.graph),
        slots=[_slot(slot, update.latest.graph) for slot in update.new_credential_slots],
        fields=parameter_fields(update.new_parameters),
        back=request.values.get("back", "gallery"),
        errors=errors,
        given=given,
    ), status


@bp.post("/flows/<flow_id>/template-update")
def update_flow(flow_id: str):
    flow, update = _pending_update(flow_id)
    back = request.form.get("back", "gallery")
    if not update.available:
        flash(gettext("“%(name)s” is on the template's latest version.", name=flow.name), "ok")
        return _back_to(back, flow)
    errors: dict[str, str] = {}
    credentials = {
        slot["id"]: _chosen_account(slot, errors) for slot in update.new_credential_slots
    }
    more = {
        "credentials": credentials,
        "parameters": parameter_values(update.new_parameters, request.form),
    }
    if not errors:
        try:
            templates.update(update.installed, flow, more)
        except TemplateProblem as problem:
            errors.update({p.pointer: p.message for p in problem.problems})
    if errors:
        db.session.rollback()  # no new account is kept from a failed attempt
        flash(gettext("The update needs more from you: see the marked fields."), "bad")
        return _update_page(flow, update, errors, request.form, 422)
    db.session.commit()
    flash(
        gettext(
            "“%(name)s” is now on the template's version %(version)s; the previous state is "
            "kept as a flow version you can restore.",
            name=flow.name,
            version=update.latest.number,
        ),
        "ok",
    )
    return _back_to(back, flow)


def _back_to(back: str, flow: Flow):
    endpoint = UPDATE_RETURNS.get(back, "gallery.show_gallery")
    if endpoint == "pages.edit_flow":
        return redirect(url_for(endpoint, flow_id=flow.id))
    return redirect(url_for(endpoint))


# Moving flows: importing a file (exporting is the API's download)


@bp.post("/flows/import")
def import_flow():
    """An exported flow or an n8n workflow, uploaded; the report says what needs attention."""
    upload = request.files.get("file")
    try:
        document = json.loads(upload.read()) if upload else None
    except (ValueError, UnicodeDecodeError):
        document = None
    try:
        if not isinstance(document, dict):
            raise portable.NotImportable([Problem("", gettext("The file is not a JSON document."))])
        flow, notes = portable.import_document(session["merchant_id"], document)
    except portable.NotImportable as refused:
        db.session.rollback()
        flash(
            gettext(
                "The flow could not be imported: %(reason)s",
                reason=refused.problems[0].message,
            ),
            "bad",
        )
        return redirect(url_for("gallery.show_gallery"))
    db.session.commit()
    graph = flow.current_version.graph
    return render_template(
        "gallery_import.html",
        flow=flow,
        notes=[
            {
                "where": describe_pointer(graph, n.pointer.removeprefix("/graph")),
                "message": n.message,
            }
            for n in notes
        ],
    )


# Publishing


@bp.get("/flows/<flow_id>/publish")
def publish_form(flow_id: str):
    flow = own_flow(flow_id)
    return _publish_page(flow, _published_before(flow), None, {})


def _published_before(flow: Flow) -> dict[str, str]:
    """The form as the flow was last published (so a new version keeps who sees it, its texts
    and the values asked for), or named after the flow."""
    template = templates.published_as(flow)
    if template is None:
        return {"title_en": flow.name, "title_de": flow.name}
    version = templates.latest_version(template)
    given = {
        **{f"title_{k}": v for k, v in version.title.items()},
        **{f"description_{k}": v for k, v in version.description.items()},
        "category": version.category,
        "visibility": template.visibility,
    }
    for item in markable_values(flow.current_version.graph):
        if item["pointer"] in version.targets.get(item["name"], []):
            given[f"mark-{item['pointer']}"] = "on"
    return given


def _publish_page(flow: Flow, given, preview: Sanitized | None, errors: dict[str, str], status=200):
    graph = flow.current_version.graph
    return render_template(
        "gallery_publish.html",
        flow=flow,
        published=templates.published_as(flow),
        given=given,
        values=markable_values(graph),
        preview=preview,
        canvas=flow_preview(preview.graph) if preview else None,
        removed=[
            {**item, "where": describe_pointer(graph, item["pointer"])}
            for item in (preview.removed if preview else [])
        ],
        slots=[
            {"icon": connector_icon(s["connector"]), "steps": _step_names(graph, s["nodes"])}
            for s in (preview.credential_slots if preview else [])
        ],
        errors=errors,
    ), status


def _step_names(graph: dict[str, Any], node_ids: list[str]) -> str:
    names = {n["id"]: n.get("name") or n["id"] for n in graph["nodes"]}
    return ", ".join(names[i] for i in node_ids)


def markable_values(graph: dict[str, Any]) -> list[dict[str, Any]]:
    """Each fixed value of each step the publisher may turn into a parameter."""
    found = []
    for index, node in enumerate(graph["nodes"]):
        for path, value in _leaves(node.get("params") or {}, ()):
            found.append(
                {
                    "pointer": pointer("nodes", index, "params", *path),
                    "step": node.get("name") or node["id"],
                    "field": " › ".join(map(str, path)),
                    "value": value if isinstance(value, str) else repr(value),
                    "name": re.sub(
                        r"[^a-z0-9_]", "_", "_".join(map(str, ("p", node["id"], *path))).lower()
                    )[:40],
                }
            )
    return found


def _leaves(value: Any, path: tuple):
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _leaves(sub, (*path, key))
    elif isinstance(value, list) and not all(isinstance(v, str | int | float) for v in value):
        for position, sub in enumerate(value):
            yield from _leaves(sub, (*path, position))
    elif path:
        yield path, value


def describe_pointer(graph: dict[str, Any], where: str) -> str:
    """ "/nodes/3/params/headers/Authorization" as "Send to ERP: headers › Authorization"."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in where[1:].split("/")]
    if len(parts) < 2 or parts[0] != "nodes" or not parts[1].isdigit():
        return where
    node = graph["nodes"][int(parts[1])]
    field = " › ".join(parts[3:] if parts[2:3] == ["params"] else parts[2:])
    name = node.get("name") or node["id"]
    return f"{name}: {field}" if field else name


@bp.post("/flows/<flow_id>/publish")
def publish_flow(flow_id: str):
    flow = own_flow(flow_id)
    form = request.form
    errors: dict[str, str] = {}
    marked = [
        Marked(
            item["pointer"], item["name"], Texts.of(f"{item['step']}: {item['field']}").as_dict()
        )
        for item in markable_values(flow.current_version.graph)
        if form.get(f"mark-{item['pointer']}") == "on"
    ]
    try:
        preview = templates.preview(flow, marked)
    except MarkError as error:
        return _publish_page(flow, form, None, {"marks": str(error)}, 422)
    if form.get("action") != "publish":
        return _publish_page(flow, form, preview, errors)
    title = {k: form.get(f"title_{k}", "").strip() for k in ("en", "de")}
    description = {k: form.get(f"description_{k}", "").strip() for k in ("en", "de")}
    if not any(title.values()):
        errors["title"] = gettext("Give a title in at least one language.")
    if not any(description.values()):
        errors["description"] = gettext("Give a description in at least one language.")
    if form.get("category") not in CATEGORIES:
        errors["category"] = gettext("Category")
    if errors:
        flash(gettext("Fix the marked fields."), "bad")
        return _publish_page(flow, form, preview, errors, 422)
    template, version = templates.publish(
        flow,
        title=Texts.of({k: v for k, v in title.items() if v}),
        description=Texts.of({k: v for k, v in description.items() if v}),
        category=form["category"],
        visibility=form.get("visibility") if form.get("visibility") in VISIBILITIES else "private",
        marked=marked,
    )
    db.session.commit()
    flash(gettext("Published as version %(version)s.", version=version.number), "ok")
    return redirect(url_for("gallery.show_template", template_id=template.id))


# The read-only canvas


def flow_preview(graph: dict[str, Any]) -> dict[str, Any]:
    """What the read-only canvas (frontend/src/preview.jsx) draws: the steps and connections
    (with only the params that name a step's outputs, such as a router's branches), the catalog
    entries of their types as the editor reads them, and the icons of their connectors."""
    catalog, icons, steps = {}, {}, []
    for node in graph["nodes"]:
        step = {
            k: node[k]
            for k in ("id", "type", "version", "name", "position", "on_error")
            if k in node
        }
        spec = _spec(node)
        if spec is not None:
            catalog[node["type"]] = {
                key: value
                for key, value in spec.describe().items()
                if key in ("kind", "title", "connector", "ports", "ports_from")
            }
            if spec.ports_from:
                step["params"] = {spec.ports_from.param: _port_names(spec.ports_from, node)}
            if spec.connector is not None:
                icons[spec.connector_key] = connector_icon(spec.connector_key)
        steps.append(step)
    return {"graph": {"nodes": steps, "edges": graph["edges"]}, "catalog": catalog, "icons": icons}


def _port_names(ports_from, node: dict[str, Any]) -> list[dict[str, Any]]:
    entries = (node.get("params") or {}).get(ports_from.param)
    return [
        {ports_from.name: entry.get(ports_from.name)}
        for entry in (entries if isinstance(entries, list) else [])
        if isinstance(entry, dict)
    ]


def _spec(node: dict[str, Any]):
    try:
        return registry.get(node["type"], node["version"])
    except registry.UnknownNode:
        return None
