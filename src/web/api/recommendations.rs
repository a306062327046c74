//! `GET /recommendations` and `GET /recommendations/available-genre-seeds`.
//!
//! The parameters are read from the query string here rather than declared one by one:
//! there are three per tunable attribute (`target_`, `min_`, `max_`) plus a weight per
//! feature, all derived from `Feature::ALL` and the four track attributes below; the
//! OpenAPI document lists them all (see `docs::recommendation_parameters`).
//!
//! How a request becomes a search (the rule itself is in `matching::seeds`):
//! - seeds (1 to 5 in all; none is allowed when a `target_` is given) set the target;
//!   `target_<feature>` overrides it; `weight_<feature>` (0..10, 0 switches a feature
//!   off) overrides the default weights;
//! - `min_<feature>`/`max_<feature>` bound the results (inclusive);
//! - `duration_ms`, `key`, `mode` and `time_signature` are not features the distance
//!   uses: their `min_`/`max_` bound the results, and their `target_` is read as
//!   "prefer" the way a categorical value can be: an exact match for key, mode and
//!   time signature, within 10% for duration;
//! - `metric=cosine`, `max_per_artist`, `min_year`/`max_year` (release years) go beyond
//!   Spotify; `market` is checked and ignored, and so is any name this endpoint does
//!   not read, except a misspelt seed, target, bound or weight (`TUNING_PREFIXES`);
//! - seed tracks are never recommended, nor other versions of their songs; every other
//!   song is answered once, by its closest version (as the page answers).

use std::{collections::BTreeMap, sync::Arc};

use poem::{web::Data, Request};
use poem_openapi::{payload::Json, OpenApi};

use super::{
    error::ApiError,
    ids,
    lookup::{self, ApiShared},
    objects,
    params::{self, TUNING_PREFIXES},
    ApiTags,
};
use crate::{
    catalog::facts::{TrackFact, TrackFacts},
    catalog::genres::{seed_slug, GenreCatalog},
    catalog::{snapshot::CatalogSnapshot, Feature},
    db::api_catalog::ApiTrack,
    matching::{
        seeds::{self, Seeds, MAX_SEEDS},
        settings::{finite_number, MAX_RESULTS, MAX_WEIGHT, YEARS},
        FeatureRange, MatchOutcome, MatchSettings, Metric, TrackMatch,
    },
    web::state::AppState,
};

/// Results when `limit` is not given (Spotify's default).
const DEFAULT_LIMIT: usize = 20;

/// `afterFilteringSize` counts the pool up to this many tracks: Spotify's own pools
/// are of that order, and counting a million tracks to the end took 40 times as long
/// as the search (`matching::count`).
const POOL_COUNTED: usize = 1000;

/// The tunable attributes Spotify has that are track metadata rather than features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribute {
    DurationMs,
    Key,
    Mode,
    TimeSignature,
}

impl Attribute {
    pub const ALL: [Attribute; 4] = [
        Attribute::DurationMs,
        Attribute::Key,
        Attribute::Mode,
        Attribute::TimeSignature,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Attribute::DurationMs => "duration_ms",
            Attribute::Key => "key",
            Attribute::Mode => "mode",
            Attribute::TimeSignature => "time_signature",
        }
    }

    /// Accepted values, inclusive.
    pub fn range(self) -> (i64, i64) {
        match self {
            Attribute::DurationMs => (0, i64::from(i32::MAX)),
            Attribute::Key => (-1, 11),
            Attribute::Mode => (0, 1),
            // What the import takes (it had been key's range, 0 to 11, copied: 12 was
            // refused here, and the page took it).
            Attribute::TimeSignature => (
                1,
                i64::from(crate::catalog::import::value::MAX_TIME_SIGNATURE),
            ),
        }
    }

    /// The bounds a side left open stands for: the accepted range, except that key's
    /// open lower side is 0. A track without a detected key reads as -1 (`of`), and is
    /// asked for by naming -1 (`target_key=-1`, `min_key=-1`); `max_key=5` alone
    /// means the keys C to F, as on the page, not those and the unknown ones.
    fn open_bounds(self) -> (i64, i64) {
        match self {
            Attribute::Key => (0, 11),
            other => other.range(),
        }
    }

    fn of(self, a: &TrackFact) -> Option<i32> {
        match self {
            Attribute::DurationMs => a.duration_ms,
            // Spotify's -1, "no key detected": the import stores that as no key, so a
            // track without one reads as -1 again (`target_key=-1` had matched nothing).
            Attribute::Key => Some(a.key.filter(|k| (0..12).contains(k)).unwrap_or(-1)),
            Attribute::Mode => a.mode,
            Attribute::TimeSignature => a.time_signature,
        }
    }

    fn from_key(key: &str) -> Option<Attribute> {
        Attribute::ALL.into_iter().find(|a| a.key() == key)
    }
}

