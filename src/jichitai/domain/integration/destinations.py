"""Where a webhook may be sent: the URL's form and the addresses its host may stand for.

A webhook carries signed resident data to a URL an administrator typed in. Unchecked, that URL
could name the server's own loopback services, the cloud metadata address or the municipality's
internal network (server-side request forgery), or hide credentials and header injections in its
text. This module decides, without any I/O:

- ``parse_webhook_url``: is the text an acceptable URL (http(s), a host, no userinfo, no control
  characters, spaces or backslashes, ASCII outside the host, at most ``MAX_URL_LENGTH``), and
  what host, port and path does it name? A host written as a number is read the way the
  operating system's resolver reads it (``inet_aton``: ``127.1``, ``0x7f000001``,
  ``2130706433``, ``0177.0.0.1``), so no spelling slips past as a "name".
- ``DestinationPolicy``: may a connection go to this IP address? Only to globally reachable
  unicast addresses, unless the address lies in a network the operator allowed
  (``JICHITAI_WEBHOOK_ALLOWED_NETWORKS``); plain ``http`` only to such allowed networks.

The check is made twice: when the URL is registered (the service resolves the host name) and
again before every delivery (the transport resolves it, checks every address and connects to the
checked one), so a name that later resolves elsewhere (DNS rebinding) is caught too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_network
from urllib.parse import urlsplit

from jichitai.domain.errors import DomainError, Violation

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

MAX_URL_LENGTH = 400
SCHEMES = {"https": 443, "http": 80}
FIELD = "webhook_url"

URL_INVALID = Violation(
    "subscriber.webhook_url_invalid",
    "Webhook の送信先は https:// 又は http:// で始まりホスト名のある"
    f"{MAX_URL_LENGTH}文字以内のURLで指定してください（利用者名・パスワード、空白、改行等の制御文字、"
    "バックスラッシュは使えません。ホスト名以外は半角英数字と記号で書いてください）",
    FIELD,
)
DESTINATION_FORBIDDEN = Violation(
    "subscriber.webhook_destination_forbidden",
    "Webhook の送信先に、内部ネットワーク・ループバック・リンクローカル等のインターネット上に"
    "公開されていないアドレスは指定できません（システムの運用管理者が許可したネットワークを除く）",
    FIELD,
)
HTTPS_REQUIRED = Violation(
    "subscriber.webhook_https_required",
    "Webhook の送信先には https:// を使ってください"
    "（http:// はシステムの運用管理者が許可したネットワーク内の送信先に限ります）",
    FIELD,
)
HOST_UNRESOLVABLE = Violation(
    "subscriber.webhook_host_unresolvable",
    "Webhook の送信先のホスト名を名前解決できません",
    FIELD,
)

_HOST_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_NUMBER = re.compile(r"^(?:[0-9]+|0x[0-9a-f]*)$")

NEVER: tuple[IPNetwork, ...] = (
    ip_network("0.0.0.0/8"),
    ip_network("255.255.255.255/32"),
    ip_network("::/128"),
    ip_network("224.0.0.0/4"),
    ip_network("ff00::/8"),
)
"""Never a receiver, even inside an allowed network: "this host" (0.0.0.0 reaches the local
machine on Linux), the limited broadcast and multicast."""

NOT_PUBLIC_V4: tuple[IPv4Network, ...] = (
    IPv4Network("192.0.0.0/24"),  # IETF protocol assignments (3.11 calls .9 and .10 global)
    IPv4Network("192.88.99.0/24"),  # deprecated 6to4 relay anycast (RFC 7526)
)
NOT_PUBLIC_V6: tuple[IPv6Network, ...] = (
    IPv6Network("2002::/16"),  # 6to4: a tunnel to the embedded IPv4 address (RFC 7526)
    IPv6Network("2001::/32"),  # Teredo: a tunnel to the embedded server and client
    IPv6Network("64:ff9b:1::/48"),  # local-use NAT64 (RFC 8215)
    IPv6Network("3fff::/20"),  # documentation (RFC 9637)
)
"""What ``ipaddress.is_global`` of Python 3.11 still calls global (its tables were brought up to
date in 3.12.4 and 3.13): listed here so that the rule does not change with the Python version."""

NAT64 = IPv6Network("64:ff9b::/96")
"""The NAT64 well-known prefix (RFC 6052): DNS64 resolvers on IPv6-only networks answer with it
for every IPv4-only host, so it is judged by the IPv4 address it carries."""


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """A webhook URL taken apart: what the transport connects to and what it sends."""

    scheme: str
    host: str
    """Lower-case ASCII (IDNA for Unicode names); an IPv6 address without brackets. The name for
    the ``Host`` header, TLS SNI and certificate verification."""
    port: int
    request_path: str
    """Path and query, as sent in the request line."""
    address: IPAddress | None
    """The address itself when the host is written as one (in any spelling); else ``None``."""

    @property
    def origin(self) -> str:
        """``scheme://host:port``: what logs may name (no credentials, path or query)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def parse_webhook_url(url: str) -> WebhookTarget:
    """The URL taken apart, or ``DomainError`` (``subscriber.webhook_url_invalid``).

    The message never repeats the URL: it may hold a password or a token.
    """
    target = _parsed(url)
    if target is None:
        raise DomainError(URL_INVALID)
    return target


