//! The rules of a comparison of two to four named groups of tracks (artists, genres):
//! each typed name resolved to one group, blanks ignored, no group twice, and a message
//! for every field that breaks a rule. The groups say what they are called
//! ([`Comparable`]) and how a name finds them (a [`Lookup`]).

pub const MIN_COMPARED: usize = 2;
pub const MAX_COMPARED: usize = 4;

/// A named group of tracks that can be compared.
pub trait Comparable {
    /// What one of them is called in messages ("artist").
    const NOUN: &'static str;
    /// Identifies it: two fields naming the same group are a duplicate.
    fn compare_id(&self) -> i64;
    fn compare_name(&self) -> &str;
    fn compare_tracks(&self) -> i64;
}

/// What a typed name finds.
#[derive(Debug, Clone)]
pub enum Lookup<'a, T> {
    Found(&'a T),
    /// Several groups answer to the name; the user picks one.
    Ambiguous(Vec<&'a T>),
    /// None does; the closest names instead.
    NotFound(Vec<&'a T>),
}

/// Why a set of typed names cannot be compared.
#[derive(Debug, Clone)]
pub enum SelectionProblem<'a, T> {
    TooMany {
        given: usize,
    },
    TooFew {
        given: usize,
    },
    /// Nothing has this name; the closest names instead. `taken`: the closest name,
    /// when another field already holds it (and the field's number), since it is then
    /// not offered.
    Unknown {
        suggestions: Vec<&'a T>,
        taken: Option<(&'a T, usize)>,
    },
    /// The name folds to several groups.
    Ambiguous {
        candidates: Vec<&'a T>,
    },
    /// The same group as an earlier field (possibly typed differently).
    Duplicate {
        item: &'a T,
        first_field: usize,
    },
}

/// A problem and the field (0-based, blank fields included) it belongs to; None when it
/// concerns the whole selection.
#[derive(Debug, Clone)]
pub struct FieldProblem<'a, T> {
    pub field: Option<usize>,
    pub problem: SelectionProblem<'a, T>,
}

impl<T: Comparable> SelectionProblem<'_, T> {
    /// What the user reads beside the field. `typed` is what they entered there.
    pub fn message(&self, typed: &str) -> String {
        let noun = T::NOUN;
        match self {
            SelectionProblem::TooMany { given } => format!(
                "You can compare at most {MAX_COMPARED} {noun}s at once; you entered {given}. Remove {}.",
                given - MAX_COMPARED
            ),
            SelectionProblem::TooFew { given: 0 } => {
                format!("Enter at least two {noun}s to compare.")
            }
            SelectionProblem::TooFew { .. } => {
                format!("Enter one more {noun}: a comparison needs at least two.")
            }
            SelectionProblem::Unknown {
                suggestions,
                taken: Some((item, field)),
            } if suggestions.is_empty() => format!(
                "No {noun} called “{typed}” is in the catalog; the closest name, {}, is already {noun} {}.",
                item.compare_name(),
                field + 1
            ),
            SelectionProblem::Unknown { suggestions, .. } if suggestions.is_empty() => {
                format!("No {noun} called “{typed}” is in the catalog, and no name is close to it.")
            }
            SelectionProblem::Unknown { .. } => {
                format!("No {noun} called “{typed}” is in the catalog. Did you mean one of these?")
            }
            SelectionProblem::Ambiguous { .. } => {
                format!("“{typed}” matches more than one {noun}. Which one do you mean?")
            }
            SelectionProblem::Duplicate { item, first_field } => format!(
                "{} is already {noun} {}; each {noun} can appear only once.",
                item.compare_name(),
                first_field + 1
            ),
        }
    }

    /// Whether the problem is a name that points at no single group (as opposed to a
    /// selection that is the wrong shape).
    pub fn is_unresolved_name(&self) -> bool {
        matches!(
            self,
            SelectionProblem::Unknown { .. } | SelectionProblem::Ambiguous { .. }
        )
    }

    /// The names offered instead of the typed one ("did you mean").
    pub fn choices(&self) -> &[&T] {
        match self {
            SelectionProblem::Unknown { suggestions, .. } => suggestions,
            SelectionProblem::Ambiguous { candidates } => candidates,
            _ => &[],
        }
    }
}

/// Resolves the fields of a comparison form (blank fields are ignored) to the groups to
/// compare, in field order, or every problem found.
pub fn resolve_selection<'a, T: Comparable>(
    lookup: impl Fn(&str) -> Lookup<'a, T>,
    fields: &[String],
) -> Result<Vec<&'a T>, Vec<FieldProblem<'a, T>>> {
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
    let mut chosen: Vec<(usize, &T)> = Vec::new();
    for (field, name) in named.iter().copied() {
        match lookup(name) {
            Lookup::Found(item) => {
                if let Some((first_field, _)) = chosen
                    .iter()
                    .find(|(_, a)| a.compare_id() == item.compare_id())
                {
                    problems.push(FieldProblem {
                        field: Some(field),
                        problem: SelectionProblem::Duplicate {
                            item,
                            first_field: *first_field,
                        },
                    });
                } else {
                    chosen.push((field, item));
                }
            }
            Lookup::Ambiguous(candidates) => problems.push(FieldProblem {
                field: Some(field),
                problem: SelectionProblem::Ambiguous { candidates },
            }),
            Lookup::NotFound(suggestions) => problems.push(FieldProblem {
                field: Some(field),
                problem: SelectionProblem::Unknown {
                    suggestions,
                    taken: None,
                },
            }),
        }
    }
    if !problems.is_empty() {
        // A name another field already holds is no answer to "did you mean" here:
        // choosing it would only make a duplicate ("Qeen" beside "Queen" offered Queen).
        let field_of = |o: &T| {
            chosen
                .iter()
                .find(|(_, c)| c.compare_id() == o.compare_id())
                .map(|(field, _)| *field)
        };
        for problem in &mut problems {
            if let SelectionProblem::Unknown { suggestions, taken } = &mut problem.problem {
                // Said instead: "no name is close" was untrue when the close one was
                // already chosen ("rokc" beside "rock").
                *taken = suggestions
                    .first()
                    .and_then(|&closest| Some((closest, field_of(closest)?)));
            }
            let (SelectionProblem::Unknown {
                suggestions: offered,
                ..
            }
            | SelectionProblem::Ambiguous {
                candidates: offered,
            }) = &mut problem.problem
            else {
                continue;
            };
            offered.retain(|o| field_of(o).is_none());
        }
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
