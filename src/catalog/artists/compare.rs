//! Artists in a comparison (`catalog::compare`): each typed name resolved through the
//! search index (case- and accent-insensitively).

use super::{
    index::{ArtistIndex, Resolution},
    summary::ArtistSummary,
};
use crate::catalog::compare::{self, Comparable, Lookup};
pub use crate::catalog::compare::{MAX_COMPARED, MIN_COMPARED};

impl Comparable for ArtistSummary {
    const NOUN: &'static str = "artist";

    fn compare_id(&self) -> i64 {
        self.id.into()
    }

    fn compare_name(&self) -> &str {
        &self.name
    }

    fn compare_tracks(&self) -> i64 {
        self.track_count.into()
    }
}

pub type SelectionProblem<'a> = compare::SelectionProblem<'a, ArtistSummary>;
pub type FieldProblem<'a> = compare::FieldProblem<'a, ArtistSummary>;

/// Resolves the fields of a comparison form (blank fields are ignored) to the artists
/// to compare, in field order, or every problem found.
pub fn resolve_selection<'a>(
    index: &'a ArtistIndex,
    fields: &[String],
) -> Result<Vec<&'a ArtistSummary>, Vec<FieldProblem<'a>>> {
    compare::resolve_selection(
        |name| match index.resolve(name) {
            Resolution::Found(artist) => Lookup::Found(artist),
            Resolution::Ambiguous(candidates) => Lookup::Ambiguous(candidates),
            Resolution::NotFound(suggestions) => Lookup::NotFound(suggestions),
        },
        fields,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::artists::index::tests::artist;

    fn index() -> ArtistIndex {
        ArtistIndex::new(
            vec![
                artist(1, "Beyoncé", 4),
                artist(2, "Björk", 9),
                artist(3, "Amélie", 2),
                artist(4, "Amelié", 2),
                artist(5, "Air", 7),
                artist(6, "Abba", 7),
            ],
            None,
        )
    }

    fn fields(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn resolves_names_in_field_order_ignoring_blanks() {
        let idx = index();
        let got = resolve_selection(&idx, &fields(&["bjork", "", "BEYONCE"])).unwrap();
        assert_eq!(got.iter().map(|a| a.id).collect::<Vec<_>>(), [2, 1]);
    }

    #[test]
    fn reports_each_problem_beside_its_field() {
        let idx = index();
        let err =
            resolve_selection(&idx, &fields(&["Björk", "Bjork", "Amelie", "Beyonse"])).unwrap_err();
        assert_eq!(err.len(), 3);
        assert!(matches!(
            err[0].problem,
            SelectionProblem::Duplicate { first_field: 0, .. }
        ));
        assert_eq!(err[0].field, Some(1));
        assert!(
            matches!(&err[1].problem, SelectionProblem::Ambiguous { candidates } if candidates.len() == 2)
        );
        assert!(
            matches!(&err[2].problem, SelectionProblem::Unknown { suggestions, .. } if suggestions[0].id == 1)
        );
        assert!(err[2].problem.message("Beyonse").contains("“Beyonse”"));
    }

    #[test]
    fn counts_are_checked() {
        let idx = index();
        let err = resolve_selection(
            &idx,
            &fields(&["Air", "Abba", "Björk", "Beyoncé", "Amélie"]),
        )
        .unwrap_err();
        assert!(matches!(
            err[0].problem,
            SelectionProblem::TooMany { given: 5 }
        ));
        assert!(err[0].problem.message("").contains("at most 4"));
        let err = resolve_selection(&idx, &fields(&["Air", ""])).unwrap_err();
        assert!(matches!(
            err[0].problem,
            SelectionProblem::TooFew { given: 1 }
        ));
        assert_eq!(err[0].field, Some(1));
        let err = resolve_selection(&idx, &[]).unwrap_err();
        assert!(matches!(
            err[0].problem,
            SelectionProblem::TooFew { given: 0 }
        ));
    }
}
