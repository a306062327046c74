//! The tracks of every genre and subgenre, most popular first: what the API's search
//! answers `genre:` filters from when they are its only conditions (with `year:`).
//!
//! In SQL such a search read every track twice at a million tracks: the genre's links
//! have no index by genre (one would cost every import), and a page most popular
//! first with its total sorted and counted every match. `genre:rock` took 1.4–1.7 s,
//! `genre:rock genre:pop` up to 4.6 s. Here each genre's tracks are a list of ranks in
//! the search's order, so a page is a walk of the shortest list until the page is
//! full and the count is known: about a millisecond for a genre of 170,000 tracks.
//!
//! A track is in a genre as SQL has it (`db::track_search`): one of its linked genres
//! or subgenres, or its `genre` column, has that name key (`model::track::genre_key`).
//!
//! Each track's credited artists are kept too (4 bytes a credit and 4 a track), for
//! `type=artist` searches with the same filters (`genre:rock` for artists): in SQL
//! that was the artists of 170,000 tracks, 1.7 s at a million.

use std::{cmp::Reverse, collections::HashMap};

use crate::{
    db::{self, genres::RankedTrack, DbConnection},
    model::track::genre_key,
};

/// No release year known.
const NO_YEAR: i32 = i32::MIN;

/// Every genre's tracks of one catalog version (see the module comment).
#[derive(Debug, Default)]
pub struct GenreTracks {
    /// Track ids by rank: most popular first, unknown popularity last, then by id (the
    /// order of `db::api_catalog::most_popular_first`).
    ids: Vec<i32>,
    /// Release years by rank (`NO_YEAR`: unknown).
    years: Vec<i32>,
    /// The ranks of each genre name key's tracks, ascending.
    by_genre: HashMap<String, Vec<u32>>,
    /// The artists credited on the track of rank `r`:
    /// `credited[credit_starts[r]..credit_starts[r + 1]]`.
    credit_starts: Vec<u32>,
    credited: Vec<i32>,
}

/// A page of a search: how many tracks match, and the ids of those in the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenrePage {
    pub total: u64,
    pub ids: Vec<i32>,
}

impl GenreTracks {
    /// Reads the catalog's genres, links and tracks, in the caller's transaction.
    pub fn read(conn: &mut DbConnection) -> diesel::QueryResult<GenreTracks> {
        db::genres::search_rows(conn, Builder::new, Builder::add).map(Builder::finish)
    }

    /// The tracks that have every genre of `genre_keys` and a release year in every
    /// range of `years`, in the search's order: their number, and `limit` of them
    /// after the first `offset`.
    pub fn page(
        &self,
        genre_keys: &[String],
        years: &[(i32, i32)],
        offset: usize,
        limit: usize,
    ) -> GenrePage {
        let mut total = 0u64;
        let mut ids = Vec::new();
        self.each_match(genre_keys, years, |r| {
            if total >= offset as u64 && ids.len() < limit {
                ids.push(self.ids[r]);
            }
            total += 1;
        });
        GenrePage { total, ids }
    }

    /// The artists credited on the tracks `page` would count, each once, by id.
    pub fn artists_credited(&self, genre_keys: &[String], years: &[(i32, i32)]) -> Vec<i32> {
        let mut artists = Vec::new();
        self.each_match(genre_keys, years, |r| {
            let (from, to) = (self.credit_starts[r], self.credit_starts[r + 1]);
            artists.extend_from_slice(&self.credited[from as usize..to as usize]);
        });
        artists.sort_unstable();
        artists.dedup();
        artists
    }

    /// Calls `found` with the rank of each track that has every genre of `genre_keys`
    /// and a release year in every range of `years`, in rank order.
    fn each_match(
        &self,
        genre_keys: &[String],
        years: &[(i32, i32)],
        mut found: impl FnMut(usize),
    ) {
        let mut lists: Vec<&[u32]> = Vec::with_capacity(genre_keys.len());
        for key in genre_keys {
            match self.by_genre.get(key) {
                Some(ranks) => lists.push(ranks),
                None => return,
            }
        }
        lists.sort_by_key(|ranks| ranks.len());
        // The shortest list leads; the others are asked by bit.
        let others: Vec<Vec<u64>> = lists
            .iter()
            .skip(1)
            .map(|ranks| self.bits_of(ranks))
            .collect();
        let every_rank: Vec<u32>;
        let lead: &[u32] = match lists.first() {
            Some(ranks) => ranks,
            None => {
                every_rank = (0..self.ids.len() as u32).collect();
                &every_rank
            }
        };
        for &rank in lead {
            let r = rank as usize;
            let in_others = others
                .iter()
                .all(|bits| bits[r / 64] & (1 << (r % 64)) != 0);
            if in_others && self.year_within(r, years) {
                found(r);
            }
        }
    }

    /// Whether the track of rank `r` has a release year in every range.
    fn year_within(&self, r: usize, years: &[(i32, i32)]) -> bool {
        let year = self.years[r];
        years
            .iter()
            .all(|&(from, to)| year != NO_YEAR && (from..=to).contains(&year))
    }

