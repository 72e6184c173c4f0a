"""Every body the JSON API takes and gives, declared once: requests are checked with these
schemas, answers are written through them, and the OpenAPI document is generated from them.

A request schema's ``problem_title`` heads the problem document of a refused body; its messages
are the merchant's words."""

from __future__ import annotations

from typing import Any

from flask import g
from marshmallow import (
    EXCLUDE,
    INCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates,
    validates_schema,
)

from app.credentials import store
from app.flows import lifecycle, templates
from app.flows.sanitizer import Marked
from app.models.execution import STATUSES
from app.models.template import CATEGORIES, VISIBILITIES
from nodes.engine.redaction import restore_graph

ROLES = ["viewer", "editor", "owner"]


class Text(fields.String):
    default_error_messages = {"invalid": "Must be a text.", "null": "Must be a text."}


class Name(Text):
    """A text that is more than spaces; the spaces around it are dropped. Required when the
    message for its absence is given."""

    def __init__(self, invalid: str, *, required: str | None = None, **kwargs: Any):
        messages = {"invalid": invalid, "null": invalid, "required": required or invalid}
        super().__init__(required=required is not None, error_messages=messages, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise self.make_error("invalid")
        return text


class Moment(fields.String):
    """A time in ISO 8601, as the API writes them (UTC, milliseconds, ``Z``)."""

    def __init__(self, **kwargs: Any):
        super().__init__(metadata={"format": "date-time"}, **kwargs)


class Component(fields.Raw):
    """A value described by a JSON Schema of its own, registered as a component of the
    document (the flow graph, a schedule); see :func:`app.api.openapi.init_app`."""

    def __init__(self, component: str, **kwargs: Any):
        super().__init__(metadata={"component": component}, **kwargs)


def component_ref(_converter: Any, field: fields.Field, **_kwargs: Any) -> dict[str, Any]:
    """apispec attribute function: a :class:`Component` is a ``$ref`` to its schema."""
    if "component" in field.metadata:
        return {"$ref": "#/components/schemas/" + field.metadata["component"]}
    return {}


class Answer(Schema):
    """A response body, written from the dict a view returns: a key that is absent stays
    absent (marshmallow would otherwise find a dict's own methods, such as ``items``)."""

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        return obj.get(attr, default) if isinstance(obj, dict) else default


class Body(Schema):
    """A request body or query: fields it does not name are ignored."""

    problem_title = "The request is not valid"

    class Meta:
        unknown = EXCLUDE


class Query(Body):
    """Query parameters: one given empty (a filter form left blank) is not given."""

    @pre_load
    def _blank_is_absent(self, query: Any, **_kwargs: Any) -> dict[str, Any]:
        return {name: value for name, value in query.items() if value != ""}


# Problems


class ProblemEntry(Answer):
    pointer = fields.String(metadata={"description": "JSON pointer into the request"})
    message = fields.String()


class ProblemDocument(Answer):
    """An RFC 9457 problem document, as :mod:`app.api.problems` writes it."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.List(fields.Nested(ProblemEntry))
    position = fields.Integer(metadata={"description": "Where an expression went wrong"})


# Flows


class FlowBody(Body):
    """A flow to create, or (every field optional) the changes to one. Secret params sent back
    as the API showed them, or left out, keep their saved values."""

    problem_title = "The flow is not valid"

    name = Name("The name must be a non-empty text.", required="Give the flow a name.")
    graph = Component(
        "Flow",
        required=True,
        error_messages={
            "required": "The flow's graph is missing.",
            "null": "The flow's graph is missing.",
        },
    )

    @pre_load
    def _restore_secrets(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        if data.get("graph") is None:
            return data
        saved = g.flow.current_version.graph if g.flow else None  # set by app.api.flows
        return {**data, "graph": restore_graph(data["graph"], saved)}

    @validates("graph")
    def _sound(self, graph: Any, **_kwargs: Any) -> None:
        if found := lifecycle.problems(g.merchant_id, graph):
            raise ValidationError(found)


class RunBody(Body):
    payload = fields.Raw(load_default=dict, metadata={"description": "The trigger's event"})


class ActivateBody(Body):
    signing_secret = Text(
        load_default=None,
        metadata={
            "description": "For a webhook set up by hand in the shop's admin: the secret the "
            "shop signs its deliveries with. Nothing is registered with the provider then.",
            "writeOnly": True,
        },
    )


class Webhook(Answer):
    node_id = fields.String()
    url = fields.String(metadata={"format": "uri"})


class FlowSummary(Answer):
    id = fields.String()
    name = fields.String()
    active = fields.Boolean()
    version = fields.Integer()
    created_at = Moment()
    updated_at = Moment()
    webhooks = fields.List(fields.Nested(Webhook), metadata={"description": "While it is on"})
    test_webhooks = fields.List(fields.Nested(Webhook))


class FlowDetail(FlowSummary):
    graph = Component("Flow")
    warnings = fields.List(
        fields.Nested(ProblemEntry),
        metadata={"description": "What the saved flow may get wrong at run time (on save)"},
    )


class FlowList(Answer):
    flows = fields.List(fields.Nested(FlowSummary))


class Version(Answer):
    number = fields.Integer()
    created_at = Moment()
    current = fields.Boolean()


class VersionList(Answer):
    versions = fields.List(fields.Nested(Version))


class VersionDetail(Answer):
    number = fields.Integer()
    created_at = Moment()
    graph = Component("Flow")


class RejectedEvent(Answer):
    id = fields.String()
    node_id = fields.String()
    status = fields.Integer()
    reason = fields.String()
    content_type = fields.String(allow_none=True)
    headers = fields.Dict(keys=fields.String(), values=fields.String())
    body = fields.String()
    received_at = Moment()


class RejectedEventList(Answer):
    rejected_events = fields.List(fields.Nested(RejectedEvent))


# Executions


class ExecutionFilter(Query):
    problem_title = "Bad filter"

    flow_id = fields.String()
    status = fields.String(
        validate=validate.OneOf(
            STATUSES, error=f"Unknown status; use one of {', '.join(STATUSES)}."
        )
    )
    since = fields.DateTime(
        error_messages={"invalid": "Use a date like 2026-11-26 or 2026-11-26T10:00Z."}
    )
    until = fields.DateTime(
        error_messages={"invalid": "Use a date like 2026-11-26 or 2026-11-26T10:00Z."}
    )
    limit = fields.Integer(
        load_default=50,
        error_messages={"invalid": "The limit must be a whole number."},
        metadata={"description": "At most 200"},
    )
    before = fields.String(metadata={"description": "The next_cursor of the previous page"})
    kind = fields.String(
        validate=validate.OneOf(("live", "test"), error="Use live or test."),
        metadata={"description": "live: real events only; test: test runs only"},
    )
    q = fields.String(metadata={"description": "A value in the event (an order number, an e-mail)"})
    error = fields.String(metadata={"description": "Words of the error the run failed with"})


class StepRun(Answer):
    status = fields.String()
    input = fields.Raw(allow_none=True)
    output = fields.Raw(allow_none=True)
    error = fields.Dict(allow_none=True)
    attempts = fields.Integer()
    started_at = Moment(allow_none=True)
    finished_at = Moment(allow_none=True)
    duration_ms = fields.Integer(allow_none=True)


class StepItem(StepRun):
    item = fields.Integer(metadata={"description": "The position in the split list"})


class Step(StepRun):
    node_id = fields.String()
    items = fields.List(fields.Nested(StepItem), metadata={"description": "Inside a split"})


class Execution(Answer):
    id = fields.String()
    flow_id = fields.String()
    version_id = fields.Integer()
    status = fields.String(metadata={"enum": list(STATUSES)})
    mode = fields.String()
    rerun_of = fields.String(
        allow_none=True, metadata={"description": "The execution whose event this one runs again"}
    )
    error = fields.Dict(allow_none=True)
    created_at = Moment()
    started_at = Moment(allow_none=True)
    finished_at = Moment(allow_none=True)
    duration_ms = fields.Integer(allow_none=True)


class FileLink(Answer):
    id = fields.String()
    node_id = fields.String(metadata={"description": "The step that saved it"})
    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    created_at = Moment()
    url = fields.String(metadata={"description": "Download it here, as the shop's user"})


class ExecutionDetail(Execution):
    steps = fields.List(fields.Nested(Step))
    files = fields.List(fields.Nested(FileLink), metadata={"description": "Files steps saved"})


class ExecutionPage(Answer):
    executions = fields.List(fields.Nested(Execution))
    next_cursor = fields.String(allow_none=True)


class OpenApiDocument(Answer):
    """This document; its own schema is the OpenAPI 3.1 specification's."""

    openapi = fields.String()
    info = fields.Dict()
    paths = fields.Dict()
    components = fields.Dict()
    security = fields.List(fields.Dict())
    tags = fields.List(fields.Dict())


class WebhookAccepted(Answer):
    execution_id = fields.String()
    status = fields.String()
    duplicate = fields.Boolean()
    ignored = fields.String(metadata={"description": "Why the event was not run"})


# Credentials


NO_ACCOUNT = "No connector with this name needs an account."


class NewCredential(Body):
    problem_title = "The account is not valid"

    connector = fields.String(
        required=True,
        error_messages={message: NO_ACCOUNT for message in ("required", "null", "invalid")},
    )
    name = Name("Give the account a name.", required="Give the account a name.")
    # Any value: the connector's auth schema says what is wrong with it.
    data = fields.Raw(
        load_default=None,
        metadata={"type": "object", "description": "As the connector's auth schema says"},
    )

    @validates("connector")
    def _needs_an_account(self, connector: str, **_kwargs: Any) -> None:
        if store.auth_schema(connector) is None:
            raise ValidationError(NO_ACCOUNT)

    @validates_schema(skip_on_field_errors=False)
    def _data_as_the_connector_says(self, body: dict[str, Any], **_kwargs: Any) -> None:
        if found := store.account_problems(body.get("connector"), body.get("data")):
            raise ValidationError(found, "data")


class CredentialChanges(Body):
    problem_title = "The account is not valid"

    name = Name("Give the account a name.", load_default=None)
    data = fields.Dict(
        load_default=dict,
        error_messages={"invalid": "The account's data must be an object."},
        metadata={"description": "Fields to replace; left-out fields are kept"},
    )


class OAuthCallback(Query):
    code = fields.String()
    state = fields.String()
    error = fields.String()
    error_description = fields.String()


class OAuthState(Answer):
    connected = fields.Boolean()
    expires_at = fields.Raw(allow_none=True)


class Credential(Answer):
    id = fields.String()
    connector = fields.String()
    name = fields.String()
    fields_ = fields.Dict(
        data_key="fields",
        attribute="fields",
        metadata={"description": 'Values, and {"set": true} for secrets (never returned)'},
    )
    status = fields.String(allow_none=True)
    status_message = fields.String(allow_none=True)
    testable = fields.Boolean()
    created_at = Moment()
    updated_at = Moment()
    oauth = fields.Nested(OAuthState)


class CredentialList(Answer):
    credentials = fields.List(fields.Nested(Credential))


class ConnectionTest(Answer):
    ok = fields.Boolean()
    message = fields.String()


class OAuthStart(Answer):
    authorize_url = fields.String(metadata={"format": "uri"})


# Expressions and schedules


class MappingPreviewBody(Body):
    problem_title = "Nothing to preview"

    expression = Name(
        "Type an expression, e.g. trigger.id.", required="Type an expression, e.g. trigger.id."
    )
    scope = fields.Raw(load_default=dict, metadata={"description": "The data to evaluate against"})


class ExpressionError(Answer):
    message = fields.String()
    position = fields.Integer(allow_none=True, metadata={"description": "Where it goes wrong"})


class MappingPreview(Answer):
    result = fields.Raw(allow_none=True)
    type = fields.String(metadata={"description": "text, number, list, group of fields …"})
    found = fields.Boolean()
    error = fields.Nested(
        ExpressionError,
        metadata={"description": "Instead of the others: why the expression gives nothing"},
    )


class SamplesBody(Body):
    graph = Component("Flow", load_default=None)


class Samples(Answer):
    samples = fields.Dict(keys=fields.String(), metadata={"description": "By step id"})


class SchedulePreviewBody(Body):
    problem_title = "Nothing to preview"

    schedule = fields.Dict(
        required=True,
        error_messages={
            # marshmallow formats messages: {{ is a brace
            message: 'Give a schedule, e.g. {{"cron": "0 8 * * *"}}.'
            for message in ("required", "null", "invalid")
        },
        metadata={"component": "Schedule"},
    )


class SchedulePreview(Answer):
    timezone = fields.String()
    next_runs = fields.List(Moment())


# Catalog


class Texts(Answer):
    de = fields.String()
    en = fields.String()


class RetryPolicy(Answer):
    attempts = fields.Integer()
    backoff_seconds = fields.Float()


class NodeType(Answer):
    key = fields.String()
    version = fields.Integer()
    kind = fields.String(metadata={"enum": ["trigger", "transform", "action"]})
    connector = fields.String(allow_none=True)
    connector_title = fields.Nested(Texts, allow_none=True)
    title = fields.Nested(Texts)
    description = fields.Nested(Texts)
    params = fields.Dict(metadata={"description": "JSON Schema of the parameters"})
    output_schema = fields.Dict(allow_none=True)
    output_example = fields.Raw(allow_none=True)
    ports = fields.List(fields.String())
    ports_from = fields.Dict(allow_none=True)
    webhook = fields.Boolean()
    auth = fields.Dict(allow_none=True, metadata={"description": "JSON Schema of the account"})
    subscribes = fields.Boolean()
    setup = fields.Raw(allow_none=True)
    fetches = fields.Boolean()
    retry = fields.Nested(RetryPolicy)


class NodeCatalog(Answer):
    nodes = fields.List(fields.Nested(NodeType))
    unavailable = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "Connectors that could not be loaded, with the reason, by key"},
    )


