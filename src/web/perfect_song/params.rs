//! The page's settings as they travel: query-string or form pairs in, `MatchSettings`
//! out (with the genre check against the catalog that `MatchSettings` cannot do alone),
//! and back to a shareable URL. `FormState` is what the form shows: the settings, or
//! the user's own (bad) input with a message per field.

use std::collections::{BTreeMap, BTreeSet};

use crate::{
    catalog::{snapshot::CatalogSnapshot, Feature},
    matching::{
        keys,
        seeds::{settings_from_seeds, Seeds},
        settings::SeedRefs,
        FeatureIndex, InvalidSettings, MatchError, MatchSettings,
    },
    web::query::QueryPairs,
};

/// Where the page lives; its query string holds the settings.
pub const PAGE: &str = "/perfect-song";

/// The field of a taste profile's name. Not a setting: the live answer leaves it out.
pub const PROFILE_NAME: &str = "name";

pub use crate::web::query::Pairs;

/// Parses a query string into pairs. Malformed percent-escapes are read leniently (as
/// browsers do), so this does not fail on anything a user can type.
pub fn pairs_of(encoded: &str) -> Pairs {
    QueryPairs::parse(Some(encoded)).0
}

/// Whether the pairs carry any match setting (as opposed to an empty or unrelated query).
pub fn has_settings(pairs: &Pairs) -> bool {
    pairs.iter().any(|(key, _)| keys::is_setting(key))
}

/// The settings the pairs describe, checked completely: every field's own rules plus
/// genres that exist in the catalog. All problems are reported at once. A feature the
/// pairs leave out starts where the form starts it (`MatchSettings::starting_from`:
/// the others at the catalog average), not at the middle of its range.
pub fn parse(pairs: &Pairs, catalog: &CatalogSnapshot) -> Result<MatchSettings, InvalidSettings> {
    let mut settings = parse_checked(pairs, &catalog.features)?;
    let start = starting(catalog);
    for feature in Feature::ALL {
        let key = keys::target(feature);
        if !pairs.iter().any(|(k, _)| *k == key) {
            settings.targets.insert(feature, start.target(feature));
        }
    }
    // `energy=0.555` was searched as given while the slider showed 0.56, and the next
    // change elsewhere moved it there unseen.
    on_the_sliders_steps(&mut settings);
    without_popularity_unless_held(&mut settings, &catalog.features);
    // "No explicit tracks" over a catalog where none is marked explicit changes nothing,
    // and the page shows it switched off: one brought by an address or a profile was
    // said in the answer ("not marked explicit"), then dropped by the next change,
    // since a disabled box is not sent. It is left out from the start.
    if !catalog.features.has_explicit() {
        settings.filters.exclude_explicit = false;
    }
    Ok(settings)
}

/// Popularity left out of settings for a catalog that has none (the Kaggle 1.2M
/// layout): a weight or a minimum brought by an address, a saved profile or the latest
/// settings left every track out, and the page offers no control to undo it (the API
/// refuses such parameters instead, where a script can be told).
fn without_popularity_unless_held(settings: &mut MatchSettings, index: &FeatureIndex) {
    if !index.has_popularity() {
        settings.without_popularity();
    }
}

/// Where the form starts: the original five at the middle, the others at the catalog's
/// average, rounded to their slider's step (so the value reads well and sits on the
/// slider's grid).
pub fn starting(catalog: &CatalogSnapshot) -> MatchSettings {
    // An empty catalog has no average: its zeros had put the sliders at 0 BPM and 0 dB.
    if catalog.meta.track_count == 0 {
        return MatchSettings::default();
    }
    let mut settings =
        MatchSettings::starting_from(&catalog.average, catalog.artists.reference_popularity());
    on_the_sliders_steps(&mut settings);
    settings
}

/// Every target on its slider's step, as the slider shows it and as the form sends it
/// back, so that the page ranks against exactly what it shows.
fn on_the_sliders_steps(settings: &mut MatchSettings) {
    for (feature, target) in settings.targets.iter_mut() {
        *target = feature.on_step(*target);
    }
}