/// A request's parameters, parsed and checked, before any look-up.
#[derive(Debug, Default)]
pub struct RecommendationRequest {
    pub seed_tracks: Vec<String>,
    pub seed_artists: Vec<String>,
    pub seed_genres: Vec<String>,
    pub limit: Option<usize>,
    pub targets: BTreeMap<Feature, f64>,
    pub weights: BTreeMap<Feature, f64>,
    pub ranges: BTreeMap<Feature, FeatureRange>,
    /// (attribute, min, max) inclusive, targets already turned into bounds.
    pub attribute_bounds: Vec<(Attribute, i64, i64)>,
    pub metric: Metric,
    pub max_per_artist: Option<usize>,
    pub min_year: Option<i32>,
    pub max_year: Option<i32>,
}

fn number(name: &str, value: &str) -> Result<f64, String> {
    finite_number(value.trim()).ok_or_else(|| {
        format!(
            "{name} must be a number, not “{}”.",
            crate::quoted::quoted(value)
        )
    })
}

fn integer(name: &str, value: &str, range: (i64, i64)) -> Result<i64, String> {
    params::whole_number(name, value, range)
}

/// `min_year` or `max_year`: a year of `settings::YEARS`, as the page's year fields.
fn year(name: &str, value: &str) -> Result<i32, String> {
    let range = (i64::from(*YEARS.start()), i64::from(*YEARS.end()));
    // Within YEARS, so it fits an i32.
    integer(name, value, range).map(|y| y as i32)
}

/// A `min_`/`max_` bound or a `target_` of a feature: anywhere a stored value can be
/// (`Feature::accepted_range`), so that a window around a track's
/// own audio features is never refused. (The sliders' narrower `Feature::range` is the
/// page's choice; the index reads values beyond it as its ends, see the README.)
fn bound(name: &str, feature: Feature, value: &str) -> Result<f64, String> {
    let v = number(name, value)?;
    let (lo, hi) = feature.accepted_range();
    if v < lo || v > hi {
        return Err(format!(
            "{name} must be between {} and {}.",
            feature.format(lo),
            feature.format(hi)
        ));
    }
    Ok(v)
}

/// A comma-separated seed list. Given but empty (`seed_tracks=`), it names no seeds, as
/// a parameter left out; an empty entry (`a,,b`, `a,`) is refused, as `/audio-features`
/// and `/tracks` refuse one in `ids`: the answer's `seeds` list one object per seed
/// sent, in order, and a dropped entry would shift them.
fn list(name: &str, value: &str) -> Result<Vec<String>, String> {
    if value.trim().is_empty() {
        return Ok(Vec::new());
    }
    let entries: Vec<String> = value.split(',').map(|s| s.trim().to_string()).collect();
    match entries.iter().position(String::is_empty) {
        Some(position) => Err(format!(
            "Entry {} of {name} is empty (“{}”): separate seeds with single commas.",
            position + 1,
            crate::quoted::quoted(value)
        )),
        None => Ok(entries),
    }
}

/// Why a track attribute's bounds leave nothing, in the parameters that were sent:
/// the window a target makes (a tenth either side for a duration) had been folded into
/// the bounds, and the message named a `max 220000` nobody sent.
fn empty_bounds(
    key: &str,
    target: Option<i64>,
    min: Option<i64>,
    max: Option<i64>,
    window: Option<(i64, i64)>,
    (lo, hi): (i64, i64),
) -> String {
    let window_note = |t: i64, (tlo, thi): (i64, i64)| {
        if (tlo, thi) == (t, t) {
            String::new()
        } else {
            format!(" (a target takes {tlo} to {thi})")
        }
    };
    let why = match (target.zip(window), min, max) {
        (_, Some(min), Some(max)) if min > max => {
            format!("min_{key}={min} is above max_{key}={max}")
        }
        (Some((t, w)), Some(min), _) if min > w.1 => {
            format!(
                "min_{key}={min} is above target_{key}={t}{}",
                window_note(t, w)
            )
        }
        (Some((t, w)), _, Some(max)) if max < w.0 => {
            format!(
                "max_{key}={max} is below target_{key}={t}{}",
                window_note(t, w)
            )
        }
        _ => format!("min {lo} is above max {hi}"),
    };
    format!("The bounds on {key} leave nothing: {why}.")
}

