//! Finding genres: by name (case-insensitively), "did you mean" for a name that is not
//! one, and the searchable, sortable list of the `/genres` page.

use super::{GenreCatalog, GenreProfile};
use crate::catalog::{genre_key, Feature};

/// What the genre list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Tracks,
    Artists,
    Feature(Feature),
}

impl SortKey {
    pub fn all() -> Vec<SortKey> {
        let mut keys = vec![SortKey::Tracks, SortKey::Artists, SortKey::Name];
        keys.extend(Feature::ALL.into_iter().map(SortKey::Feature));
        keys
    }

    /// The value in a URL (`sort=tracks`).
    pub fn key(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Tracks => "tracks",
            SortKey::Artists => "artists",
            SortKey::Feature(f) => f.key(),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "Name",
            SortKey::Tracks => "Tracks",
            SortKey::Artists => "Artists",
            SortKey::Feature(f) => f.label(),
        }
    }

    /// Names A to Z; numbers highest first.
    pub fn default_descending(self) -> bool {
        self != SortKey::Name
    }
}

/// A sort key and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenreSort {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for GenreSort {
    fn default() -> Self {
        GenreSort {
            key: SortKey::Tracks,
            descending: true,
        }
    }
}

impl GenreSort {
    /// From `sort` and `dir` as given in a URL; a message naming the choices otherwise.
    pub fn parse(sort: Option<&str>, dir: Option<&str>) -> Result<GenreSort, String> {
        let key = match sort.map(str::trim) {
            None | Some("") => SortKey::Tracks,
            Some(k) => SortKey::all()
                .into_iter()
                .find(|s| s.key() == k)
                .ok_or_else(|| {
                    let keys: Vec<&str> = SortKey::all().into_iter().map(SortKey::key).collect();
                    format!(
                        "“{k}” is not a way to sort genres. Use sort= one of: {}.",
                        keys.join(", ")
                    )
                })?,
        };
        let descending = match dir.map(str::trim) {
            None | Some("") => key.default_descending(),
            Some("desc") => true,
            Some("asc") => false,
            Some(d) => {
                return Err(format!(
                    "“{d}” is not a direction. Use dir=asc or dir=desc."
                ))
            }
        };
        Ok(GenreSort { key, descending })
    }

    pub fn dir(self) -> &'static str {
        if self.descending {
            "desc"
        } else {
            "asc"
        }
    }
}

/// Edit distance over characters, a swap of neighbours counting as one edit (optimal
/// string alignment), or `None` past `limit`.
fn edit_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut before: Vec<usize> = Vec::new();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 0..a.len() {
        let mut current = vec![i + 1; b.len() + 1];
        for j in 0..b.len() {
            let cost = usize::from(a[i] != b[j]);
            let mut best = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
            if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                best = best.min(before[j - 1] + 1);
            }
            current[j + 1] = best;
        }
        if current.iter().min().copied().unwrap_or(0) > limit {
            return None;
        }
        before = std::mem::replace(&mut previous, current);
    }
    let d = previous[b.len()];
    (d <= limit).then_some(d)
}

