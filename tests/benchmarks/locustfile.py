"""Locust users for `make bench-http` (run headless by tests/benchmarks/http.py, not by hand).

    Respondent   takes an invitation link from the file named by EVALAPP_LOAD_TOKENS
                 ("token side" per line) and plays it from the welcome page to the submission
                 (tests/load/respondent.py: a GET and a POST per page, CSRF tokens, redirects),
                 then takes the next link; stops when none is left.
    Hello        asks for /healthz: the bare endpoint of the same server, the baseline.

Requests are grouped by page kind (welcome, start, section, review, submit) in the statistics.
"""
import os
import re
from itertools import count

from locust import HttpUser, constant, events, task
from locust.exception import StopUser

from tests.load.respondent import walk

PAGES = [(re.compile(r"/r/[^/]+/p/[^/]+$"), "/r/[token]/p/[section]"), (re.compile(r"/r/[^/]+/start$"), "/r/[token]/start"),
         (re.compile(r"/r/[^/]+/review$"), "/r/[token]/review"), (re.compile(r"/r/[^/]+/submit$"), "/r/[token]/submit"),
         (re.compile(r"/r/[^/]+$"), "/r/[token]")]
_links: list[tuple[str, str]] = []
_next = count()


@events.init.add_listener
def read_links(environment, **kwargs):
    path = os.environ.get("EVALAPP_LOAD_TOKENS")
    if path:
        _links.extend(tuple(line.split()) for line in open(path) if line.strip())


class Grouped:
    """The walk's client: locust's session, each request named by its page kind."""

    def __init__(self, client):
        self.client = client

    def get(self, url, **kwargs):
        return self.client.get(url, name=self._name(url), **kwargs)

    def post(self, url, **kwargs):
        return self.client.post(url, name=self._name(url), **kwargs)

    @staticmethod
    def _name(url):
        return next((name for pattern, name in PAGES if pattern.search(url)), url)


class Respondent(HttpUser):
    wait_time = constant(0)

    @task
    def answer_a_questionnaire(self):
        number = next(_next)
        if number >= len(_links):
            raise StopUser()
        token, side = _links[number]
        walk(Grouped(self.client), self.host, token, side, seed=number)


class Hello(HttpUser):
    wait_time = constant(0)

    @task
    def healthz(self):
        self.client.get("/healthz")