/// The message for misspelt seeds, targets, bounds or weights, with what exists: said
/// once however many names are wrong (8 KiB of them once made a 287 KB answer), naming
/// the first `NAMES_QUOTED`, each cut as `quoted` cuts a value.
fn unknown_parameters(names: &[&str]) -> String {
    let features: Vec<&str> = Feature::ALL.iter().map(|f| f.key()).collect();
    let attributes: Vec<&str> = Attribute::ALL.iter().map(|a| a.key()).collect();
    let mut listed: Vec<String> = names
        .iter()
        .take(NAMES_QUOTED)
        .map(|n| format!("“{}”", crate::quoted::quoted(n)))
        .collect();
    if names.len() > NAMES_QUOTED {
        listed.push(format!("{} more", names.len() - NAMES_QUOTED));
    }
    let subject = if names.len() == 1 {
        "Unknown parameter"
    } else {
        "Unknown parameters"
    };
    format!(
        "{subject} {}: the seeds are seed_tracks, seed_artists and seed_genres; \
         target_, min_, max_ and weight_ take {}; target_, min_ and max_ also take {}.",
        listed.join(", "),
        features.join(", "),
        attributes.join(", ")
    )
}

/// How many misspelt names `unknown_parameters` quotes.
const NAMES_QUOTED: usize = 5;

/// How many problems one answer lists: a query string of a thousand bad values gets the
/// first ones and a count, not a thousand sentences.
const PROBLEMS_LISTED: usize = 10;

/// The problems, each said once and at most `PROBLEMS_LISTED` of them, in one message.
fn problems(errors: &[String]) -> String {
    let mut seen = std::collections::HashSet::new();
    let errors: Vec<&str> = errors
        .iter()
        .map(String::as_str)
        .filter(|e| seen.insert(*e))
        .collect();
    let mut message = errors[..errors.len().min(PROBLEMS_LISTED)].join(" ");
    if errors.len() > PROBLEMS_LISTED {
        message.push_str(&format!(
            " ({} more problems not listed.)",
            errors.len() - PROBLEMS_LISTED
        ));
    }
    message
}

/// A `weight_`: 0 (off) to `MAX_WEIGHT`.
fn weight(name: &str, value: &str) -> Result<f64, String> {
    let v = number(name, value)?;
    if !(0.0..=MAX_WEIGHT).contains(&v) {
        return Err(format!("{name} must be between 0 and {MAX_WEIGHT}."));
    }
    Ok(v)
}

/// Genres listed by name in the message for an unknown genre seed; a catalog with more
/// points at `available-genre-seeds` instead.
const GENRES_LISTED: usize = 20;

/// What to say about genre seeds the index does not hold: a subgenre (which seeds cannot
/// be, though `search?q=genre:` finds its tracks) is named with its genre; another name
/// gets the nearest genre, and the genres that can be seeds.
fn unknown_genre_seeds(genres: &GenreCatalog, seedable: &[&str], unknown: &[&str]) -> String {
    let choices = if seedable.is_empty() {
        "This catalog has no genres, so seed_genres can match nothing: seed with tracks or artists."
            .to_string()
    } else if seedable.len() <= GENRES_LISTED {
        format!("The genres that can be seeds: {}.", seedable.join(", "))
    } else {
        "GET /recommendations/available-genre-seeds lists the genres that can be seeds.".to_string()
    };
    let mut parts: Vec<String> = unknown
        .iter()
        .map(|&name| {
            match genres.as_subgenre(name).map(|(g, parent)| (g, seed_slug(parent))) {
                Some((g, parent)) => format!(
                    "“{}” is a subgenre of {parent}, and seed_genres takes genres: seed with {parent}, \
                     or find its tracks with search?q=genre:\"{}\"&type=track.",
                    g.name, g.name
                ),
                None => {
                    let near = genres
                        .did_you_mean(name, 1)
                        .into_iter()
                        .map(|g| g.parent.as_deref().unwrap_or(&g.name))
                        .next()
                        // As the seed listing names it: its slug where that finds it
                        // again, else its name (`children-s-music` named two genres,
                        // and the hint suggested what the server refused).
                        .map(|g| {
                            let slug = seed_slug(g);
                            let named = if seedable.contains(&slug.as_str()) {
                                slug
                            } else {
                                g.to_string()
                            };
                            format!(" Did you mean {named}?")
                        })
                        .unwrap_or_default();
                    format!(
                        "There is no genre “{}” in the catalog.{near}",
                        crate::quoted::quoted(name)
                    )
                }
            }
        })
        .collect();
    parts.push(choices);
    parts.join(" ")
}

