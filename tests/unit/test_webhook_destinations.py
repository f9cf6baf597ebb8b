"""Where a webhook may go: the URL's form, every spelling of an address, and the classification
of addresses (``domain.integration.destinations``)."""

from __future__ import annotations

import socket
from ipaddress import ip_address

import pytest

from jichitai.domain.errors import DomainError
from jichitai.domain.integration.destinations import (
    DestinationPolicy,
    ipv4_from_text,
    is_public,
    parse_networks,
    parse_webhook_url,
    without_credentials,
)

NOT_PUBLIC = [
    "127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3", "10.0.0.1", "172.16.0.1",
    "172.31.255.255", "192.168.0.1", "100.64.0.1", "100.127.255.254", "169.254.169.254",
    "169.254.0.1", "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1",
    "192.0.0.9", "192.0.2.1", "198.51.100.1", "203.0.113.1", "198.18.0.1", "198.19.255.255",
    "192.88.99.1",
    "::1", "::", "fe80::1", "febf::1", "fc00::1", "fd00::1", "fec0::1", "ff02::1", "ff0e::1",
    "2001:db8::1", "3fff::1", "100::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:0.0.0.0",
    "::127.0.0.1", "::8.8.8.8", "::ffff:0:7f00:1",
    "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::a00:1", "64:ff9b:1::808:808",
    "2002:7f00:1::", "2002:a9fe:a9fe::1", "2002:808:808::",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::1",
]  # fmt: skip

