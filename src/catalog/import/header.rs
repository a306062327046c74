//! Finding the columns of a CSV by their header names.
//!
//! A header is normalised (lower case; spaces, underscores, hyphens and dots removed; a
//! unit in parentheses set aside) and compared with the known spellings of every field
//! of [`NewTrack`](crate::catalog::NewTrack). Feature spellings come from
//! [`Feature::key`] and [`Feature::label`]; only a few extra spellings are listed here.

use std::fmt;

use super::{listed, value::shown};
use crate::model::Feature;

/// How many columns an error message names (a header may have thousands).
const LISTED_COLUMNS: usize = 30;

/// A field of a track that a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    TrackId,
    Title,
    Artists,
    Album,
    /// Spotify's id of the album (`track_album_id`, `album_id`, Exportify's `Album URI`).
    AlbumId,
    ReleaseDate,
    Genre,
    /// A subgenre of the row's genre (TidyTuesday's `playlist_subgenre`).
    Subgenre,
    DurationMs,
    Explicit,
    MusicalKey,
    Mode,
    TimeSignature,
    /// An audio feature, or popularity.
    Feature(Feature),
}

/// The fields that are not features, in the order they are reported.
const METADATA: [Field; 13] = [
    Field::TrackId,
    Field::Title,
    Field::Artists,
    Field::Album,
    Field::AlbumId,
    Field::ReleaseDate,
    Field::Genre,
    Field::Subgenre,
    Field::DurationMs,
    Field::Explicit,
    Field::MusicalKey,
    Field::Mode,
    Field::TimeSignature,
];

/// Spellings of features that neither their key nor their label covers.
const EXTRA_FEATURE_ALIASES: [(&str, Feature); 3] = [
    ("bpm", Feature::Tempo),
    ("trackpopularity", Feature::Popularity),
    ("songpopularity", Feature::Popularity),
];

impl Field {
    /// Every field a column can fill.
    pub fn all() -> impl Iterator<Item = Field> {
        METADATA
            .into_iter()
            .chain(Feature::ALL.into_iter().map(Field::Feature))
    }

    /// The fields a file must have: a title, an artist and every audio feature.
    pub fn required() -> impl Iterator<Item = Field> {
        [Field::Title, Field::Artists]
            .into_iter()
            .chain(Feature::AUDIO.into_iter().map(Field::Feature))
    }

    /// How the field is named in messages.
    pub fn name(self) -> &'static str {
        match self {
            Field::TrackId => "track id",
            Field::Title => "title",
            Field::Artists => "artist",
            Field::Album => "album",
            Field::AlbumId => "album id",
            Field::ReleaseDate => "release date",
            Field::Genre => "genre",
            Field::Subgenre => "subgenre",
            Field::DurationMs => "duration",
            Field::Explicit => "explicit",
            Field::MusicalKey => "key",
            Field::Mode => "mode",
            Field::TimeSignature => "time signature",
            Field::Feature(feature) => feature.key(),
        }
    }

    /// Normalised header spellings that name this field, best first: when two columns
    /// name the same field, the one with the better spelling wins (TidyTuesday has both
    /// `track_name` and `playlist_name`; only the first is the title).
    pub fn aliases(self) -> Vec<String> {
        let fixed: &[&str] = match self {
            Field::TrackId => &[
                "trackid",
                "spotifyid",
                "trackuri",
                "spotifyuri",
                "uri",
                "id",
            ],
            Field::Title => &[
                "trackname",
                "title",
                "name",
                "songname",
                "song",
                "track",
                "tracktitle",
            ],
            Field::Artists => &[
                "artists",
                "artistname",
                "artist",
                "artistnames",
                "trackartist",
                "trackartists",
            ],
            Field::Album => &["albumname", "album", "trackalbumname", "albumtitle"],
            Field::AlbumId => &[
                "albumid",
                "trackalbumid",
                "albumuri",
                "spotifyalbumid",
                "albumspotifyid",
            ],
            Field::ReleaseDate => &[
                "releasedate",
                "albumreleasedate",
                "trackalbumreleasedate",
                "releaseyear",
                "year",
            ],
            Field::Genre => &[
                "genre",
                "trackgenre",
                "playlistgenre",
                "genres",
                "artistgenres",
            ],
            Field::Subgenre => &["subgenre", "playlistsubgenre", "tracksubgenre"],
            Field::DurationMs => &["durationms", "duration", "trackduration", "length"],
            Field::Explicit => &["explicit", "isexplicit"],
            Field::MusicalKey => &["key", "musicalkey"],
            Field::Mode => &["mode"],
            Field::TimeSignature => &["timesignature", "timesig", "meter"],
            Field::Feature(feature) => {
                let mut names = vec![
                    normalize(feature.key()).name,
                    normalize(feature.label()).name,
                ];
                names.extend(
                    EXTRA_FEATURE_ALIASES
                        .iter()
                        .filter(|(_, f)| *f == feature)
                        .map(|(alias, _)| alias.to_string()),
                );
                names.dedup();
                return names;
            }
        };
        fixed.iter().map(|s| s.to_string()).collect()
    }
}