/// Unknown genres named one by one; the rest are counted in one more message (a
/// query string of 7,000 made-up genres gave 7,000 lines).
const UNKNOWN_GENRES_NAMED: usize = 3;

fn parse_checked(pairs: &Pairs, index: &FeatureIndex) -> Result<MatchSettings, InvalidSettings> {
    let mut names: Vec<&str> = pairs
        .iter()
        .filter(|(key, value)| key == keys::GENRE && !value.trim().is_empty())
        .map(|(_, value)| value.trim())
        .filter(|value| !knows_genre(index, value))
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut unknown: Vec<MatchError> = names
        .iter()
        .take(UNKNOWN_GENRES_NAMED)
        .map(|name| MatchError::UnknownGenre(name.to_string()))
        .collect();
    if names.len() > UNKNOWN_GENRES_NAMED {
        unknown.push(MatchError::Field {
            field: keys::GENRE.into(),
            message: format!(
                "Nor are the other {} genres asked for.",
                names.len() - UNKNOWN_GENRES_NAMED
            ),
        });
    }
    // A genre is read in the catalog's own spelling, as seeds and the API read it
    // (`r-n-b`, Spotify's seed name, is TidyTuesday's `r&b`), so the form shows it chosen.
    let canonical = pairs.iter().map(|(k, v)| {
        let value = if k == keys::GENRE {
            index.genre_named(v).unwrap_or(v)
        } else {
            v.as_str()
        };
        (k.as_str(), value)
    });
    match MatchSettings::from_pairs(canonical) {
        Ok(settings) if unknown.is_empty() => Ok(settings),
        Ok(_) => Err(InvalidSettings(unknown)),
        Err(InvalidSettings(mut errors)) => {
            errors.extend(unknown);
            Err(InvalidSettings(errors))
        }
    }
}

/// Whether the catalog has the genre, in any spelling its search takes.
fn knows_genre(index: &FeatureIndex, name: &str) -> bool {
    index.genre_id(name).is_some()
}

/// Settings read back from storage: a genre the catalog no longer has (after a new
/// import) is dropped instead of turning the page into an error; anything else invalid
/// means the stored value is unusable. Targets are put on the sliders' steps, as `parse`
/// puts an address's: one saved from an address between steps, before that, had been
/// searched as saved beside a slider showing the step.
pub fn restore(json: &str, index: &FeatureIndex) -> Option<MatchSettings> {
    let mut settings: MatchSettings = serde_json::from_str(json).ok()?;
    settings.filters.genres.retain(|g| knows_genre(index, g));
    without_popularity_unless_held(&mut settings, index);
    settings.validate().ok()?;
    on_the_sliders_steps(&mut settings);
    Some(settings)
}

/// The settings as a query string.
pub fn query_string(settings: &MatchSettings) -> String {
    // The same encoding as `serde_urlencoded` (it is built on `form_urlencoded`), written
    // straight into one string: this is every live answer's cache key.
    let mut out = form_urlencoded::Serializer::new(String::with_capacity(512));
    settings.each_pair(&mut |key, value| {
        out.append_pair(key, value);
    });
    out.finish()
}

/// The settings among raw pairs as a query string (kept as given, for a form to carry).
pub fn query_string_of(pairs: &Pairs) -> String {
    let settings: Vec<&(String, String)> =
        pairs.iter().filter(|(k, _)| keys::is_setting(k)).collect();
    serde_urlencoded::to_string(settings).unwrap_or_default()
}

/// The shareable address of these settings: opening it shows the same result.
pub fn page_url(settings: &MatchSettings) -> String {
    page_url_of_query(&query_string(settings))
}

/// The same, from the settings' query string (`query_string`).
pub fn page_url_of_query(query: &str) -> String {
    [PAGE, "?", query].concat()
}

/// What the form shows.
#[derive(Debug, Clone)]
pub struct FormState {
    values: BTreeMap<String, String>,
    pub genres: BTreeSet<String>,
    /// The seeds as named (the chips), whether or not they could be looked up.
    pub seeds: SeedRefs,
    pub errors: Option<InvalidSettings>,
}

