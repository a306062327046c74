//! `--api-cors-origins`: each entry read as the origin a browser sends, so that an entry
//! that could never match is refused at start-up instead of silently never matching.
//! `app.example.org` (no scheme), `https://x.org/path` (a path) and
//! `https://x.org:443` (a default port, which browsers leave out) had been taken as
//! they were, and no answer ever carried `Access-Control-Allow-Origin`.

/// The entry as browsers write an origin (`https://app.example.org`, `http://[::1]:8080`),
/// or `*`; `Err` says what is wrong with it and how to write it.
pub fn parse(entry: &str) -> Result<String, String> {
    let entry = entry.trim().trim_end_matches('/');
    if entry == "*" {
        return Ok(entry.to_string());
    }
    let lower = entry.to_ascii_lowercase();
    if lower == "null" {
        return Err(
            "“null” is the origin browsers give sandboxed frames and local files, \
                    which any site can make: it cannot be allowed"
                .to_string(),
        );
    }
    let Some((scheme, rest)) = lower.split_once("://") else {
        return Err(format!(
            "“{entry}” is not an origin: write it with its scheme, as https://{entry}"
        ));
    };
    let default_port = match scheme {
        "https" => "443",
        "http" => "80",
        _ => {
            return Err(format!(
                "“{entry}” is not an origin: an origin starts with https:// or http://"
            ))
        }
    };
    if rest.is_empty() || rest.contains(['/', '?', '#', '@']) {
        return Err(format!(
            "“{entry}” is not an origin: an origin is a scheme, a host and an optional \
             port, with no path, query or user (https://app.example.org:8443)"
        ));
    }
    // The port, after the host (an IPv6 address in brackets holds colons of its own).
    let after_host = rest.rsplit_once(']').map_or(rest, |(_, after)| after);
    let (host, port) = match after_host.rsplit_once(':') {
        Some((_, port)) => (&rest[..rest.len() - port.len() - 1], Some(port)),
        None => (rest, None),
    };
    if !is_host(host) {
        return Err(format!(
            "“{entry}” is not an origin: its host cannot be read"
        ));
    }
    match port {
        None => Ok(format!("{scheme}://{host}")),
        // Browsers leave a scheme's own port out of the Origin they send.
        Some(port) if port == default_port => Ok(format!("{scheme}://{host}")),
        Some(port) if port.parse::<u16>().is_ok_and(|p| p > 0) => {
            Ok(format!("{scheme}://{host}:{port}"))
        }
        Some(port) => Err(format!(
            "“{entry}” is not an origin: “{port}” is not a port (1 to 65535)"
        )),
    }
}

/// A host as an origin writes it: an IPv6 address in brackets, or names (an IPv4
/// address among them) joined by single dots.
fn is_host(host: &str) -> bool {
    if let Some(inside) = host.strip_prefix('[') {
        return inside.strip_suffix(']').is_some_and(|address| {
            address.contains(':')
                && address
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'))
        });
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn origins_are_written_as_browsers_send_them() {
        assert_eq!(parse("*"), Ok("*".into()));
        assert_eq!(
            parse(" https://App.Example.org/ "),
            Ok("https://app.example.org".into())
        );
        assert_eq!(
            parse("https://app.example.org:443"),
            Ok("https://app.example.org".into())
        );
        assert_eq!(parse("http://localhost:80"), Ok("http://localhost".into()));
        assert_eq!(
            parse("http://127.0.0.1:8080"),
            Ok("http://127.0.0.1:8080".into())
        );
        assert_eq!(parse("http://[::1]:5173"), Ok("http://[::1]:5173".into()));
        assert_eq!(parse("http://[::1]"), Ok("http://[::1]".into()));
    }

    #[test]
    fn entries_that_could_never_match_are_refused() {
        for bad in [
            "app.example.org",
            "https://x.org/path",
            "ftp://x.org",
            "null",
            "https://",
            "https://user@x.org",
            "https://x.org:99999",
            "https://x.org:0",
            "https://x .org",
            "http://[::1",
            "https://[::1]x",
            "https://a..b",
            "https://.example.org",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("app.example.org")
            .unwrap_err()
            .contains("https://app.example.org"));
        assert!(!parse("null").unwrap_err().contains("https://null"));
    }
}
