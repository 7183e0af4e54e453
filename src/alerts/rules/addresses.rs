//! Which IP addresses a webhook may be sent to. A webhook is a request the service makes on
//! an organisation's behalf, so an address that is not reachable on the public internet
//! would be a way into the service's own network (or its cloud provider's metadata service).
//!
//! The tables are the blocks whose "Globally Reachable" column is False in the IANA
//! special-purpose address registries (RFC 6890, as updated; the registries at
//! iana.org/assignments/iana-ipv4-special-registry and iana-ipv6-special-registry), plus
//! multicast, site-local and the deprecated relay blocks. Where a block holds a few globally
//! reachable entries (parts of 192.0.0.0/24 and 2001::/23, anycast services no webhook
//! endpoint runs on) the whole block is refused: refusing too much costs nothing here.
//! Addresses that carry an IPv4 address inside an IPv6 one (IPv4-mapped, the NAT64
//! well-known prefix, 6to4) are judged by the IPv4 address they lead to.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A block of the IPv4 table: first address, prefix length, and where it is defined.
struct V4Block(u32, u8, &'static str);

/// A block of the IPv6 table: first address, prefix length, and where it is defined.
struct V6Block(u128, u8, &'static str);

const fn v4(a: u8, b: u8, c: u8, d: u8) -> u32 {
    u32::from_be_bytes([a, b, c, d])
}

const fn v6(segments: [u16; 8]) -> u128 {
    let mut out = 0u128;
    let mut i = 0;
    while i < 8 {
        out = (out << 16) | segments[i] as u128;
        i += 1;
    }
    out
}

/// IPv4 blocks that are not globally reachable.
const V4_BLOCKS: &[V4Block] = &[
    V4Block(v4(0, 0, 0, 0), 8, "\"This network\", RFC 791"),
    V4Block(v4(10, 0, 0, 0), 8, "Private-Use, RFC 1918"),
    V4Block(v4(100, 64, 0, 0), 10, "Shared Address Space, RFC 6598"),
    V4Block(v4(127, 0, 0, 0), 8, "Loopback, RFC 1122"),
    V4Block(v4(169, 254, 0, 0), 16, "Link Local, RFC 3927"),
    V4Block(v4(172, 16, 0, 0), 12, "Private-Use, RFC 1918"),
    V4Block(v4(192, 0, 0, 0), 24, "IETF Protocol Assignments, RFC 6890"),
    V4Block(v4(192, 0, 2, 0), 24, "Documentation (TEST-NET-1), RFC 5737"),
    V4Block(
        v4(192, 88, 99, 0),
        24,
        "Deprecated 6to4 Relay Anycast, RFC 7526",
    ),
    V4Block(v4(192, 168, 0, 0), 16, "Private-Use, RFC 1918"),
    V4Block(v4(198, 18, 0, 0), 15, "Benchmarking, RFC 2544"),
    V4Block(
        v4(198, 51, 100, 0),
        24,
        "Documentation (TEST-NET-2), RFC 5737",
    ),
    V4Block(
        v4(203, 0, 113, 0),
        24,
        "Documentation (TEST-NET-3), RFC 5737",
    ),
    V4Block(v4(224, 0, 0, 0), 4, "Multicast, RFC 5771"),
    V4Block(
        v4(240, 0, 0, 0),
        4,
        "Reserved, RFC 1112 (holds the broadcast address)",
    ),
];

/// IPv6 blocks that are not globally reachable. IPv4-mapped, NAT64 and 6to4 addresses are
/// not here: [`is_global`] follows them to the IPv4 address they carry.
const V6_BLOCKS: &[V6Block] = &[
    V6Block(0, 128, "Unspecified Address, RFC 4291"),
    V6Block(1, 128, "Loopback Address, RFC 4291"),
    V6Block(0, 96, "Deprecated IPv4-Compatible Address, RFC 4291"),
    V6Block(
        v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0]),
        48,
        "IPv4-IPv6 Translation (local use), RFC 8215",
    ),
    V6Block(
        v6([0x100, 0, 0, 0, 0, 0, 0, 0]),
        64,
        "Discard-Only, RFC 6666",
    ),
    V6Block(
        v6([0x100, 0, 0, 1, 0, 0, 0, 0]),
        64,
        "Dummy IPv6 Prefix, RFC 9780",
    ),
    V6Block(
        v6([0x2001, 0, 0, 0, 0, 0, 0, 0]),
        23,
        "IETF Protocol Assignments (with Teredo), RFC 2928",
    ),
    V6Block(
        v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]),
        32,
        "Documentation, RFC 3849",
    ),
    V6Block(
        v6([0x3fff, 0, 0, 0, 0, 0, 0, 0]),
        20,
        "Documentation, RFC 9637",
    ),
    V6Block(
        v6([0x5f00, 0, 0, 0, 0, 0, 0, 0]),
        16,
        "Segment Routing SIDs, RFC 9602",
    ),
    V6Block(
        v6([0xfc00, 0, 0, 0, 0, 0, 0, 0]),
        7,
        "Unique-Local, RFC 4193",
    ),
    V6Block(
        v6([0xfe80, 0, 0, 0, 0, 0, 0, 0]),
        10,
        "Link-Local Unicast, RFC 4291",
    ),
    V6Block(
        v6([0xfec0, 0, 0, 0, 0, 0, 0, 0]),
        10,
        "Deprecated Site-Local, RFC 3879",
    ),
    V6Block(v6([0xff00, 0, 0, 0, 0, 0, 0, 0]), 8, "Multicast, RFC 4291"),
];

