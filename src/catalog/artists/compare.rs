//! The rules of an artist comparison: two to four different artists, each typed name
//! resolved through the search index (case- and accent-insensitively).

use super::{
    index::{ArtistIndex, Resolution},
    summary::ArtistSummary,
};

pub const MIN_COMPARED: usize = 2;
pub const MAX_COMPARED: usize = 4;

/// Why a set of typed names cannot be compared.
#[derive(Debug, Clone)]
pub enum SelectionProblem<'a> {
    TooMany {
        given: usize,
    },
    TooFew {
        given: usize,
    },
    /// No artist has this name; the closest names instead.
    Unknown {
        suggestions: Vec<&'a ArtistSummary>,
    },
    /// The name folds to several artists.
    Ambiguous {
        candidates: Vec<&'a ArtistSummary>,
    },
    /// The same artist as an earlier field (possibly typed differently).
    Duplicate {
        artist: &'a ArtistSummary,
        first_field: usize,
    },
}

/// A problem and the field (0-based, blank fields included) it belongs to; None when it
/// concerns the whole selection.
#[derive(Debug, Clone)]
pub struct FieldProblem<'a> {
    pub field: Option<usize>,
    pub problem: SelectionProblem<'a>,
}

impl SelectionProblem<'_> {
    /// What the user reads beside the field. `typed` is what they entered there.
    pub fn message(&self, typed: &str) -> String {
        match self {
            SelectionProblem::TooMany { given } => format!(
                "You can compare at most {MAX_COMPARED} artists at once; you entered {given}. Remove {}.",
                given - MAX_COMPARED
            ),
            SelectionProblem::TooFew { given: 0 } => {
                "Enter at least two artists to compare.".to_string()
            }
            SelectionProblem::TooFew { .. } => {
                "Enter one more artist: a comparison needs at least two.".to_string()
            }
            SelectionProblem::Unknown { suggestions } if suggestions.is_empty() => {
                format!("No artist called “{typed}” is in the catalog, and no name is close to it.")
            }
            SelectionProblem::Unknown { .. } => {
                format!("No artist called “{typed}” is in the catalog. Did you mean one of these?")
            }
            SelectionProblem::Ambiguous { .. } => {
                format!("“{typed}” matches more than one artist. Which one do you mean?")
            }
            SelectionProblem::Duplicate { artist, first_field } => format!(
                "{} is already artist {}; each artist can appear only once.",
                artist.name,
                first_field + 1
            ),
        }
    }

    /// Whether the problem is a name that points at no single artist (as opposed to a
    /// selection that is the wrong shape).
    pub fn is_unresolved_name(&self) -> bool {
        matches!(
            self,
            SelectionProblem::Unknown { .. } | SelectionProblem::Ambiguous { .. }
        )
    }
}

/// Resolves the fields of a comparison form (blank fields are ignored) to the artists
/// to compare, in field order, or every problem found.
pub fn resolve_selection<'a>(
    index: &'a ArtistIndex,
    fields: &[String],
) -> Result<Vec<&'a ArtistSummary>, Vec<FieldProblem<'a>>> {
    let named: Vec<(usize, &str)> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| (i, f.trim()))
        .filter(|(_, f)| !f.is_empty())
        .collect();
    if named.len() > MAX_COMPARED {
        // Checked before resolving: no point looking up names that cannot all be shown.
        return Err(vec![FieldProblem {
            field: None,
            problem: SelectionProblem::TooMany { given: named.len() },
        }]);
    }
    let mut problems = Vec::new();
    let mut chosen: Vec<(usize, &ArtistSummary)> = Vec::new();
    for (field, name) in named.iter().copied() {
        match index.resolve(name) {
            Resolution::Found(artist) => {
                if let Some((first_field, _)) = chosen.iter().find(|(_, a)| a.id == artist.id) {
                    problems.push(FieldProblem {
                        field: Some(field),
                        problem: SelectionProblem::Duplicate {
                            artist,
                            first_field: *first_field,
                        },
                    });
                } else {
                    chosen.push((field, artist));
                }
            }
            Resolution::Ambiguous(candidates) => problems.push(FieldProblem {
                field: Some(field),
                problem: SelectionProblem::Ambiguous { candidates },
            }),
            Resolution::NotFound(suggestions) => problems.push(FieldProblem {
                field: Some(field),
                problem: SelectionProblem::Unknown { suggestions },
            }),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if named.len() < MIN_COMPARED {
        let blank = fields.iter().position(|f| f.trim().is_empty());
        return Err(vec![FieldProblem {
            field: blank,
            problem: SelectionProblem::TooFew { given: named.len() },
        }]);
    }
    Ok(chosen.into_iter().map(|(_, a)| a).collect())
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
            matches!(&err[2].problem, SelectionProblem::Unknown { suggestions } if suggestions[0].id == 1)
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