def _parsed(url: str) -> WebhookTarget | None:
    if not url or len(url) > MAX_URL_LENGTH or any(_unsafe(ch) for ch in url):
        return None
    # urlsplit silently drops tabs and newlines and strips leading controls: the characters were
    # checked above, on the text as given.
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a bad port, or brackets around something that is not IPv6
        return None
    if parts.scheme not in SCHEMES or not parts.netloc or "@" in parts.netloc:
        return None  # no userinfo: credentials do not belong in a stored URL
    if not (f"{parts.path}{parts.query}{parts.fragment}").isascii():
        return None
    if port == 0:
        return None
    host_and_address = _host(parts.hostname or "", bracketed=parts.netloc.startswith("["))
    if host_and_address is None:
        return None
    host, address = host_and_address
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return WebhookTarget(parts.scheme, host, port or SCHEMES[parts.scheme], path, address)


def _unsafe(ch: str) -> bool:
    """Control and format characters, every kind of space, and backslashes (which browsers and
    some parsers read as ``/``, so two parsers would disagree on the host)."""
    return ch == "\\" or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def _host(hostname: str, *, bracketed: bool) -> tuple[str, IPAddress | None] | None:
    if not hostname:
        return None
    if bracketed:
        if "%" in hostname:  # a zone id names an interface of the sender, not a receiver
            return None
        try:
            v6 = IPv6Address(hostname)
        except ValueError:
            return None
        return str(v6), v6
    if not hostname.isascii():
        try:  # IDNA also folds full-width letters and digits: "１２７.０.０.１" is 127.0.0.1
            hostname = hostname.encode("idna").decode("ascii").lower()
        except UnicodeError:
            return None
    labels = hostname.split(".")
    if len(hostname) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        return None
    if _NUMBER.match(labels[-1]):
        # A host that ends in a number is an address (as for the WHATWG URL parser), never a
        # name to look up: it must be one the OS resolver reads as such, and means what it does.
        v4 = ipv4_from_text(hostname)
        return None if v4 is None else (str(v4), v4)
    return hostname, None


def without_credentials(url: str | None) -> str | None:
    """A stored URL as it may be shown: a ``user:password@`` part (only a URL stored before
    these rules could hold one) is replaced by ``***@``."""
    if url is None or "@" not in url:
        return url
    scheme, separator, rest = url.partition("://")
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority = rest[:end]
    if "@" not in authority:
        return url
    return f"{scheme}{separator}***@{authority.rsplit('@', 1)[1]}{rest[end:]}"


