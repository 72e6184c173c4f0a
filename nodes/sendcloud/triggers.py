"""Sendcloud's ready-made trigger; any other webhook action is sendcloud.event."""

from __future__ import annotations

from nodes.kit.examples import example
from nodes.sendcloud import sendcloud

SETUP = {
    "en": "Sendcloud has no API to register webhooks: copy the address above, open Sendcloud → "
    'Settings → Integrations → your API integration, switch on "Webhook feedback enabled" '
    "and paste the address as the webhook URL. Deliveries are signed with the integration's "
    "secret key, the one in the Sendcloud account here.",
    "de": "Sendcloud hat keine Schnittstelle, um Webhooks anzumelden: Kopieren Sie die Adresse "
    "oben, öffnen Sie Sendcloud → Einstellungen → Integrationen → Ihre API-Integration, "
    "schalten Sie „Webhook-Feedback aktiviert“ ein und fügen Sie die Adresse als Webhook-URL "
    "ein. Zustellungen sind mit dem geheimen Schlüssel der Integration signiert, dem im "
    "Sendcloud-Konto hier.",
}

sendcloud.event_trigger(
    "parcel_status_changed",
    event="parcel_status_changed",
    output_example=example("sendcloud", "webhook.parcel_status_changed"),
    setup=SETUP,
)