impl FormState {
    /// No form to show, and no messages: what a live answer to valid settings sends
    /// beside the results (nothing out of band). Writing every field's value for a form
    /// that is not sent was about 3% of a live answer's CPU time (`perf record`).
    pub fn unshown() -> FormState {
        FormState {
            values: BTreeMap::new(),
            genres: BTreeSet::new(),
            seeds: SeedRefs::default(),
            errors: None,
        }
    }

    /// The form for valid settings.
    pub fn from_settings(settings: &MatchSettings) -> FormState {
        let mut values = BTreeMap::new();
        for (key, value) in settings.to_pairs() {
            if key != keys::GENRE && !is_seed_key(&key) {
                values.insert(key, value);
            }
        }
        FormState {
            values,
            genres: settings.filters.genres.clone(),
            seeds: settings.seeds.clone(),
            errors: None,
        }
    }

    /// The form for input that did not pass: the user's own values (so they can see and
    /// fix what they typed) over `start` (see `starting`), with the messages.
    pub fn from_input(pairs: &Pairs, errors: InvalidSettings, start: &MatchSettings) -> FormState {
        let mut state = FormState::from_settings(start);
        state.genres.clear();
        state.seeds = seed_refs_of(pairs);
        for (key, value) in pairs {
            if is_seed_key(key) {
                continue;
            }
            if key == keys::GENRE {
                if !value.trim().is_empty() {
                    state.genres.insert(value.trim().to_string());
                }
            } else if keys::is_setting(key) {
                // A form's POST comes here as sent (an address's query is made
                // showable as it is read, `QueryPairs::parse`): a NUL or an ESC went
                // back into the field unseen.
                state
                    .values
                    .insert(key.clone(), crate::web::query::showable(value));
            }
        }
        // A weight the pairs leave out is the page's own for their seeds (an address
        // made by hand, `?seed_track=1&seed_q=…`), not the start's, which has none.
        if !state.seeds.is_empty() {
            for feature in Feature::ALL {
                let key = keys::weight(feature);
                if !pairs.iter().any(|(k, _)| k == key) {
                    let weight = state.automatic_weight(feature).to_string();
                    state.values.insert(key.to_string(), weight);
                }
            }
        }
        state.errors = Some(errors);
        state
    }

    /// The form for pairs taken as they are, without messages (the seed search's
    /// links keep whatever the page had).
    pub fn lenient(pairs: &Pairs, start: &MatchSettings) -> FormState {
        let mut state = FormState::from_input(pairs, InvalidSettings(Vec::new()), start);
        state.errors = None;
        state
    }

    /// The value of a field as text ("" when unset).
    pub fn value(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }

    /// The value of a field as a number, if it is one.
    pub fn number(&self, key: &str) -> Option<f64> {
        self.value(key)
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
    }

    pub fn checked(&self, key: &str) -> bool {
        matches!(
            self.value(key).to_ascii_lowercase().as_str(),
            "on" | "true" | "1" | "yes"
        )
    }

    pub fn error(&self, field: &str) -> Option<String> {
        self.errors.as_ref().and_then(|e| e.message_for(field))
    }

    pub fn has_errors(&self) -> bool {
        self.errors.is_some()
    }

