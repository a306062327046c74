//! One CSV row to one [`NewTrack`], or the reason the row is bad.

use std::borrow::Cow;

use csv::ByteRecord;

use super::{
    header::ColumnMap,
    value::{self, ValueResult},
    MAX_GENRE_CHARS, MAX_TITLE_CHARS,
};
use crate::model::{AudioFeatures, Feature, GenreTag, NewTrack};

/// Why a row without one of its audio features is bad, after the column's name as the
/// file heads it. Said once here: an import whose every quoted row has this reason gets
/// the hint that Spotify withdrew audio features (`features_withdrawn_hint`), whatever
/// the file calls the column (`bpm` for tempo).
pub const MISSING_FEATURE: &str = "the audio feature is missing";

/// Reads rows laid out as the column map says.
#[derive(Debug, Clone)]
pub struct RowParser {
    map: ColumnMap,
    /// Numbers may be written with a decimal comma (`0,748`), as spreadsheets in most of
    /// Europe write them into `;`-separated files. Never for comma-separated files,
    /// where `1,234` would be ambiguous.
    decimal_comma: bool,
}

impl RowParser {
    pub fn new(map: ColumnMap) -> RowParser {
        RowParser {
            map,
            decimal_comma: false,
        }
    }

    /// Accepts decimal commas in numbers (for files not separated by commas).
    pub fn with_decimal_comma(mut self, decimal_comma: bool) -> RowParser {
        self.decimal_comma = decimal_comma;
        self
    }

    pub fn columns(&self) -> &ColumnMap {
        &self.map
    }

    /// The track in the row, or why it cannot be imported.
    pub fn parse(&self, record: &ByteRecord) -> Result<NewTrack, String> {
        let m = &self.map;
        // A header ending in a separator names an empty last column, which rows that
        // end without one do not have: every row had been refused as one field short.
        let named = m.headers.len()
            - m.headers
                .iter()
                .rev()
                .take_while(|name| name.trim().is_empty())
                .count();
        if record.len() < named {
            return Err(format!(
                "has {} fields where the header has {}",
                record.len(),
                m.headers.len()
            ));
        }
        // More fields than the header: a value with the separator in it and no quotes
        // around it (a tempo written `122,036`) moved every later value one column
        // along, so no cell after it can be trusted. Empty extra fields (a separator at
        // the end of each line) are harmless.
        if record
            .iter()
            .skip(m.headers.len())
            .any(|field| !field.iter().all(u8::is_ascii_whitespace))
        {
            return Err(format!(
                "has {} fields where the header has {}: a value that contains the separator \
                 must be in quotes, or every value after it lands in the wrong column",
                record.len(),
                m.headers.len()
            ));
        }
        let title = value::text_within(self.cell(record, m.title)?, MAX_TITLE_CHARS)
            .map_err(|e| format!("{}: the title {e}", m.header(m.title)))?
            .ok_or_else(|| format!("{}: the title is missing", m.header(m.title)))?;
        let artists = value::artists(self.cell(record, m.artists)?, m.artist_list)
            .map_err(|e| format!("{}: {e}", m.header(m.artists)))?;
        if artists.is_empty() {
            return Err(format!("{}: the artist is missing", m.header(m.artists)));
        }
        let mut features = AudioFeatures::default();
        for (feature, col) in Feature::AUDIO.into_iter().zip(m.features) {
            let cell = self.number_cell(record, col)?;
            let raw = value::number(&cell)
                .map_err(|e| format!("{}: {e}", m.header(col)))?
                .ok_or_else(|| format!("{}: {MISSING_FEATURE}", m.header(col)))?;
            check_range(feature, raw, &cell)?;
            features.set(feature, raw);
        }
        features.validate()?;
        let (pop_lo, pop_hi) = Feature::Popularity.accepted_range();
        let release = self.optional(record, m.release_date, value::release)?;
        let (release_year, release_date) = release.unzip();
        Ok(NewTrack {
            spotify_id: self.optional(record, m.track_id, value::track_id)?,
            name: title,
            artists,
            album: self.optional_text(record, m.album, "album name", MAX_TITLE_CHARS)?,
            album_spotify_id: self.optional(record, m.album_id, value::album_id)?,
            release_year,
            release_date,
            genres: self.genres(record)?,
            popularity: self.optional_number(record, m.popularity, |cell| {
                value::integer_in(cell, pop_lo as i64, pop_hi as i64)
            })?,
            duration_ms: self.optional_number(record, m.duration, |cell| {
                value::duration_ms(cell, m.duration_unit)
            })?,
            explicit: self.optional(record, m.explicit, value::boolean)?,
            musical_key: self.optional(record, m.musical_key, value::musical_key)?,
            mode: self.optional(record, m.mode, value::mode)?,
            time_signature: self.optional(record, m.time_signature, value::time_signature)?,
            features,
        })
    }

