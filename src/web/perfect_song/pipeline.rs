//! The one owner of the page's way through a request: settings in, search, render,
//! respond. Every handler of the page (the live GET, the no-JS POST, the profile
//! actions) goes through a `Pipeline`, so the fragment cache is looked up and stored in
//! one place, once per request, and the session's user is the one `UserPage` read.

use maud::{html, Markup};
use poem::{
    http::{header, HeaderValue, StatusCode},
    IntoResponse, Response,
};

use super::{
    params::{self, FormState},
    profile_views::{self, PanelState},
    results::{self, Answer},
    seed_views, views,
};
use crate::{
    cache::SharedDetails,
    catalog::{facts::TrackFacts, snapshot::CatalogSnapshot, Feature},
    db::{self, taste_profiles},
    error::{AppError, AppResult},
    matching::{
        attributes::Attribute, keys, seeds::Seeds, InvalidSettings, MatchError, MatchOutcome,
        MatchSettings,
    },
    web::{
        compression::KeptGzip,
        extract::{PageContext, UserPage},
        fragment_cache::Fragment,
        seeds,
        state::AppState,
    },
};

const TITLE: &str = "Perfect song";

/// The header naming an answer's shareable address: the settings' canonical URL, which
/// app.js puts in the address bar instead of the form's request (that one carries every
/// empty range field, about 1 KB of query string).
pub const PAGE_URL_HEADER: &str = "X-Page-Url";

fn with_page_url(mut response: Response, url: &str) -> Response {
    if let Ok(value) = poem::http::HeaderValue::from_str(url) {
        response.headers_mut().insert(PAGE_URL_HEADER, value);
    }
    response
}

/// What a search found: the matches in order, and the details of each.
pub struct Found {
    pub outcome: MatchOutcome,
    pub details: SharedDetails,
    /// Key, mode, tempo and versions of every track.
    pub facts: std::sync::Arc<TrackFacts>,
}

/// A time-signature bound on a catalog without time signatures (the TidyTuesday and
/// Kaggle layouts) could only empty the answer, which then blamed the bound ("none
/// with at least 4 beats per bar"): it is refused beside its field, as the API
/// refuses it. The form shows the fields switched off there (`views`), so only an
/// address or a profile saved over another catalog brings one.
fn time_signatures_missing(
    settings: &MatchSettings,
    facts: &TrackFacts,
) -> Option<InvalidSettings> {
    let bounds = settings.filters.attributes.bounds(Attribute::TimeSignature);
    if bounds.is_open() || facts.has_time_signatures() {
        return None;
    }
    let key = Attribute::TimeSignature.key();
    let field = if bounds.min.is_some() {
        keys::min(key)
    } else {
        keys::max(key)
    };
    Some(InvalidSettings(vec![MatchError::Field {
        field,
        message: "No track of this catalog has a time signature, so this range would leave \
                  every one out: clear it."
            .to_string(),
    }]))
}

/// A release-year bound on a catalog without release dates (an Exportify playlist
/// without them, a hand-made file) could only empty the answer: refused beside its
/// field, as time signatures are. The form shows the fields switched off there.
fn years_missing(settings: &MatchSettings, catalog: &CatalogSnapshot) -> Option<InvalidSettings> {
    let filters = &settings.filters;
    if (filters.year_from.is_none() && filters.year_to.is_none()) || catalog.meta.has_years() {
        return None;
    }
    let field = if filters.year_from.is_some() {
        keys::YEAR_FROM
    } else {
        keys::YEAR_TO
    };
    Some(InvalidSettings(vec![MatchError::Field {
        field: field.to_string(),
        message: "No track of this catalog has a release date, so a year would leave every \
                  one out: clear it."
            .to_string(),
    }]))
}

pub struct Pipeline<'a> {
    pub ctx: &'a PageContext,
    pub state: &'a AppState,
    pub user_id: i32,
    /// What the seed search box holds (no JavaScript: the page lists the matches).
    pub seed_query: Option<String>,
}

