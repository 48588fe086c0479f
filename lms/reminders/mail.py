"""Sending a message: by SMTP when MAIL_SERVER is set, else kept in the outbox for admins."""
import smtplib
from email.message import EmailMessage

from flask import current_app
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..clock import utcnow
from ..extensions import db
from .models import OutboxMessage

RETRY_WITHIN = timedelta(days=1)


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
    """Send messages by SMTP if a server is configured; return how many went.

    Each message is claimed with a guarded UPDATE and committed before it is
    sent, so two runs at once, or a run after a crash, never send it twice
    (a crash mid-send can lose one instead, which the outbox shows). A failure
    is written on the message, which stays in the outbox with the reason.
    """
    config = config or current_app.config
    if not config.get("MAIL_SERVER") or not messages:
        return 0
    now = now or utcnow()
    try:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config.get("MAIL_PORT", 25), timeout=30)
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            message.error = f"Could not reach the mail server: {error}"
        db.session.commit()
        return 0
    sent = 0
    with smtp:
        for message in messages:
            claimed = db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id, OutboxMessage.sent_at.is_(None))
                .values(sent_at=now, error=None)
                .execution_options(synchronize_session=False)).rowcount
            db.session.commit()
            if not claimed:
                continue  # another run has it
            email = EmailMessage()
            email["From"] = config.get("MAIL_FROM") or "academy@localhost"
            email["To"] = message.to_address
            email["Subject"] = message.subject
            email.set_content(message.body)
            try:
                smtp.send_message(email)
            except (OSError, smtplib.SMTPException) as error:
                db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id)
                                   .values(sent_at=None, error=str(error)))
                db.session.commit()
                continue
            sent += 1
    db.session.expire_all()
    return sent


def unsent(now=None, within=RETRY_WITHIN):
    """Messages still to send: those kept in the last day. Older ones stay in the outbox,
    unsent, since a newer digest has said the same thing better."""
    since = (now or utcnow()) - within
    return db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.created_at >= since)
        .order_by(OutboxMessage.id)).all()
