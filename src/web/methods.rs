//! The methods a route takes, kept so that a 405 can say which they are.
//!
//! RFC 9110 (15.5.6) asks every 405 to carry `Allow`, and poem's `RouteMethod` refuses
//! an unknown method without it. `get` and `post` here build the same `RouteMethod`
//! and remember what they registered; a refusal gets `Allow` from that list.
//!
//! They are also the only methods a page route can take: nothing here registers PUT,
//! PATCH or DELETE, and `.clippy.toml` forbids poem's own `get`, `post`, `put`, ... so
//! that a route cannot be added around this module.
//!
//! Every POST endpoint is wrapped in the CSRF check here, at its route, rather than
//! around the whole router: a POST to an address that has none (or to no address at
//! all) then gets the router's 405 or 404, instead of a 403 saying that a form expired
//! which there never was. No POST can be registered without it.

use poem::{
    http::{header, HeaderValue, Method, StatusCode},
    Endpoint, EndpointExt, IntoEndpoint, IntoResponse, Request, Response, Result, RouteMethod,
};

use super::auth::{csrf::VerifyCsrf, live_session::SessionStillLive};

/// A route's endpoints by method, and the `Allow` header they add up to.
pub struct Methods {
    route: RouteMethod,
    allowed: Vec<Method>,
}

/// A route that answers GET (and HEAD, which poem answers as GET without the body).
pub fn get<E>(ep: E) -> Methods
where
    E: IntoEndpoint,
    E::Endpoint: 'static,
{
    Methods::default().get(ep)
}

/// A route that answers POST.
pub fn post<E>(ep: E) -> Methods
where
    E: IntoEndpoint,
    E::Endpoint: 'static,
{
    Methods::default().post(ep)
}

impl Default for Methods {
    fn default() -> Self {
        Methods {
            route: RouteMethod::new(),
            allowed: Vec::new(),
        }
    }
}

impl Methods {
    #[must_use]
    pub fn get<E>(self, ep: E) -> Self
    where
        E: IntoEndpoint,
        E::Endpoint: 'static,
    {
        self.with(Method::GET, |route| route.get(ep))
            .with(Method::HEAD, |route| route)
    }

    /// POST, behind the CSRF check (see the module comment), and for a signed-in
    /// visitor the check that the session has not ended (`auth::live_session`).
    #[must_use]
    pub fn post<E>(self, ep: E) -> Self
    where
        E: IntoEndpoint,
        E::Endpoint: 'static,
    {
        let checked = ep.into_endpoint().with(SessionStillLive).with(VerifyCsrf);
        self.with(Method::POST, |route| route.post(checked))
    }

    fn with(mut self, method: Method, add: impl FnOnce(RouteMethod) -> RouteMethod) -> Self {
        self.route = add(self.route);
        if !self.allowed.contains(&method) {
            self.allowed.push(method);
        }
        self
    }

    /// `GET, HEAD, POST`: the value of this route's `Allow`.
    pub fn allow(&self) -> String {
        let names: Vec<&str> = self.allowed.iter().map(Method::as_str).collect();
        names.join(", ")
    }
}

impl Endpoint for Methods {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        match self.route.call(req).await {
            Err(error) if error.status() == StatusCode::METHOD_NOT_ALLOWED => {
                // An error made from a response keeps its headers: the error pages copy
                // `Allow` onto the page they render for it.
                let mut refusal = StatusCode::METHOD_NOT_ALLOWED.into_response();
                if let Ok(value) = HeaderValue::from_str(&self.allow()) {
                    refusal.headers_mut().insert(header::ALLOW, value);
                }
                Err(poem::Error::from_response(refusal))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::{handler, test::TestClient};

    #[handler]
    fn hello() -> &'static str {
        "hello"
    }

    #[test]
    fn allow_lists_what_was_registered_once_each() {
        assert_eq!(get(hello).allow(), "GET, HEAD");
        assert_eq!(post(hello).allow(), "POST");
        assert_eq!(get(hello).post(hello).get(hello).allow(), "GET, HEAD, POST");
    }

    #[tokio::test]
    async fn a_refused_method_is_a_405_with_allow_and_the_others_answer() {
        let client = TestClient::new(post(hello));
        let refused = client.put("/").send().await;
        refused.assert_status(StatusCode::METHOD_NOT_ALLOWED);
        refused.assert_header(header::ALLOW, "POST");
        // HEAD on a POST-only route is refused too (poem retries it as GET).
        let head = client.head("/").send().await;
        head.assert_status(StatusCode::METHOD_NOT_ALLOWED);
        head.assert_header(header::ALLOW, "POST");
        // The POST itself is behind the CSRF check: without a token it is refused.
        client
            .post("/")
            .send()
            .await
            .assert_status(StatusCode::FORBIDDEN);

        let client = TestClient::new(get(hello));
        client.head("/").send().await.assert_status_is_ok();
        client
            .delete("/")
            .send()
            .await
            .assert_header(header::ALLOW, "GET, HEAD");
    }
}
