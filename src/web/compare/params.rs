//! The comparison's request: what is compared (`CompareKind`), the name fields (blanks
//! kept), the feature set and the chart view, read from the query string, with "Add"
//! and "Remove" applied; and the canonical URL of each state.

use crate::{
    catalog::{
        compare::{MAX_COMPARED, MIN_COMPARED},
        Feature,
    },
    error::{AppError, AppResult},
    web::query::{url, QueryPairs},
};

/// What a comparison page compares: its words, its URL and its query key.
#[derive(Debug, PartialEq, Eq)]
pub struct CompareKind {
    /// "artist": the query key of each name field and the word in labels.
    pub noun: &'static str,
    /// "Artist".
    pub title_noun: &'static str,
    /// "an artist".
    pub a_noun: &'static str,
    /// "/artists/compare".
    pub path: &'static str,
    /// Type-ahead suggestions for a name field (the artists' combobox), if any.
    pub suggest: Option<&'static str>,
    /// The id of a `<datalist>` of every name the page includes, if any.
    pub datalist: Option<&'static str>,
    /// The key-figures row listing what each group is made of, and its CSV column.
    pub tags_label: &'static str,
    pub tags_column: &'static str,
    /// Whether each of those is a genre, linked to its page (the genres' top artists
    /// are names without their ids here, so they stay text).
    pub tags_are_genres: bool,
}

pub const ARTISTS: CompareKind = CompareKind {
    noun: "artist",
    title_noun: "Artist",
    a_noun: "an artist",
    path: "/artists/compare",
    suggest: Some("/artists/suggest"),
    datalist: None,
    tags_label: "Top genres",
    tags_column: "top_genres",
    tags_are_genres: true,
};

pub const GENRES: CompareKind = CompareKind {
    noun: "genre",
    title_noun: "Genre",
    a_noun: "a genre",
    path: "/genres/compare",
    suggest: None,
    datalist: Some("genre-names"),
    tags_label: "Top artists",
    tags_column: "top_artists",
    tags_are_genres: false,
};

/// Which features the chart and table show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureSet {
    /// The five features the original app compared.
    Original,
    /// All seven 0..1 features.
    All,
}

impl FeatureSet {
    pub fn features(self) -> &'static [Feature] {
        match self {
            FeatureSet::Original => &Feature::ORIGINAL,
            FeatureSet::All => &Feature::UNIT,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Bars,
    Radar,
}

/// A comparison request after the add/remove buttons have been applied.
#[derive(Debug, Clone)]
pub struct CompareRequest {
    pub kind: &'static CompareKind,
    pub fields: Vec<String>,
    pub features: FeatureSet,
    pub view: View,
    /// The user pressed "Add artist" or "Remove": an unfinished form is expected.
    pub editing: bool,
    /// The user pressed "Add artist": the keyboard goes to the first empty field.
    pub adding: bool,
    /// Any name was typed at all (otherwise this is the empty starting form).
    pub has_names: bool,
    /// The form was sent with every field blank (Compare pressed before typing): said
    /// so, where it had come back as the starting form, with no message and the
    /// keyboard's place lost.
    pub sent_blank: bool,
}

impl CompareRequest {
    /// The comparison a request's query string asks for.
    pub fn of_request(
        req: &poem::Request,
        kind: &'static CompareKind,
    ) -> AppResult<CompareRequest> {
        CompareRequest::parse(&QueryPairs::parse(req.uri().query()), kind)
    }

    /// Rewrites each filled-in field to the catalog's spelling of what it resolved to
    /// ("beyonce" -> "Beyoncé"), in order, so the form and the URL show it from now on.
    pub fn respell<'a>(&mut self, mut names: impl Iterator<Item = &'a str>) {
        for field in self.fields.iter_mut().filter(|f| !f.trim().is_empty()) {
            if let Some(name) = names.next() {
                *field = name.to_string();
            }
        }
    }

    pub fn parse(pairs: &QueryPairs, kind: &'static CompareKind) -> AppResult<CompareRequest> {
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
        let mut fields = pairs.all_text(kind.noun);
        // Two blank fields are what the starting form sends with Compare; the app never
        // writes them into an address itself (`url_with` leaves them out). More blank
        // fields come from "Add" (an address the app pushes, reloaded or gone back to):
        // the form being filled in, not a refusal.
        let sent_blank_form = (1..=MIN_COMPARED).contains(&fields.len());
        let mut editing = false;
        if let Some(remove) = pairs.last("remove") {
            let position = remove
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=fields.len()).contains(n))
                .ok_or_else(|| {
                    AppError::BadRequest(match fields.len() {
                        0 => format!(
                            "remove={remove} does not name {} field: the form sent none.",
                            kind.a_noun
                        ),
                        1 => format!(
                            "remove={remove} does not name {} field; the only field is 1.",
                            kind.a_noun
                        ),
                        n => format!(
                            "remove={remove} does not name {} field; fields are numbered 1 to {n}.",
                            kind.a_noun
                        ),
                    })
                })?;
            fields.remove(position - 1);
            editing = true;
        }
        let adding = pairs.has("add");
        if adding {
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
            kind,
            fields,
            features,
            view,
            editing,
            adding,
            has_names,
            sent_blank: sent_blank_form && !has_names && !editing,
        })
    }

    /// The URL of this state with the given fields: what htmx pushes to history.
    pub fn url_with(&self, fields: &[String], features: FeatureSet, view: View) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        let all_blank = fields.iter().all(|f| f.trim().is_empty());
        if !(all_blank && fields.len() <= MIN_COMPARED) {
            pairs.extend(fields.iter().map(|f| (self.kind.noun, f.trim())));
        }
        if features == FeatureSet::All {
            pairs.push(("features", "all"));
        }
        if view == View::Radar {
            pairs.push(("view", "radar"));
        }
        url(self.kind.path, &pairs)
    }

    /// This state with one field's name replaced (a "did you mean" choice).
    pub fn url_replacing(&self, field: usize, name: &str) -> String {
        let mut fields = self.fields.clone();
        if let Some(slot) = fields.get_mut(field) {
            *slot = name.to_string();
        }
        self.url_with(&fields, self.features, self.view)
    }

    pub fn url(&self) -> String {
        self.url_with(&self.fields, self.features, self.view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> AppResult<CompareRequest> {
        CompareRequest::parse(&QueryPairs::parse(Some(query)), &ARTISTS)
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
        assert!(!r.sent_blank);
        assert!(parse("artist=&artist=").unwrap().sent_blank);
        assert!(!parse("artist=&artist=&add=1").unwrap().sent_blank);
        // The address "Add" pushes on the empty form, reloaded: not a refusal.
        assert!(!parse("artist=&artist=&artist=").unwrap().sent_blank);
        assert_eq!(r.url(), "/artists/compare");
        let r = parse("artist=A&artist=&artist=&artist=&artist=&artist=B&add=1").unwrap();
        assert_eq!(r.fields.len(), MAX_COMPARED);
        let g = CompareRequest::parse(&QueryPairs::parse(Some("genre=pop&genre=r%26b")), &GENRES)
            .unwrap();
        assert_eq!(g.fields, ["pop", "r&b"]);
        assert_eq!(g.url(), "/genres/compare?genre=pop&genre=r%26b");
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
