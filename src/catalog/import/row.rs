//! One CSV row to one [`NewTrack`], or the reason the row is bad.

use csv::ByteRecord;

use super::{
    header::ColumnMap,
    value::{self, ValueResult},
};
use crate::catalog::{
    feature::{AudioFeatures, Feature},
    NewTrack,
};

/// Reads rows laid out as the column map says.
#[derive(Debug, Clone)]
pub struct RowParser {
    map: ColumnMap,
}

impl RowParser {
    pub fn new(map: ColumnMap) -> RowParser {
        RowParser { map }
    }

    pub fn columns(&self) -> &ColumnMap {
        &self.map
    }

    /// The track in the row, or why it cannot be imported.
    pub fn parse(&self, record: &ByteRecord) -> Result<NewTrack, String> {
        let m = &self.map;
        if record.len() < m.headers.len() {
            return Err(format!(
                "has {} fields where the header has {}",
                record.len(),
                m.headers.len()
            ));
        }
        let title = value::text(self.cell(record, m.title)?)
            .ok_or_else(|| format!("{}: the title is missing", m.header(m.title)))?;
        let artists = value::artists(self.cell(record, m.artists)?, m.artist_list)
            .map_err(|e| format!("{}: {e}", m.header(m.artists)))?;
        if artists.is_empty() {
            return Err(format!("{}: the artist is missing", m.header(m.artists)));
        }
        let mut features = AudioFeatures::default();
        for (feature, col) in Feature::AUDIO.into_iter().zip(m.features) {
            let raw = value::number(self.cell(record, col)?)
                .map_err(|e| format!("{}: {e}", m.header(col)))?
                .ok_or_else(|| format!("{}: the value is missing", m.header(col)))?;
            features.set(feature, raw);
        }
        features.validate()?;
        let (pop_lo, pop_hi) = Feature::Popularity.accepted_range();
        Ok(NewTrack {
            spotify_id: self.optional(record, m.track_id, value::track_id)?,
            name: title,
            artists,
            album: self.optional_text(record, m.album)?,
            release_year: self.optional(record, m.release_date, value::release_year)?,
            genre: self.genre(record)?,
            popularity: self.optional(record, m.popularity, |cell| {
                value::integer_in(cell, pop_lo as i64, pop_hi as i64)
            })?,
            duration_ms: self.optional(record, m.duration, |cell| {
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

    fn optional_text(
        &self,
        record: &ByteRecord,
        col: Option<usize>,
    ) -> Result<Option<String>, String> {
        match col {
            None => Ok(None),
            Some(col) => Ok(value::text(self.cell(record, col)?)),
        }
    }

    /// The genre; of a list of genres (Exportify) the first.
    fn genre(&self, record: &ByteRecord) -> Result<Option<String>, String> {
        let genre = self.optional_text(record, self.map.genre)?;
        if !self.map.genre_is_list {
            return Ok(genre);
        }
        Ok(genre.and_then(|list| {
            list.split(',')
                .map(str::trim)
                .find(|g| !g.is_empty())
                .map(str::to_string)
        }))
    }
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

    #[test]
    fn a_good_row_becomes_a_track() {
        let track = parse("6f807x0ima9a1j3VPbc7VN,I Don't Care,Ed Sheeran,66,Album,2019-06-14,pop,0.748,0.916,6,-2.634,1,0.0583,0.102,1.11e-6,0.0653,0.518,122.036,194754").unwrap();
        assert_eq!(track.spotify_id.as_deref(), Some("6f807x0ima9a1j3VPbc7VN"));
        assert_eq!(track.name, "I Don't Care");
        assert_eq!(track.artists, vec!["Ed Sheeran".to_string()]);
        assert_eq!(track.popularity, Some(66));
        assert_eq!(track.release_year, Some(2019));
        assert_eq!(track.genre.as_deref(), Some("pop"));
        assert_eq!(track.musical_key, Some(6));
        assert_eq!(track.features.instrumentalness, 1.11e-6);
        assert_eq!(track.features.loudness, -2.634);
        assert_eq!(track.duration_ms, Some(194754));
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
        assert!(nan.unwrap_err().contains("danceability is not a number"));
        let range = parse("x1,Song,A,0,A,2012,rock,0.5,1.5,1,-5,1,0.1,0.1,0,0.1,0.5,120,200000");
        assert!(range.unwrap_err().contains("energy = 1.5 is outside 0..1"));
        let missing = parse("x1,Song,A,0,A,2012,rock,0.5,NA,1,-5,1,0.1,0.1,0,0.1,0.5,120,200000");
        assert_eq!(missing.unwrap_err(), "energy: the value is missing");
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
}
