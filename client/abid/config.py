"""Where the client finds the portal's URL and the user's API token.

Order: the `--url`/`--token` arguments, then `ABID_URL`/`ABID_TOKEN`, then the config file that
`abid login` writes (`$ABID_CONFIG`, default `~/.config/abid/config.json`). The file keeps one
token per portal URL, so a token is only ever sent to the portal that issued it, and it is
created readable by its owner only (0600): it holds a credential.
"""

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from abid.errors import AbidError

DEFAULT_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Settings:
    url: str
    token: str | None


def config_path() -> Path:
    if "ABID_CONFIG" in os.environ:
        return Path(os.environ["ABID_CONFIG"])
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "abid" / "config.json"


def read_config() -> dict:
    path = config_path()
    if not path.exists():
        return {}
    try:
        config = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as error:
        raise AbidError(f"{path}: not a config file of abid ({error}); fix or delete it") from None
    if not isinstance(config, dict):
        raise AbidError(f"{path}: not a config file of abid (a JSON object expected)")
    return config


def settings(url: str | None = None, token: str | None = None) -> Settings:
    config = read_config()
    url = (url or os.environ.get("ABID_URL") or config.get("url") or DEFAULT_URL).rstrip("/")
    token = token or os.environ.get("ABID_TOKEN") or config.get("tokens", {}).get(url)
    return Settings(url=url, token=token)


def save_token(url: str, token: str) -> Path:
    """Store `token` for `url` and make `url` the default portal. The file is written beside
    its final name with mode 0600 and then renamed, so it is never readable by others, not
    even for a moment, and never left half-written."""
    url = url.rstrip("/")
    config = read_config()
    config["url"] = url
    config.setdefault("tokens", {})[url] = token
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".config-")  # mode 0600
    with os.fdopen(handle, "w") as stream:
        json.dump(config, stream, indent=2)
    os.replace(temporary, path)
    return path
