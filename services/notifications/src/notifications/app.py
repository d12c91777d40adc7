"""Wiring: the one place that builds the notifications service's parts."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from mentorship_kit.auth import Authenticator, program_manager
from mentorship_kit.http import create_http_app
from mentorship_kit.program_access import ProgramManagers
from mentorship_kit.pseudonyms import Pseudonyms
from mentorship_kit.runtime import ServiceRuntime
from notifications.adapters.chat import ChatSender
from notifications.adapters.mail import SmtpConfig, SmtpSender
from notifications.adapters.metrics import DeliveryMetrics
from notifications.adapters.services import PlatformClient
from notifications.adapters.store import (
    Deliveries,
    Facts,
    Occasions,
    PreferencesStore,
    ProgramSettingsStore,
)
from notifications.adapters.templates import Templates
from notifications.domain.deliveries import RetryPolicy
from notifications.entrypoints import workers
from notifications.entrypoints.http.errors import ERROR_MAPPERS
from notifications.entrypoints.http.routes import (
    admin_router,
    me_router,
    nudge_router,
    unsubscribe_router,
)
from notifications.entrypoints.subscriptions import register_event_handlers
from notifications.settings import NotificationsSettings
from notifications.usecases.admin import Administration
from notifications.usecases.composing import Composer, Links
from notifications.usecases.dispatch import ChatDefaults, Dispatcher
from notifications.usecases.intake import AdminMail, Intake
from notifications.usecases.nudges import Nudges
from notifications.usecases.people import People
from notifications.usecases.planning import Planner, PlanningRules
from notifications.usecases.scheduled import Scheduled

OCCASIONS_CATCH_UP_POLLS = 10
"""How many polls the occasions loop waits for the consumer to catch up before it runs anyway."""


def _secret(value: object) -> str | None:
    return value.get_secret_value() if value is not None else None  # type: ignore[attr-defined]


def link_key(settings: NotificationsSettings) -> bytes:
    """The key that signs unsubscribe links."""
    key = _secret(settings.link_key) or _secret(settings.auth_pseudonym_key)
    if not key:
        msg = "LINK_KEY (or AUTH_PSEUDONYM_KEY) is required: it signs unsubscribe links"
        raise ValueError(msg)
    return key.encode()


def build_app(settings: NotificationsSettings | None = None) -> FastAPI:
    """The notifications service's ASGI app."""
    settings = settings or NotificationsSettings()
    runtime = ServiceRuntime(settings)
    database = runtime.database
    deliveries = Deliveries(database)
    facts = Facts(database)
    preferences = PreferencesStore(database)
    programs = ProgramSettingsStore(database)
    occasions = Occasions(database)
    runtime.add_indexes(deliveries.indexes(), *facts.indexes())
    key = link_key(settings)
    metrics = DeliveryMetrics(runtime.metrics)
    planner = Planner(deliveries, facts, preferences, programs, PlanningRules(settings.digest_hour))
    managers = ProgramManagers(database)
    runtime.add_indexes(managers.indexes())
    platform = PlatformClient(
        registration_url=settings.registration_url,
        feedback_url=settings.feedback_url,
        analytics_url=settings.analytics_url,
        token=_secret(settings.service_token) or _secret(settings.auth_admin_token),
        registration_token=_secret(settings.registration_token),
        contact_cache_s=settings.contact_cache_s,
        timeout_s=settings.service_timeout_s,
    )
    people = People(
        runtime.transactor,
        preferences=preferences,
        deliveries=deliveries,
        facts=facts,
        link_key=key,
        programs=programs,
        platform=platform,
    )
    admins = AdminMail(
        emails=settings.admin_addresses,
        erasure_requests_url=f"{settings.portal_base_url.rstrip('/')}/console/erasure-requests",
    )
    register_event_handlers(
        runtime.handlers, Intake(facts, programs, planner, managers, admins), people, managers
    )
    composer = Composer(
        facts=facts,
        programs=programs,
        preferences=preferences,
        deliveries=deliveries,
        platform=platform,
        templates=Templates(),
        links=Links(
            public_base_url=settings.public_base_url,
            portal_base_url=settings.portal_base_url,
            link_key=key,
            mail_from=settings.mail_from,
            mail_domain=settings.mail_domain,
            default_language=settings.default_language,
        ),
    )
    smtp = SmtpSender(
        SmtpConfig(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value(),
            ca_file=settings.smtp_ca_file,
            timeout_s=settings.smtp_timeout_s,
            connections=settings.smtp_connections,
            rate_per_s=settings.smtp_rate_per_s,
            messages_per_connection=settings.smtp_messages_per_connection,
        )
    )
    chat = ChatSender(
        slack_api_url=settings.slack_api_url,
        slack_bot_token=_secret(settings.slack_bot_token),
        timeout_s=settings.service_timeout_s,
    )
    dispatcher = Dispatcher(
        deliveries=deliveries,
        programs=programs,
        composer=composer,
        smtp=smtp,
        chat=chat,
        chat_defaults=ChatDefaults(
            slack_webhook_url=_secret(settings.slack_webhook_url),
            teams_webhook_url=_secret(settings.teams_webhook_url),
        ),
        policy=RetryPolicy(
            settings.delivery_max_attempts,
            settings.delivery_backoff_s,
            settings.delivery_backoff_max_s,
        ),
        metrics=metrics,
        lease=timedelta(seconds=settings.delivery_lease_s),
        batch_size=settings.delivery_batch_size,
        concurrency=settings.smtp_connections * 2,
    )
    scheduled = Scheduled(
        transactor=runtime.transactor,
        deliveries=deliveries,
        facts=facts,
        programs=programs,
        occasions=occasions,
        planner=planner,
        platform=platform,
        survey_closing_lead_days=settings.survey_closing_lead_days,
        health_digest_weekday=settings.health_digest_weekday,
        program_managers=managers,
    )
    runtime.add_background_loop("sender", workers.sender(dispatcher, settings.delivery_poll_s))
    runtime.add_background_loop(
        "occasions",
        workers.occasions(
            scheduled,
            settings.schedule_poll_s,
            runtime.consumer_caught_up,
            catch_up_limit_s=OCCASIONS_CATCH_UP_POLLS * settings.schedule_poll_s,
        ),
    )
    runtime.add_background_loop("delivery-gauges", workers.gauges(dispatcher))
    runtime.add_background_loop("close-clients", workers.closing(smtp, chat, platform))
    caller, _ = Authenticator(settings).dependencies()
    app = create_http_app(
        runtime,
        title="Mentorship notifications",
        description=(
            "Turns the platform's events into e-mail (HTML and text, with calendar invitations "
            "as iTIP REQUEST/CANCEL parts), Slack and Teams messages, per each person's "
            "preferences, exactly once per event, recipient, channel and kind. Participants "
            "set their preferences and export their data under `/v1/me`; admins (and each "
            "program's managers, in their programs only: 403 elsewhere) see deliveries and "
            "failures and set each program's branding, chat destinations and manager "
            "recipients."
        ),
        routers=[
            me_router(people, caller),
            unsubscribe_router(people),
            admin_router(
                Administration(
                    runtime.transactor,
                    deliveries,
                    programs,
                    managers,
                    Pseudonyms(settings.auth_pseudonym_key).person_id,
                ),
                caller,
                program_manager(caller, managers.of),
            ),
            nudge_router(
                Nudges(runtime.transactor, facts, planner, managers),
                program_manager(caller, managers.of),
            ),
        ],
        error_mappers=ERROR_MAPPERS,
    )
    app.state.runtime = runtime
    app.state.dispatcher = dispatcher
    app.state.scheduled = scheduled
    return app