class Function(Answer):
    name = fields.String()
    signature = fields.String()
    description = fields.Nested(Texts)
    example = fields.String()
    result = fields.String()


class FunctionCatalog(Answer):
    functions = fields.List(fields.Nested(Function))


# The shop: members, invitations, settings, audit log, API tokens. The team module checks the
# values and says in both languages what is wrong.


class RoleBody(Body):
    problem_title = "The change is not valid"
    role = Text(metadata={"enum": ROLES})


class InvitationBody(Body):
    problem_title = "The change is not valid"
    email = Text(metadata={"format": "email"})
    role = Text(metadata={"enum": ROLES})


class SettingsBody(Body):
    problem_title = "The change is not valid"
    name = Text(load_default=None)
    timezone = Text(load_default=None, metadata={"description": "e.g. Europe/Berlin"})


class TokenBody(Body):
    problem_title = "The token is not valid"
    name = Text()


class Member(Answer):
    user_id = fields.Integer()
    email = fields.String()
    role = fields.String(metadata={"enum": ROLES})


class MemberList(Answer):
    members = fields.List(fields.Nested(Member))


class Invitation(Answer):
    id = fields.String()
    email = fields.String()
    role = fields.String(metadata={"enum": ROLES})
    created_at = Moment()
    expires_at = Moment()


