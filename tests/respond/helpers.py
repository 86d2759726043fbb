"""Helpers to walk the respondent's pages like a browser would."""
import re
import threading

from evalapp.questionnaires import DEFINITIONS_DIR
from evalapp.questionnaires.definition import Item
from evalapp.questionnaires.loader import read_definition

AICT = read_definition(DEFINITIONS_DIR / "aict-v1.yaml")
#: The demo's questionnaire (evalapp/demo.py): the round the browser tests answer.
DEMO_AICT = read_definition(DEFINITIONS_DIR / "aict-v2.yaml")


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def valid_answer(item: Item) -> dict:
    """Form data that answers ``item`` correctly."""
    return item.kind.sample_form_data(item)


def section_data(code: str, side: str = "home", definition=AICT) -> dict:
    data = {}
    for item in definition.section(side, code).items_for(side):
        data.update(valid_answer(item))
    return data


def start(client, token: str, role: str = "international_staff"):
    page = client.get(f"/r/{token}")
    return client.post(f"/r/{token}/start", data={"csrf_token": csrf_token(page.text), "respondent_role": role})


def post_section(client, token: str, code: str, data: dict, action: str = "next"):
    page = client.get(f"/r/{token}/p/{code}")
    return client.post(f"/r/{token}/p/{code}", data={"csrf_token": csrf_token(page.text), "action": action, **data})


def fill_everything(client, token: str, side: str = "home", definition=AICT):
    start(client, token)
    for section in definition.sections_for(side):
        response = post_section(client, token, section.code, section_data(section.code, side, definition))
        assert response.status_code == 303, response.text
    return response


def submit(client, token: str):
    page = client.get(f"/r/{token}/review")
    return client.post(f"/r/{token}/submit", data={"csrf_token": csrf_token(page.text)})


def submit_at_once(tabs: list[tuple]) -> list[int]:
    """Post (client, token, form's CSRF token) submits from threads released together; their statuses."""
    barrier = threading.Barrier(len(tabs))
    statuses = []

    def send(client, token, form_token):
        barrier.wait()
        statuses.append(client.post(f"/r/{token}/submit", data={"csrf_token": form_token}).status_code)

    threads = [threading.Thread(target=send, args=tab) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def form_as_shown(html: str) -> dict:
    """What a browser would send back from the answer form as it is shown: hidden and text inputs,
    ticked boxes and buttons, text areas (a little browser, for tests that send a page again)."""
    from html import unescape

    form = html[html.index('<form id="answers"'):]
    form = form[:form.index("</form>")]
    sent: dict = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag).group(1)
        if not name or (kind in ("radio", "checkbox") and not re.search(r"\bchecked\b", tag)):
            continue
        value = unescape(value.group(1)) if value else ""
        if kind == "checkbox":
            sent.setdefault(name.group(1), []).append(value)
        else:
            sent[name.group(1)] = value
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        sent[name] = unescape(text)
    return sent
