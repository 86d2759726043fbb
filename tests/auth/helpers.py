"""What a browser does on the organisers' side: log out, copy its cookies."""
from tests.factories import login
from tests.respond.helpers import csrf_token


def logout(client):
    response = client.post("/o/logout", data={"csrf_token": csrf_token(client.get("/o/password").text)})
    assert response.status_code == 303
    return response


def usual_browser(app, email="orga@example.org", password="correct horse battery", **environ):
    """A browser the organiser has logged in with before, and logged out of since."""
    client = app.test_client()
    assert login(client, email, password, **environ).status_code == 303
    logout(client)
    return client


def copy_of_cookies(app, client):
    """Another browser holding a copy of ``client``'s cookies (as someone who copied them would)."""
    copy = app.test_client()
    for cookie in client._cookies.values():
        copy.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return copy