/// A header reduced to what matters for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedHeader {
    /// Lower case, without spaces, underscores, hyphens, dots or parenthesised parts.
    pub name: String,
    /// What stood in parentheses, lower case ("ms" in `Duration (ms)`, "s" in
    /// `Artist Name(s)`).
    pub unit: Option<String>,
}

/// `"Artist Name(s)"` -> `artistname` with unit `s`; `"track_album_release_date"` ->
/// `trackalbumreleasedate`; `"Tempo (BPM)"` -> `tempo` with unit `bpm`.
pub fn normalize(header: &str) -> NormalizedHeader {
    let mut name = String::with_capacity(header.len());
    let mut unit = String::new();
    let mut depth = 0usize;
    for ch in header.trim_start_matches('\u{feff}').trim().chars() {
        match ch {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth > 0 => unit.extend(ch.to_lowercase()),
            ' ' | '_' | '-' | '.' => {}
            c if c.is_whitespace() => {}
            c => name.extend(c.to_lowercase()),
        }
    }
    let unit = unit.trim().to_string();
    NormalizedHeader {
        name,
        unit: (!unit.is_empty()).then_some(unit),
    }
}

/// How several artists share one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
///
/// A Python list literal (`['A', 'B']`, the Kaggle 600k file) is recognised in every
/// column; the separators depend on the header, because a singular `track_artist`
/// column (TidyTuesday) holds one name even when it contains `;` or `,`.
pub enum ArtistList {
    /// One name per cell (`track_artist`, `artist_name`).
    Single,
    /// Names joined by `;`, under a plural header (`artists` in dataset.csv).
    Semicolons,
    /// exportify.net's `Artist Name(s)`: names joined by `;` since July 2025 (a `;`
    /// in a name is dropped), by commas with no space after them before.
    Commas,
    /// exportify.app's `Artist Name(s)` (the layout with `Artist URI(s)`): names
    /// joined by a comma and a space, a comma inside a name written `\,`.
    EscapedCommas,
}

/// What a duration column counts, from its name (`duration_ms`) or the unit in
/// parentheses after it (`Duration (s)`, `Duration (min)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationUnit {
    Millis,
    Seconds,
    Minutes,
    /// A bare `duration` or `length`: read as milliseconds, Spotify's unit, but a value
    /// under a second is refused, since it is surely seconds or minutes.
    Unstated,
}

/// Which column holds which field.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnMap {
    pub track_id: Option<usize>,
    pub title: usize,
    pub artists: usize,
    pub album: Option<usize>,
    pub album_id: Option<usize>,
    pub release_date: Option<usize>,
    pub genre: Option<usize>,
    /// The genre cell lists several genres separated by commas (Exportify's `Genres`).
    pub genre_is_list: bool,
    /// The subgenre of the row's genre (TidyTuesday's `playlist_subgenre`).
    pub subgenre: Option<usize>,
    pub popularity: Option<usize>,
    pub duration: Option<usize>,
    pub duration_unit: DurationUnit,
    pub explicit: Option<usize>,
    pub musical_key: Option<usize>,
    pub mode: Option<usize>,
    pub time_signature: Option<usize>,
    /// Column of each audio feature, in the order of [`Feature::AUDIO`].
    pub features: [usize; Feature::AUDIO.len()],
    pub artist_list: ArtistList,
    /// The header as written (a very long name cut short), for messages.
    pub headers: Vec<String>,
    /// Columns not read because another names their field in a better-ranked spelling.
    pub passed_over: Vec<PassedOver>,
}

