"""Publishing flows as templates, finding them, installing and updating the flows made from them.

Only what :mod:`app.flows.sanitizer` leaves of a flow is ever stored in a template; installing
fills the template's credential slots with the installer's accounts and its parameters with the
installer's values, and creates the flow switched off. Every look-up is scoped: a shop sees
public templates, templates shared by link (by id), and its own.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, or_, select

from app.extensions import db
from app.flows import lifecycle
from app.flows.sanitizer import Marked, Sanitized, sanitize
from app.identity import audit
from app.models import Credential, Flow, Template, TemplateInstall, TemplateVersion
from nodes.engine.schema_errors import Problem, schema_problems, validator_for
from nodes.kit import registry

STARTERS = Path(__file__).parent / "starters"


class TemplateProblem(Exception):
    """What stops an install or an update, as problems with pointers into the request."""

    def __init__(self, title: str, problems: list[Problem]):
        super().__init__(title)
        self.title = title
        self.problems = problems


@dataclass(frozen=True)
class Texts:
    """A text in English and German (either may stand in for the other)."""

    en: str
    de: str

    @classmethod
    def of(cls, value: str | dict[str, str]) -> Texts:
        if isinstance(value, str):
            return cls(value, value)
        return cls(value.get("en") or value["de"], value.get("de") or value["en"])

    def as_dict(self) -> dict[str, str]:
        return {"en": self.en, "de": self.de}


def connectors_of(graph: dict[str, Any]) -> list[str]:
    """The external systems a flow talks to, for icons and search (built-in steps are not)."""
    found = []
    for node in graph["nodes"]:
        spec = registry.get(node["type"], node["version"])
        if spec.connector is not None and spec.connector_key not in found:
            found.append(spec.connector_key)
    return found


# Publishing


def preview(flow: Flow, marked: list[Marked]) -> Sanitized:
    """What publishing ``flow`` would share, and what it would remove."""
    return sanitize(flow.current_version.graph, marked)


def publish(
    flow: Flow,
    *,
    title: Texts,
    description: Texts,
    category: str,
    visibility: str,
    marked: list[Marked],
) -> tuple[Template, TemplateVersion]:
    """A new template of the flow's current version, or a new version of the template the flow
    was published as before (its visibility follows the latest publication)."""
    shared = preview(flow, marked)
    template = published_as(flow)
    if template is None:
        template = Template(merchant_id=flow.merchant_id, source_flow_id=flow.id, latest_version=0)
        db.session.add(template)
    template.visibility = visibility
    version = _add_version(template, shared, title, description, category)
    audit.record(
        "template.published",
        "template",
        template.id,
        merchant_id=flow.merchant_id,
        flow_id=flow.id,
        version=version.number,
        visibility=visibility,
    )
    return template, version


def published_as(flow: Flow) -> Template | None:
    """The template the flow was published as before, if any."""
    return db.session.scalar(
        select(Template).where(
            Template.merchant_id == flow.merchant_id, Template.source_flow_id == flow.id
        )
    )


def change_visibility(template: Template, visibility: str) -> None:
    """Who may see the template from now on; installed copies stay as they are."""
    template.visibility = visibility
    audit.record(
        "template.visibility",
        "template",
        template.id,
        merchant_id=template.merchant_id,
        visibility=visibility,
    )


def remove(template: Template) -> None:
    """Delete the template and its versions. Flows installed from it stay in the shops that
    installed them, as their own flows; they get no further updates."""
    for model in (TemplateInstall, TemplateVersion):
        db.session.execute(delete(model).where(model.template_id == template.id))
    audit.record(
        "template.deleted",
        "template",
        template.id,
        merchant_id=template.merchant_id,
        version=template.latest_version,
    )
    db.session.delete(template)


def _add_version(
    template: Template, shared: Sanitized, title: Texts, description: Texts, category: str
) -> TemplateVersion:
    template.latest_version += 1
    version = TemplateVersion(
        template=template,
        number=template.latest_version,
        title=title.as_dict(),
        description=description.as_dict(),
        category=category,
        connectors=connectors_of(shared.graph),
        graph=shared.graph,
        credential_slots=shared.credential_slots,
        parameters=shared.parameters,
        targets=shared.targets,
        removed=shared.removed,
    )
    db.session.add(version)
    db.session.flush()
    return version


def install_starters() -> list[Template]:
    """Put the starter templates shipped in ``starters/`` into the gallery (on setup); a starter
    whose file changed gets a new version, so installed copies see an update."""
    return [
        _publish_starter(path.stem, json.loads(path.read_text()))
        for path in sorted(STARTERS.glob("*.json"))
    ]


def _publish_starter(key: str, document: dict[str, Any]) -> Template:
    marked = [
        Marked(p["pointer"], p["name"], p["title"], p.get("default"))
        for p in document["parameters"]
    ]
    shared = sanitize(document["graph"], marked)
    title, description = Texts.of(document["title"]), Texts.of(document["description"])
    template = db.session.scalar(select(Template).where(Template.starter == key))
    if template is None:
        template = Template(starter=key, visibility="public", latest_version=0)
        db.session.add(template)
    elif _same(latest_version(template), shared, title, description, document["category"]):
        return template
    _add_version(template, shared, title, description, document["category"])
    return template


def _same(
    version: TemplateVersion, shared: Sanitized, title: Texts, description: Texts, category: str
) -> bool:
    return (
        version.graph,
        version.credential_slots,
        version.parameters,
        version.targets,
        version.title,
        version.description,
        version.category,
    ) == (
        shared.graph,
        shared.credential_slots,
        shared.parameters,
        shared.targets,
        title.as_dict(),
        description.as_dict(),
        category,
    )


# Finding


def visible(merchant_id: int, template_id: str) -> Template | None:
    """A template the shop may see by id: public, shared by link, or its own."""
    return db.session.scalar(
        select(Template).where(
            Template.id == template_id,
            or_(Template.visibility.in_(("public", "link")), Template.merchant_id == merchant_id),
        )
    )


def listed(merchant_id: int, query: str = "", category: str = "") -> list[Template]:
    """The gallery: public templates and the shop's own, most installed first."""
    templates = db.session.scalars(
        select(Template)
        .where(or_(Template.visibility == "public", Template.merchant_id == merchant_id))
        .order_by(Template.created_at)
    ).all()
    counts = install_counts([t.id for t in templates])
    words = query.lower().split()
    found = []
    for template in templates:
        version = latest_version(template)
        if category and version.category != category:
            continue
        haystack = " ".join(
            [*version.title.values(), *version.description.values(), *version.connectors]
        ).lower()
        if all(word in haystack for word in words):
            found.append(template)
    return sorted(found, key=lambda t: -counts.get(t.id, 0))


