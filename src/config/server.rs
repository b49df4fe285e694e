//! `[server]`: where the app listens, which `Host` names it answers to,
//! which reverse proxies it believes, and whether people reach it over
//! HTTPS. Pure: the checks the router applies live here with their tests.

use super::forest::list;
use super::{ConfigError, invalid};
use ipnet::IpNet;
use serde::{Deserialize, Deserializer};
use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub address: SocketAddr,
    /// `Host` names besides the listening address, as `name` (any port) or
    /// `name:port`.
    #[serde(deserialize_with = "list")]
    pub allowed_hosts: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (addresses or
    /// networks such as `10.0.0.0/8`). Empty: the header is ignored.
    #[serde(deserialize_with = "networks")]
    pub trusted_proxies: Vec<IpNet>,
    /// People reach the app over HTTPS (directly or through a proxy that
    /// ends TLS): the session cookie is `Secure` and `__Host-` named, and
    /// only `https://` origins count as this site.
    pub https: bool,
}

impl ServerSettings {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if let Some(bad) = self
            .allowed_hosts
            .iter()
            .find(|host| host.contains(['/', '@', ' ']) || host.contains("://"))
        {
            return Err(invalid(
                "server.allowed_hosts",
                &format!("{bad:?} must be a host name, optionally with :port"),
            ));
        }
        Ok(())
    }

    /// True when a request whose `Host` is `host` is meant for this app:
    /// the listening address itself, a loopback name when it listens on
    /// loopback or on every interface, or an `allowed_hosts` entry. A page
    /// served under any other name (DNS rebinding) is refused.
    pub fn allows_host(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let port = self.address.port();
        let (name, sent_port) = split_port(&host);
        let loopback_ok = self.address.ip().is_loopback() || self.address.ip().is_unspecified();
        let ours = host == self.address.to_string()
            || (loopback_ok
                && sent_port == Some(port)
                && ["localhost", "127.0.0.1", "[::1]"].contains(&name));
        ours || self.allowed_hosts.iter().any(|allowed| {
            let allowed = allowed.trim().to_ascii_lowercase();
            match split_port(&allowed) {
                (allowed_name, None) => allowed_name == name,
                _ => allowed == host,
            }
        })
    }

    /// The scheme an `Origin` of this site carries.
    pub fn scheme(&self) -> &'static str {
        if self.https { "https" } else { "http" }
    }

    /// True when `ip` is one of the trusted proxies.
    pub fn is_trusted_proxy(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|net| net.contains(&ip))
    }
}

/// `name:port` into its parts; an IPv6 literal keeps its brackets.
fn split_port(host: &str) -> (&str, Option<u16>) {
    match host.rsplit_once(':') {
        Some((name, port))
            if !name.ends_with(':') && (!name.contains(':') || name.ends_with(']')) =>
        {
            (name, port.parse().ok())
        }
        _ => (host, None),
    }
}

/// A list (or comma-separated text) of addresses and networks.
fn networks<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<IpNet>, D::Error> {
    list(deserializer)?
        .iter()
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    serde::de::Error::custom(format!(
                        "server.trusted_proxies: {item:?} is not an address or a network"
                    ))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(address: &str, allowed: &[&str]) -> ServerSettings {
        ServerSettings {
            address: address.parse().expect("address"),
            allowed_hosts: allowed.iter().map(|h| (*h).to_owned()).collect(),
            trusted_proxies: Vec::new(),
            https: false,
        }
    }

    #[test]
    fn only_the_listening_address_loopback_names_and_allowed_hosts_pass() {
        let local = server("127.0.0.1:3100", &[]);
        for ok in [
            "127.0.0.1:3100",
            "localhost:3100",
            "LOCALHOST:3100",
            "[::1]:3100",
        ] {
            assert!(local.allows_host(ok), "{ok}");
        }
        for refused in [
            "evil.example:3100",
            "evil.example",
            "localhost:3101",
            "127.0.0.1",
            "",
        ] {
            assert!(!local.allows_host(refused), "{refused}");
        }
        let public = server("0.0.0.0:8000", &["runbook.example", "ops.example:443"]);
        assert!(public.allows_host("runbook.example"));
        assert!(public.allows_host("runbook.example:8000"));
        assert!(public.allows_host("ops.example:443"));
        assert!(!public.allows_host("ops.example:8443"));
        assert!(!public.allows_host("runbook.example.evil.example"));
        assert!(public.allows_host("localhost:8000"));
        let named = server("10.1.2.3:8000", &[]);
        assert!(named.allows_host("10.1.2.3:8000"));
        assert!(!named.allows_host("localhost:8000"));
    }
}
