"""Read a round's figures through evalapp's API, as a network's own dashboard would (standard library only).

    python docs/api_example.py --url http://127.0.0.1:5000 --token evk_... [ROUND_ID]

Without ROUND_ID it lists the rounds the token reads. With one, it prints the round's counts and theme
indices (the dashboard's "Theme indices" table), then reads every submitted response page by page and
counts them. The token is made on the organisers' account page (/o/account).
"""
import argparse
import json
import sys
import urllib.error
import urllib.request


def client(base_url: str, token: str):
    """A function that GETs a path (or a full address) of the API and returns its JSON."""

    def get(path: str) -> dict:
        url = path if path.startswith("http") else base_url.rstrip("/") + path
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            message = json.load(error).get("error", {}).get("message", error.reason)
            raise SystemExit(f"{error.code}: {message}") from None
        except urllib.error.URLError as error:  # no server there, a wrong address, a refused connection
            raise SystemExit(f"evalapp cannot be reached at {base_url}: {error.reason}") from None

    return get


def round_figures(get, round_id: int) -> dict:
    """The round's counts and theme indices, and the number of responses read page by page."""
    figures = get(f"/api/v1/rounds/{round_id}/aggregates")
    read, page = 0, get(f"/api/v1/rounds/{round_id}/responses?limit=100")
    while True:
        read += len(page["responses"])
        if not page["next"]:
            break
        page = get(page["next"])
    return {
        "invited": figures["counts"]["invited"],
        "submitted": figures["counts"]["submitted"],
        "responses_read": read,
        "themes": {t["theme"]: {"n": t["n"], "mean": t["mean"], "sd": t["sd"], "min": t["min"], "max": t["max"]}
                   for t in figures["themes"]},
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--token", required=True)
    parser.add_argument("round_id", nargs="?", type=int)
    args = parser.parse_args(argv)
    get = client(args.url, args.token)
    if args.round_id is None:
        for r in get("/api/v1/rounds")["rounds"]:
            print(f"{r['id']:>4}  {r['title']}  ({r['responses'].get('submitted', 0)} submitted of {r['invited']})")
        return
    figures = round_figures(get, args.round_id)
    print(f"invited {figures['invited']}, submitted {figures['submitted']}, responses read {figures['responses_read']}")
    print(f"{'theme':<14}{'n':>5}{'mean':>8}{'sd':>8}{'min':>8}{'max':>8}")
    for theme, t in figures["themes"].items():
        cells = [f"{v:8.0f}" if v is not None else f"{'—':>8}" for v in (t["mean"], t["sd"], t["min"], t["max"])]
        print(f"{theme:<14}{t['n'] if t['n'] is not None else '—':>5}{''.join(cells)}")


if __name__ == "__main__":
    sys.exit(main())