    /// `ranks` as a bit set over every rank.
    fn bits_of(&self, ranks: &[u32]) -> Vec<u64> {
        let mut bits = vec![0u64; self.ids.len().div_ceil(64)];
        for &r in ranks {
            bits[r as usize / 64] |= 1 << (r % 64);
        }
        bits
    }
}

/// Collects the read's rows: each track by its position in id order, then ranked.
struct Builder {
    /// Index into `lists` of each genre id's name key.
    list_of_genre: HashMap<i32, usize>,
    /// Index into `lists` of each name key, and of each `genre` column as stored.
    list_of_key: HashMap<String, usize>,
    list_of_column: HashMap<String, usize>,
    keys: Vec<String>,
    /// Each key's tracks, by position until `finish` ranks them.
    lists: Vec<Vec<u32>>,
    /// The links, in track order, not yet walked past.
    links: std::iter::Peekable<std::vec::IntoIter<(i32, i32)>>,
    /// The (track, artist) credits, in track order, not yet walked past.
    credits: std::iter::Peekable<std::vec::IntoIter<(i32, i32)>>,
    /// Each position's artists: `artists[artist_starts[p]..artist_starts[p + 1]]`.
    artist_starts: Vec<u32>,
    artists: Vec<i32>,
    /// (popularity, id, year) by position.
    tracks: Vec<(Option<i32>, i32, i32)>,
}

impl Builder {
    fn new(
        genres: Vec<(i32, String)>,
        links: Vec<(i32, i32)>,
        credits: Vec<(i32, i32)>,
    ) -> Builder {
        let mut builder = Builder {
            list_of_genre: HashMap::new(),
            list_of_key: HashMap::new(),
            list_of_column: HashMap::new(),
            keys: Vec::new(),
            lists: Vec::new(),
            links: links.into_iter().peekable(),
            artist_starts: vec![0],
            artists: Vec::with_capacity(credits.len()),
            credits: credits.into_iter().peekable(),
            tracks: Vec::new(),
        };
        for (id, key) in genres {
            let list = builder.list_for(key);
            builder.list_of_genre.insert(id, list);
        }
        builder
    }

    /// The list of a name key, made on first use.
    fn list_for(&mut self, key: String) -> usize {
        if let Some(&list) = self.list_of_key.get(&key) {
            return list;
        }
        let list = self.lists.len();
        self.lists.push(Vec::new());
        self.keys.push(key.clone());
        self.list_of_key.insert(key, list);
        list
    }

    /// One track, in id order.
    fn add(&mut self, track: RankedTrack<'_>) {
        let position = self.tracks.len() as u32;
        self.tracks
            .push((track.popularity, track.id, track.year.unwrap_or(NO_YEAR)));
        // Links of tracks that are not in the catalog (none, with foreign keys on) are
        // passed over.
        while self.links.next_if(|&(id, _)| id < track.id).is_some() {}
        while let Some((_, genre)) = self.links.next_if(|&(id, _)| id == track.id) {
            if let Some(&list) = self.list_of_genre.get(&genre) {
                self.lists[list].push(position);
            }
        }
        while self.credits.next_if(|&(id, _)| id < track.id).is_some() {}
        while let Some((_, artist)) = self.credits.next_if(|&(id, _)| id == track.id) {
            self.artists.push(artist);
        }
        self.artist_starts.push(self.artists.len() as u32);
        if let Some(column) = track.genre {
            let list = match self.list_of_column.get(column) {
                Some(&list) => Some(list),
                None => {
                    let key = genre_key(column);
                    let list = (!key.is_empty()).then(|| self.list_for(key));
                    if let Some(list) = list {
                        self.list_of_column.insert(column.to_string(), list);
                    }
                    list
                }
            };
            if let Some(list) = list {
                // Most often also linked: the repeat goes in `finish`.
                self.lists[list].push(position);
            }
        }
    }