    /// The values as a query string: what the profile forms carry so that, without
    /// JavaScript, they save these settings and come back to them.
    pub fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = self
            .values
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain(self.genres.iter().map(|g| (keys::GENRE, g.as_str())))
            .collect();
        let seeds = seed_pairs(&self.seeds);
        let pairs: Vec<(&str, &str)> = pairs
            .into_iter()
            .chain(seeds.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    /// The settings that stay when the seeds change (filters, ranges, result count,
    /// metric, weights), without targets, seeds, or genres the seeds imposed: the
    /// base of every "add a seed" and "remove this seed" address.
    pub fn base_pairs(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = self
            .values
            .iter()
            // A seed sets the targets; the weights the user chose stay.
            .filter(|(k, _)| Feature::from_key(k).is_none())
            .filter(|(k, v)| !v.is_empty() && !self.is_automatic_weight(k, v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        pairs.extend(
            self.genres
                .iter()
                .filter(|g| !self.seeds.genres.iter().any(|s| s.eq_ignore_ascii_case(g)))
                .map(|g| (keys::GENRE.to_string(), g.clone())),
        );
        pairs
    }

    /// Whether `key=value` is a weight the page chose rather than the user: with seeds,
    /// the seeds' (each audio feature on, popularity off); without, the defaults. Such
    /// a weight is not carried over when the seeds change: it was, and a seed added
    /// from the default page was matched on five features where the same seed's "More
    /// like this" matched on nine, and removing the last seed left nine on.
    fn is_automatic_weight(&self, key: &str, value: &str) -> bool {
        let Some(feature) = Feature::ALL.into_iter().find(|f| keys::weight(*f) == key) else {
            return false;
        };
        value
            .trim()
            .parse::<f64>()
            .is_ok_and(|weight| weight == self.automatic_weight(feature))
    }

    /// The weight the page gives `feature` by itself with these seeds.
    fn automatic_weight(&self, feature: Feature) -> f64 {
        if self.seeds.is_empty() {
            MatchSettings::default().weight(feature)
        } else if Feature::AUDIO.contains(&feature) {
            1.0
        } else {
            0.0
        }
    }

    /// The page's own weights as a query string, for app.js: a live answer's address
    /// names every weight, and the script leaves these out when the seeds change, as
    /// `base_pairs` does.
    pub fn automatic_weights(&self) -> String {
        let pairs: Vec<(&str, String)> = Feature::ALL
            .into_iter()
            .map(|f| (keys::weight(f), self.automatic_weight(f).to_string()))
            .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    /// Every setting, targets included, and the seeds: what the seed search carries,
    /// since a search alone adds nothing and so must change nothing (only the seed it
    /// leads to sets the targets again, through `with_seeds`). The page's own weights
    /// too: without them a seeded page's search read its
    /// targets (popularity's among them) as targets the user set, which turned
    /// popularity on, and the fragment's links fell back to the weights of a page
    /// without seeds.
    pub fn search_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = self.base_pairs();
        pairs.extend(
            self.values
                .iter()
                .filter(|(k, v)| {
                    !v.is_empty()
                        && (Feature::from_key(k).is_some() || self.is_automatic_weight(k, v))
                })
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        pairs.extend(seed_pairs(&self.seeds));
        pairs
    }

    /// The page with these seeds instead of the current ones, the other settings kept.
    pub fn with_seeds(&self, seeds: &SeedRefs) -> String {
        let mut pairs = self.base_pairs();
        pairs.extend(seed_pairs(seeds));
        format!(
            "{PAGE}?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }
}

fn is_seed_key(key: &str) -> bool {
    [keys::SEED_TRACK, keys::SEED_ARTIST, keys::SEED_GENRE].contains(&key)
}

/// The seeds as a query string.
pub fn seed_query(seeds: &SeedRefs) -> String {
    serde_urlencoded::to_string(seed_pairs(seeds)).unwrap_or_default()
}

fn seed_pairs(seeds: &SeedRefs) -> Vec<(String, String)> {
    let settings = MatchSettings {
        seeds: seeds.clone(),
        ..MatchSettings::default()
    };
    settings.seed_pairs()
}

/// The seeds named in pairs, leniently (what is not a number is left out; the parse
/// reports it), each once, as the settings' parse counts them.
pub fn seed_refs_of(pairs: &Pairs) -> SeedRefs {
    let mut refs = SeedRefs::default();
    for (key, value) in pairs {
        let value = value.trim();
        match key.as_str() {
            keys::SEED_TRACK => value.parse().into_iter().for_each(|id| refs.add_track(id)),
            keys::SEED_ARTIST => value.parse().into_iter().for_each(|id| refs.add_artist(id)),
            keys::SEED_GENRE if !value.is_empty() => refs.add_genre(value),
            _ => {}
        }
    }
    refs
}

/// Seeds set the targets (`matching::seeds`, the API's rule): every target and weight
/// the pairs do not give explicitly comes from the seeds' average profile, and genre
/// seeds restrict the genres. Without seeds, nothing changes.
pub fn apply_seeds(
    settings: &mut MatchSettings,
    pairs: &Pairs,
    seeds: &Seeds,
    index: &FeatureIndex,
) -> Result<(), InvalidSettings> {
    if seeds.count() == 0 {
        return Ok(());
    }
    let given = |key: &str| pairs.iter().any(|(k, _)| k == key);
    let targets = Feature::ALL
        .into_iter()
        .filter(|f| given(keys::target(*f)))
        .map(|f| (f, settings.target(f)))
        .collect();
    let weights = Feature::ALL
        .into_iter()
        .filter(|f| given(keys::weight(*f)))
        .map(|f| (f, settings.weight(f)))
        .collect();
    let seeded = settings_from_seeds(seeds, index, &targets, &weights).map_err(|e| {
        InvalidSettings(
            e.0.into_iter()
                .map(|e| match e {
                    MatchError::UnknownGenre(name) => MatchError::UnknownSeedGenre(name),
                    e => MatchError::Field {
                        field: keys::SEEDS.into(),
                        message: e.to_string(),
                    },
                })
                .collect(),
        )
    })?;
    for feature in Feature::ALL {
        // A target the seeds set is an average ("0.5763333…"): on the slider's steps,
        // as a person could set it, so that the form shows it as the slider does and
        // a number field without JavaScript does not refuse it as off its step. One
        // the user gave stays as given.
        if let Some(t) = seeded.targets.get(&feature) {
            let t = if given(keys::target(feature)) {
                *t
            } else {
                feature.on_step(*t)
            };
            settings.targets.insert(feature, t);
        }
        settings.weights.insert(feature, seeded.weight(feature));
    }
    settings.filters.genres.extend(seeded.filters.genres);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_targets_between_steps_are_read_on_the_steps() {
        let mut stored = MatchSettings::default();
        stored.targets.insert(Feature::Energy, 0.555);
        stored.targets.insert(Feature::Tempo, 120.7);
        let json = serde_json::to_string(&stored).expect("json");
        let index = FeatureIndex::from_tracks(std::iter::empty());
        let restored = restore(&json, &index).expect("restored");
        assert_eq!(restored.target(Feature::Energy), 0.56);
        assert_eq!(restored.target(Feature::Tempo), 121.0);
    }

    #[test]
    fn settings_keys_are_recognised_and_others_ignored() {
        assert!(has_settings(&pairs_of("energy=0.4")));
        assert!(has_settings(&pairs_of("w_tempo=1")));
        assert!(has_settings(&pairs_of("genre=rock")));
        assert!(!has_settings(&pairs_of("utm_source=x&csrf_token=y")));
        assert!(!has_settings(&pairs_of("")));
    }

    #[test]
    fn the_page_url_reads_back_as_the_same_settings() {
        let mut settings = MatchSettings::default();
        settings.targets.insert(Feature::Energy, 0.83);
        settings.filters.genres.insert("r&b".into());
        settings.filters.year_from = Some(1990);
        let url = page_url(&settings);
        let query = url.strip_prefix("/perfect-song?").unwrap();
        let back = MatchSettings::from_pairs(pairs_of(query)).unwrap();
        assert_eq!(back, settings);
    }

    #[test]
    fn the_form_keeps_bad_input_with_its_message() {
        let pairs = pairs_of("energy=abc&genre=jazz");
        let errors = MatchSettings::from_pairs(pairs.clone()).unwrap_err();
        let form = FormState::from_input(&pairs, errors, &MatchSettings::default());
        assert_eq!(form.value("energy"), "abc");
        assert_eq!(
            form.value("danceability"),
            "0.5",
            "others keep their default"
        );
        assert!(form.genres.contains("jazz"));
        assert_eq!(form.error("energy").unwrap(), "“abc” is not a number.");
    }
}
