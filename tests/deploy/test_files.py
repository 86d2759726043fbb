"""The deployment files say the same as the code: every setting documented, the limits equal."""
import re

from evalapp.config import from_environment
from tests.load.server import ROOT, SHIPPED_CONFIG

DEPLOY = ROOT / "docs" / "deploy"


def settings_read(path) -> set[str]:
    """The environment variables a Python file reads with os.environ.get("NAME"...)."""
    return set(re.findall(r'os\.environ\.get\(\s*["\']([A-Z_]+)["\']', path.read_text()))


def test_every_setting_is_in_the_environment_file_and_the_readme():
    names = settings_read(ROOT / "evalapp" / "config.py") | settings_read(SHIPPED_CONFIG)
    assert {"DATABASE_URL", "SECRET_KEY", "PROXY_COUNT", "BIND", "WEB_CONCURRENCY"} <= names
    example = (DEPLOY / "evalapp.env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    settings_table = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    assert [n for n in sorted(names) if not re.search(rf"^#?{n}=", example, re.M)] == []
    assert [n for n in sorted(names) if f"`{n}`" not in settings_table] == []


def test_nginx_refuses_the_bodies_the_application_refuses(tmp_path):
    """Equal limits: with nginx's above the application's, the application would answer 413 before
    reading a body between the two, and nginx, still sending it, would give the visitor 502."""
    nginx = (DEPLOY / "nginx-evalapp.conf").read_text()
    settings = from_environment(str(tmp_path))
    server, import_page = nginx.split("location = /o/import {", 1)
    import_page = import_page.split("}", 1)[0]
    megabytes = re.findall(r"^\s*client_max_body_size (\d+)m;", server, re.M)
    assert [int(m) * 1024 * 1024 for m in megabytes] == [settings["MAX_CONTENT_LENGTH"]]
    # The import page alone takes a national directory: its own limit, the application's IMPORT_MAX_MB.
    assert re.findall(r"client_max_body_size (\d+)m;", import_page) == [str(int(settings["IMPORT_MAX_MB"]))]