    fn cell<'r>(&self, record: &'r ByteRecord, col: usize) -> Result<&'r str, String> {
        let bytes = record.get(col).unwrap_or_default();
        std::str::from_utf8(bytes)
            .map_err(|_| format!("{}: the text is not valid UTF-8", self.map.header(col)))
    }

    /// A cell holding a number: `0,5` reads as `0.5` where decimal commas are accepted
    /// (one comma and no point).
    fn number_cell<'r>(&self, record: &'r ByteRecord, col: usize) -> Result<Cow<'r, str>, String> {
        let cell = self.cell(record, col)?;
        let mut commas = cell.bytes().filter(|&b| b == b',');
        if self.decimal_comma
            && commas.next().is_some()
            && commas.next().is_none()
            && !cell.contains('.')
        {
            return Ok(Cow::Owned(cell.replacen(',', ".", 1)));
        }
        Ok(Cow::Borrowed(cell))
    }

    fn optional<T>(
        &self,
        record: &ByteRecord,
        col: Option<usize>,
        parse: impl Fn(&str) -> ValueResult<T>,
    ) -> Result<Option<T>, String> {
        match col {
            None => Ok(None),
            Some(col) => {
                parse(self.cell(record, col)?).map_err(|e| format!("{}: {e}", self.map.header(col)))
            }
        }
    }

    fn optional_number<T>(
        &self,
        record: &ByteRecord,
        col: Option<usize>,
        parse: impl Fn(&str) -> ValueResult<T>,
    ) -> Result<Option<T>, String> {
        match col {
            None => Ok(None),
            Some(col) => parse(&self.number_cell(record, col)?)
                .map_err(|e| format!("{}: {e}", self.map.header(col))),
        }
    }

    /// An optional text of at most `max` characters; `what` names it in the message.
    fn optional_text(
        &self,
        record: &ByteRecord,
        col: Option<usize>,
        what: &str,
        max: usize,
    ) -> Result<Option<String>, String> {
        match col {
            None => Ok(None),
            Some(col) => value::text_within(self.cell(record, col)?, max)
                .map_err(|e| format!("{}: the {what} {e}", self.map.header(col))),
        }
    }

    /// The genres: one per cell, or every one of a list (`['dance pop', 'pop']` in any
    /// genre column, `rock, pop` under a plural header such as Exportify's `Genres`),
    /// the subgenre column's value under the first.
    fn genres(&self, record: &ByteRecord) -> Result<Vec<GenreTag>, String> {
        let Some(col) = self.map.genre else {
            return Ok(Vec::new());
        };
        let names = value::genres(self.cell(record, col)?, self.map.genre_is_list)
            .map_err(|e| format!("{}: {e}", self.map.header(col)))?;
        let subgenre = match self.map.subgenre {
            Some(sub) => value::text_within(self.cell(record, sub)?, MAX_GENRE_CHARS)
                .map_err(|e| format!("{}: the subgenre {e}", self.map.header(sub)))?
                .filter(|name| !value::is_dots(name)),
            None => None,
        };
        let mut tags: Vec<GenreTag> = names.into_iter().map(|g| GenreTag::new(&g)).collect();
        if let Some(first) = tags.first_mut() {
            first.subgenre = subgenre;
        }
        Ok(tags)
    }
}

