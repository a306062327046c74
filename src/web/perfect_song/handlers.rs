//! `/perfect-song`: one GET handler for the page and the live fragment, the no-JS POST
//! ("Find my song"), and the debounced save of the current settings.
//!
//! Settings come from the query string when it has any (a shareable URL opens the same
//! result), else from the user's saved current settings, else the defaults. The live
//! GET never writes: saving is `POST /perfect-song/current`, which the page sends 1.5 s
//! after the last change. That keeps the hot endpoint read-only (no write lock on the
//! SQLite file per slider step, no read-compare-write) and GET free of side effects.

use maud::{html, Markup};
use poem::{
    handler,
    http::{header, StatusCode},
    web::{Data, Form},
    IntoResponse, Request, Response,
};

use super::{
    params::{self, FormState, Pairs},
    profiles::{self, PanelState},
    results::{self, Answer},
    views,
};
use crate::{
    catalog::snapshot::CatalogSnapshot,
    db::{self, taste_profiles, track_details},
    error::{AppError, AppResult},
    matching::{InvalidSettings, MatchSettings},
    state::AppState,
    web::{
        auth::RequireUser, compression::KeptGzip, fragment_cache::Fragment, layout::PageContext,
    },
};

const TITLE: &str = "Perfect song";

#[handler]
pub async fn show(
    ctx: PageContext,
    RequireUser(user): RequireUser,
    state: Data<&AppState>,
    req: &Request,
) -> AppResult<Response> {
    let query = req.uri().query().unwrap_or_default();
    // A slider step asks exactly what an earlier step asked: answer it before parsing.
    let raw_key = (ctx.htmx.wants_fragment() && !query.is_empty()).then(|| format!("?{query}"));
    let version = ctx.catalog.meta.version;
    if let Some(body) = raw_key
        .as_deref()
        .and_then(|key| state.fragments.get(version, key))
    {
        return Ok(body.response());
    }
    let pairs = params::pairs_of(query);
    let has_settings = params::has_settings(&pairs);
    // Without settings in the query the answer is the user's saved settings': not shared.
    let raw_key = raw_key.filter(|_| has_settings);
    let settings = if has_settings {
        match params::parse(&pairs, &ctx.catalog) {
            Ok(settings) => settings,
            Err(errors) => {
                let form = FormState::from_input(&pairs, errors, &params::starting(&ctx.catalog));
                return respond(&ctx, &state, user.id, &form, None, PanelState::default()).await;
            }
        }
    } else {
        saved_or_default(&state, user.id, &ctx.catalog).await?
    };
    let response = answer(&ctx, &state, user.id, &settings, PanelState::default()).await?;
    keep_fragment(&state, version, raw_key, response).await
}

/// "Find my song" without JavaScript: save as the current settings and show them at
/// their shareable URL.
#[handler]
pub async fn submit(
    ctx: PageContext,
    RequireUser(user): RequireUser,
    state: Data<&AppState>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    match params::parse(&pairs, &ctx.catalog) {
        Ok(settings) => {
            save_current(&state, user.id, &settings).await?;
            Ok(see_other(&params::page_url(&settings)))
        }
        Err(errors) => {
            let form = FormState::from_input(&pairs, errors, &params::starting(&ctx.catalog));
            respond(&ctx, &state, user.id, &form, None, PanelState::default()).await
        }
    }
}

/// The page's debounced save (htmx, no swap): 204 when saved, 422 when the settings
/// are not valid (nothing is saved; the live answer already shows the messages).
#[handler]
pub async fn save_current_settings(
    ctx: PageContext,
    RequireUser(user): RequireUser,
    state: Data<&AppState>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    match params::parse(&pairs, &ctx.catalog) {
        Ok(settings) => {
            save_current(&state, user.id, &settings).await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        Err(_) => Ok(StatusCode::UNPROCESSABLE_ENTITY.into_response()),
    }
}

pub fn see_other(to: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, to)
        .finish()
}

pub async fn save_current(
    state: &AppState,
    user_id: i32,
    settings: &MatchSettings,
) -> AppResult<()> {
    let json = serde_json::to_string(settings).map_err(crate::error::AppError::internal)?;
    db::run(&state.pool, move |conn| {
        Ok(taste_profiles::save_current(
            conn,
            user_id,
            &json,
            db::now_unix(),
        )?)
    })
    .await
}

