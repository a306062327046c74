//! How an artist's track list can be ordered, as chosen in a URL (`sort=energy&dir=asc`).

use crate::catalog::Feature;
pub use crate::model::artist::{SortKey, TrackSort};

// The types are `model`'s, so that `db/` can order by them; their names and spellings
// in a URL are the domain's.
impl SortKey {
    /// Every key, in the order a sort menu offers them.
    pub fn all() -> Vec<SortKey> {
        let mut keys = vec![
            SortKey::Feature(Feature::Popularity),
            SortKey::Year,
            SortKey::Name,
        ];
        keys.extend(
            Feature::ALL
                .into_iter()
                .filter(|f| *f != Feature::Popularity)
                .map(SortKey::Feature),
        );
        keys
    }

    pub fn key(self) -> &'static str {
        match self {
            SortKey::Year => "year",
            SortKey::Name => "name",
            SortKey::Feature(f) => f.key(),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Year => "Year",
            SortKey::Name => "Title",
            SortKey::Feature(f) => f.label(),
        }
    }

    pub fn parse(value: &str) -> Result<SortKey, String> {
        match value {
            "year" => Ok(SortKey::Year),
            "name" => Ok(SortKey::Name),
            other => Feature::from_key(other)
                .map(SortKey::Feature)
                .ok_or_else(|| {
                    let choices: Vec<&str> = SortKey::all().into_iter().map(SortKey::key).collect();
                    format!(
                        "Tracks cannot be sorted by \"{other}\". Choose one of: {}.",
                        choices.join(", ")
                    )
                }),
        }
    }

    /// Titles read best A to Z; numbers (popularity, year, features) highest first.
    pub fn default_descending(self) -> bool {
        !matches!(self, SortKey::Name)
    }
}

impl Default for TrackSort {
    /// Most popular first, as a listener expects from an artist page.
    fn default() -> Self {
        TrackSort {
            key: SortKey::Feature(Feature::Popularity),
            descending: true,
        }
    }
}

impl TrackSort {
    /// The order an artist's tracks open in: most popular first, or, in a catalog
    /// without popularity (the Kaggle 1.2M layout), newest first, or by title in one
    /// without dates either. That catalog's pages said "sorted by popularity, highest
    /// first" over tracks in no such order.
    pub fn usual(has_popularity: bool, has_years: bool) -> TrackSort {
        if has_popularity {
            TrackSort::default()
        } else if has_years {
            TrackSort {
                key: SortKey::Year,
                descending: true,
            }
        } else {
            TrackSort {
                key: SortKey::Name,
                descending: false,
            }
        }
    }

    /// From the optional `sort` and `dir` query values; `dir` is "asc" or "desc".
    pub fn parse(sort: Option<&str>, dir: Option<&str>) -> Result<TrackSort, String> {
        TrackSort::parse_or(sort, dir, TrackSort::default())
    }

    /// `parse`, with `usual` when no sort is named.
    pub fn parse_or(
        sort: Option<&str>,
        dir: Option<&str>,
        usual: TrackSort,
    ) -> Result<TrackSort, String> {
        let key = match sort {
            None | Some("") => usual.key,
            Some(value) => SortKey::parse(value)?,
        };
        let descending = match dir {
            None | Some("") => key.default_descending(),
            Some("desc") => true,
            Some("asc") => false,
            Some(other) => {
                return Err(format!(
                    "The sort direction \"{other}\" is unknown. Use \"asc\" or \"desc\"."
                ))
            }
        };
        Ok(TrackSort { key, descending })
    }

    pub fn dir(self) -> &'static str {
        if self.descending {
            "desc"
        } else {
            "asc"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys_directions_and_explains_mistakes() {
        assert_eq!(TrackSort::parse(None, None).unwrap(), TrackSort::default());
        let s = TrackSort::parse(Some("energy"), Some("asc")).unwrap();
        assert_eq!(s.key, SortKey::Feature(Feature::Energy));
        assert!(!s.descending);
        assert!(!TrackSort::parse(Some("name"), None).unwrap().descending);
        assert!(TrackSort::parse(Some("year"), None).unwrap().descending);
        let err = TrackSort::parse(Some("colour"), None).unwrap_err();
        assert!(
            err.contains("\"colour\"") && err.contains("popularity"),
            "{err}"
        );
        assert!(TrackSort::parse(None, Some("up")).is_err());
        for key in SortKey::all() {
            assert_eq!(SortKey::parse(key.key()), Ok(key));
        }
    }
}