def ipv4_from_text(text: str) -> IPv4Address | None:
    """An IPv4 address written the way ``inet_aton`` (and so ``getaddrinfo``) accepts it: one to
    four parts separated by dots, each decimal, octal (leading ``0``) or hexadecimal (``0x``);
    the last part fills the remaining bytes (``127.1`` is 127.0.0.1, ``2130706433`` too).
    ``None`` for anything else."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values: list[int] = []
    for part in parts:
        value = _inet_number(part)
        if value is None:
            return None
        values.append(value)
    *leading, last = values
    if any(v > 0xFF for v in leading) or last >= 1 << (8 * (5 - len(values))):
        return None
    number = last
    for index, value in enumerate(leading):
        number |= value << (8 * (3 - index))
    return IPv4Address(number)


def _inet_number(part: str) -> int | None:
    lowered = part.lower()
    if lowered.startswith("0x"):
        digits, base = lowered[2:], 16
        valid = bool(digits) and all(c in "0123456789abcdef" for c in digits)
    elif len(part) > 1 and part.startswith("0"):
        digits, base = part[1:], 8
        valid = all(c in "01234567" for c in digits)
    else:
        digits, base = part, 10
        valid = bool(digits) and digits.isascii() and digits.isdigit()
    if not valid:
        return None
    value = int(digits, base)
    return value if value <= 0xFFFFFFFF else None


def canonical(address: IPAddress) -> IPAddress:
    """An IPv4-mapped IPv6 address (``::ffff:127.0.0.1``) is the IPv4 address it maps: a
    dual-stack socket connecting to it reaches exactly that address."""
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def embedded_ipv4(address: IPv6Address) -> tuple[IPv4Address, ...]:
    """The IPv4 addresses an IPv6 transition form leads to: mapped, NAT64, 6to4, Teredo (server
    and client) and the deprecated IPv4-compatible ``::a.b.c.d``."""
    found: list[IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address in NAT64 or (address.packed[:12] == bytes(12) and int(address) > 1):
        found.append(IPv4Address(address.packed[12:]))
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    return tuple(found)


def is_public(address: IPAddress) -> bool:
    """Whether the address is a globally reachable unicast address: not loopback, unspecified,
    private (10/8, 172.16/12, 192.168/16, fc00::/7), shared (100.64/10), link-local (169.254/16
    with the metadata address, fe80::/10), site-local, multicast, broadcast, reserved,
    documentation or benchmarking, and no IPv6 form of such an IPv4 address."""
    address = canonical(address)
    if any(address in network for network in NEVER):
        return False
    if isinstance(address, IPv4Address):
        return (
            address.is_global
            and not address.is_reserved
            and not any(address in network for network in NOT_PUBLIC_V4)
        )
    if not all(is_public(v4) for v4 in embedded_ipv4(address)):
        return False
    if address in NAT64:
        return True  # judged by the IPv4 address it carries, just above
    return (
        address.is_global
        and not address.is_reserved  # everything outside the allocated unicast blocks, and ::/8
        and not address.is_site_local
        and not any(address in network for network in NOT_PUBLIC_V6)
    )


@dataclass(frozen=True, slots=True)
class DestinationPolicy:
    """Which addresses a webhook may be sent to.

    ``allowed_networks`` (``JICHITAI_WEBHOOK_ALLOWED_NETWORKS``, empty by default) opens internal
    networks for deployments whose receivers live there (and for tests, whose receivers listen
    on 127.0.0.1). It never opens "this host" 0.0.0.0/8, ``::``, broadcast or multicast.
    """

    allowed_networks: tuple[IPNetwork, ...] = ()

    def allowed(self, address: IPAddress) -> bool:
        """In an allowed network (and not one of ``NEVER``)."""
        address = canonical(address)
        return not any(address in n for n in NEVER) and any(
            address in network for network in self.allowed_networks
        )

    def permits(self, address: IPAddress) -> bool:
        """Whether a connection may go to ``address``."""
        return self.allowed(address) or is_public(address)

    def refusal(self, target: WebhookTarget, addresses: Sequence[IPAddress]) -> Violation | None:
        """Why ``target`` may not be sent to when its host stands for ``addresses`` (every one
        is checked: a name answering with one public and one internal address is refused), or
        ``None``. Plain ``http`` is for allowed networks only: resident data crosses the
        Internet encrypted."""
        if not addresses or not all(self.permits(a) for a in addresses):
            return DESTINATION_FORBIDDEN
        if target.scheme != "https" and not all(self.allowed(a) for a in addresses):
            return HTTPS_REQUIRED
        return None


def parse_networks(text: str) -> tuple[IPNetwork, ...]:
    """Comma-separated CIDR networks (``10.20.0.0/16, 127.0.0.1``: an address alone is a network
    of one); ``ValueError`` naming the first bad one (a network with host bits set is refused:
    ``10.0.0.1/8`` is more likely a typo than a wish to open all of 10/8)."""
    return tuple(_network(item.strip()) for item in text.split(",") if item.strip())


def _network(text: str) -> IPNetwork:
    try:
        return ip_network(text, strict=True)
    except ValueError:
        raise ValueError(f"{text!r} is not a network in CIDR notation") from None