impl<'a> Pipeline<'a> {
    pub fn new(page: &'a UserPage, state: &'a AppState) -> Pipeline<'a> {
        Pipeline {
            ctx: &page.ctx,
            state,
            user_id: page.user.id,
            seed_query: None,
        }
    }

    /// The settings with their seeds looked up and applied (`params::apply_seeds`):
    /// seed tracks from the database, artists from the snapshot, in the same code as
    /// the API's. A seed the catalog does not have is a message, not an error page.
    pub async fn seeded(
        &self,
        mut settings: MatchSettings,
        pairs: &params::Pairs,
    ) -> AppResult<Result<MatchSettings, InvalidSettings>> {
        // Checked here, where every way in (the page, "Find my song", a profile's
        // save, the current settings' save) passes: a profile saved with such a bound
        // opened as "Error" on every visit once loaded.
        if let Some(refused) = self.time_signatures_refused(&settings).await? {
            return Ok(Err(refused));
        }
        if let Some(refused) = years_missing(&settings, &self.ctx.catalog) {
            return Ok(Err(refused));
        }
        let refs = settings.seeds.clone();
        if refs.is_empty() {
            return Ok(Ok(settings));
        }
        let catalog = &self.ctx.catalog;
        // A genre seed typed in another case or spelling ("ROCK", "r-n-b") is named as
        // the catalog names it, in the answer's sentence as on its chip.
        settings.seeds.genres = refs
            .genres
            .iter()
            .map(|g| {
                catalog
                    .features
                    .genre_named(g)
                    .map_or_else(|| g.clone(), str::to_string)
            })
            .collect();
        let profiles = seeds::track_profiles(self.state, &refs.tracks).await?;
        let mut problems = Vec::new();
        let mut found = Seeds {
            genres: settings.seeds.genres.clone(),
            ..Default::default()
        };
        for id in &refs.tracks {
            match profiles.get(id) {
                Some(p) => found.tracks.push(*p),
                None => problems.push(format!(
                    "Track #{id} is not in the catalog (a new import may have replaced it): remove that seed."
                )),
            }
        }
        for id in &refs.artists {
            match catalog.artists.get(*id) {
                Some(a) => found.artists.push(seeds::artist_profile(a)),
                None => problems.push(format!(
                    "Artist #{id} is not in the catalog: remove that seed."
                )),
            }
        }
        if !problems.is_empty() {
            return Ok(Err(InvalidSettings(
                problems
                    .into_iter()
                    .map(|message| MatchError::Field {
                        field: keys::SEEDS.into(),
                        message,
                    })
                    .collect(),
            )));
        }
        match params::apply_seeds(&mut settings, pairs, &found, &catalog.features) {
            Ok(()) => Ok(Ok(settings)),
            Err(refused) => Ok(Err(self.subgenres_named(refused).await?)),
        }
    }

    /// A subgenre given as a genre seed, or to the genre filter, is refused with its
    /// genre named, as the API refuses it: "There is no genre “hard rock”" was untrue
    /// beside the subgenre's own page, which `/genres/rock` links. Looked up only when a
    /// genre is refused.
    async fn subgenres_named(&self, refused: InvalidSettings) -> AppResult<InvalidSettings> {
        let InvalidSettings(errors) = refused;
        if !errors.iter().any(|e| {
            matches!(
                e,
                MatchError::UnknownSeedGenre(_) | MatchError::UnknownGenre(_)
            )
        }) {
            return Ok(InvalidSettings(errors));
        }
        let genres = self
            .state
            .caches
            .genres(&self.state.pool, self.ctx.catalog.meta.version)
            .await?;
        let named = |error: MatchError| {
            let (name, field, takes) = match &error {
                MatchError::UnknownSeedGenre(name) => (name, keys::SEEDS, "seeds take genres: add"),
                MatchError::UnknownGenre(name) => {
                    (name, keys::GENRE, "the genre filter takes genres: choose")
                }
                _ => return error,
            };
            match genres
                .as_subgenre(name)
                .map(|(g, parent)| (g.name.as_str(), parent))
            {
                Some((subgenre, parent)) => MatchError::Field {
                    field: field.into(),
                    message: format!(
                        "“{subgenre}” is a subgenre of {parent}, and {takes} {parent} instead."
                    ),
                },
                None => error,
            }
        };
        Ok(InvalidSettings(errors.into_iter().map(named).collect()))
    }

    /// The page (or the live fragment) for valid settings. The fragment is a function
    /// of the catalog version and the settings alone (it names no user and carries no
    /// token), so it is kept under the settings' canonical URL and shared: junk
    /// parameters or another spelling of the same settings find the same entry.
    pub async fn answer(&self, settings: &MatchSettings, panel: PanelState) -> AppResult<Response> {
        // The canonical query string, built once: the cache key and the download link.
        let query = params::query_string(settings);
        if !self.ctx.htmx.wants_fragment() {
            return self.answer_uncached(settings, &query, panel).await;
        }
        let key = params::page_url_of_query(&query);
        let version = self.ctx.catalog.meta.version;
        if let Some(kept) = self.state.fragments.get(version, key.as_str()) {
            return Ok(with_page_url(kept.response(), &key));
        }
        let response = self.answer_uncached(settings, &query, panel).await?;
        if response.status() != StatusCode::OK {
            return Ok(response);
        }
        let gzip = response
            .extensions()
            .get::<KeptGzip>()
            .cloned()
            .unwrap_or_default();
        let html = response
            .into_body()
            .into_bytes()
            .await
            .map_err(AppError::internal)?;
        let fragment = Fragment { html, gzip };
        let response = self
            .state
            .fragments
            .put(version, key.clone(), fragment)
            .response();
        Ok(with_page_url(response, &key))
    }

    async fn answer_uncached(
        &self,
        settings: &MatchSettings,
        query: &str,
        panel: PanelState,
    ) -> AppResult<Response> {
        match self.results(settings, query).await? {
            Ok(markup) => {
                // A live answer sends no form, and no messages for valid settings.
                let form = if self.ctx.htmx.wants_fragment() {
                    FormState::unshown()
                } else {
                    FormState::from_settings(settings)
                };
                self.respond(&form, Some(markup), panel).await
            }
            Err(errors) => {
                let form = FormState::from_input(&settings.to_pairs(), errors, settings);
                self.respond(&form, None, panel).await
            }
        }
    }

    /// Searches and renders the results region; the search's own complaints (which
    /// `params::parse` already rules out) come back as messages, not a 500.
    async fn results(
        &self,
        settings: &MatchSettings,
        query: &str,
    ) -> AppResult<Result<Markup, InvalidSettings>> {
        let found = match self.found(settings).await? {
            Ok(found) => found,
            Err(errors) => return Ok(Err(errors)),
        };
        // A live answer's charts are drawn when the answers pause: their options are
        // fetched then, not sent with every answer.
        let charts_url = self
            .ctx
            .htmx
            .wants_fragment()
            .then(|| super::chart_options::url_of_query(query));
        Ok(Ok(results::answer(&Answer {
            settings,
            outcome: &found.outcome,
            details: &found.details,
            catalog_version: self.ctx.catalog.meta.version,
            facts: &found.facts,
            catalog_has_genres: self.ctx.catalog.features.has_genres(),
            catalog_has_years: self.ctx.catalog.meta.has_years(),
            download_url: &super::export::url_of_query(query),
            charts_url: charts_url.as_deref(),
        })))
    }

    /// The settings a GET for a file of the answer (its CSV, its charts' options)
    /// names, as `requested` reads them from its query string.
    pub async fn requested_by(
        &self,
        req: &poem::Request,
    ) -> AppResult<Result<MatchSettings, InvalidSettings>> {
        self.requested(&params::pairs_of(req.uri().query().unwrap_or_default()))
            .await
    }

    /// The settings a GET names: its query string's when it has any (parsed, seeds
    /// applied), else the user's current ones.
    pub async fn requested(
        &self,
        pairs: &params::Pairs,
    ) -> AppResult<Result<MatchSettings, InvalidSettings>> {
        if params::has_settings(pairs) {
            self.parsed_and_seeded(pairs).await
        } else {
            Ok(Ok(self.saved_or_default().await?))
        }
    }

    /// A time-signature bound on a catalog without time signatures, refused
    /// (`time_signatures_missing`); the facts are read only when there is one.
    async fn time_signatures_refused(
        &self,
        settings: &MatchSettings,
    ) -> AppResult<Option<InvalidSettings>> {
        let bounds = settings.filters.attributes.bounds(Attribute::TimeSignature);
        if bounds.is_open() {
            return Ok(None);
        }
        let facts = seeds::facts(self.state, self.ctx.catalog.meta.version).await?;
        Ok(time_signatures_missing(settings, &facts))
    }

    /// The settings in `pairs`, parsed, then their seeds looked up and applied.
    pub async fn parsed_and_seeded(
        &self,
        pairs: &params::Pairs,
    ) -> AppResult<Result<MatchSettings, InvalidSettings>> {
        match params::parse(pairs, &self.ctx.catalog) {
            Ok(settings) => self.seeded(settings, pairs).await,
            Err(refused) => Ok(Err(self.subgenres_named(refused).await?)),
        }
    }

    /// The matches for the settings, in order (no details: see `found`).
    pub async fn matches(
        &self,
        settings: &MatchSettings,
    ) -> AppResult<Result<(MatchOutcome, std::sync::Arc<TrackFacts>), InvalidSettings>> {
        let catalog = &self.ctx.catalog;
        let facts = seeds::facts(self.state, catalog.meta.version).await?;
        // `seeded` refuses such a bound on every way in; settings restored from the
        // database (a profile saved over another catalog) come here without it.
        if let Some(refused) = time_signatures_missing(settings, &facts) {
            return Ok(Err(refused));
        }
        if let Some(refused) = years_missing(settings, catalog) {
            return Ok(Err(refused));
        }
        let version = catalog.meta.version;
        // With half and double time the tempo bounds are checked on the facts, which
        // hold each track's tempo as stored.
        let half_double = settings.filters.attributes.half_double;
        let ranges = settings
            .filters
            .ranges
            .iter()
            .filter(|(f, _)| !(half_double && **f == Feature::Tempo))
            .map(|(f, range)| (*f, *range));
        let exact = seeds::exact_ranges(self.state, version, ranges).await?;
        let admits = move |id: i32| exact.as_ref().is_none_or(|e| e.admits(id));
        // A search that filters out most tracks visits every leaf: milliseconds at a
        // million tracks, which would hold up every request this runtime worker has
        // (health checks, sessions), so a large catalog searches on the blocking pool.
        // A small one searches here: its worst search (cosine, genre and years, 98 µs
        // at 20,000 tracks in `benches/matching`) is short of that, and its usual one
        // (5-15 µs) costs less than the hand-over, which every live answer would pay.
        let found = if catalog.features.len() > self.state.config.inline_search_tracks {
            let (index, facts, settings) = (
                std::sync::Arc::clone(&catalog.features),
                std::sync::Arc::clone(&facts),
                settings.clone(),
            );
            tokio::task::spawn_blocking(move || {
                seeds::search(&index, &settings, &facts, &settings.seeds.tracks, &admits)
            })
            .await
            .map_err(AppError::internal)?
        } else {
            seeds::search(
                &catalog.features,
                settings,
                &facts,
                &settings.seeds.tracks,
                &admits,
            )
        };
        let mut outcome = match found {
            Ok(outcome) => outcome,
            Err(errors) => return Ok(Err(errors)),
        };
        seeds::show_stored_values(self.state, version, &mut outcome).await?;
        Ok(Ok((outcome, facts)))
    }

    /// The matches for the settings, with their titles, albums and artists: the rows
    /// of the results region and of its CSV, from this one place.
    pub async fn found(
        &self,
        settings: &MatchSettings,
    ) -> AppResult<Result<Found, InvalidSettings>> {
        let catalog = &self.ctx.catalog;
        let (mut outcome, facts) = match self.matches(settings).await? {
            Ok(found) => found,
            Err(errors) => return Ok(Err(errors)),
        };
        let ids: Vec<i32> = outcome.matches.iter().map(|m| m.track_id).collect();
        let details = self
            .state
            .caches
            .track_details(&self.state.pool, catalog.meta.version, &ids)
            .await?;
        // The genres in the order the artist pages and the API give them.
        for m in &mut outcome.matches {
            if let Some(d) = details.get(&m.track_id) {
                crate::model::track::genres_in_listing_order(&mut m.genres, d.genre());
            }
        }
        Ok(Ok(Found {
            outcome,
            details,
            facts,
        }))
    }

    /// The fragment (results + the messages beside the controls, out of band) for htmx,
    /// the whole page otherwise; 422 whenever the form has messages.
    pub async fn respond(
        &self,
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
        let ctx = self.ctx;
        let panel_refuses = panel.refuses();
        let markup = if ctx.htmx.wants_fragment() {
            html! { (results) (views::messages_out_of_band(form)) }
        } else {
            let rows = self.profiles().await?;
            let panel_markup = profile_views::panel(ctx, &rows, &form.query_string(), &panel);
            // A profile saved over another catalog may hold settings this one refuses:
            // the notice the keyboard lands on says so, not only that it loaded.
            let page_notice = panel.page_notice.map(|notice| {
                if form.has_errors() {
                    format!(
                        "{notice} This catalog refuses some of them: see the messages beside them."
                    )
                } else {
                    notice
                }
            });
            let seed_panel = self.seed_panel(form).await?;
            let facts = seeds::facts(self.state, ctx.catalog.meta.version).await?;
            let page = views::page(
                ctx,
                form,
                facts.has_time_signatures(),
                seed_panel,
                results,
                panel_markup,
                page_notice.as_deref(),
            );
            // The panel's refusals too ("You already have a profile named …"): the
            // title says so first, as for any form sent back with a problem.
            if form.has_errors() || panel_refuses {
                ctx.render_refused(TITLE, page)
            } else {
                ctx.render(TITLE, page)
            }
        };
        let mut response = markup.into_response();
        response.set_status(status);
        if !ctx.htmx.wants_fragment() {
            // Kept out of the back-forward cache (and every other): without JavaScript,
            // Back showed the page exactly as it was left, with values typed into its
            // fields after it answered, beside that older answer. Back now asks the
            // server, and the form's `autocomplete="off"` (see `views`) keeps the browser
            // from writing the old typed values over what the server sends.
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        Ok(response)
    }

    /// The seeds panel: chips, the search (and its matches without JavaScript), the
    /// genre picker.
    async fn seed_panel(&self, form: &FormState) -> AppResult<Markup> {
        let chips = seed_views::chips(self.state, self.ctx, form).await?;
        let found = match self.seed_query.as_deref().map(str::trim) {
            Some(q) if !q.is_empty() => Some(
                seed_views::suggestions(
                    self.state,
                    self.ctx,
                    (self.user_id, crate::web::latest_search::SearchKind::Page),
                    form,
                    q,
                )
                .await?,
            ),
            _ => None,
        };
        Ok(seed_views::panel(
            self.ctx,
            form,
            chips,
            self.seed_query.as_deref().unwrap_or(""),
            found,
        ))
    }

    /// The user's saved profiles, for the panel.
    pub async fn profiles(&self) -> AppResult<Vec<taste_profiles::ProfileRow>> {
        let user_id = self.user_id;
        db::run(&self.state.pool, move |conn| {
            Ok(taste_profiles::list(conn, user_id)?)
        })
        .await
    }

    /// The user's current settings, or the defaults (off features at the catalog
    /// average).
    pub async fn saved_or_default(&self) -> AppResult<MatchSettings> {
        let user_id = self.user_id;
        let json = db::run(&self.state.pool, move |conn| {
            Ok(taste_profiles::current(conn, user_id)?)
        })
        .await?;
        let catalog = &self.ctx.catalog;
        Ok(json
            .and_then(|json| params::restore(&json, &catalog.features))
            .unwrap_or_else(|| params::starting(catalog)))
    }

    /// Makes `settings` the user's current settings.
    pub async fn save_current(&self, settings: &MatchSettings) -> AppResult<()> {
        let json = serde_json::to_string(settings).map_err(AppError::internal)?;
        let user_id = self.user_id;
        db::run(&self.state.pool, move |conn| {
            taste_profiles::save_current(conn, user_id, &json, db::now_unix())
                .map_err(db::user_write_error)
        })
        .await
    }
}