/// Parses the query string's pairs. Every problem is reported, in one message.
pub fn parse(pairs: &[(String, String)]) -> Result<RecommendationRequest, ApiError> {
    let mut r = RecommendationRequest::default();
    let mut errors: Vec<String> = Vec::new();
    // Per attribute: (target, min, max) as given.
    type Given = (Option<i64>, Option<i64>, Option<i64>);
    let mut attribute: BTreeMap<&'static str, Given> = BTreeMap::new();
    let mut unknown: Vec<&str> = Vec::new();
    for (name, value) in pairs {
        let name = name.as_str();
        let result: Result<(), String> = (|| {
            match name {
                "seed_tracks" => r.seed_tracks = list(name, value)?,
                "seed_artists" => r.seed_artists = list(name, value)?,
                "seed_genres" => r.seed_genres = list(name, value)?,
                "limit" => r.limit = Some(integer(name, value, (1, MAX_RESULTS as i64))? as usize),
                "metric" => {
                    r.metric = Metric::parse(value).ok_or_else(|| {
                        format!("metric must be euclidean or cosine, not “{value}”.")
                    })?
                }
                "max_per_artist" => {
                    r.max_per_artist = Some(integer(name, value, (1, MAX_RESULTS as i64))? as usize)
                }
                // The page's year fields' range: a year outside it could only empty
                // the answer, and the page refuses it too.
                "min_year" => r.min_year = Some(year(name, value)?),
                "max_year" => r.max_year = Some(year(name, value)?),
                "market" => {}
                _ => {
                    let (prefix, rest) = name.split_once('_').unwrap_or((name, ""));
                    if TUNING_PREFIXES.contains(&prefix.to_ascii_lowercase().as_str())
                        && !TUNING_PREFIXES.contains(&prefix)
                    {
                        // `TARGET_ENERGY` is a misspelt `target_energy` (Spotify's
                        // names are case-sensitive), not another program's parameter.
                        unknown.push(name);
                    } else if !TUNING_PREFIXES.contains(&prefix) {
                        // Any other name is ignored, as Spotify ignores it: a
                        // cache-buster (`_=1700000000`), `country`,
                        // `include_seeds_in_response`, and another program's
                        // `theme_mode=dark`, which is not a bad `mode`.
                    } else if let Some(feature) = Feature::from_key(rest) {
                        match prefix {
                            "target" => {
                                // Read as a bound is: any value the catalog can
                                // hold, said with the parameter's name.
                                r.targets.insert(feature, bound(name, feature, value)?);
                            }
                            "weight" => {
                                r.weights.insert(feature, weight(name, value)?);
                            }
                            "min" => {
                                r.ranges.entry(feature).or_default().min =
                                    Some(bound(name, feature, value)?)
                            }
                            "max" => {
                                r.ranges.entry(feature).or_default().max =
                                    Some(bound(name, feature, value)?)
                            }
                            _ => unknown.push(name),
                        }
                    } else if let Some(a) = Attribute::from_key(rest) {
                        let v = integer(name, value, a.range())?;
                        let slot = attribute.entry(a.key()).or_default();
                        match prefix {
                            "target" => slot.0 = Some(v),
                            "min" => slot.1 = Some(v),
                            "max" => slot.2 = Some(v),
                            _ => unknown.push(name),
                        }
                    } else {
                        unknown.push(name);
                    }
                }
            }
            Ok(())
        })();
        if let Err(e) = result {
            errors.push(e);
        }
    }
    // First, so that the cap on problems listed never hides it.
    if !unknown.is_empty() {
        errors.insert(0, unknown_parameters(&unknown));
    }
    for (&key, &(target, min, max)) in &attribute {
        let Some(a) = Attribute::from_key(key) else {
            continue;
        };
        // A target is a window (a tenth either side for a duration), narrowed by the
        // bounds given; a side neither gives is open.
        let window = target.map(|t| match a {
            Attribute::DurationMs => (t - t / 10, t + t / 10),
            _ => (t, t),
        });
        let (open_lo, open_hi) = a.open_bounds();
        let (lo, hi) = match window {
            Some((tlo, thi)) => (
                min.map_or(tlo, |m| m.max(tlo)),
                max.map_or(thi, |m| m.min(thi)),
            ),
            // `max_key=-1` alone: the unknown keys, not a range that runs backwards.
            None => (
                min.unwrap_or(open_lo.min(max.unwrap_or(open_lo))),
                max.unwrap_or(open_hi),
            ),
        };
        if lo > hi {
            errors.push(empty_bounds(key, target, min, max, window, (lo, hi)));
        }
        r.attribute_bounds.push((a, lo, hi));
    }
    let seeds = r.seed_tracks.len() + r.seed_artists.len() + r.seed_genres.len();
    if seeds > MAX_SEEDS {
        errors.push(format!(
            "At most {MAX_SEEDS} seeds in total (seed_tracks, seed_artists, seed_genres); got {seeds}."
        ));
    }
    for id in r.seed_tracks.iter().chain(&r.seed_artists) {
        if !ids::plausible(id) {
            errors.push(super::lookup::invalid_id_message(id));
        }
    }
    // Without a seed or a feature target there is nothing to aim at. Said only when
    // nothing else is wrong: a bad value is the problem to fix first.
    if errors.is_empty() && seeds == 0 && r.targets.is_empty() {
        let attribute_targets: Vec<String> = Attribute::ALL
            .iter()
            .filter(|a| {
                attribute
                    .get(a.key())
                    .is_some_and(|given| given.0.is_some())
            })
            .map(|a| format!("target_{}", a.key()))
            .collect();
        if attribute_targets.is_empty() {
            errors.push(
                "Give at least one seed (seed_tracks, seed_artists or seed_genres) or a target_ value."
                    .to_string(),
            );
        } else {
            let verb = if attribute_targets.len() == 1 {
                "narrows"
            } else {
                "narrow"
            };
            errors.push(format!(
                "{} only {verb} a search (key, mode, duration and time signature are filters): \
                 give a seed (seed_tracks, seed_artists or seed_genres) or a feature target such as target_energy.",
                attribute_targets.join(", ")
            ));
        }
    }
    if errors.is_empty() {
        Ok(r)
    } else {
        Err(ApiError::bad_request(problems(&errors)))
    }
}

