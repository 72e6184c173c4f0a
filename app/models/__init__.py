"""The database models, importable from one place."""

from app.models.alert import Alert, AlertSettings
from app.models.audit import AuditEvent
from app.models.credential import Credential
from app.models.execution import Execution, RejectedEvent, StepRun
from app.models.file import StoredFile
from app.models.flow import Flow, FlowVersion, WebhookEndpoint
from app.models.merchant import ApiToken, Invitation, Membership, Merchant, User, UserSession
from app.models.node_store import NodeState, SeenItem
from app.models.template import Template, TemplateInstall, TemplateVersion

__all__ = [
    "Alert",
    "AlertSettings",
    "ApiToken",
    "AuditEvent",
    "Credential",
    "Execution",
    "Flow",
    "FlowVersion",
    "Invitation",
    "Membership",
    "Merchant",
    "NodeState",
    "RejectedEvent",
    "SeenItem",
    "StepRun",
    "StoredFile",
    "Template",
    "TemplateInstall",
    "TemplateVersion",
    "User",
    "UserSession",
    "WebhookEndpoint",
]