/// The NAT64 well-known prefix 64:ff9b::/96 (RFC 6052): the last 32 bits are an IPv4 address.
const NAT64: u128 = v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0]);
/// The IPv4-mapped prefix ::ffff:0:0/96 (RFC 4291).
const MAPPED: u128 = v6([0, 0, 0, 0, 0, 0xffff, 0, 0]);
/// The 6to4 prefix 2002::/16 (RFC 3056): bits 16 to 47 are an IPv4 address.
const SIX_TO_FOUR: u128 = v6([0x2002, 0, 0, 0, 0, 0, 0, 0]);

fn within_v4(ip: u32, net: u32, len: u8) -> bool {
    len == 0 || (ip ^ net) >> (32 - u32::from(len)) == 0
}

fn within_v6(ip: u128, net: u128, len: u8) -> bool {
    len == 0 || (ip ^ net) >> (128 - u32::from(len)) == 0
}

/// The special-purpose block an address falls in, if any (named, for logs and tests).
pub fn special_block(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(ip) => v4_block(ip),
        IpAddr::V6(ip) => match embedded_v4(ip) {
            Some(inner) => v4_block(inner),
            None => {
                let bits = u128::from(ip);
                V6_BLOCKS
                    .iter()
                    .find(|b| within_v6(bits, b.0, b.1))
                    .map(|b| b.2)
            }
        },
    }
}

fn v4_block(ip: Ipv4Addr) -> Option<&'static str> {
    let bits = u32::from(ip);
    V4_BLOCKS
        .iter()
        .find(|b| within_v4(bits, b.0, b.1))
        .map(|b| b.2)
}

/// The IPv4 address an IPv6 address leads to: IPv4-mapped, NAT64 well-known prefix, 6to4.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = u128::from(ip);
    // The low 32 bits, or bits 16 to 47 for 6to4; truncation keeps exactly those bits.
    let low = Ipv4Addr::from(bits as u32);
    if within_v6(bits, MAPPED, 96) || within_v6(bits, NAT64, 96) {
        Some(low)
    } else if within_v6(bits, SIX_TO_FOUR, 16) {
        Some(Ipv4Addr::from((bits >> 80) as u32))
    } else {
        None
    }
}

/// Whether an address is reachable on the public internet: not in any special-purpose
/// block, directly or through the IPv4 address it carries.
pub fn is_global(ip: IpAddr) -> bool {
    special_block(ip).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global(s: &str) -> bool {
        is_global(s.parse().expect("an address"))
    }

    #[test]
    fn ipv4_special_blocks_are_refused() {
        for ip in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "169.254.169.254",
            "172.16.5.4",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.10",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
        ] {
            assert!(!global(ip), "{ip} is not globally reachable");
        }
    }

    #[test]
    fn ipv6_special_blocks_are_refused() {
        for ip in [
            "::",
            "::1",
            "100::1",
            "100:0:0:1::1",
            "2001::1",
            "2001:db8::1",
            "3fff::1",
            "5f00::1",
            "fd00::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "64:ff9b:1::a00:1",
        ] {
            assert!(!global(ip), "{ip} is not globally reachable");
        }
    }

    #[test]
    fn embedded_ipv4_addresses_are_followed() {
        for ip in [
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "64:ff9b::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::",
            "::127.0.0.1",
            "::8.8.8.8",
        ] {
            assert!(!global(ip), "{ip} leads somewhere internal");
        }
        for ip in ["::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"] {
            assert!(global(ip), "{ip} leads to a public address");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for ip in [
            "8.8.8.8",
            "51.140.1.1",
            "1.1.1.1",
            "100.128.0.1",
            "198.20.0.1",
            "223.255.255.255",
            "2a00:1450::1",
            "2606:4700::1111",
        ] {
            assert!(global(ip), "{ip} is public");
        }
    }
}