/// The seeds as profiles to aim at, and the seed tracks' internal ids (left out of the
/// answer): tracks from the database, artists from the snapshot, genres checked
/// against the index. An unknown one is a 404 (a track or an artist) or a 400 naming
/// what exists (a genre).
async fn resolve_seeds(
    state: &AppState,
    shared: &ApiShared,
    catalog: &CatalogSnapshot,
    r: &RecommendationRequest,
) -> Result<(Seeds, Vec<i32>), ApiError> {
    let version = catalog.meta.version;
    let internal = shared.track_ids(state, version, &r.seed_tracks).await?;
    let mut seed_track_ids = Vec::new();
    for (public, id) in r.seed_tracks.iter().zip(&internal) {
        match id {
            Some(id) => seed_track_ids.push(*id),
            None => return Err(lookup::unknown("track", public)),
        }
    }
    // The same look-up as the perfect-song page's seeds (`web::seeds`).
    let profiles = crate::web::seeds::track_profiles(state, &seed_track_ids)
        .await
        .map_err(ApiError::from)?;
    let unknown_genres: Vec<&str> = r
        .seed_genres
        .iter()
        .filter(|g| catalog.features.genre_id(g).is_none())
        .map(String::as_str)
        .collect();
    if !unknown_genres.is_empty() {
        let genres = state
            .caches
            .genres(&state.pool, version)
            .await
            .map_err(ApiError::from)?;
        let seedable = catalog.features.genre_seed_names();
        let seedable: Vec<&str> = seedable.iter().map(String::as_str).collect();
        return Err(ApiError::bad_request(unknown_genre_seeds(
            &genres,
            &seedable,
            &unknown_genres,
        )));
    }
    let mut seeds = Seeds {
        genres: r.seed_genres.clone(),
        ..Default::default()
    };
    seeds.tracks = seed_track_ids
        .iter()
        .filter_map(|id| profiles.get(id).copied())
        .collect();
    for public in &r.seed_artists {
        let artist = shared
            .artist(catalog, public)
            .ok_or_else(|| lookup::unknown("artist", public))?;
        seeds
            .artists
            .push(crate::web::seeds::artist_profile(artist));
    }
    Ok((seeds, seed_track_ids))
}

/// Settings that could match nothing, refused with why: an empty list with the whole
/// catalog as its pool explains nothing. Cosine over one feature ranks every track
/// alike; popularity, years and time signatures on a catalog whose file gave none
/// would leave every track out.
fn refuse_what_cannot_match(
    settings: &MatchSettings,
    r: &RecommendationRequest,
    catalog: &CatalogSnapshot,
    facts: &TrackFacts,
) -> Result<(), ApiError> {
    if settings.cosine_over_one_feature() {
        return Err(ApiError::bad_request(
            "metric=cosine needs at least two features in play: it compares the direction \
             of the feature vectors, and with one feature every track points the same way. \
             Target or weight a second feature, or use metric=euclidean.",
        ));
    }
    if settings.reads_popularity() && !catalog.features.has_popularity() {
        return Err(ApiError::bad_request(
            "This catalog has no popularity (its file had no popularity column), so \
             target_popularity, weight_popularity, min_popularity and max_popularity \
             could match no track: leave them out.",
        ));
    }
    if (r.min_year.is_some() || r.max_year.is_some()) && !catalog.meta.has_years() {
        return Err(ApiError::bad_request(
            "This catalog has no release dates (its file had none), so min_year and \
             max_year could match no track: leave them out.",
        ));
    }
    let filters_time_signature = r
        .attribute_bounds
        .iter()
        .any(|(a, ..)| *a == Attribute::TimeSignature);
    if filters_time_signature && !facts.has_time_signatures() {
        return Err(ApiError::bad_request(
            "This catalog has no time signatures, so target_time_signature, \
             min_time_signature and max_time_signature could match no track: leave them out.",
        ));
    }
    Ok(())
}

