//! A search query read as the track search's conditions (`db::track_search`): its free
//! words, each with the artists whose names hold it as the in-memory artist index finds
//! them, its field filters folded as the stored keys are, and its years. The API's
//! search and the perfect song's seed box both search tracks so.

use crate::{
    catalog::{
        artists::index::query_key, genre_key, search_query::SearchQuery, snapshot::CatalogSnapshot,
    },
    db::track_search::{ArtistFilter, FreeWord, TrackConditions, WordArtists},
};

/// The longest query read (the API's `q`, the seed box's words).
pub const MAX_QUERY_CHARS: usize = 500;
/// The most words, phrases and filters one `q` may hold. Each is a pass over the tracks
/// the others leave, and a word most names hold asks every track for its artists: 40
/// such words held a database connection for 4 s at 32,833 tracks, and a few such
/// searches at once left log-ins waiting for one. People type two or three, but a
/// script looking a song up types its title and artist (`track:… artist:…`): at 10,
/// 438 of TidyTuesday's 32,833 songs could not be looked up that way, at 16 14, at 20
/// none. 20 of the commonest words (single letters) took 0.09-0.14 s at 28,352 tracks
/// (2026-12-07, release build), 10 of them 0.14-0.16 s: the rarest goes first.
pub const MAX_TERMS: usize = 20;

/// Up to this many tracks by the artists holding a free word, those tracks are gathered
/// into one set for the search; past it each track is asked for its artists
/// (`WordArtists`). At 1.2M tracks a set of them all took about 2 s, a few tens of
/// thousands a few milliseconds.
pub const FEW_TRACKS: u64 = 250_000;

/// The artists whose names hold a free word, from the in-memory index.
pub fn artists_holding(catalog: &CatalogSnapshot, word: &str) -> WordArtists {
    let key = query_key(word);
    let (mut ids, mut tracks) = catalog.artists.ids_containing(&key);
    if tracks <= FEW_TRACKS {
        // With the names it is, punctuation aside (`dr.dre` is "Dr. Dre", `anti-lilly`
        // "Anti Lilly" beside "Anti-Lilly & Phoniks"), as the artist search finds them.
        for (id, n) in catalog.artists.ids_named(&key) {
            if !ids.contains(&id) {
                ids.push(id);
                tracks += n;
            }
        }
        if tracks <= FEW_TRACKS {
            return WordArtists::Few(ids, tracks);
        }
    }
    match catalog.artists.ids_lacking(&key) {
        (ids, tracks) if tracks <= FEW_TRACKS => WordArtists::AllBut(ids),
        _ => WordArtists::Many,
    }
}

/// A query's conditions on tracks: its words (rarest first), field filters and years.
pub fn track_conditions(
    query: &SearchQuery,
    artists_holding: impl Fn(&str) -> WordArtists,
) -> TrackConditions {
    // Each word as the in-memory artist index reads it (`query_key`: white space
    // collapsed, marks that show nothing trimmed, folded), in every test of it: `NOT
    // "dr.  dre"` had left out Dr. Dre's tracks where the index holds few names with
    // it, and nothing where it holds many, whose test read the word as typed.
    let mut words: Vec<FreeWord> = query
        .text
        .iter()
        .map(|text| FreeWord {
            text: query_key(text),
            artists: artists_holding(text),
        })
        .collect();
    words.sort_by_key(FreeWord::rarity_order);
    TrackConditions {
        words,
        title: query.track.clone(),
        artist: query
            .artist
            .iter()
            .map(|a| ArtistFilter {
                key: query_key(a),
                artists: artists_holding(a),
            })
            .collect(),
        album: query.album.clone(),
        genre: query.genre.iter().map(|g| genre_key(g)).collect(),
        years: query.years.clone(),
        whole_titles: query.titles_as_typed(),
        // `AllBut` is resolved for free words only (`track_search::except_tracks`):
        // a `NOT` word most names hold asks each track.
        excluded: query
            .excluded
            .iter()
            .map(|text| FreeWord {
                text: query_key(text),
                artists: match artists_holding(text) {
                    few @ WordArtists::Few(..) => few,
                    _ => WordArtists::Many,
                },
            })
            .collect(),
    }
}

/// The conditions an artist search puts on tracks (`genre:rock` keeps the artists
/// credited on a rock track), or none if it puts none. Its free words, `artist:` and
/// `NOT` are matched on the artists' names instead, and ranking by whole title means
/// nothing for artists: left in, the typed name (`love genre:rock`) counted as a title to
/// rank by, and sent the search to SQL instead of the genres' lists (1.3 s against
/// milliseconds at a million tracks).
pub fn artist_track_conditions(query: &SearchQuery) -> Option<TrackConditions> {
    query.has_track_filters().then(|| TrackConditions {
        words: Vec::new(),
        artist: Vec::new(),
        excluded: Vec::new(),
        whole_titles: Vec::new(),
        ..track_conditions(query, |_| WordArtists::Few(Vec::new(), 0))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn track_fields_and_folded_keys() {
        let q = SearchQuery::parse(r#"love track:Me artist:"BEYONCÉ" genre:" Rock " year:2010"#)
            .unwrap();
        let c = track_conditions(&q, |_| WordArtists::Many);
        let words: Vec<&str> = c.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, vec!["love"]);
        assert_eq!(c.title, vec!["Me"]);
        assert_eq!(
            c.artist,
            vec![ArtistFilter {
                key: "beyonce".to_string(),
                artists: WordArtists::Many,
            }]
        );
        let few = track_conditions(&q, |_| WordArtists::Few(vec![7], 3));
        assert_eq!(few.artist[0].artists, WordArtists::Few(vec![7], 3));
        assert_eq!(c.genre, vec!["rock"]);
        assert_eq!(c.years, vec![(2010, 2010)]);
    }

    #[test]
    fn free_words_go_rarest_among_artist_names_first() {
        let q = SearchQuery::parse("the love zzz").unwrap();
        let c = track_conditions(&q, |word| match word {
            "the" => WordArtists::Many,
            "love" => WordArtists::Few(vec![1, 2, 3], 12),
            _ => WordArtists::Few(Vec::new(), 0),
        });
        let words: Vec<&str> = c.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, vec!["zzz", "love", "the"]);
    }

    #[test]
    fn an_artist_search_puts_only_track_fields_on_tracks() {
        let named = SearchQuery::parse("love artist:x NOT y genre:Rock year:1990-2000").unwrap();
        let c = artist_track_conditions(&named).unwrap();
        assert!(c.genres_and_years_only(), "{c:?}");
        assert_eq!(c.genre, vec!["rock"]);
        assert_eq!(c.years, vec![(1990, 2000)]);
        let album = SearchQuery::parse("love album:blue").unwrap();
        let c = artist_track_conditions(&album).unwrap();
        assert!(!c.genres_and_years_only());
        assert_eq!(c.album, vec!["blue"]);
        assert_eq!(
            artist_track_conditions(&SearchQuery::parse("love NOT y").unwrap()),
            None
        );
    }
}
