"""The database models, importable from one place."""

from app.models.credential import Credential
from app.models.execution import Execution, RejectedEvent, StepRun
from app.models.flow import Flow, FlowVersion, WebhookEndpoint
from app.models.merchant import ApiToken, Membership, Merchant, User

__all__ = [
    "ApiToken",
    "Credential",
    "Execution",
    "Flow",
    "FlowVersion",
    "Membership",
    "Merchant",
    "RejectedEvent",
    "StepRun",
    "User",
    "WebhookEndpoint",
]