/// A column passed over because another column names its field in a spelling that
/// ranks higher (`artist_name` beside `track_artist`): which of the two is read decides
/// every track's value, so the summary says it (the choice had been silent, and a file
/// with an extra `artist_name` column of other names gave every track the wrong artist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassedOver {
    pub field: &'static str,
    /// The column read and those passed over: (number from 1, header).
    pub read: (usize, String),
    pub ignored: Vec<(usize, String)>,
}

impl fmt::Display for PassedOver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let column = |(number, header): &(usize, String)| format!("{number} “{}”", shown(header));
        let ignored: Vec<String> = self.ignored.iter().map(column).collect();
        write!(
            f,
            "column {} gives the {}; column{} {} {} ignored",
            column(&self.read),
            self.field,
            if ignored.len() == 1 { "" } else { "s" },
            crate::listing::and_list(&ignored),
            if ignored.len() == 1 { "is" } else { "are" },
        )
    }
}

impl ColumnMap {
    /// Every column the import reads a value from; the others (lyrics, playlist ids,
    /// image links) are passed over.
    pub fn read_columns(&self) -> Vec<usize> {
        let optional = [
            self.track_id,
            self.album,
            self.album_id,
            self.release_date,
            self.genre,
            self.subgenre,
            self.popularity,
            self.duration,
            self.explicit,
            self.musical_key,
            self.mode,
            self.time_signature,
        ];
        let mut columns = vec![self.title, self.artists];
        columns.extend(optional.into_iter().flatten());
        columns.extend(self.features);
        columns.sort_unstable();
        columns.dedup();
        columns
    }
}

/// Why a header cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderError {
    Unmappable(UnmappableHeader),
    Duplicate(DuplicateColumns),
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderError::Unmappable(e) => e.fmt(f),
            HeaderError::Duplicate(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for HeaderError {}

/// The header names no required field: the file cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmappableHeader {
    /// The columns the file has (not empty ones).
    pub found: Vec<String>,
    /// The required fields no column names, each with the spellings that would.
    pub missing: Vec<(&'static str, Vec<String>)>,
}

impl fmt::Display for UnmappableHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no column for ")?;
        for (i, (name, aliases)) in self.missing.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{name} (e.g. {})", aliases.join(" / "))?;
        }
        write!(f, ". Columns found: ")?;
        if self.found.is_empty() {
            write!(f, "none")?;
        } else {
            write!(
                f,
                "{}",
                listed(self.found.iter().map(String::as_str), LISTED_COLUMNS)
            )?;
        }
        let needed: Vec<&str> = Field::required().map(Field::name).collect();
        write!(
            f,
            ". Needed: {} (matched ignoring case, spaces, underscores and units in parentheses)",
            needed.join(", ")
        )?;
        f.write_str(self.why())
    }
}

impl UnmappableHeader {
    /// Why, where the header tells: a file with titles and artists but no audio
    /// feature is a playlist export made since Spotify withdrew them (exportify.app's
    /// header has no such column); a header read as one column holding `|` or `:` is
    /// separated by a character CSV files here are not. Both had had only the list of
    /// missing columns.
    fn why(&self) -> &'static str {
        let features: Vec<&str> = Feature::AUDIO
            .into_iter()
            .map(|f| Field::Feature(f).name())
            .collect();
        // Every feature missing, and nothing else: one missing column of nine is a
        // misnamed column, not a withdrawn service.
        let no_features = self.missing.len() == features.len()
            && self.missing.iter().all(|(name, _)| features.contains(name));
        if no_features {
            return ". The file has no audio-feature columns: Spotify stopped giving audio \
                    features to new apps in November 2024, so playlist exports made since \
                    (Exportify's among them) have none. Import a dataset that has them (the \
                    README lists some)";
        }
        match &self.found[..] {
            [only] if only.contains('|') || only.contains(':') => {
                ". The header was read as one column: its columns seem to be separated by \
                 \"|\" or \":\"; separate them with commas, semicolons or tabs"
            }
            _ => "",
        }
    }
}

impl std::error::Error for UnmappableHeader {}