class InvitationList(Answer):
    invitations = fields.List(fields.Nested(Invitation))


class Settings(Answer):
    id = fields.Integer()
    name = fields.String()
    timezone = fields.String()


class AuditFilter(Query):
    problem_title = "Bad filter"
    before = fields.Integer(
        error_messages={"invalid": "Give the id of an entry."},
        metadata={"description": "Entries older than this id"},
    )


class AuditEvent(Answer):
    id = fields.Integer()
    at = Moment()
    actor = fields.String(allow_none=True)
    action = fields.String()
    target_type = fields.String(allow_none=True)
    target_id = fields.String(allow_none=True)
    detail = fields.Dict(allow_none=True)


class AuditLog(Answer):
    events = fields.List(fields.Nested(AuditEvent))


class Token(Answer):
    id = fields.Integer()
    name = fields.String()
    created_at = Moment()
    last_used_at = Moment(allow_none=True)


class TokenList(Answer):
    tokens = fields.List(fields.Nested(Token))


class NewToken(Token):
    token = fields.String(metadata={"description": "Shown this once"})


# Choices loaded from an account


class OptionsQuery(Body):
    credential = fields.String(metadata={"description": "The account the choices come from"})


class Option(Answer):
    value = fields.Raw()
    label = fields.String()


class Options(Answer):
    items = fields.List(fields.Nested(Option))


