"""Alert texts in English and German: what broke, since when, what to do."""

TEXT = {
    "en": {
        "subject": "Shopwire: {count} problem(s) with “{flow}”",
        "subject_shop": "Shopwire: {count} problem(s) in your shop",
        "intro": "Shopwire noticed the following. Nothing was lost: every event is kept.",
        "failed_run": "A run failed at step “{step}” (since {since}): {error}\n"
        "What to do: open the run, fix the cause, then press “Retry from this step”.\n{link}",
        "repeated_failures": "{count} runs failed within the last hour (since {since}).\n"
        "What to do: open the runs list; the same error again and again usually means a "
        "changed field or an account that needs attention.\n{link}",
        "quiet_trigger": "The trigger “{node}” has received no event since {since}; it usually "
        "receives one every {gap}.\nWhat to do: check that the webhook is still registered in "
        "the provider's settings, or switch the flow off and on again to register it anew.\n"
        "{link}",
        "account": "The account “{name}” ({connector}) stopped working (since {since}): "
        "{message}\nWhat to do: open Accounts and connect it again.\n{link}",
        "subscription_restored": "{provider} had removed the webhook of the trigger "
        "“{node}” (since {since}), usually after its deliveries failed for hours. Shopwire "
        "registered it again and started the {count} event(s) missed meanwhile.\n"
        "What to do: nothing; if it happens again, check that Shopwire is reachable from the "
        "internet.\n{link}",
        "shop_level": "your shop",
        "settings_title": "Alerts",
        "settings_lead": "Shopwire tells you when a flow stops working: at most one e-mail "
        "per flow per hour.",
        "emails": "E-mail addresses (comma-separated)",
        "webhook": "Incoming webhook URL (Slack or Microsoft Teams)",
        "webhook_set": "A webhook URL is set; enter a new one to replace it, or tick “remove”.",
        "remove": "remove",
        "format": "Format",
        "language": "Language of the alerts",
        "on_failed_run": "a run failed",
        "on_repeated_failures": "runs keep failing",
        "on_quiet_trigger": "a trigger has gone quiet",
        "on_account": "an account stopped working",
        "save": "Save alerts",
        "saved": "Alert settings saved.",
        "bad_email": "“{email}” is not an e-mail address.",
        "bad_url": "The webhook URL must start with https://.",
        "operations": "Operations",
        "checks": "Readiness",
        "queues": "Queues",
        "queue": "Queue",
        "waiting": "waiting",
        "scheduled": "scheduled",
        "failed": "failed",
        "workers": "Workers",
        "host": "Host",
        "state": "State",
        "heartbeat": "Last heartbeat",
        "schedulers": "Schedulers",
        "no_schedulers": "No scheduler is running: stranded executions stay, schedules do "
        "not fire and alerts are not sent. Start `shopwire scheduler`.",
        "no_workers": "No worker is running: executions wait. Start `shopwire worker`.",
        "executions": "Executions in progress",
        "stranded": "Stranded executions",
        "stranded_none": "None.",
        "stranded_lead": "The sweeper hands these to a worker; if they stay, check the "
        "scheduler and the workers.",
        "shop": "Shop",
        "since": "Since",
        "chart_label": "Runs and failures per hour",
        "last_event": "Last event received",
        "no_event": "none yet",
        "slowest_steps": "Slowest steps (7 days)",
        "mean": "mean",
        "runs": "runs",
    },
    "de": {
        "subject": "Shopwire: {count} Problem(e) mit „{flow}“",
        "subject_shop": "Shopwire: {count} Problem(e) in Ihrem Shop",
        "intro": "Shopwire hat Folgendes bemerkt. Verloren ist nichts: jedes Ereignis bleibt "
        "gespeichert.",
        "failed_run": "Ein Lauf ist bei Schritt „{step}“ fehlgeschlagen (seit {since}): "
        "{error}\nWas tun: Lauf öffnen, Ursache beheben, dann „Ab diesem Schritt wiederholen“.\n"
        "{link}",
        "repeated_failures": "{count} Läufe sind in der letzten Stunde fehlgeschlagen (seit "
        "{since}).\nWas tun: Liste der Läufe öffnen; immer derselbe Fehler bedeutet meist ein "
        "geändertes Feld oder ein Konto, das Aufmerksamkeit braucht.\n{link}",
        "quiet_trigger": "Der Auslöser „{node}“ hat seit {since} kein Ereignis erhalten; "
        "üblicherweise kommt alle {gap} eines.\nWas tun: prüfen, ob der Webhook beim Anbieter "
        "noch eingetragen ist, oder den Flow aus- und wieder einschalten, um ihn neu "
        "anzumelden.\n{link}",
        "account": "Das Konto „{name}“ ({connector}) funktioniert nicht mehr (seit {since}): "
        "{message}\nWas tun: unter Konten neu verbinden.\n{link}",
        "subscription_restored": "{provider} hatte den Webhook des Auslösers „{node}“ "
        "entfernt (seit {since}), meist nachdem Zustellungen stundenlang fehlschlugen. Shopwire "
        "hat ihn neu angemeldet und die {count} inzwischen verpassten Ereignisse gestartet.\n"
        "Was tun: nichts; passiert es wieder, prüfen, ob Shopwire aus dem Internet erreichbar "
        "ist.\n{link}",
        "shop_level": "Ihr Shop",
        "settings_title": "Benachrichtigungen",
        "settings_lead": "Shopwire meldet sich, wenn ein Flow nicht mehr funktioniert: "
        "höchstens eine E-Mail pro Flow und Stunde.",
        "emails": "E-Mail-Adressen (durch Komma getrennt)",
        "webhook": "Eingehende Webhook-URL (Slack oder Microsoft Teams)",
        "webhook_set": "Eine Webhook-URL ist hinterlegt; eine neue eingeben, um sie zu "
        "ersetzen, oder „entfernen“ ankreuzen.",
        "remove": "entfernen",
        "format": "Format",
        "language": "Sprache der Benachrichtigungen",
        "on_failed_run": "ein Lauf ist fehlgeschlagen",
        "on_repeated_failures": "Läufe schlagen wiederholt fehl",
        "on_quiet_trigger": "ein Auslöser ist verstummt",
        "on_account": "ein Konto funktioniert nicht mehr",
        "save": "Benachrichtigungen speichern",
        "saved": "Benachrichtigungen gespeichert.",
        "bad_email": "„{email}“ ist keine E-Mail-Adresse.",
        "bad_url": "Die Webhook-URL muss mit https:// beginnen.",
        "operations": "Betrieb",
        "checks": "Bereitschaft",
        "queues": "Warteschlangen",
        "queue": "Warteschlange",
        "waiting": "wartend",
        "scheduled": "geplant",
        "failed": "fehlgeschlagen",
        "workers": "Worker",
        "host": "Rechner",
        "state": "Zustand",
        "heartbeat": "Letztes Lebenszeichen",
        "schedulers": "Scheduler",
        "no_schedulers": "Kein Scheduler läuft: liegengebliebene Läufe bleiben liegen, "
        "Zeitpläne starten nicht, Benachrichtigungen gehen nicht hinaus. `shopwire scheduler` "
        "starten.",
        "no_workers": "Kein Worker läuft: Läufe warten. `shopwire worker` starten.",
        "executions": "Laufende Ausführungen",
        "stranded": "Liegengebliebene Läufe",
        "stranded_none": "Keine.",
        "stranded_lead": "Der Sweeper übergibt sie einem Worker; bleiben sie liegen, Scheduler "
        "und Worker prüfen.",
        "shop": "Shop",
        "since": "Seit",
        "chart_label": "Läufe und Fehler pro Stunde",
        "last_event": "Letztes Ereignis empfangen",
        "no_event": "noch keines",
        "slowest_steps": "Langsamste Schritte (7 Tage)",
        "mean": "Mittel",
        "runs": "Läufe",
    },
}