PUBLIC = [
    "8.8.8.8", "93.184.216.34", "1.1.1.1", "133.242.0.1", "100.63.255.255", "100.128.0.1",
    "172.15.255.255", "172.32.0.1", "192.167.255.255", "169.253.255.255",
    "2606:4700:4700::1111", "2400:cb00::1", "::ffff:8.8.8.8", "64:ff9b::808:808",
]  # fmt: skip


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_loopback_private_link_local_and_every_ipv6_form_of_them_are_not_public(
    address: str,
) -> None:
    assert not is_public(ip_address(address))
    assert not DestinationPolicy().permits(ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_globally_reachable_unicast_addresses_are_public(address: str) -> None:
    assert is_public(ip_address(address))


SPELLINGS = [
    "127.0.0.1", "127.1", "127.0.1", "0x7f000001", "0X7F000001", "2130706433", "0177.0.0.1",
    "0x7f.0.0.1", "0x7f.1", "017700000001", "0x7f.0x0.0x0.0x1", "127.0.0.01", "0",
    "1.256", "1.0x10.1", "255.255.255.255", "0xffffffff", "4294967295", "0.0.0.0",
    "169.254.169.254", "0xa9fea9fe", "2852039166", "0251.0376.0251.0376",
    # not addresses (the OS then tries them as names; the URL rules refuse them)
    "4294967296", "0x100000000", "1.2.3.4.5", "08.1.1.1", "0x", "1.2.3.", ".1.2.3", "1..2",
    "256.1.1.1", "1.2.3.256", "1.2.65536", "0x1g", "", "1_0.0.0.1", "１２７.0.0.1",
]  # fmt: skip


@pytest.mark.parametrize("text", SPELLINGS)
def test_an_address_is_read_in_every_spelling_exactly_as_the_os_resolver_reads_it(
    text: str,
) -> None:
    try:
        expected: str | None = socket.inet_ntoa(socket.inet_aton(text))
    except (OSError, UnicodeError):
        expected = None
    found = ipv4_from_text(text)
    assert (None if found is None else str(found)) == expected


@pytest.mark.parametrize(
    ("url", "host", "port", "path", "address"),
    [
        ("https://jidou.example.lg.jp/hook", "jidou.example.lg.jp", 443, "/hook", None),
        ("HTTPS://Jidou.Example.LG.JP:8443", "jidou.example.lg.jp", 8443, "/", None),
        ("https://h.example/a/b?x=1&y=2#frag", "h.example", 443, "/a/b?x=1&y=2", None),
        ("http://127.0.0.1:8080/hook", "127.0.0.1", 8080, "/hook", "127.0.0.1"),
        ("http://0x7f000001/", "127.0.0.1", 80, "/", "127.0.0.1"),
        ("http://2130706433/", "127.0.0.1", 80, "/", "127.0.0.1"),
        ("http://0177.0.0.1/", "127.0.0.1", 80, "/", "127.0.0.1"),
        ("http://127.1/", "127.0.0.1", 80, "/", "127.0.0.1"),
        ("https://[::1]:9443/h", "::1", 9443, "/h", "::1"),
        ("https://[::ffff:127.0.0.1]/", "::ffff:7f00:1", 443, "/", "::ffff:7f00:1"),
        ("https://１２７.０.０.１/", "127.0.0.1", 443, "/", "127.0.0.1"),  # full-width digits
        ("https://ｌｏｃａｌｈｏｓｔ/", "localhost", 443, "/", None),  # full-width letters
        ("https://日本語.jp/", "xn--wgv71a119e.jp", 443, "/", None),
    ],
)
def test_a_url_is_taken_apart_into_the_host_the_port_and_the_path_it_sends(
    url: str, host: str, port: int, path: str, address: str | None
) -> None:
    target = parse_webhook_url(url)
    assert (target.host, target.port, target.request_path) == (host, port, path)
    assert target.address == (None if address is None else ip_address(address))
    assert "@" not in target.origin and "?" not in target.origin


BAD_URLS = [
    "ftp://host/x", "http:///no-host", "https://", "hook.example.jp/hook", "//h.example/x",
    "https://user:s3cret@h.example/hook", "https://user@h.example/", "https://:s3cret@h.example/",
    "https://h.example@127.0.0.1/", "https://h.example/hook\r\nX-Injected: 1",
    "https://h.example/\nhook", "https://h.example\t/", "https://h.example/\x00",
    "https://h.example/\x7f", "https://h.example/a b", "https://h.example/\u3000",
    "https://h.example/\u200b", "https://h.example\\@127.0.0.1/", "https:\\\\h.example/",
    " https://h.example/", "https://h.example/ ", "https://h.example:0/", "https://h.example:65536/",
    "https://h.example:x/", "https://h.example:+443/", "https://[fe80::1%25eth0]/",
    "https://[127.0.0.1]/", "https://[::1/", "https://a..b/", "https://h.example./",
    "https://-h.example/", "https://h.example/パス", "https://h.example/?q=値",
    "https://1.2.3.4.5/", "https://08.1.1.1/", "https://0x/", "https://h.example.123/",
    "https://256.0.0.1/", "https://h%2eexample/", "https://" + "a" * 64 + ".example/",
    "https://h.example/" + "a" * 400,
]  # fmt: skip


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_url_with_credentials_controls_spaces_backslashes_or_no_host_is_refused_unrepeated(
    url: str,
) -> None:
    with pytest.raises(DomainError) as refused:
        parse_webhook_url(url)
    assert refused.value.code == "subscriber.webhook_url_invalid"
    assert refused.value.violations[0].field == "webhook_url"
    assert "s3cret" not in str(refused.value) and "h.example" not in str(refused.value)


def test_only_an_allowed_network_opens_an_internal_address_and_plain_http() -> None:
    policy = DestinationPolicy(parse_networks("127.0.0.1/32, 10.20.0.0/16, fd12::/16"))
    for inside in ("127.0.0.1", "::ffff:127.0.0.1", "10.20.3.4", "fd12::5"):
        assert policy.permits(ip_address(inside)) and policy.allowed(ip_address(inside))
    for outside in ("127.0.0.2", "10.21.0.1", "fd13::1", "169.254.169.254"):
        assert not policy.permits(ip_address(outside))
    assert policy.permits(ip_address("8.8.8.8")) and not policy.allowed(ip_address("8.8.8.8"))
    everything = DestinationPolicy(parse_networks("0.0.0.0/0, ::/0"))
    for never in ("0.0.0.0", "::", "255.255.255.255", "224.0.0.1", "ff02::1", "0.1.2.3"):
        assert not everything.permits(ip_address(never)), never

    def refusal(url: str, *answers: str) -> str | None:
        target = parse_webhook_url(url)
        found = policy.refusal(target, [ip_address(a) for a in answers])
        return None if found is None else found.code

    assert refusal("https://h.example/", "8.8.8.8") is None
    assert refusal("http://h.example/", "8.8.8.8") == "subscriber.webhook_https_required"
    assert refusal("http://h.example/", "10.20.0.9") is None
    assert refusal("http://h.example/", "10.20.0.9", "8.8.8.8") == (
        "subscriber.webhook_https_required"
    )
    # every address counts: one internal answer among public ones refuses the name
    assert refusal("https://h.example/", "8.8.8.8", "192.168.0.1") == (
        "subscriber.webhook_destination_forbidden"
    )
    assert refusal("https://h.example/") == "subscriber.webhook_destination_forbidden"


@pytest.mark.parametrize("text", ["10.0.0.1/8", "10.0.0.0/33", "intranet", "10.0.0.0/8;", "::g"])
def test_an_allowed_network_that_is_not_cidr_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_networks(f"127.0.0.1, {text}")
    assert parse_networks(" 10.0.0.0/8 ,, 127.0.0.1 ") == parse_networks("10.0.0.0/8,127.0.0.1/32")
    assert parse_networks("") == ()


def test_a_stored_url_is_shown_without_its_credentials() -> None:
    assert without_credentials("https://u:s3cret@h.example/a@b?c=@d") == (
        "https://***@h.example/a@b?c=@d"
    )
    assert without_credentials("https://h.example/a@b") == "https://h.example/a@b"
    assert without_credentials(None) is None