def install_counts(template_ids: list[str]) -> dict[str, int]:
    rows = db.session.execute(
        select(TemplateInstall.template_id, func.count())
        .where(TemplateInstall.template_id.in_(template_ids))
        .group_by(TemplateInstall.template_id)
    )
    return dict(rows.all())


def latest_version(template: Template) -> TemplateVersion:
    return version_of(template, template.latest_version)


def version_of(template: Template, number: int) -> TemplateVersion:
    return db.session.scalar(
        select(TemplateVersion).filter_by(template_id=template.id, number=number)
    )


# Installing


def install(
    merchant_id: int,
    template: Template,
    credentials: dict[str, Any],
    parameters: dict[str, Any],
    language: str = "en",
) -> Flow:
    """Create the template's latest version as a switched-off flow of the installer's shop,
    named by the template's title in the installer's language."""
    version = latest_version(template)
    graph = filled(merchant_id, version, credentials, parameters)
    flow = lifecycle.create(merchant_id, version.title.get(language, version.title["en"]), graph)
    db.session.add(
        TemplateInstall(
            template_id=template.id,
            merchant_id=merchant_id,
            flow_id=flow.id,
            version=version.number,
            credentials={slot["id"]: credentials[slot["id"]] for slot in version.credential_slots},
            parameters=parameters,
        )
    )
    return flow


def filled(
    merchant_id: int,
    version: TemplateVersion,
    credentials: dict[str, Any],
    parameters: dict[str, Any],
) -> dict[str, Any]:
    """The version's graph with the installer's accounts and values, checked as a flow of the
    installer's shop; :class:`TemplateProblem` names every slot and value that is missing."""
    found = _credential_problems(merchant_id, version.credential_slots, credentials)
    found += _parameter_problems(version.parameters, parameters)
    if found:
        raise TemplateProblem("The template needs more from you", found)
    parameters = {**defaults(version.parameters), **parameters}
    graph = copy.deepcopy(version.graph)
    nodes = {node["id"]: node for node in graph["nodes"]}
    for slot in version.credential_slots:
        for node_id in slot["nodes"]:
            nodes[node_id]["credential"] = credentials[slot["id"]]
    for name, pointers in version.targets.items():
        if name in parameters:
            for where in pointers:
                _set_pointer(graph, where, parameters[name])
    problems = lifecycle.problems(merchant_id, graph)
    if problems:
        raise TemplateProblem(
            "The installed flow would not be valid",
            [Problem("/graph" + p.pointer, p.message) for p in problems],
        )
    return graph


def _parameter_problems(schema: dict[str, Any], values: Any) -> list[Problem]:
    """Schema problems of the installer's values, named by each parameter's title."""
    found = []
    for problem in schema_problems(validator_for(schema), values, ("parameters",)):
        name = problem.pointer.split("/")[2] if problem.pointer.count("/") >= 2 else ""
        title = (schema.get("properties") or {}).get(name, {}).get("title", name)
        if problem.message.endswith("is required."):
            found.append(Problem(problem.pointer, f"Give a value for “{title}”."))
        else:
            found.append(Problem(problem.pointer, f"“{title}”: {problem.message}"))
    return found


