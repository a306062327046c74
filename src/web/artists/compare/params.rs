//! The comparison's request: the name fields (blanks kept), the feature set and the
//! chart view, read from the query string, with "Add artist" and "Remove" applied; and
//! the canonical URL of each state.

use crate::{
    catalog::{
        artists::{MAX_COMPARED, MIN_COMPARED},
        Feature,
    },
    error::{AppError, AppResult},
    web::query::{url, QueryPairs},
};

/// Which features the chart and table show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FeatureSet {
    /// The five features the original app compared.
    Original,
    /// All seven 0..1 features.
    All,
}

impl FeatureSet {
    pub(super) fn features(self) -> &'static [Feature] {
        match self {
            FeatureSet::Original => &Feature::ORIGINAL,
            FeatureSet::All => &Feature::UNIT,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum View {
    Bars,
    Radar,
}

/// A comparison request after the add/remove buttons have been applied.
#[derive(Debug, Clone)]
pub(super) struct CompareRequest {
    pub(super) fields: Vec<String>,
    pub(super) features: FeatureSet,
    pub(super) view: View,
    /// The user pressed "Add artist" or "Remove": an unfinished form is expected.
    pub(super) editing: bool,
    /// Any name was typed at all (otherwise this is the empty starting form).
    pub(super) has_names: bool,
}

impl CompareRequest {
    pub(super) fn parse(pairs: &QueryPairs) -> AppResult<CompareRequest> {
        let features = match pairs.last("features") {
            None | Some("") | Some("original") => FeatureSet::Original,
            Some("all") => FeatureSet::All,
            Some(other) => {
                return Err(AppError::BadRequest(format!(
                    "“{other}” is not a feature set. Use features=original (the five classic features) or features=all (all seven 0–1 features)."
                )))
            }
        };
        let view = match pairs.last("view") {
            None | Some("") | Some("bars") => View::Bars,
            Some("radar") => View::Radar,
            Some(other) => {
                return Err(AppError::BadRequest(format!(
                    "“{other}” is not a chart view. Use view=bars or view=radar."
                )))
            }
        };
        let mut fields = pairs.all("artist");
        let mut editing = false;
        if let Some(remove) = pairs.last("remove") {
            let position = remove
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=fields.len()).contains(n))
                .ok_or_else(|| {
                    AppError::BadRequest(format!(
                        "remove={remove} does not name an artist field; fields are numbered 1 to {}.",
                        fields.len()
                    ))
                })?;
            fields.remove(position - 1);
            editing = true;
        }
        if pairs.has("add") {
            if fields.len() < MAX_COMPARED {
                fields.push(String::new());
            }
            editing = true;
        }
        let has_names = fields.iter().any(|f| !f.trim().is_empty());
        // Blank fields beyond the maximum carry no information; named ones are kept so
        // the "too many" message can point at them.
        while fields.len() > MAX_COMPARED {
            match fields.iter().rposition(|f| f.trim().is_empty()) {
                Some(blank) => {
                    fields.remove(blank);
                }
                None => break,
            }
        }
        while fields.len() < MIN_COMPARED {
            fields.push(String::new());
        }
        Ok(CompareRequest {
            fields,
            features,
            view,
            editing,
            has_names,
        })
    }

    /// The URL of this state with the given fields: what htmx pushes to history.
    pub(super) fn url_with(&self, fields: &[String], features: FeatureSet, view: View) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        let all_blank = fields.iter().all(|f| f.trim().is_empty());
        if !(all_blank && fields.len() <= MIN_COMPARED) {
            pairs.extend(fields.iter().map(|f| ("artist", f.trim())));
        }
        if features == FeatureSet::All {
            pairs.push(("features", "all"));
        }
        if view == View::Radar {
            pairs.push(("view", "radar"));
        }
        url("/artists/compare", &pairs)
    }

    /// This state with one field's name replaced (a "did you mean" choice).
    pub(super) fn url_replacing(&self, field: usize, name: &str) -> String {
        let mut fields = self.fields.clone();
        if let Some(slot) = fields.get_mut(field) {
            *slot = name.to_string();
        }
        self.url_with(&fields, self.features, self.view)
    }

    pub(super) fn url(&self) -> String {
        self.url_with(&self.fields, self.features, self.view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> AppResult<CompareRequest> {
        CompareRequest::parse(&QueryPairs::parse(Some(query)))
    }

    #[test]
    fn add_and_remove_edit_the_fields_and_the_url_keeps_blanks() {
        let r = parse("artist=A&artist=B&add=1").unwrap();
        assert_eq!(r.fields, ["A", "B", ""]);
        assert!(r.editing);
        assert_eq!(r.url(), "/artists/compare?artist=A&artist=B&artist=");
        let r = parse("artist=A&artist=&artist=C&remove=2&features=all&view=radar").unwrap();
        assert_eq!(r.fields, ["A", "C"]);
        assert_eq!(
            r.url(),
            "/artists/compare?artist=A&artist=C&features=all&view=radar"
        );
        let r = parse("").unwrap();
        assert_eq!(r.fields, ["", ""]);
        assert!(!r.has_names);
        assert_eq!(r.url(), "/artists/compare");
        let r = parse("artist=A&artist=&artist=&artist=&artist=&artist=B&add=1").unwrap();
        assert_eq!(r.fields.len(), MAX_COMPARED);
    }

    #[test]
    fn bad_options_are_400s_with_a_reason() {
        for q in [
            "features=some",
            "view=pie",
            "artist=A&remove=2",
            "artist=A&remove=x",
        ] {
            match parse(q) {
                Err(AppError::BadRequest(message)) => assert!(!message.is_empty()),
                other => panic!("{q}: {other:?}"),
            }
        }
    }
}