/// A name as a search compares it: "hip-hop" finds "hip hop", since a hyphen and a
/// space are the same to a reader, and so are two spaces and one (`hip  hop` found
/// nothing, then suggested "hip hop", which the page shows alike).
fn loose(name: &str) -> String {
    accents_folded(&genre_key(name))
        .replace('-', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A genre key with Latin accents folded, as artist names are searched: `forro` finds
/// "forró", which had been "no genre matches" on the list, and 404 in a comparison.
fn accents_folded(key: &str) -> String {
    crate::model::artist_names::artist_search_key(key)
}

/// A genre's name as another spelling of it reads: Latin accents folded, hyphens as
/// spaces and "&", "and" and "n" as one word, so Spotify's seed names (`r-n-b`, `hip-hop`,
/// `drum-and-bass`) find a catalog's `r&b`, `hip hop` and `drum & bass`. For telling
/// whole names apart only: as a search ("n" typed so far) it would find every "&".
pub fn spelling_key(name: &str) -> String {
    let spaced = accents_folded(&genre_key(name))
        .replace('-', " ")
        .replace('&', " & ");
    let words: Vec<&str> = spaced
        .split_whitespace()
        .map(|w| match w {
            "and" | "n" => "&",
            w => w,
        })
        .collect();
    words.join(" ")
}

/// A genre's name as Spotify writes genre seeds: lower case, words joined by `-`, `&`
/// as `n` (`r&b` is `r-n-b`, `hip hop` is `hip-hop`). Such a name holds no `&`, `,`,
/// `+`, `#`, `=` or space, so a seed list built by hand from `available-genre-seeds`
/// reads as it was listed (`seed_genres=r&b` was the genre `r` and a parameter `b`); a
/// letter beyond ASCII is still percent-encoded by the client, as any is.
/// `spelling_key` reads it back as the genre.
pub fn seed_slug(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in genre_key(name).chars() {
        match c {
            '&' => slug.push_str("-n-"),
            c if c.is_alphanumeric() => slug.push(c),
            _ => slug.push('-'),
        }
    }
    slug.split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

impl GenreCatalog {
    /// The subgenre called `name` (as `find` reads it) and its genre's name, when
    /// `name` is a subgenre: what a genre seed cannot be, said with the genre to use.
    pub fn as_subgenre(&self, name: &str) -> Option<(&GenreProfile, &str)> {
        let subgenre = self.find(name).filter(|g| g.is_subgenre())?;
        Some((subgenre, subgenre.parent.as_deref()?))
    }

    /// The genre called `name` (ignoring case and surrounding spaces); a subgenre when
    /// no genre has the name (the one with most tracks, if several genres have it).
    /// Failing that, the one whose name is another spelling of it (`spelling_key`:
    /// `hip-hop` is TidyTuesday's `hip hop`): the search found it, and its address and
    /// the comparison said there was no such genre.
    pub fn find(&self, name: &str) -> Option<&GenreProfile> {
        let key = genre_key(name);
        let spelled = spelling_key(name);
        let all = || self.genres().iter().chain(self.subgenres());
        all()
            .find(|g| g.key == key)
            .or_else(|| all().find(|g| spelling_key(&g.name) == spelled))
    }

    /// The genres and subgenres whose names are closest to `name`: those containing it
    /// or contained in it, then those within a few typos, most tracks first.
    pub fn did_you_mean(&self, name: &str, limit: usize) -> Vec<&GenreProfile> {
        let key = genre_key(name);
        if key.is_empty() {
            return Vec::new();
        }
        let allowed = (key.chars().count() / 3).clamp(1, 3);
        let mut scored: Vec<(usize, &GenreProfile)> = self
            .genres()
            .iter()
            .chain(self.subgenres())
            .filter_map(|g| {
                if g.key.contains(&key) || key.contains(&g.key) {
                    Some((0, g))
                } else {
                    edit_distance(&key, &g.key, allowed).map(|d| (d, g))
                }
            })
            .collect();
        scored.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.is_subgenre().cmp(&b.1.is_subgenre()))
                .then(b.1.track_count.cmp(&a.1.track_count))
        });
        scored.into_iter().take(limit).map(|(_, g)| g).collect()
    }

    /// The subgenres of `genre` that a search for `query` found it by, when its own
    /// name does not hold `query` (a search for "hip" lists rap for "hip hop"); none
    /// when it does, or for an empty query.
    pub fn found_by<'a>(&self, genre: &'a GenreProfile, query: &str) -> Vec<&'a str> {
        let query = loose(query);
        if query.is_empty() || loose(&genre.key).contains(&query) {
            return Vec::new();
        }
        genre
            .subgenres
            .iter()
            .filter(|s| loose(s).contains(&query))
            .map(String::as_str)
            .collect()
    }

    /// The genres whose name (or a subgenre's name) contains `query`, sorted.
    pub fn list(&self, query: &str, sort: GenreSort) -> Vec<&GenreProfile> {
        let query = loose(query);
        let mut found: Vec<&GenreProfile> = self
            .genres()
            .iter()
            .filter(|g| {
                query.is_empty()
                    || loose(&g.key).contains(&query)
                    || g.subgenres.iter().any(|s| loose(s).contains(&query))
            })
            .collect();
        found.sort_by(|a, b| {
            let order = match sort.key {
                SortKey::Name => a.key.cmp(&b.key),
                SortKey::Tracks => a.track_count.cmp(&b.track_count),
                SortKey::Artists => a.artist_count.cmp(&b.artist_count),
                SortKey::Feature(f) => {
                    let value = |g: &GenreProfile| g.value(f).unwrap_or(f64::NEG_INFINITY);
                    value(a).total_cmp(&value(b))
                }
            };
            let order = if sort.descending {
                order.reverse()
            } else {
                order
            };
            order.then(a.key.cmp(&b.key))
        });
        found
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn another_spelling_of_a_genre_reads_the_same() {
        for (a, b) in [
            ("r-n-b", "r&b"),
            ("R & B", "r&b"),
            ("hip-hop", "hip hop"),
            ("drum-and-bass", "Drum & Bass"),
            ("rock n roll", "rock-and-roll"),
        ] {
            assert_eq!(spelling_key(a), spelling_key(b), "{a} / {b}");
        }
        for (a, b) in [("r-b", "r&b"), ("randb", "r&b"), ("hiphop", "hip hop")] {
            assert_ne!(spelling_key(a), spelling_key(b), "{a} / {b}");
        }
    }

    use super::*;
    use crate::catalog::{
        genres::{GenreDef, GenreSource, GenreTrack},
        AudioFeatures,
    };

    #[test]
    fn seed_slugs_are_spotifys_and_read_back_as_the_genre() {
        for (name, slug) in [
            ("r&b", "r-n-b"),
            ("Hip Hop", "hip-hop"),
            ("drum & bass", "drum-n-bass"),
            ("k-pop", "k-pop"),
            (" edm ", "edm"),
            ("folk, world", "folk-world"),
        ] {
            assert_eq!(seed_slug(name), slug);
        }
        for name in ["r&b", "hip hop", "drum & bass", "k-pop"] {
            assert_eq!(spelling_key(&seed_slug(name)), spelling_key(name), "{name}");
        }
    }

    fn catalog() -> GenreCatalog {
        let names = ["pop", "rock", "r&b", "latin", "edm"];
        let mut genres: Vec<GenreDef> = names
            .iter()
            .enumerate()
            .map(|(i, name)| GenreDef {
                id: i as i32 + 1,
                name: name.to_string(),
                parent: None,
            })
            .collect();
        genres.push(GenreDef {
            id: 10,
            name: "dance pop".into(),
            parent: Some(1),
        });
        // Genre g gets tracks 1..=g*2 (pop 2, rock 4, ...).
        let mut links: Vec<(i32, i32)> = (1..=10)
            .flat_map(|id| (1..=5).filter(move |g| id <= g * 2).map(move |g| (id, g)))
            .collect();
        links.push((1, 10));
        let mut source = GenreSource::new(genres, links);
        for id in 1..=10 {
            source.add_track(GenreTrack {
                id,
                artist: Some(id),
                year: Some(2000),
                popularity: None,
                features: AudioFeatures {
                    energy: f64::from(id) / 10.0,
                    ..AudioFeatures::default()
                },
            });
        }
        GenreCatalog::build(&source)
    }

    #[test]
    fn names_resolve_and_typos_get_suggestions() {
        let c = catalog();
        assert_eq!(c.find(" POP ").map(|g| g.track_count), Some(2));
        assert_eq!(c.find("Dance Pop").map(|g| g.is_subgenre()), Some(true));
        assert!(c.find("polka").is_none());
        let names = |v: Vec<&GenreProfile>| v.iter().map(|g| g.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(c.did_you_mean("rokc", 3)), ["rock"]);
        assert_eq!(names(c.did_you_mean("po", 3)), ["pop", "dance pop"]);
        assert!(c.did_you_mean("zzzzzzzz", 3).is_empty());
        assert_eq!(edit_distance("latn", "latin", 1), Some(1));
        assert_eq!(edit_distance("rokc", "rock", 1), Some(1));
        assert_eq!(edit_distance("abc", "xyz", 2), None);
    }

    #[test]
    fn the_list_searches_and_sorts() {
        let c = catalog();
        let keys = |v: Vec<&GenreProfile>| v.iter().map(|g| g.key.clone()).collect::<Vec<_>>();
        assert_eq!(
            keys(c.list("", GenreSort::default())),
            ["edm", "latin", "r&b", "rock", "pop"]
        );
        let by_name = GenreSort::parse(Some("name"), None).unwrap();
        assert_eq!(
            keys(c.list("", by_name)),
            ["edm", "latin", "pop", "r&b", "rock"]
        );
        assert_eq!(
            keys(c.list("dance", by_name)),
            ["pop"],
            "found by a subgenre"
        );
        assert_eq!(
            keys(c.list("Dance-Pop", by_name)),
            ["pop"],
            "a hyphen is a space"
        );
        // Which subgenre found it, when its own name did not.
        let pop = c.find("pop").expect("pop");
        assert_eq!(c.found_by(pop, "dance"), ["dance pop"]);
        assert!(c.found_by(pop, "po").is_empty(), "its own name holds it");
        assert!(c.found_by(pop, "").is_empty());
        let energy = GenreSort::parse(Some("energy"), Some("asc")).unwrap();
        assert_eq!(keys(c.list("", energy))[0], "pop");
        assert!(GenreSort::parse(Some("colour"), None)
            .unwrap_err()
            .contains("tracks"));
        assert!(GenreSort::parse(None, Some("up")).is_err());
    }
}
