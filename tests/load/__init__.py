"""Load: respondents played over real HTTP against the application served by gunicorn."""