def defaults(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        name: sub["default"]
        for name, sub in (schema.get("properties") or {}).items()
        if "default" in sub
    }


def account_name(connector: str) -> str:
    """How to name an account of ``connector`` to a merchant: "a Shopify account"."""
    found = registry.connector(connector)
    return f"a {found.title['en']} account" if found else "an account with its secret"


def _credential_problems(
    merchant_id: int, slots: list[dict[str, Any]], credentials: Any
) -> list[Problem]:
    credentials = {} if credentials is None else credentials
    if not isinstance(credentials, dict):
        return [Problem("/credentials", "Give an object of slot ids and account ids.")]
    found = []
    for slot in slots:
        where = f"/credentials/{slot['id']}"
        chosen = credentials.get(slot["id"])
        if not chosen:
            found.append(
                Problem(where, f"Choose {account_name(slot['connector'])} for this template.")
            )
            continue
        connector = db.session.scalar(
            select(Credential.connector).where(
                Credential.id == chosen, Credential.merchant_id == merchant_id
            )
        )
        if connector is None:
            found.append(Problem(where, f"There is no account {chosen} in your shop."))
        elif connector != slot["connector"]:
            found.append(
                Problem(
                    where,
                    f"This slot needs {account_name(slot['connector'])}, not a {connector} one.",
                )
            )
    return found


def _set_pointer(document: Any, where: str, value: Any) -> None:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in where[1:].split("/")]
    holder = document
    for part in parts[:-1]:
        holder = holder[int(part)] if isinstance(holder, list) else holder.setdefault(part, {})
    if isinstance(holder, list):
        holder[int(parts[-1])] = value
    else:
        holder[parts[-1]] = value


# Updates


def installs_of(merchant_id: int) -> list[TemplateInstall]:
    return db.session.scalars(
        select(TemplateInstall)
        .join(Flow, Flow.id == TemplateInstall.flow_id)
        .where(TemplateInstall.merchant_id == merchant_id, Flow.deleted_at.is_(None))
    ).all()


@dataclass(frozen=True)
class Update:
    """Where a flow installed from a template stands against the template's latest version."""

    installed: TemplateInstall
    latest: TemplateVersion
    changes: dict[str, list[str]]
    # What the latest version asks for that the installer has not given yet.
    new_credential_slots: list[dict[str, Any]]
    new_parameters: dict[str, Any]  # a JSON Schema of only those values

    @property
    def available(self) -> bool:
        return self.latest.number > self.installed.version

    @property
    def needs_more(self) -> bool:
        """Whether updating asks for an account or a value first."""
        schema = self.new_parameters
        return bool(self.new_credential_slots) or any(
            "default" not in schema["properties"][name] for name in schema.get("required", [])
        )


def update_of(installed: TemplateInstall) -> Update:
    template = db.session.get(Template, installed.template_id)
    latest = latest_version(template)
    current = version_of(template, installed.version)
    properties = latest.parameters.get("properties") or {}
    before = current.parameters.get("properties") or {}
    new = [name for name in properties if name not in before and name not in installed.parameters]
    return Update(
        installed=installed,
        latest=latest,
        changes=changes(current.graph, latest.graph),
        new_credential_slots=[
            slot for slot in latest.credential_slots if slot["id"] not in installed.credentials
        ],
        new_parameters={
            **latest.parameters,
            "properties": {name: properties[name] for name in new},
            "required": [n for n in latest.parameters.get("required", []) if n in new],
        },
    )


def updates_of(merchant_id: int) -> dict[str, Update]:
    """The shop's flows that a newer template version is out for, by flow id."""
    found = (update_of(installed) for installed in installs_of(merchant_id))
    return {update.installed.flow_id: update for update in found if update.available}


def changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[str]]:
    """Steps added, removed and changed between two template graphs, by step name."""

    def steps(graph):
        return {
            node["id"]: {k: v for k, v in node.items() if k != "position"}
            for node in graph["nodes"]
        }

    def label(node):
        return node.get("name") or node["id"]

    before, after = steps(old), steps(new)
    return {
        "added": [label(after[i]) for i in after if i not in before],
        "removed": [label(before[i]) for i in before if i not in after],
        "changed": [label(after[i]) for i in after if i in before and before[i] != after[i]],
    }


def update(installed: TemplateInstall, flow: Flow, more: dict[str, Any]) -> None:
    """Bring the flow to the template's latest version as a new flow version, with the accounts
    and values chosen before; ``more`` gives what a new version asks for in addition."""
    template = db.session.get(Template, installed.template_id)
    version = latest_version(template)
    credentials = {**installed.credentials, **(more.get("credentials") or {})}
    parameters = {**installed.parameters, **(more.get("parameters") or {})}
    graph = filled(installed.merchant_id, version, credentials, parameters)
    lifecycle.save_version(flow, graph)
    installed.version = version.number
    installed.credentials = {
        slot["id"]: credentials[slot["id"]] for slot in version.credential_slots
    }
    installed.parameters = parameters
