//! THE mapping between the audio features (`model::Feature`) and the columns that
//! store them: `tracks.<column>` per track and `artists.avg_<column>` per artist. Every
//! query that names feature columns one by one goes through `audio_feature_columns!`;
//! SQL built as text uses `track_column`/`artist_column`.

use crate::model::Feature;

/// Calls `$callback!` with, for every audio feature in `Feature::AUDIO` order, the
/// `Feature` variant, its `tracks` column (also the `AudioFeatures` field) and its
/// `artists` average column: `Variant column avg_column,`. Extra tokens given after a
/// `;` are passed first, for the callback to use:
/// `audio_feature_columns!(my_macro; value)` expands to
/// `my_macro!(value; Danceability danceability avg_danceability, ...)`.
macro_rules! audio_feature_columns {
    ($callback:ident $(; $($args:tt)*)?) => {
        $callback! {
            $($($args)*)? ;
            Danceability danceability avg_danceability,
            Energy energy avg_energy,
            Acousticness acousticness avg_acousticness,
            Instrumentalness instrumentalness avg_instrumentalness,
            Valence valence avg_valence,
            Speechiness speechiness avg_speechiness,
            Liveness liveness avg_liveness,
            Tempo tempo avg_tempo,
            Loudness loudness avg_loudness,
        }
    };
}
pub(crate) use audio_feature_columns;

/// Callback for `audio_feature_columns!`: the `tracks` feature columns as a tuple, in
/// `Feature::AUDIO` order, for a `select`.
macro_rules! track_feature_columns {
    (; $($variant:ident $column:ident $avg:ident,)*) => {
        ($($crate::db::schema::tracks::$column,)*)
    };
}
pub(crate) use track_feature_columns;

/// Callback for `audio_feature_columns!`: the `AudioFeatures` read from a tuple selected
/// with `track_feature_columns!`.
macro_rules! features_from_tuple {
    ($tuple:expr; $($variant:ident $column:ident $avg:ident,)*) => {{
        let ($($column,)*) = $tuple;
        $crate::model::AudioFeatures { $($column,)* }
    }};
}
pub(crate) use features_from_tuple;

/// Callback for `audio_feature_columns!`: the `AudioFeatures` from a row struct with one
/// field per `artists` average column (`avg_danceability`, ...).
macro_rules! features_from_averages {
    ($row:ident; $($variant:ident $column:ident $avg:ident,)*) => {
        $crate::model::AudioFeatures { $($column: $crate::db::features::settled($row.$avg),)* }
    };
}
pub(crate) use features_from_averages;

/// A stored average, rounded to 9 decimal places. SQLite and PostgreSQL sum a column in
/// their own order, and their averages differ by about 1e-13: a mean of exactly 0.6255
/// read 0.62550000000001 on one and 0.62549999999999 on the other, so the artist page
/// showed 0.626 on one backend and 0.625 on the other (and the API's sixth decimal
/// differed). Rounded, both read the same number; no feature needs 9 decimals.
pub fn settled(average: f64) -> f64 {
    (average * 1e9).round() / 1e9
}

/// Callback for `audio_feature_columns!`: the `AudioFeatures` from a row struct with one
/// field per `tracks` feature column.
macro_rules! features_from_fields {
    ($row:ident; $($variant:ident $column:ident $avg:ident,)*) => {
        $crate::model::AudioFeatures { $($column: $row.$column,)* }
    };
}
pub(crate) use features_from_fields;

/// The `tracks` column of an audio feature; `None` for popularity, which is not one of
/// them (its column is `popularity`).
pub fn track_column(feature: Feature) -> Option<&'static str> {
    macro_rules! by_feature {
        ($feature:expr; $($variant:ident $column:ident $avg:ident,)*) => {
            match $feature {
                $(Feature::$variant => Some(stringify!($column)),)*
                Feature::Popularity => None,
            }
        };
    }
    audio_feature_columns!(by_feature; feature)
}

/// The `artists` column with the average of an audio feature; `None` for popularity
/// (`avg_popularity`).
pub fn artist_column(feature: Feature) -> Option<&'static str> {
    macro_rules! by_feature {
        ($feature:expr; $($variant:ident $column:ident $avg:ident,)*) => {
            match $feature {
                $(Feature::$variant => Some(stringify!($avg)),)*
                Feature::Popularity => None,
            }
        };
    }
    audio_feature_columns!(by_feature; feature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_follows_feature_audio_order_and_names() {
        let mut listed = Vec::new();
        macro_rules! collect {
            ($list:ident; $($variant:ident $column:ident $avg:ident,)*) => {
                $($list.push((Feature::$variant, stringify!($column), stringify!($avg)));)*
            };
        }
        audio_feature_columns!(collect; listed);
        let order: Vec<Feature> = listed.iter().map(|(f, _, _)| *f).collect();
        assert_eq!(order, Feature::AUDIO);
        for (feature, column, avg) in listed {
            assert_eq!(column, feature.key());
            assert_eq!(track_column(feature), Some(column));
            assert_eq!(artist_column(feature), Some(avg));
            assert_eq!(avg, format!("avg_{column}"));
        }
        assert_eq!(track_column(Feature::Popularity), None);
    }

    /// The two backends' sums of the same values, a hair apart, read as one number.
    #[test]
    fn averages_a_hair_apart_are_one_number() {
        assert_eq!(settled(0.625_500_000_000_01), settled(0.625_499_999_999_99));
        assert_eq!(
            format!("{:.3}", settled(0.115_150_000_000_000_01)),
            format!("{:.3}", settled(0.115_149_999_999_999_99))
        );
        assert_eq!(settled(115.140_562_5), 115.140_562_5);
        assert_eq!(settled(-7.25), -7.25);
    }
}
