//! Who is at the other end of a request: the TCP peer, or, when the peer
//! is a trusted reverse proxy (`server.trusted_proxies`), the address that
//! proxy put in `X-Forwarded-For`. Anyone can write that header, so it is
//! believed only from a trusted proxy, and read from the right: the first
//! address not itself a trusted proxy is the client.

use crate::config::ServerSettings;
use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};
use std::net::{IpAddr, SocketAddr};

/// The client's address, or `None` when the request did not come over TCP.
pub fn client_ip(
    settings: &ServerSettings,
    headers: &HeaderMap,
    extensions: &Extensions,
) -> Option<IpAddr> {
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())?;
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    Some(through_proxies(settings, peer, &forwarded))
}

fn through_proxies(settings: &ServerSettings, peer: IpAddr, forwarded: &[&str]) -> IpAddr {
    let mut client = peer;
    for hop in forwarded.iter().rev() {
        if !settings.is_trusted_proxy(client) {
            break;
        }
        // A hop that is not an address was not written by a proxy we
        // trust; stop at the last one that was.
        let Ok(hop) = hop.parse::<IpAddr>() else {
            break;
        };
        client = hop;
    }
    client
}

/// The key sign-in limits and the audit go by: the address, with an IPv6
/// address cut to its /64 (one subscriber's network holds many addresses).
pub fn address_key(ip: Option<IpAddr>) -> String {
    match ip {
        None => "unknown".to_owned(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let [a, b, c, d, ..] = v6.segments();
                format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn settings(trusted: &[&str]) -> ServerSettings {
        ServerSettings {
            address: "127.0.0.1:3000".parse().expect("address"),
            allowed_hosts: Vec::new(),
            trusted_proxies: trusted.iter().map(|t| t.parse().expect("net")).collect(),
            https: false,
        }
    }

    fn from(peer: &str, forwarded: Option<&str>, trusted: &[&str]) -> Option<IpAddr> {
        let mut headers = HeaderMap::new();
        if let Some(value) = forwarded {
            headers.insert(
                "x-forwarded-for",
                HeaderValue::from_str(value).expect("value"),
            );
        }
        let mut extensions = Extensions::new();
        extensions.insert(ConnectInfo::<SocketAddr>(peer.parse().expect("peer")));
        client_ip(&settings(trusted), &headers, &extensions)
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().expect("ip"))
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        assert_eq!(
            from("203.0.113.9:5000", Some("1.2.3.4"), &[]),
            ip("203.0.113.9")
        );
        let proxy = &["10.0.0.0/8"];
        assert_eq!(
            from("203.0.113.9:5000", Some("1.2.3.4"), proxy),
            ip("203.0.113.9")
        );
        assert_eq!(from("10.0.0.2:5000", Some("1.2.3.4"), proxy), ip("1.2.3.4"));
        // The client wrote the left part itself; the proxy appended the right.
        assert_eq!(
            from("10.0.0.2:5000", Some("9.9.9.9, 1.2.3.4, 10.0.0.3"), proxy),
            ip("1.2.3.4")
        );
        assert_eq!(from("10.0.0.2:5000", Some("junk"), proxy), ip("10.0.0.2"));
        assert_eq!(from("10.0.0.2:5000", None, proxy), ip("10.0.0.2"));
        assert_eq!(
            client_ip(&settings(proxy), &HeaderMap::new(), &Extensions::new()),
            None
        );
    }

    #[test]
    fn an_ipv6_client_is_keyed_by_its_64_network() {
        assert_eq!(address_key(ip("2001:db8:1:2:3:4:5:6")), "2001:db8:1:2::/64");
        assert_eq!(address_key(ip("2001:db8:1:2::9")), "2001:db8:1:2::/64");
        assert_eq!(address_key(ip("::ffff:1.2.3.4")), "1.2.3.4");
        assert_eq!(address_key(ip("1.2.3.4")), "1.2.3.4");
        assert_eq!(address_key(None), "unknown");
    }
}
