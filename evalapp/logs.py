"""Invitation tokens never reach the logs: access log lines show /r/<token> instead."""
import logging
import re

TOKEN_IN_PATH = re.compile(r"/r/[A-Za-z0-9_-]{16,}")


class TokenRedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/r/" in message:
            record.msg, record.args = TOKEN_IN_PATH.sub("/r/<token>", message), ()
        return True


def redact_tokens() -> None:
    """Install the filter on the access loggers of the development server and of gunicorn."""
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenRedactingFilter) for f in logger.filters):
            logger.addFilter(TokenRedactingFilter())