/// Several columns name the same field equally well: which one to read would be a
/// guess (`energy` twice, or `Energy` and `energy`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateColumns {
    /// Each field named more than once, with the columns (numbered from 1) and their
    /// headers.
    pub fields: Vec<(&'static str, Vec<(usize, String)>)>,
}

impl fmt::Display for DuplicateColumns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const LISTED: usize = 5;
        for (i, (field, columns)) in self.fields.iter().enumerate() {
            if i > 0 {
                write!(f, "; ")?;
            }
            let named: Vec<String> = columns
                .iter()
                .take(LISTED)
                .map(|(number, header)| format!("{number} \"{}\"", shown(header)))
                .collect();
            let mut list = crate::listing::and_list(&named);
            if columns.len() > LISTED {
                list.push_str(&format!(" (and {} more)", columns.len() - LISTED));
            }
            let verb = if columns.len() == 2 { "both" } else { "all" };
            write!(f, "columns {list} {verb} name the {field}")?;
        }
        write!(
            f,
            ". Rename or remove all but one of each: which one to read would be a guess"
        )
    }
}

impl std::error::Error for DuplicateColumns {}

impl ColumnMap {
    /// Maps a header row; fails with the columns found and those needed, or with the
    /// columns that name one field equally well.
    pub fn from_headers<S: AsRef<str>>(headers: &[S]) -> Result<ColumnMap, HeaderError> {
        let headers: Vec<String> = headers
            .iter()
            .map(|h| h.as_ref().trim().to_string())
            .collect();
        let normalized: Vec<NormalizedHeader> = headers.iter().map(|h| normalize(h)).collect();
        // For each field, every column that names it, with the rank of its spelling.
        let ranked = |field: Field| -> Vec<(usize, usize)> {
            let aliases = field.aliases();
            normalized
                .iter()
                .enumerate()
                .filter_map(|(col, h)| {
                    aliases
                        .iter()
                        .position(|a| *a == h.name)
                        .map(|rank| (rank, col))
                })
                .collect()
        };
        // For each field, the columns whose spelling ranks best (leftmost first).
        let best_columns = |field: Field| -> Vec<usize> {
            let ranked = ranked(field);
            let Some(best) = ranked.iter().map(|(rank, _)| *rank).min() else {
                return Vec::new();
            };
            ranked
                .into_iter()
                .filter(|(rank, _)| *rank == best)
                .map(|(_, col)| col)
                .collect()
        };
        let best = |field: Field| -> Option<usize> { best_columns(field).first().copied() };
        let missing: Vec<(&'static str, Vec<String>)> = Field::required()
            .filter(|field| best(*field).is_none())
            .map(|field| (field.name(), field.aliases()))
            .collect();
        if !missing.is_empty() {
            return Err(HeaderError::Unmappable(UnmappableHeader {
                found: headers.iter().filter(|h| !h.is_empty()).cloned().collect(),
                missing,
            }));
        }
        let mut duplicates: Vec<(&'static str, Vec<(usize, String)>)> = Field::all()
            .filter_map(|field| {
                let columns = best_columns(field);
                (columns.len() > 1).then(|| {
                    let named = columns
                        .into_iter()
                        .map(|col| (col + 1, headers[col].clone()))
                        .collect();
                    (field.name(), named)
                })
            })
            .collect();
        if !duplicates.is_empty() {
            // In the order of the file's columns.
            duplicates.sort_by_key(|(_, columns)| columns.first().map(|(number, _)| *number));
            return Err(HeaderError::Duplicate(DuplicateColumns {
                fields: duplicates,
            }));
        }
        // Required fields were all found just above.
        let required = |field: Field| best(field).unwrap_or_default();
        let title = required(Field::Title);
        let artists = required(Field::Artists);
        let features = Feature::AUDIO.map(|feature| required(Field::Feature(feature)));
        let unit_of = |col: Option<usize>| col.and_then(|c| normalized[c].unit.clone());
        let name_of = |col: Option<usize>| col.map(|c| normalized[c].name.as_str());

        let artist_list = if unit_of(Some(artists)).as_deref() == Some("s") {
            let lists_uris = normalized
                .iter()
                .any(|c| c.name == "artisturi" && c.unit.as_deref() == Some("s"));
            if lists_uris {
                ArtistList::EscapedCommas
            } else {
                ArtistList::Commas
            }
        } else if matches!(
            name_of(Some(artists)),
            Some("artists" | "trackartists" | "artistnames")
        ) {
            ArtistList::Semicolons
        } else {
            ArtistList::Single
        };
        let genre = best(Field::Genre);
        let genre_is_list = matches!(name_of(genre), Some("genres" | "artistgenres"));
        let duration = best(Field::DurationMs);
        let duration_unit = match unit_of(duration).as_deref() {
            Some("s" | "sec" | "secs" | "seconds") => DurationUnit::Seconds,
            Some("m" | "min" | "mins" | "minutes") => DurationUnit::Minutes,
            Some("ms" | "msec" | "milliseconds") => DurationUnit::Millis,
            _ if name_of(duration) == Some("durationms") => DurationUnit::Millis,
            _ => DurationUnit::Unstated,
        };
        let numbered = |col: usize| (col + 1, headers[col].clone());
        let passed_over = Field::all()
            .filter_map(|field| {
                let read = best(field)?;
                let mut ignored: Vec<(usize, usize)> = ranked(field)
                    .into_iter()
                    .filter(|&(_, col)| col != read)
                    .collect();
                // Best-ranked first: the one that would be read instead.
                ignored.sort_unstable();
                (!ignored.is_empty()).then(|| PassedOver {
                    field: field.name(),
                    read: numbered(read),
                    ignored: ignored.into_iter().map(|(_, col)| numbered(col)).collect(),
                })
            })
            .collect();
        Ok(ColumnMap {
            track_id: best(Field::TrackId),
            title,
            artists,
            album: best(Field::Album),
            album_id: best(Field::AlbumId),
            release_date: best(Field::ReleaseDate),
            genre,
            genre_is_list,
            subgenre: best(Field::Subgenre),
            popularity: best(Field::Feature(Feature::Popularity)),
            duration,
            duration_unit,
            explicit: best(Field::Explicit),
            musical_key: best(Field::MusicalKey),
            mode: best(Field::Mode),
            time_signature: best(Field::TimeSignature),
            features,
            artist_list,
            headers: headers.iter().map(|h| shown_header(h)).collect(),
            passed_over,
        })
    }

    /// The header of a column (cut short if very long), for messages.
    pub fn header(&self, col: usize) -> &str {
        self.headers.get(col).map(String::as_str).unwrap_or("?")
    }
}

/// A header as messages show it: as written, unless it is very long (a mapped column
/// may carry a long unit in parentheses).
fn shown_header(header: &str) -> String {
    if header.len() <= 80 {
        header.to_string()
    } else {
        shown(header)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn normalization_ignores_case_separators_and_units() {
        assert_eq!(
            normalize("track_album_release_date").name,
            "trackalbumreleasedate"
        );
        let artist = normalize("Artist Name(s)");
        assert_eq!(artist.name, "artistname");
        assert_eq!(artist.unit.as_deref(), Some("s"));
        let tempo = normalize(" Tempo (BPM) ");
        assert_eq!(
            (tempo.name.as_str(), tempo.unit.as_deref()),
            ("tempo", Some("bpm"))
        );
        assert_eq!(normalize("\u{feff}Track URI").name, "trackuri");
        assert_eq!(normalize("DURATION-MS").name, "durationms");
    }

    #[test]
    fn every_spelling_names_one_field_only() {
        let mut owner: HashMap<String, Field> = HashMap::new();
        for field in Field::all() {
            for alias in field.aliases() {
                if let Some(other) = owner.insert(alias.clone(), field) {
                    panic!("{alias} names both {other:?} and {field:?}");
                }
            }
        }
    }

    #[test]
    fn feature_spellings_come_from_the_feature_enum() {
        for feature in Feature::ALL {
            assert!(Field::Feature(feature)
                .aliases()
                .contains(&feature.key().to_string()));
        }
    }

    const TIDYTUESDAY: &str = "track_id,track_name,track_artist,track_popularity,track_album_id,track_album_name,track_album_release_date,playlist_name,playlist_id,playlist_genre,playlist_subgenre,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms";

    fn map(header: &str) -> ColumnMap {
        let cols: Vec<&str> = header.split(',').collect();
        ColumnMap::from_headers(&cols).expect("maps")
    }

    #[test]
    fn a_column_passed_over_for_another_spelling_of_its_field_is_named() {
        // The known layouts name each field once.
        assert_eq!(map(TIDYTUESDAY).passed_over, []);
        let m = map(&format!("{TIDYTUESDAY},artist_name,name"));
        let said: Vec<String> = m.passed_over.iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            [
                "column 2 “track_name” gives the title; column 25 “name” is ignored",
                "column 24 “artist_name” gives the artist; column 3 “track_artist” is ignored",
            ]
        );
        assert_eq!(m.artists, 23);
        let m = map("title,artist,artists,Track Artists,danceability,energy,acousticness,instrumentalness,valence,speechiness,liveness,tempo,loudness");
        assert_eq!(
            m.passed_over[0].to_string(),
            "column 3 “artists” gives the artist; columns 2 “artist” and 4 “Track Artists” are ignored"
        );
    }

    #[test]
    fn tidytuesday_header_maps_the_right_columns() {
        let m = map(TIDYTUESDAY);
        assert_eq!(m.track_id, Some(0));
        assert_eq!(m.title, 1);
        assert_eq!(m.artists, 2);
        assert_eq!(m.popularity, Some(3));
        assert_eq!(m.album, Some(5));
        assert_eq!(m.release_date, Some(6));
        assert_eq!(m.genre, Some(9));
        assert_eq!(m.features[0], 11);
        assert_eq!(m.duration, Some(22));
        assert_eq!(m.artist_list, ArtistList::Single);
    }

    #[test]
    fn exportify_header_maps_with_units_and_plural_artists() {
        let m = map("Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,Added At,Genres,Record Label,Danceability,Energy,Key,Loudness,Mode,Speechiness,Acousticness,Instrumentalness,Liveness,Valence,Tempo,Time Signature");
        assert_eq!(m.track_id, Some(0));
        assert_eq!(m.artists, 3);
        assert_eq!(m.artist_list, ArtistList::Commas);
        assert_eq!(m.duration, Some(5));
        assert_eq!(m.duration_unit, DurationUnit::Millis);
        assert!(m.genre_is_list);
        assert_eq!(m.time_signature, Some(23));
    }

    /// exportify.app (watsonbox/exportify) lists the artists' URIs too, and escapes a
    /// comma inside a name: its names are read by that rule.
    #[test]
    fn exportify_app_header_reads_escaped_commas() {
        let m = map("Track URI,Track Name,Artist URI(s),Artist Name(s),Album URI,Album Name,Album Artist URI(s),Album Artist Name(s),Album Release Date,Album Image URL,Disc Number,Track Number,Track Duration (ms),Track Preview URL,Explicit,Popularity,ISRC,Added By,Added At,Danceability,Energy,Key,Loudness,Mode,Speechiness,Acousticness,Instrumentalness,Liveness,Valence,Tempo,Time Signature");
        assert_eq!(m.artists, 3);
        assert_eq!(m.artist_list, ArtistList::EscapedCommas);
        assert_eq!(m.release_date, Some(8));
        assert_eq!(m.duration, Some(12));
    }

    #[test]
    fn unnamed_index_column_is_ignored() {
        let m = map(",track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre");
        assert_eq!(m.track_id, Some(1));
        assert_eq!(m.title, 4);
        assert_eq!(m.genre, Some(20));
        assert_eq!(m.artist_list, ArtistList::Semicolons);
    }

    #[test]
    fn seconds_are_recognised_from_the_unit() {
        let m = map("title,artist,duration (s),danceability,energy,acousticness,instrumentalness,valence,speechiness,liveness,bpm,loudness (dB)");
        assert_eq!(m.duration_unit, DurationUnit::Seconds);
        assert_eq!(m.features[7], 10);
        let unit = |duration: &str| {
            map(&format!("title,artist,{duration},danceability,energy,acousticness,instrumentalness,valence,speechiness,liveness,tempo,loudness")).duration_unit
        };
        assert_eq!(unit("Duration (min)"), DurationUnit::Minutes);
        assert_eq!(unit("duration_ms"), DurationUnit::Millis);
        assert_eq!(unit("Length (ms)"), DurationUnit::Millis);
        assert_eq!(unit("Duration"), DurationUnit::Unstated);
        assert_eq!(unit("length"), DurationUnit::Unstated);
    }

    #[test]
    fn unmappable_header_lists_found_and_needed() {
        let Err(HeaderError::Unmappable(err)) =
            ColumnMap::from_headers(&["foo", "track_name", "energy"])
        else {
            panic!("unmappable");
        };
        let message = err.to_string();
        assert!(
            message.contains("Columns found: foo, track_name, energy"),
            "{message}"
        );
        assert!(message.contains("artist"), "{message}");
        assert!(message.contains("danceability"), "{message}");
        assert!(!err.missing.iter().any(|(name, _)| *name == "energy"));
        assert!(
            message.contains("Needed: title, artist, danceability"),
            "{message}"
        );
    }

    /// exportify.app's header since Spotify withdrew audio features has titles and
    /// artists and no feature column: the refusal says why. A header of one column
    /// split by `|` says how the file is separated. Others say neither.
    #[test]
    fn an_unmappable_header_says_why_where_it_can_tell() {
        let why = |headers: &[&str]| match ColumnMap::from_headers(headers) {
            Err(HeaderError::Unmappable(err)) => err.to_string(),
            other => panic!("{other:?}"),
        };
        let exportify = why(&[
            "Track URI",
            "Track Name",
            "Artist URI(s)",
            "Artist Name(s)",
            "Album Name",
            "Popularity",
            "ISRC",
        ]);
        assert!(
            exportify.contains("no audio-feature columns"),
            "{exportify}"
        );
        assert!(exportify.contains("November 2024"), "{exportify}");
        let piped = why(&["track_id|track_name|track_artist|danceability"]);
        assert!(piped.contains("read as one column"), "{piped}");
        assert!(!piped.contains("November 2024"), "{piped}");
        let one_missing = why(&[
            "track_name",
            "track_artist",
            "danceability",
            "energy",
            "acousticness",
            "instrumentalness",
            "valence",
            "speechiness",
            "tempo",
            "loudness",
        ]);
        assert!(one_missing.contains("liveness"), "{one_missing}");
        assert!(!one_missing.contains("November 2024"), "{one_missing}");
        let other = why(&["foo", "track_name", "energy"]);
        assert!(
            !other.contains("November 2024") && !other.contains("one column"),
            "{other}"
        );
    }

    #[test]
    fn a_huge_header_gives_a_short_message() {
        let mut headers: Vec<String> = (0..100_000).map(|i| format!("column number {i}")).collect();
        headers.push("y".repeat(1_000_000));
        let message = ColumnMap::from_headers(&headers).unwrap_err().to_string();
        assert!(message.len() < 3_000, "{} bytes", message.len());
        assert!(
            message.contains("column number 29 and 99,971 more"),
            "{message}"
        );
    }

    const FEATURES: &str = "danceability,energy,acousticness,instrumentalness,valence,speechiness,liveness,tempo,loudness";

    #[test]
    fn columns_naming_one_field_equally_are_an_error() {
        let header = format!("title,artist,{FEATURES},Energy,genre,genre");
        let cols: Vec<&str> = header.split(',').collect();
        let Err(HeaderError::Duplicate(err)) = ColumnMap::from_headers(&cols) else {
            panic!("duplicates");
        };
        assert_eq!(
            err.to_string(),
            "columns 4 \"energy\" and 12 \"Energy\" both name the energy; columns 13 \"genre\" \
             and 14 \"genre\" both name the genre. Rename or remove all but one of each: which \
             one to read would be a guess"
        );
        // A lesser spelling beside a better one is no duplicate (`name` is the title
        // only when there is no `track_name`), nor are columns no field uses.
        let header = format!("track_name,name,artist,{FEATURES},notes,notes");
        let cols: Vec<&str> = header.split(',').collect();
        assert_eq!(map(&cols.join(",")).title, 0);
    }

    #[test]
    fn a_long_unit_is_cut_short_in_messages() {
        let header = format!("title,artist,{FEATURES}")
            .replace("tempo", &format!("tempo ({})", "b".repeat(10_000)));
        let m = map(&header);
        assert!(m.header(m.features[7]).len() < 100);
        assert!(m.header(m.features[7]).starts_with("tempo (bbb"));
    }
}