# Templates


class LanguageTexts(fields.Field):
    """A text given once, or per language (``{"en": …, "de": …}``, either may stand in for the
    other), as :class:`app.flows.templates.Texts`."""

    def __init__(self, invalid: str, **kwargs: Any):
        messages = {"invalid": invalid, "null": invalid, "required": invalid}
        one_per_language = {
            "type": "object",
            "properties": {"en": {"type": "string"}, "de": {"type": "string"}},
        }
        super().__init__(
            error_messages=messages,
            metadata={"oneOf": [{"type": "string"}, one_per_language]},
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs) -> templates.Texts:
        if isinstance(value, str) and value.strip():
            return templates.Texts.of(value)
        if isinstance(value, dict):
            given = {
                language: text
                for language in ("en", "de")
                if isinstance(text := value.get(language), str) and text.strip()
            }
            if given:
                return templates.Texts.of(given)
        raise self.make_error("invalid")


MARK_NEEDS = "Each parameter needs a pointer and a name."


class Mark(Body):
    """A value of the flow the installer gives instead of the publisher."""

    pointer = Text(
        required=True,
        error_messages={"required": MARK_NEEDS, "invalid": MARK_NEEDS, "null": MARK_NEEDS},
        metadata={"description": "JSON pointer of the value in the flow's graph"},
    )
    name = Text(
        required=True,
        error_messages={"required": MARK_NEEDS, "invalid": MARK_NEEDS, "null": MARK_NEEDS},
    )
    title = LanguageTexts("The title is a text, or one per language.")

    @post_load
    def _marked(self, mark: dict[str, Any], **_kwargs: Any) -> Marked:
        title = mark.get("title") or templates.Texts.of(mark["name"])
        return Marked(mark["pointer"], mark["name"], title.as_dict())