    fn finish(self) -> GenreTracks {
        let Builder {
            keys,
            mut lists,
            tracks,
            artist_starts,
            artists,
            ..
        } = self;
        let mut by_rank: Vec<u32> = (0..tracks.len() as u32).collect();
        by_rank.sort_unstable_by_key(|&p| {
            let (popularity, id, _) = tracks[p as usize];
            (popularity.is_none(), Reverse(popularity), id)
        });
        let mut rank_of = vec![0u32; tracks.len()];
        for (rank, &p) in by_rank.iter().enumerate() {
            rank_of[p as usize] = rank as u32;
        }
        let ids = by_rank.iter().map(|&p| tracks[p as usize].1).collect();
        let years = by_rank.iter().map(|&p| tracks[p as usize].2).collect();
        if lists.iter().all(Vec::is_empty) {
            // A catalog without genres: no track to find by one.
            return GenreTracks::default();
        }
        let mut credit_starts = Vec::with_capacity(tracks.len() + 1);
        let mut credited = Vec::with_capacity(artists.len());
        credit_starts.push(0);
        for &p in &by_rank {
            let (from, to) = (artist_starts[p as usize], artist_starts[p as usize + 1]);
            credited.extend_from_slice(&artists[from as usize..to as usize]);
            credit_starts.push(credited.len() as u32);
        }
        drop(artists);
        let by_genre = keys
            .into_iter()
            .zip(lists.iter_mut())
            .filter(|(_, list)| !list.is_empty())
            .map(|(key, list)| {
                let mut ranks: Vec<u32> = list.iter().map(|&p| rank_of[p as usize]).collect();
                ranks.sort_unstable();
                ranks.dedup();
                ranks.shrink_to_fit();
                (key, ranks)
            })
            .collect();
        GenreTracks {
            ids,
            years,
            by_genre,
            credit_starts,
            credited,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(
        id: i32,
        popularity: Option<i32>,
        year: Option<i32>,
        genre: Option<&str>,
    ) -> RankedTrack<'_> {
        RankedTrack {
            id,
            popularity,
            year,
            genre,
        }
    }

    /// Genres 1 rock, 2 pop, 3 "indie rock" (a subgenre); tracks 1–6.
    fn catalog() -> GenreTracks {
        let genres = vec![
            (1, "rock".to_string()),
            (2, "pop".to_string()),
            (3, "indie rock".to_string()),
            // The same name under another parent: one key.
            (4, "rock".to_string()),
        ];
        let links = vec![
            (1, 1),
            (1, 3),
            (2, 2),
            (3, 1),
            (3, 2),
            (4, 4),
            (5, 2),
            (99, 1),
        ];
        // Artists 10 and 11 on track 1, 11 on 3, 12 on 4; track 2 has none here.
        let credits = vec![(1, 10), (1, 11), (3, 11), (4, 12), (5, 13), (6, 14)];
        let mut b = Builder::new(genres, links, credits);
        b.add(track(1, Some(50), Some(2001), Some("rock")));
        b.add(track(2, Some(80), Some(1999), Some("pop")));
        b.add(track(3, Some(50), None, Some("rock")));
        b.add(track(4, None, Some(2005), Some("rock")));
        b.add(track(5, Some(90), Some(2010), Some("pop")));
        // No links: its column is its genre, matched by key.
        b.add(track(6, Some(10), Some(2001), Some(" Rock ")));
        b.finish()
    }

    fn keys(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn most_popular_first_then_by_id_unknown_last() {
        let c = catalog();
        let page = c.page(&keys(&["rock"]), &[], 0, 10);
        assert_eq!(page.ids, vec![1, 3, 6, 4]);
        assert_eq!(page.total, 4);
    }

    #[test]
    fn every_genre_and_every_year_range() {
        let c = catalog();
        assert_eq!(c.page(&keys(&["rock", "pop"]), &[], 0, 10).ids, vec![3]);
        assert_eq!(c.page(&keys(&["indie rock"]), &[], 0, 10).ids, vec![1]);
        let years = c.page(&keys(&["rock"]), &[(2000, 2006)], 0, 10);
        // Track 3 has no year, so no range holds it.
        assert_eq!((years.total, years.ids), (3, vec![1, 6, 4]));
        assert_eq!(
            c.page(&keys(&["rock"]), &[(2000, 2006), (2003, 2010)], 0, 10)
                .ids,
            vec![4]
        );
        assert_eq!(c.page(&keys(&["jazz"]), &[], 0, 10).total, 0);
        assert_eq!(c.page(&keys(&["rock", "jazz"]), &[], 0, 10).total, 0);
    }

    #[test]
    fn pages_count_every_match() {
        let c = catalog();
        let second = c.page(&keys(&["rock"]), &[], 1, 2);
        assert_eq!((second.total, second.ids), (4, vec![3, 6]));
        let past = c.page(&keys(&["rock"]), &[], 10, 2);
        assert_eq!((past.total, past.ids), (4, vec![]));
        let none = c.page(&keys(&["pop"]), &[], 0, 0);
        assert_eq!((none.total, none.ids), (3, vec![]));
    }

    #[test]
    fn the_artists_of_the_matching_tracks_each_once() {
        let c = catalog();
        assert_eq!(
            c.artists_credited(&keys(&["rock"]), &[]),
            vec![10, 11, 12, 14]
        );
        assert_eq!(
            c.artists_credited(&keys(&["rock"]), &[(2005, 2010)]),
            vec![12]
        );
        assert_eq!(c.artists_credited(&keys(&["pop"]), &[]), vec![11, 13]);
        assert!(c.artists_credited(&keys(&["jazz"]), &[]).is_empty());
    }

    #[test]
    fn no_genre_asked_is_every_track() {
        let c = catalog();
        assert_eq!(c.page(&[], &[(2001, 2001)], 0, 10).ids, vec![1, 6]);
    }
}
