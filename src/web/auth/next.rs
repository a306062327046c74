//! Where to go after log in: only ever a path on this site. Anything that a browser
//! could read as another origin is dropped (open-redirect protection).

/// Longest `next` kept; longer ones are dropped rather than cut.
const MAX_LEN: usize = 2048;

/// Paths that make no sense to come back to after logging in.
const NOT_AFTER_LOGIN: [&str; 3] = ["/login", "/signup", "/logout"];

/// `raw` if it is a path on this site (`/artists?q=x`), else `None`. Refuses absolute
/// URLs (`https://evil`), protocol-relative ones (`//evil`), backslash tricks (`/\evil`,
/// which browsers treat like `//`), control characters and whitespace (browsers strip
/// some of them before parsing).
pub fn safe_next(raw: Option<&str>) -> Option<String> {
    let next = raw?;
    let mut chars = next.chars();
    let valid = next.len() <= MAX_LEN
        && chars.next() == Some('/')
        && !matches!(chars.next(), Some('/') | Some('\\'))
        && !next
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    if !valid {
        return None;
    }
    let path = next.split(['?', '#']).next().unwrap_or(next);
    if NOT_AFTER_LOGIN.contains(&path) {
        return None;
    }
    Some(next.to_string())
}

/// The place to go after log in or sign up.
pub fn after_login(raw: Option<&str>) -> String {
    safe_next(raw).unwrap_or_else(|| "/".to_string())
}

/// `/login?next=...` for a path, percent-encoded.
pub fn login_url(next: Option<&str>) -> String {
    with_next("/login", next)
}

/// `page?next=...` when there is a safe `next` other than the home page.
pub fn with_next(page: &str, next: Option<&str>) -> String {
    match safe_next(next).filter(|n| n != "/") {
        Some(next) => format!("{page}?next={}", percent_encode(&next)),
        None => page.to_string(),
    }
}

/// Encodes everything except unreserved characters and `/`, so the value survives as
/// one query parameter.
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The path and query of an absolute URL (as in `HX-Current-URL`), e.g.
/// `https://host/a?b` -> `/a?b`.
pub fn path_of_url(url: &str) -> Option<&str> {
    let after_scheme = url.split_once("://")?.1;
    after_scheme.find('/').map(|i| &after_scheme[i..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_paths_on_this_site() {
        assert_eq!(
            safe_next(Some("/artists?q=a b")),
            None,
            "spaces are not sent raw"
        );
        assert_eq!(
            safe_next(Some("/artists?q=a%20b")).as_deref(),
            Some("/artists?q=a%20b")
        );
        assert_eq!(safe_next(Some("/")).as_deref(), Some("/"));
        assert_eq!(safe_next(Some("/account")).as_deref(), Some("/account"));
    }

    #[test]
    fn refuses_other_origins() {
        for bad in [
            "https://evil.example/",
            "http:/evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/ /evil.example",
            "/\t/evil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
            "/a\\b",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad:?}");
        }
        assert_eq!(safe_next(None), None);
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(MAX_LEN)))), None);
    }

    #[test]
    fn does_not_loop_back_to_the_login_pages() {
        assert_eq!(safe_next(Some("/login?next=/x")), None);
        assert_eq!(safe_next(Some("/signup")), None);
        assert_eq!(after_login(Some("/logout")), "/");
    }

    #[test]
    fn login_urls_encode_the_target() {
        assert_eq!(login_url(Some("/account")), "/login?next=/account");
        assert_eq!(
            login_url(Some("/a?b=1&c=2")),
            "/login?next=/a%3Fb%3D1%26c%3D2"
        );
        assert_eq!(login_url(Some("//evil")), "/login");
        assert_eq!(login_url(Some("/")), "/login");
    }

    #[test]
    fn paths_come_out_of_urls() {
        assert_eq!(path_of_url("http://localhost:3000/a?b=1"), Some("/a?b=1"));
        assert_eq!(path_of_url("http://localhost:3000"), None);
        assert_eq!(path_of_url("/relative"), None);
    }
}