class TemplatePreviewBody(Body):
    problem_title = "The template is not valid"

    flow_id = Name(
        "Name the flow to publish (its id).", required="Name the flow to publish (its id)."
    )
    parameters = fields.List(
        fields.Nested(Mark),
        load_default=list,
        error_messages={"invalid": "Give a list of {{pointer, name, title}}."},
    )


def _text_of(name: str) -> str:
    """marshmallow formats messages: {{ is a brace."""
    return f'Give the template a {name}: a text, or one per language ({{{{"en": …, "de": …}}}}).'


VISIBILITY_CHOICE = (
    "Visibility is private (your shop), link (anyone with the link) or public (the gallery)."
)


class TemplateBody(TemplatePreviewBody):
    title = LanguageTexts(_text_of("title"), required=True)
    description = LanguageTexts(_text_of("description"), required=True)
    category = Text(
        required=True,
        validate=validate.OneOf(CATEGORIES, error=f"Choose a category: {', '.join(CATEGORIES)}."),
        error_messages={"required": f"Choose a category: {', '.join(CATEGORIES)}."},
        metadata={"enum": list(CATEGORIES)},
    )
    visibility = Text(
        load_default="private",
        validate=validate.OneOf(VISIBILITIES, error=VISIBILITY_CHOICE),
        metadata={"enum": list(VISIBILITIES)},
    )


class TemplateChanges(Body):
    """What the publisher may change about a published template (its content changes by
    publishing the flow again)."""

    problem_title = "The template cannot be changed so"

    # Checked for presence after the template is found: another shop's id answers 404 first.
    visibility = Text(
        validate=validate.OneOf(VISIBILITIES, error=VISIBILITY_CHOICE),
        metadata={"enum": list(VISIBILITIES)},
    )