/// The closest tracks, and the pool they were chosen from (`afterFilteringSize`, up to
/// `POOL_COUNTED`), searched on the blocking pool.
async fn search(
    state: &AppState,
    catalog: &CatalogSnapshot,
    settings: &MatchSettings,
    r: &RecommendationRequest,
    facts: Arc<TrackFacts>,
    excluded: Vec<i32>,
) -> Result<(MatchOutcome, usize), ApiError> {
    // Tempo and loudness bounds beyond the sliders' range, checked on the stored
    // values of the tracks the index holds at its range's end (as the page does).
    let exact = crate::web::seeds::exact_ranges(
        state,
        catalog.meta.version,
        r.ranges.iter().map(|(f, range)| (*f, *range)),
    )
    .await
    .map_err(ApiError::from)?;
    let bounds = r.attribute_bounds.clone();
    let facts_for_bounds = Arc::clone(&facts);
    // The API's own conditions: tempo and loudness beyond the sliders' range, and
    // Spotify's attribute bounds (in milliseconds, with key -1 and mode, which the
    // page's filters do not take). Seed tracks and their songs' other versions are
    // left out by `web::seeds`, as on the page.
    let extra = move |id: i32| {
        if exact.as_ref().is_some_and(|e| !e.admits(id)) {
            return false;
        }
        if bounds.is_empty() {
            return true;
        }
        let Some(attrs) = facts_for_bounds.get(id) else {
            return false;
        };
        bounds.iter().all(|&(a, lo, hi)| {
            a.of(&attrs)
                .is_some_and(|v| (lo..=hi).contains(&i64::from(v)))
        })
    };
    // Without a filter or a seed track left out, the pool is the whole catalog (not
    // counted); otherwise it is counted. Either way it is reported up to
    // `POOL_COUNTED` (`afterFilteringSize`), as documented: an artist seed alone had
    // reported 28,352 where every other request says at most 1,000.
    let unfiltered = settings.filters == crate::matching::Filters::default()
        && r.attribute_bounds.is_empty()
        && excluded.is_empty();
    let index = Arc::clone(&catalog.features);
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || {
        let candidates = crate::web::seeds::Candidates::new(&settings, &facts, &excluded, &extra);
        let outcome = candidates.search(&index)?;
        let pool = if unfiltered {
            index.len().min(POOL_COUNTED)
        } else {
            candidates.count(&index, POOL_COUNTED)?
        };
        Ok::<_, crate::matching::InvalidSettings>((outcome, pool))
    })
    .await
    .map_err(|e| ApiError::from(crate::error::AppError::internal(e)))?
    .map_err(ApiError::from)
}

/// One answered track with its explanation, feature by feature.
fn recommended_track(
    base: &objects::Base,
    t: &ApiTrack,
    m: &TrackMatch,
    metric: Metric,
) -> objects::RecommendedTrack {
    objects::RecommendedTrack {
        track: objects::track(base, t),
        explanation: objects::Explanation {
            metric: metric.key().to_string(),
            distance: m.distance,
            similarity: m.similarity,
            features: m
                .differences
                .iter()
                .filter(|d| d.enabled())
                .map(|d| {
                    // The stored value, not the index's: the index holds tempo and
                    // loudness beyond the sliders' range at its ends, and a value
                    // reported back is never clamped.
                    let value = t.features.get(d.feature).or(d.value);
                    objects::FeatureExplanation {
                        feature: d.feature.key().to_string(),
                        weight: objects::tidy(d.weight),
                        target: objects::tidy(d.target),
                        value,
                        difference: value.map(|v| objects::tidy(v - d.target)),
                    }
                })
                .collect(),
        },
    }
}