/// The feature's accepted range, checked here rather than by
/// [`AudioFeatures::validate`] so that the message quotes the value as written (a
/// tiny `-1e-300` stays short) and can say when it looks like a percentage.
fn check_range(feature: Feature, raw: f64, cell: &str) -> Result<(), String> {
    if raw.is_nan() {
        return Err(format!(
            "{}: '{}' is not a number (a feature must be known for every track)",
            feature.key(),
            super::value::shown(cell.trim())
        ));
    }
    let (lo, hi) = feature.accepted_range();
    if (lo..=hi).contains(&raw) {
        return Ok(());
    }
    let hint = if feature.is_unit_interval() && raw > 1.0 && raw <= 100.0 {
        " (a percentage? it must be written as a fraction of 1)"
    } else {
        ""
    };
    Err(format!(
        "{} = {} is outside {lo}..{hi}{hint}",
        feature.key(),
        value::shown(cell)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "track_id,track_name,track_artist,track_popularity,track_album_name,track_album_release_date,playlist_genre,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms";

    fn parse(row: &str) -> Result<NewTrack, String> {
        let headers: Vec<&str> = HEADER.split(',').collect();
        let parser = RowParser::new(ColumnMap::from_headers(&headers).expect("maps"));
        let record = ByteRecord::from(row.split(',').collect::<Vec<_>>());
        parser.parse(&record)
    }

    /// A header that ends in a separator (an empty, unnamed last column) takes rows
    /// with or without the empty field: every row had been one field short.
    #[test]
    fn a_trailing_separator_in_the_header_alone_is_no_missing_field() {
        let mut headers: Vec<&str> = HEADER.split(',').collect();
        headers.push("");
        let parser = RowParser::new(ColumnMap::from_headers(&headers).expect("maps"));
        let row = "6f807x0ima9a1j3VPbc7VN,I Don't Care,Ed Sheeran,66,Album,2019-06-14,pop,0.748,0.916,6,-2.634,1,0.0583,0.102,1.11e-6,0.0653,0.518,122.036,194754";
        let without = ByteRecord::from(row.split(',').collect::<Vec<_>>());
        assert!(parser.parse(&without).is_ok());
        let with = ByteRecord::from(format!("{row},").split(',').collect::<Vec<_>>());
        assert!(parser.parse(&with).is_ok());
        let short = ByteRecord::from(row.split(',').take(18).collect::<Vec<_>>());
        let said = parser.parse(&short).expect_err("a field short");
        assert!(said.contains("has 18 fields"), "{said}");
    }

    #[test]
    fn a_good_row_becomes_a_track() {
        let track = parse("6f807x0ima9a1j3VPbc7VN,I Don't Care,Ed Sheeran,66,Album,2019-06-14,pop,0.748,0.916,6,-2.634,1,0.0583,0.102,1.11e-6,0.0653,0.518,122.036,194754").unwrap();
        assert_eq!(track.spotify_id.as_deref(), Some("6f807x0ima9a1j3VPbc7VN"));
        assert_eq!(track.name, "I Don't Care");
        assert_eq!(track.artists, vec!["Ed Sheeran".to_string()]);
        assert_eq!(track.popularity, Some(66));
        assert_eq!(track.release_year, Some(2019));
        assert_eq!(track.first_genre(), Some("pop"));
        assert_eq!(track.musical_key, Some(6));
        assert_eq!(track.features.instrumentalness, 1.11e-6);
        assert_eq!(track.features.loudness, -2.634);
        assert_eq!(track.duration_ms, Some(194754));
    }

    /// A subgenre of dots only is none, as such a genre is: its page would be
    /// unreachable (browsers resolve /genres/.. to /).
    #[test]
    fn a_subgenre_of_dots_is_none() {
        let header = format!("{HEADER},playlist_subgenre");
        let headers: Vec<&str> = header.split(',').collect();
        let parser = RowParser::new(ColumnMap::from_headers(&headers).expect("maps"));
        let row = "x1,Song,A,0,A,2012,rock,0.5,0.5,1,-5,1,0.1,0.1,0,0.1,0.5,120,200000";
        for (subgenre, kept) in [("..", None), (".", None), ("hard rock", Some("hard rock"))] {
            let record =
                ByteRecord::from(format!("{row},{subgenre}").split(',').collect::<Vec<_>>());
            let track = parser.parse(&record).expect("a track");
            assert_eq!(track.genres[0].subgenre.as_deref(), kept, "{subgenre}");
        }
    }

    #[test]
    fn bad_rows_say_why() {
        let na = parse("69gRFGOWY9OMpFJgFol1u0,NA,NA,0,NA,2012-01-05,rock,0.5,0.5,1,-5,1,0.1,0.1,0,0.1,0.5,120,200000");
        assert!(na.unwrap_err().contains("title is missing"));
        let no_artist = parse("x1,Song,,0,A,2012,rock,0.5,0.5,1,-5,1,0.1,0.1,0,0.1,0.5,120,200000");
        assert!(no_artist.unwrap_err().contains("artist is missing"));
        let text = parse("x1,Song,A,0,A,2012,rock,lots,0.5,1,-5,1,0.1,0.1,0,0.1,0.5,120,200000");
        assert_eq!(text.unwrap_err(), "danceability: 'lots' is not a number");
        let nan = parse("x1,Song,A,0,A,2012,rock,NaN,0.5,1,-5,1,0.1,0.1,0,0.1,0.5,120,200000");
        assert!(nan
            .unwrap_err()
            .contains("danceability: 'NaN' is not a number (a feature must be known"));
        let range = parse("x1,Song,A,0,A,2012,rock,0.5,1.5,1,-5,1,0.1,0.1,0,0.1,0.5,120,200000");
        assert!(range.unwrap_err().contains("energy = 1.5 is outside 0..1"));
        let missing = parse("x1,Song,A,0,A,2012,rock,0.5,NA,1,-5,1,0.1,0.1,0,0.1,0.5,120,200000");
        assert_eq!(missing.unwrap_err(), "energy: the audio feature is missing");
        let date = parse("x1,Song,A,0,A,someday,rock,0.5,0.5,1,-5,1,0.1,0.1,0,0.1,0.5,120,200000");
        assert!(date
            .unwrap_err()
            .starts_with("track_album_release_date: 'someday'"));
        let popularity =
            parse("x1,Song,A,101,A,2012,rock,0.5,0.5,1,-5,1,0.1,0.1,0,0.1,0.5,120,200000");
        assert!(popularity
            .unwrap_err()
            .starts_with("track_popularity: 101 is outside"));
        let short = parse("x1,Song,A");
        assert!(short.unwrap_err().contains("has 3 fields"));
    }

    #[test]
    fn out_of_range_values_are_quoted_as_written() {
        let tiny = parse("x1,Song,A,0,A,2012,rock,0.5,0.5,1,-5,1,0.1,0.1,0,0.1,0.5,-1e-300,200000");
        assert_eq!(tiny.unwrap_err(), "tempo = -1e-300 is outside 0..300");
        let percent = parse("x1,Song,A,0,A,2012,rock,74.8,0.5,1,-5,1,0.1,0.1,0,0.1,0.5,120,200000");
        assert_eq!(
            percent.unwrap_err(),
            "danceability = 74.8 is outside 0..1 (a percentage? it must be written as a fraction of 1)"
        );
    }

    #[test]
    fn texts_are_capped() {
        let long = "t".repeat(MAX_TITLE_CHARS + 1);
        let title = parse(&format!(
            "x1,{long},A,0,A,2012,rock,0.5,0.5,1,-5,1,0.1,0.1,0,0.1,0.5,120,200000"
        ));
        assert!(title
            .unwrap_err()
            .starts_with("track_name: the title is longer than 1000 characters ('tttt"),);
        let album = parse(&format!(
            "x1,Song,A,0,{long},2012,rock,0.5,0.5,1,-5,1,0.1,0.1,0,0.1,0.5,120,200000"
        ));
        assert!(album
            .unwrap_err()
            .starts_with("track_album_name: the album name is longer than 1000"));
        let genre = "g".repeat(MAX_GENRE_CHARS + 1);
        let genre = parse(&format!(
            "x1,Song,A,0,A,2012,{genre},0.5,0.5,1,-5,1,0.1,0.1,0,0.1,0.5,120,200000"
        ));
        assert!(genre
            .unwrap_err()
            .starts_with("playlist_genre: the genre is longer than 100"));
        let fits = "t".repeat(MAX_TITLE_CHARS);
        assert!(parse(&format!(
            "x1,{fits},A,0,{fits},2012,rock,0.5,0.5,1,-5,1,0.1,0.1,0,0.1,0.5,120,200000"
        ))
        .is_ok());
    }

    #[test]
    fn decimal_commas_only_where_allowed() {
        let headers: Vec<&str> = HEADER.split(',').collect();
        let map = ColumnMap::from_headers(&headers).expect("maps");
        let row = "x1;Song;A;66;Album;2019;pop;0,748;0,916;6;-2,634;1;0,0583;0,102;1,11e-6;0,0653;0,518;122,036;194754";
        let record = ByteRecord::from(row.split(';').collect::<Vec<_>>());
        let european = RowParser::new(map.clone()).with_decimal_comma(true);
        let track = european.parse(&record).expect("decimal commas");
        assert_eq!(track.features.danceability, 0.748);
        assert_eq!(track.features.loudness, -2.634);
        assert_eq!(track.features.instrumentalness, 1.11e-6);
        assert!(RowParser::new(map).parse(&record).is_err());
    }
}