class InstallBody(Body):
    """The accounts and values a template asks for (on update: only what a new version adds)."""

    problem_title = "The template needs more from you"

    credentials = fields.Dict(
        keys=fields.String(),
        values=fields.String(allow_none=True),
        load_default=dict,
        error_messages={"invalid": "Give the accounts as an object of slots and account ids."},
        metadata={"description": "Account id by credential slot"},
    )
    parameters = fields.Dict(
        keys=fields.String(),
        load_default=dict,
        error_messages={"invalid": "Give the parameters as an object of names and values."},
        metadata={"description": "As the template's parameters schema says"},
    )


class TemplateQuery(Query):
    q = fields.String(load_default="", metadata={"description": "Words in title or description"})
    category = fields.String(
        load_default="", metadata={"description": "One of " + ", ".join(CATEGORIES)}
    )


class Removed(Answer):
    pointer = fields.String(metadata={"description": "JSON pointer into the flow's graph"})
    reason = fields.String()


class CredentialSlot(Answer):
    id = fields.String()
    connector = fields.String()
    nodes = fields.List(fields.String(), metadata={"description": "The steps using it"})


class Shared(Answer):
    """What a template or an exported file shares of a flow."""

    graph = Component("Flow")
    credential_slots = fields.List(fields.Nested(CredentialSlot))
    parameters = fields.Dict(metadata={"description": "JSON Schema of the installer's values"})
    removed = fields.List(fields.Nested(Removed))


class TemplatePublished(Answer):
    id = fields.String()
    version = fields.Integer()
    removed = fields.List(fields.Nested(Removed))


class TemplateSummary(Answer):
    id = fields.String()
    title = fields.String()
    category = fields.String(metadata={"enum": list(CATEGORIES)})
    connectors = fields.List(fields.String())
    version = fields.Integer()
    installs = fields.Integer()
    description = fields.String()
    visibility = fields.String(metadata={"enum": list(VISIBILITIES)})
    own = fields.Boolean()
    starter = fields.Boolean()


class TemplateList(Answer):
    items = fields.List(fields.Nested(TemplateSummary))


class TemplateDetail(TemplateSummary):
    titles = fields.Nested(Texts)
    descriptions = fields.Nested(Texts)
    graph = Component("Flow")
    credential_slots = fields.List(fields.Nested(CredentialSlot))
    parameters = fields.Dict(metadata={"description": "JSON Schema of the installer's values"})


class Installed(Answer):
    flow_id = fields.String()


class Changes(Answer):
    added = fields.List(fields.String())
    removed = fields.List(fields.String())
    changed = fields.List(fields.String())


class Install(Answer):
    flow_id = fields.String()
    template_id = fields.String()
    title = fields.String()
    version = fields.Integer()
    latest_version = fields.Integer()
    update_available = fields.Boolean()
    changes = fields.Nested(Changes, metadata={"description": "Step names"})
    new_credential_slots = fields.List(fields.Nested(CredentialSlot))


class InstallList(Answer):
    installs = fields.List(fields.Nested(Install))


class Updated(Answer):
    flow_id = fields.String()
    version = fields.Integer()


# Moving flows


class FlowFile(Shared):
    """An exported flow, as a file."""

    format = fields.String(metadata={"enum": ["shopwire.flow"]})
    format_version = fields.Integer()
    name = fields.String()
    targets = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Where each parameter goes, as JSON pointers"},
    )


class ImportBody(Body):
    """An exported file or an n8n workflow, taken as it is (the import checks it)."""

    problem_title = "The flow cannot be imported"

    class Meta:
        unknown = INCLUDE

    format = fields.Raw(metadata={"type": "string", "description": '"shopwire.flow"'})
    name = fields.Raw(metadata={"type": "string"})
    graph = fields.Raw(metadata={"type": "object", "description": "An exported flow's graph"})
    nodes = fields.Raw(metadata={"type": "array", "description": "An n8n workflow's nodes"})
    connections = fields.Raw(metadata={"type": "object", "description": "An n8n workflow's"})


class Imported(Answer):
    id = fields.String()
    version = fields.Integer()
    notes = fields.List(fields.Nested(ProblemEntry), metadata={"description": "What to look at"})
