"""Sending a message: by SMTP when MAIL_SERVER is set, else kept in the outbox for admins."""
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..clock import utcnow
from ..extensions import db
from .models import OutboxMessage


def queue_message(key, user, subject, body, now=None):
    """Keep a message in the outbox once per key; None when this key was already used."""
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)):
        return None
    message = OutboxMessage(key=key, user_id=user.id, to_address=user.email, subject=subject,
                            body=body, created_at=now or utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:  # a second `lms remind` running at the same moment
        return None
    return message


def deliver(messages, config=None, now=None):
    """Send unsent messages by SMTP if a server is configured; return how many went.

    A failure is written on the message and it stays in the outbox, so the next
    run tries again and an admin can see why.
    """
    config = config or current_app.config
    if not config.get("MAIL_SERVER") or not messages:
        return 0
    sent = 0
    try:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config.get("MAIL_PORT", 25), timeout=30)
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            message.error = f"Could not reach the mail server: {error}"
        return 0
    with smtp:
        for message in messages:
            email = EmailMessage()
            email["From"] = config.get("MAIL_FROM") or "academy@localhost"
            email["To"] = message.to_address
            email["Subject"] = message.subject
            email.set_content(message.body)
            try:
                smtp.send_message(email)
            except (OSError, smtplib.SMTPException) as error:
                message.error = str(error)
                continue
            message.sent_at, message.error = now or utcnow(), None
            sent += 1
    return sent


def unsent():
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
                              .order_by(OutboxMessage.id)).all()
