"""Host names resolved by the operating system (``getaddrinfo``): the same answer a connection
made by name would use, which is why the webhook transport checks it and then connects to it."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from ipaddress import ip_address

from jichitai.domain.integration.destinations import IPAddress
from jichitai.services.ports import HostNotFound


class SystemResolver:
    def resolve(self, host: str, port: int) -> Sequence[IPAddress]:
        try:
            answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:  # gaierror is an OSError
            raise HostNotFound(host) from exc
        found: list[IPAddress] = []
        for family, _, _, _, sockaddr in answers:
            if family not in (socket.AF_INET, socket.AF_INET6):
                continue
            address = ip_address(str(sockaddr[0]))
            if address not in found:
                found.append(address)
        if not found:
            raise HostNotFound(host)
        return found