/// Spotify's seed objects, in the order the seeds were given.
fn seed_objects(
    base: &objects::Base,
    shared: &ApiShared,
    catalog: &CatalogSnapshot,
    r: &RecommendationRequest,
    after_filtering: i64,
) -> Vec<objects::RecommendationSeed> {
    let seed = |id: &str, kind: &str, href: Option<String>| objects::RecommendationSeed {
        initial_pool_size: if kind == "GENRE" {
            let name = catalog.features.genre_named(id).unwrap_or(id);
            shared.genre_track_count(catalog, name)
        } else {
            catalog.meta.track_count
        },
        after_filtering_size: after_filtering,
        after_relinking_size: after_filtering,
        href,
        id: id.to_string(),
        kind: kind.to_string(),
    };
    let tracks = r
        .seed_tracks
        .iter()
        .map(|id| seed(id, "TRACK", Some(base.href(&format!("/tracks/{id}")))));
    let artists = r
        .seed_artists
        .iter()
        .map(|id| seed(id, "ARTIST", Some(base.href(&format!("/artists/{id}")))));
    let genres = r.seed_genres.iter().map(|genre| seed(genre, "GENRE", None));
    tracks.chain(artists).chain(genres).collect()
}

pub struct RecommendationsApi;

#[OpenApi]
impl RecommendationsApi {
    /// Tracks like the seeds. See the API description for how seeds become a target.
    #[oai(
        path = "/recommendations",
        method = "get",
        tag = "ApiTags::Recommendations",
        operation_id = "get-recommendations"
    )]
    async fn recommendations(
        &self,
        req: &Request,
        state: Data<&AppState>,
        shared: Data<&Arc<ApiShared>>,
    ) -> poem::Result<Json<objects::Recommendations>> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(req.uri().query().unwrap_or(""))
                .map_err(|_| ApiError::bad_request("The query string cannot be read."))?;
        let r = parse(&pairs)?;
        let catalog = state.catalog();
        let (seeds, seed_track_ids) = resolve_seeds(&state, &shared, &catalog, &r).await?;
        let mut settings =
            seeds::settings_from_seeds(&seeds, &catalog.features, &r.targets, &r.weights)
                .map_err(ApiError::from)?;
        settings.k = r.limit.unwrap_or(DEFAULT_LIMIT);
        settings.metric = r.metric;
        settings.filters.max_per_artist = r.max_per_artist;
        settings.filters.year_from = r.min_year;
        settings.filters.year_to = r.max_year;
        settings.filters.ranges = r.ranges.clone();
        // One version of each song, its closest, as the page answers: Spotify
        // recommends songs, and a playlist made of the answer had "My Sweet Lord"
        // twice (one in ten of 50 tracks repeated a song).
        settings.filters.all_versions = false;
        // Every track's key, mode, time signature, duration and song: the table the
        // page's filters read too (`cache::CatalogCaches::track_facts`). The attribute
        // filters read it, leaving out the seed tracks' other versions does, and so
        // does answering one version of each song.
        let facts = crate::web::seeds::facts(&state, catalog.meta.version)
            .await
            .map_err(ApiError::from)?;
        refuse_what_cannot_match(&settings, &r, &catalog, &facts)?;
        let (outcome, pool) =
            search(&state, &catalog, &settings, &r, facts, seed_track_ids).await?;
        let ids: Vec<i32> = outcome.matches.iter().map(|m| m.track_id).collect();
        let rows = lookup::load_tracks(&state, ids).await?;
        let base = lookup::base(req, &state);
        let tracks = outcome
            .matches
            .iter()
            .filter_map(|m| {
                Some(recommended_track(
                    &base,
                    rows.get(&m.track_id)?,
                    m,
                    settings.metric,
                ))
            })
            .collect();
        Ok(Json(objects::Recommendations {
            seeds: seed_objects(&base, &shared, &catalog, &r, pool as i64),
            tracks,
            target: settings
                .enabled()
                .into_iter()
                .map(|f| (f.key().to_string(), objects::tidy(settings.target(f))))
                .collect(),
        }))
    }

    /// Every genre the catalog has, for `seed_genres`.
    #[oai(
        path = "/recommendations/available-genre-seeds",
        method = "get",
        tag = "ApiTags::Recommendations",
        operation_id = "get-recommendation-genres"
    )]
    async fn genre_seeds(&self, state: Data<&AppState>) -> Json<objects::GenreSeeds> {
        let catalog = state.catalog();
        Json(objects::GenreSeeds {
            genres: catalog.features.genre_seed_names(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &str) -> Vec<(String, String)> {
        serde_urlencoded::from_str(q).unwrap()
    }

    #[test]
    fn parses_seeds_targets_ranges_and_attributes() {
        let r = parse(&pairs(
            "seed_genres=rock,pop&target_energy=0.8&min_tempo=100&max_tempo=140&weight_valence=0\
             &target_key=5&min_duration_ms=1000&target_duration_ms=200000&limit=7&metric=cosine\
             &max_per_artist=1&min_year=1990&max_year=1999&market=US",
        ))
        .unwrap();
        assert_eq!(r.seed_genres, vec!["rock", "pop"]);
        assert_eq!(r.targets[&Feature::Energy], 0.8);
        assert_eq!(r.ranges[&Feature::Tempo].min, Some(100.0));
        assert_eq!(r.weights[&Feature::Valence], 0.0);
        assert!(r.attribute_bounds.contains(&(Attribute::Key, 5, 5)));
        assert!(r
            .attribute_bounds
            .contains(&(Attribute::DurationMs, 180_000, 220_000)));
        assert_eq!(r.limit, Some(7));
        assert_eq!(r.metric, Metric::Cosine);
    }

    #[test]
    fn reports_every_bad_value() {
        let err = parse(&pairs(
            "seed_genres=a,b,c&seed_tracks=x,y,z&limit=0&target_energy=abc&min_key=12&target_colour=red&min_mode=1&max_mode=0",
        ))
        .unwrap_err();
        for part in [
            "At most 5 seeds",
            "limit",
            "target_energy",
            "min_key",
            "Unknown parameter “target_colour”",
            "target_energy must be a number",
            "mode",
        ] {
            assert!(err.message.contains(part), "{part} in {}", err.message);
        }
        assert!(parse(&pairs("limit=5"))
            .unwrap_err()
            .message
            .contains("at least one seed"));
        assert!(parse(&pairs("seed_tracks=../x")).is_err());
    }

    /// 8 KiB of misspelt names once made a 287 KB answer: the list of what exists is
    /// said once, the names are counted past the first few, and so are the problems.
    #[test]
    fn a_thousand_problems_make_a_short_message() {
        let typos: Vec<String> = (0..1100).map(|i| format!("max_{i}=")).collect();
        let err = parse(&pairs(&format!("seed_genres=rock&{}", typos.join("&")))).unwrap_err();
        assert!(err.message.len() < 1000, "{}", err.message.len());
        assert!(
            err.message.starts_with(
                "Unknown parameters “max_0”, “max_1”, “max_2”, “max_3”, “max_4”, 1095 more: the seeds are"
            ),
            "{}",
            err.message
        );
        assert_eq!(err.message.matches("the seeds are").count(), 1);
        let bad: Vec<String> = (0..30).map(|i| format!("limit{i}=x")).collect();
        let values: Vec<String> = (0..30).map(|i| format!("target_energy=x{i}")).collect();
        let err = parse(&pairs(&format!("{}&{}", bad.join("&"), values.join("&")))).unwrap_err();
        assert!(
            err.message.ends_with("(20 more problems not listed.)"),
            "{}",
            err.message
        );
        let same = parse(&pairs(&"target_energy=x&".repeat(30))).unwrap_err();
        assert_eq!(same.message, "target_energy must be a number, not “x”.");
    }

    #[test]
    fn a_misspelt_tuning_name_is_refused_and_other_unknown_names_are_ignored() {
        for typo in [
            "target_energi=0.5",
            "seed_track=abc",
            "weight_key=1",
            "min_colour=1",
            "max_=3",
            // Spotify's names are lower case: these are typos, not another program's.
            "TARGET_ENERGY=0.5",
            "Target_energy=2",
            "Seed_tracks=abc",
        ] {
            let err = parse(&pairs(&format!("seed_genres=rock&{typo}"))).unwrap_err();
            assert!(
                err.message.starts_with("Unknown parameter “")
                    && err
                        .message
                        .contains("target_, min_, max_ and weight_ take danceability, energy"),
                "{typo}: {}",
                err.message
            );
        }
        let r = parse(&pairs(
            "seed_genres=rock&_=1700000000&country=US&include_seeds_in_response=true&Limit=5&colour=red&theme_mode=dark&ui_key=x&x_duration_ms=long&foo_energy=1",
        ))
        .unwrap();
        assert_eq!(r.seed_genres, vec!["rock"]);
        assert_eq!(r.limit, None);
    }

    #[test]
    fn an_empty_seed_entry_is_refused_and_an_empty_list_is_no_seeds() {
        for (query, entry) in [
            ("seed_genres=rock,,pop", "Entry 2 of seed_genres is empty"),
            ("seed_artists=a,", "Entry 2 of seed_artists is empty"),
            (
                "seed_tracks=,a&seed_genres=pop",
                "Entry 1 of seed_tracks is empty",
            ),
        ] {
            let err = parse(&pairs(query)).unwrap_err();
            assert_eq!(err.status, poem::http::StatusCode::BAD_REQUEST, "{query}");
            assert!(err.message.contains(entry), "{query}: {}", err.message);
        }
        let r = parse(&pairs("seed_tracks=&seed_genres=rock, pop")).unwrap();
        assert!(r.seed_tracks.is_empty());
        assert_eq!(r.seed_genres, vec!["rock", "pop"]);
    }
}
