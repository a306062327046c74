//! `GET /perfect-song/sample.json?features=a,b&v=VERSION`: the fixed sample of the
//! catalog drawn faintly behind the parallel chart, as one ECharts series.
//!
//! It is the same for every answer of a catalog version, so the live fragment only
//! names it (`url`) and the page's script fetches it once: a slider step then carries the
//! answer alone (about half the bytes), and the server does not rebuild 200 lines per
//! step. The URL holds the catalog version, so the response is immutable; a request for
//! another version (an import happened since the page was drawn) gets the current sample,
//! not cached. Catalog data is public (the artist pages show it too), so this answers
//! without a session and skips the session and CSRF layers.

use poem::{
    handler,
    http::{header, StatusCode},
    web::Data,
    Request, Response,
};

use super::params::pairs_of;
use crate::{
    catalog::Feature,
    error::{AppError, AppResult},
    web::charts::perfect_song::{sample_series, SAMPLE_SIZE},
    web::state::AppState,
};

pub const PATH: &str = "/perfect-song/sample.json";

/// Where the sample over these axes (in this order) for this catalog version is.
pub fn url(features: &[Feature], catalog_version: i64) -> String {
    let keys: Vec<&str> = features.iter().map(|f| f.key()).collect();
    format!("{PATH}?features={}&v={catalog_version}", keys.join(","))
}

#[handler]
pub async fn serve(state: Data<&AppState>, req: &Request) -> AppResult<Response> {
    let (features, version) = parse(req.uri().query().unwrap_or_default())?;
    let catalog = state.catalog();
    let series = sample_series(&features, &catalog.features.sample(SAMPLE_SIZE));
    let body = serde_json::to_string(&series).map_err(AppError::internal)?;
    let cache = if version == Some(catalog.meta.version) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Ok(Response::builder()
        .status(StatusCode::OK)
        .content_type("application/json")
        .header(header::CACHE_CONTROL, cache)
        .body(body))
}

/// The axes and the version asked for; unknown or repeated features are a 400.
fn parse(query: &str) -> AppResult<(Vec<Feature>, Option<i64>)> {
    let mut features: Option<Vec<Feature>> = None;
    let mut version = None;
    for (key, value) in pairs_of(query) {
        match key.as_str() {
            "features" => {
                let mut list = Vec::new();
                for name in value.split(',').filter(|n| !n.is_empty()) {
                    let feature = Feature::from_key(name).ok_or_else(|| {
                        AppError::BadRequest(format!("There is no feature called {name:?}."))
                    })?;
                    if list.contains(&feature) {
                        return Err(AppError::BadRequest(format!(
                            "The feature {name:?} is named twice."
                        )));
                    }
                    list.push(feature);
                }
                features = Some(list);
            }
            "v" => {
                version = Some(value.parse::<i64>().map_err(|_| {
                    AppError::BadRequest("The catalog version must be a number.".into())
                })?)
            }
            _ => {}
        }
    }
    match features {
        Some(list) if !list.is_empty() => Ok((list, version)),
        _ => Err(AppError::BadRequest(
            "Name the chart's features, e.g. ?features=energy,valence.".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_names_the_axes_in_order_and_the_version() {
        let url = url(&[Feature::Valence, Feature::Tempo], 42);
        assert_eq!(url, "/perfect-song/sample.json?features=valence,tempo&v=42");
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        assert_eq!(
            parse(query).ok(),
            Some((vec![Feature::Valence, Feature::Tempo], Some(42)))
        );
    }

    #[test]
    fn bad_queries_are_refused() {
        for query in [
            "",
            "features=",
            "features=loudness,nope",
            "features=energy,energy",
            "features=energy&v=new",
        ] {
            assert!(
                matches!(parse(query), Err(AppError::BadRequest(_))),
                "{query}"
            );
        }
    }
}
