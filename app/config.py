"""Settings: one class, read from the environment (UPPER_CASE names) and CLI flags."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = f"sqlite:///{Path('var') / 'shop.sqlite3'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = DEFAULT_DATABASE_URL
    seed: str = "docs"

    shop_domain: str = "jsmith.myshopify.com"
    shop_timezone: str = "America/New_York"
    shop_currency: str = "USD"
    # Where product links in event messages point. Shopify's documented product events link to
    # the newer admin URL form; empty means `https://admin.myshopify.io/store/<shop handle>/admin`.
    product_admin_base: str = ""

    # Accepted access tokens; empty means "any non-empty token".
    access_tokens: Annotated[list[str], NoDecode] = []

    # API versions: computed from today's date unless pinned here.
    api_oldest_supported: str | None = None
    api_newest: str | None = None

    # Signs page_info cursors so a tampered cursor is refused. Instances sharing a database
    # must share it (the default is shared by every instance).
    page_info_secret: str = "shopify-events-mock"

    # Contract-testing toolkit (app/toolkit): everything off by default. The rate limit, latency,
    # faults, lag and seed are the starting point of the run-time config (`/_sandbox/config`).
    sandbox_api: bool = True  # false: no /_sandbox/ control API at all (shared deployments)
    sandbox_admin_token: str | None = None  # required in X-Sandbox-Admin-Token when set
    rate_limit: str = "off"  # off | standard | advanced | plus | SIZE/LEAK_PER_SECOND
    latency: str = "0"  # milliseconds: "50", "20-200" (uniform) or "normal:100,30"
    fault_rate: float = 0.0  # probability of a fault per Admin API request
    fault_kinds: str = "429,500,503,drop"  # chosen from, evenly (lost: actions only)
    lag: str = "0"  # seconds before a new event is visible: "3" or "1-5" (uniform per event)
    sandbox_seed: int = 0  # seeds latency, faults and lag
    api_deprecation_months: int = 0  # versions retiring within N months get the header
    request_log: bool = False  # one line per request: method, path, status, ms
    reseed_on_start: bool = False  # empty the shop and load SEED at startup (serve --reload)

    # Request bodies larger than this get 413 (large enough for bulk event imports).
    max_body_bytes: int = 10 * 1024 * 1024

    # Browser origins allowed to call the API (CORS); empty means CORS is off.
    cors_allow_origins: Annotated[list[str], NoDecode] = []

    @field_validator("access_tokens", "cors_allow_origins", mode="before")
    @classmethod
    def _split_tokens(cls, value: object) -> object:
        if isinstance(value, str):
            return [t.strip() for t in value.split(",") if t.strip()]
        return value

    @field_validator("shop_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.shop_timezone)

    @property
    def shop_handle(self) -> str:
        return self.shop_domain.split(".", 1)[0]

    @property
    def product_admin_root(self) -> str:
        base = self.product_admin_base.rstrip("/")
        return base or f"https://admin.myshopify.io/store/{self.shop_handle}/admin"


@lru_cache
def get_settings() -> Settings:
    return Settings()