/// The user's current settings, or the defaults (off features at the catalog average).
pub async fn saved_or_default(
    state: &AppState,
    user_id: i32,
    catalog: &CatalogSnapshot,
) -> AppResult<MatchSettings> {
    let json = db::run(&state.pool, move |conn| {
        Ok(taste_profiles::current(conn, user_id)?)
    })
    .await?;
    Ok(json
        .and_then(|json| params::restore(&json, &catalog.features))
        .unwrap_or_else(|| params::starting(catalog)))
}

/// The page (or fragment) for valid settings.
pub async fn answer(
    ctx: &PageContext,
    state: &AppState,
    user_id: i32,
    settings: &MatchSettings,
    panel: PanelState,
) -> AppResult<Response> {
    // The live fragment is a function of the catalog and the settings alone (keyed by
    // their canonical URL here; `show` also keeps it under the query as it was sent).
    let cache_key = ctx
        .htmx
        .wants_fragment()
        .then(|| params::page_url(settings));
    let version = ctx.catalog.meta.version;
    if let Some(body) = cache_key
        .as_deref()
        .and_then(|key| state.fragments.get(version, key))
    {
        return Ok(body.response());
    }
    let response = answer_uncached(ctx, state, user_id, settings, panel).await?;
    keep_fragment(state, version, cache_key, response).await
}

/// Keeps a successful fragment under `key` (when there is one) and sends it.
async fn keep_fragment(
    state: &AppState,
    version: i64,
    key: Option<String>,
    response: Response,
) -> AppResult<Response> {
    match key {
        Some(key) if response.status() == StatusCode::OK => {
            // A fragment kept under its canonical key shares its gzip slot with this one.
            let gzip = response.extensions().get::<KeptGzip>().cloned();
            let html = response
                .into_body()
                .into_bytes()
                .await
                .map_err(AppError::internal)?;
            let fragment = Fragment {
                html,
                gzip: gzip.unwrap_or_default(),
            };
            Ok(state.fragments.put(version, key, fragment).response())
        }
        _ => Ok(response),
    }
}

async fn answer_uncached(
    ctx: &PageContext,
    state: &AppState,
    user_id: i32,
    settings: &MatchSettings,
    panel: PanelState,
) -> AppResult<Response> {
    match results_for(state, &ctx.catalog, settings).await? {
        Ok(markup) => {
            let form = FormState::from_settings(settings);
            respond(ctx, state, user_id, &form, Some(markup), panel).await
        }
        Err(errors) => {
            let form = FormState::from_input(&settings.to_pairs(), errors, settings);
            respond(ctx, state, user_id, &form, None, panel).await
        }
    }
}

/// Searches and renders the results region; the search's own complaints (which
/// `params::parse` already rules out) come back as messages, not a 500.
async fn results_for(
    state: &AppState,
    catalog: &CatalogSnapshot,
    settings: &MatchSettings,
) -> AppResult<Result<Markup, InvalidSettings>> {
    let outcome = match catalog.features.search(settings) {
        Ok(outcome) => outcome,
        Err(errors) => return Ok(Err(errors)),
    };
    let ids: Vec<i32> = outcome.matches.iter().map(|m| m.track_id).collect();
    let version = catalog.meta.version;
    let (mut details, missing) = state.track_details.get_many(version, &ids);
    if !missing.is_empty() {
        let loaded = db::run(&state.pool, move |conn| {
            Ok(track_details::by_ids(conn, &missing)?)
        })
        .await?;
        details.extend(state.track_details.put_many(version, loaded));
    }
    Ok(Ok(results::answer(&Answer {
        settings,
        outcome: &outcome,
        details: &details,
        catalog_version: catalog.meta.version,
    })))
}

/// The fragment (results + the messages beside the controls, out of band) for htmx,
/// the whole page otherwise; 422 whenever the form has messages.
pub async fn respond(
    ctx: &PageContext,
    state: &AppState,
    user_id: i32,
    form: &FormState,
    results: Option<Markup>,
    panel: PanelState,
) -> AppResult<Response> {
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let results = match (&form.errors, results) {
        (Some(errors), _) => results::invalid(errors),
        (None, Some(markup)) => markup,
        (None, None) => html! {},
    };
    let markup = if ctx.htmx.wants_fragment() {
        html! { (results) (views::messages_out_of_band(form)) }
    } else {
        let rows = db::run(&state.pool, move |conn| {
            Ok(taste_profiles::list(conn, user_id)?)
        })
        .await?;
        let panel = profiles::panel(ctx, &rows, &form.query_string(), &panel);
        ctx.render(TITLE, views::page(ctx, form, results, panel))
    };
    let mut response = markup.into_response();
    response.set_status(status);
    Ok(response)
}
