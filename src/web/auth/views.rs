//! The auth pages and their forms. Each form is a plain POST form (works without
//! JavaScript) that htmx upgrades to swap itself in place with the server's answer.
//! Messages sit beside the field they concern and are tied to it with
//! `aria-describedby`, so screen readers announce them.

use maud::{html, Markup};

use super::{csrf, next};
use crate::{
    accounts::{password, username, Field, FieldErrors},
    web::{extract::PageContext, layout::format_date},
};

/// One labelled input with its hint and its error.
struct Input<'a> {
    form: &'a str,
    name: &'a str,
    label: &'a str,
    kind: &'a str,
    value: &'a str,
    autocomplete: &'a str,
    hint: Option<String>,
    error: Option<&'a str>,
}

/// The form's inputs, the first one to fill again marked as where the keyboard goes
/// after htmx swaps the form back (app.js, `data-refocus`): the submit button that had
/// focus is gone, and focus fell to the top of the page. That is the first one with an
/// error, or an emptied password field before it: a refused form's passwords come back
/// empty, and focus on "Repeat the password" below an emptied "Password" sent a keyboard
/// user's Enter to the browser's "Please fill out this field" on a field they had not
/// seen emptied. Such an emptied field is also described by the first error, which it
/// does not carry itself: focus landed on it and a screen reader read out its hint
/// alone, while "the passwords differ" sat silent further down. Not when
/// `alert_first`: a message above the fields (`form_message`) is marked instead.
fn inputs(list: &[Input], alert_first: bool) -> Markup {
    let first_error = list.iter().position(|i| i.error.is_some());
    let first_invalid = first_error.filter(|_| !alert_first).and_then(|_| {
        list.iter()
            .position(|i| i.error.is_some() || (i.kind == "password" && i.value.is_empty()))
    });
    let first_error_id = first_error.map(|n| list[n].error_id());
    html! {
        @for (n, input) in list.iter().enumerate() {
            @let refocus = first_invalid == Some(n);
            @let also_described = first_error_id
                .as_deref()
                .filter(|_| refocus && input.error.is_none());
            (input.render(refocus, also_described))
        }
    }
}

impl Input<'_> {
    fn id(&self) -> String {
        format!("{}-{}", self.form, self.name)
    }

    fn error_id(&self) -> String {
        format!("{}-error", self.id())
    }

    /// The field; `also_described`: another field's error that this one reads out too.
    fn render(&self, refocus: bool, also_described: Option<&str>) -> Markup {
        let id = self.id();
        let hint_id = format!("{id}-hint");
        let error_id = self.error_id();
        // The other field's error first: it says why the form came back.
        let described: Vec<&str> = [
            also_described,
            self.hint.as_ref().map(|_| hint_id.as_str()),
            self.error.map(|_| error_id.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect();
        html! {
            div class={ "field" @if self.error.is_some() { " has-error" } } {
                label for=(id) { (self.label) }
                input id=(id) name=(self.name) type=(self.kind)
                    value=[(!self.value.is_empty()).then_some(self.value)]
                    autocomplete=(self.autocomplete) required data-refocus[refocus]
                    aria-invalid=[self.error.map(|_| "true")]
                    aria-describedby=[(!described.is_empty()).then(|| described.join(" "))];
                @if let Some(hint) = &self.hint {
                    p class="field-hint" id=(hint_id) { (hint) }
                }
                @if let Some(error) = self.error {
                    p class="field-error" id=(error_id) { (error) }
                }
            }
        }
    }
}

/// The opening of every auth form: POST for plain HTML, hx-post swapping itself.
fn post_form(id: &str, action: &str, ctx: &PageContext, body: Markup) -> Markup {
    form_markup(id, action, ctx, body, false)
}

/// `post_form`, swapped out of band (`out_of_band`): an answer about one form of a page
/// sets the others back to blank with it.
fn form_markup(
    id: &str,
    action: &str,
    ctx: &PageContext,
    body: Markup,
    out_of_band: bool,
) -> Markup {
    html! {
        form id=(id) class="stack-form" method="post" action=(action)
            hx-post=(action) hx-target="this" hx-swap="outerHTML"
            hx-swap-oob=[out_of_band.then_some("true")]
            hx-disabled-elt="find button" {
            input type="hidden" name=(csrf::FIELD) value=(ctx.csrf_token);
            (body)
        }
    }
}

/// A message about the whole form (wrong credentials, a throttled log-in); the keyboard
/// goes to it after the swap (see `inputs`).
fn form_alert(message: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = message {
            p class="form-error" role="alert" tabindex="-1" data-refocus { (message) }
        }
    }
}

fn hidden_next(next: Option<&str>) -> Markup {
    html! {
        @if let Some(next) = next::safe_next(next) {
            input type="hidden" name="next" value=(next);
        }
    }
}

pub struct SignUpValues<'a> {
    pub username: &'a str,
    pub next: Option<&'a str>,
    pub errors: &'a FieldErrors,
}

pub fn sign_up_form(ctx: &PageContext, values: &SignUpValues) -> Markup {
    let form = "signup";
    post_form(
        "signup-form",
        "/signup",
        ctx,
        html! {
            (hidden_next(values.next))
            (inputs(
                &[
                    Input {
                        form, name: "username", label: "Username", kind: "text", value: values.username,
                        autocomplete: "username",
                        hint: Some(format!(
                            "{} to {} characters: letters A–Z in either case, digits, and _ - . (Ada and ada are one account)",
                            username::MIN_CHARS, username::MAX_CHARS
                        )),
                        error: values.errors.get(Field::Username),
                    },
                    Input {
                        form, name: "password", label: "Password", kind: "password", value: "",
                        autocomplete: "new-password",
                        hint: Some(format!(
                            "At least {} characters. A few unrelated words make a strong, memorable password.",
                            password::MIN_CHARS
                        )),
                        error: values.errors.get(Field::Password),
                    },
                    Input {
                        form, name: "password_confirmation", label: "Repeat the password", kind: "password",
                        value: "", autocomplete: "new-password", hint: None,
                        error: values.errors.get(Field::Confirmation),
                    },
                ],
                false,
            ))
            button type="submit" class="button" { "Create account" }
        },
    )
}

/// Why the page a visitor was sent away from needs an account (`next` is where they
/// were going), for the log-in and sign-up pages to say so.
pub fn why_an_account(next: Option<&str>) -> Option<&'static str> {
    let next = next::safe_next(next)?;
    let path = next.split(['?', '#']).next().unwrap_or_default();
    if path == "/perfect-song" || path.starts_with("/perfect-song/") {
        Some(
            "Finding your perfect song needs an account: it keeps your slider settings for \
             your next visit and lets you save them as named taste profiles. A shared link \
             opens right after you log in or sign up.",
        )
    } else if path == "/account" || path.starts_with("/account/") {
        Some("That page shows your account's settings: log in first.")
    } else {
        None
    }
}

fn reason(next: Option<&str>) -> Markup {
    html! {
        @if let Some(why) = why_an_account(next) {
            p class="notice" role="status" { (why) }
        }
    }
}

pub fn sign_up_page(ctx: &PageContext, values: &SignUpValues) -> Markup {
    html! {
        section class="card narrow" aria-labelledby="signup-title" {
            h1 id="signup-title" { "Create an account" }
            (reason(values.next))
            p class="muted" { "An account keeps your taste profiles. No e-mail address needed." }
            (sign_up_form(ctx, values))
            p { "Already have an account? " a href=(next::with_next("/login", values.next)) { "Log in" } }
        }
    }
}

pub struct LogInValues<'a> {
    pub username: &'a str,
    pub next: Option<&'a str>,
    /// Wrong credentials or throttled: not about one field.
    pub alert: Option<&'a str>,
    /// The browser sent a session cookie that names no session any more.
    pub session_ended: bool,
}

pub const SESSION_ENDED: &str =
    "Your session has ended (two weeks without a visit, or the password changed on \
     another device): log in again to go on.";

pub fn log_in_form(ctx: &PageContext, values: &LogInValues) -> Markup {
    let form = "login";
    post_form(
        "login-form",
        "/login",
        ctx,
        html! {
            (form_alert(values.alert))
            (hidden_next(values.next))
            (inputs(
                &[
                    Input {
                        form, name: "username", label: "Username", kind: "text", value: values.username,
                        autocomplete: "username", hint: None, error: None,
                    },
                    Input {
                        form, name: "password", label: "Password", kind: "password", value: "",
                        autocomplete: "current-password", hint: None, error: None,
                    },
                ],
                values.alert.is_some(),
            ))
            button type="submit" class="button" { "Log in" }
        },
    )
}

/// Log in, with the reason an account is needed (when the visitor was sent here from
/// a page that needs one) and, beside it, the sign-up form for people who have none.
pub fn log_in_page(ctx: &PageContext, values: &LogInValues) -> Markup {
    let no_errors = FieldErrors::default();
    let sign_up = SignUpValues {
        username: "",
        next: values.next,
        errors: &no_errors,
    };
    html! {
        div class="auth-pair" {
            section class="card" aria-labelledby="login-title" {
                h1 id="login-title" { "Log in" }
                @if values.session_ended {
                    p class="notice" role="status" { (SESSION_ENDED) }
                }
                (reason(values.next))
                (log_in_form(ctx, values))
            }
            section class="card" aria-labelledby="login-signup-title" {
                h2 id="login-signup-title" { "New here? Create an account" }
                p class="muted" {
                    "A username and a password are all it takes: no e-mail address. "
                    "The account keeps your settings and taste profiles."
                }
                (sign_up_form(ctx, &sign_up))
            }
        }
    }
}

pub struct PasswordValues<'a> {
    pub errors: &'a FieldErrors,
    pub alert: Option<&'a str>,
    pub done: bool,
}

pub fn change_password_form(ctx: &PageContext, values: &PasswordValues) -> Markup {
    password_form(ctx, values, false)
}

/// The password form blank, out of band: with an answer about the other form of the
/// account page, so that a message it showed does not stay beside the new one.
pub fn blank_password_form_out_of_band(ctx: &PageContext) -> Markup {
    let blank = FieldErrors::default();
    let values = PasswordValues {
        errors: &blank,
        alert: None,
        done: false,
    };
    password_form(ctx, &values, true)
}

fn password_form(ctx: &PageContext, values: &PasswordValues, out_of_band: bool) -> Markup {
    let form = "account-password";
    form_markup(
        "account-password-form",
        "/account/password",
        ctx,
        html! {
            @if values.done {
                // Tokens are not the password's: a script keeps working through a
                // password change, which the notice says, with the way to end them.
                p class="notice" role="status" tabindex="-1" data-refocus {
                    "Your password was changed. Other devices were logged out. Your API tokens still work: revoke any you no longer trust under "
                    a href="#api-tokens-title" { "API tokens" } "."
                }
            }
            (form_alert(values.alert))
            (username_for_password_managers(ctx))
            (inputs(
                &[
                    Input {
                        form, name: "current_password", label: "Current password", kind: "password", value: "",
                        autocomplete: "current-password", hint: None,
                        error: values.errors.get(Field::CurrentPassword),
                    },
                    Input {
                        form, name: "password", label: "New password", kind: "password", value: "",
                        autocomplete: "new-password",
                        hint: Some(format!("At least {} characters.", password::MIN_CHARS)),
                        error: values.errors.get(Field::Password),
                    },
                    Input {
                        form, name: "password_confirmation", label: "Repeat the new password", kind: "password",
                        value: "", autocomplete: "new-password", hint: None,
                        error: values.errors.get(Field::Confirmation),
                    },
                ],
                values.done || values.alert.is_some(),
            ))
            button type="submit" class="button" { "Change password" }
        },
        out_of_band,
    )
}

/// The signed-in user's name, hidden, in a form that asks for their password: password
/// managers file a new password under it and fill the current one by it (Chromium
/// warns of a password form without one). The server never reads it.
fn username_for_password_managers(ctx: &PageContext) -> Markup {
    html! {
        @if let Some(user) = &ctx.user {
            input type="text" name="username" value=(user.username) autocomplete="username" hidden readonly;
        }
    }
}

pub struct DeleteValues<'a> {
    pub errors: &'a FieldErrors,
    pub alert: Option<&'a str>,
}

pub fn delete_account_form(ctx: &PageContext, values: &DeleteValues) -> Markup {
    delete_form(ctx, values, false)
}

/// The delete form blank, out of band (see `blank_password_form_out_of_band`).
pub fn blank_delete_form_out_of_band(ctx: &PageContext) -> Markup {
    let blank = FieldErrors::default();
    delete_form(
        ctx,
        &DeleteValues {
            errors: &blank,
            alert: None,
        },
        true,
    )
}

fn delete_form(ctx: &PageContext, values: &DeleteValues, out_of_band: bool) -> Markup {
    form_markup(
        "account-delete-form",
        "/account/delete",
        ctx,
        html! {
            (form_alert(values.alert))
            (username_for_password_managers(ctx))
            (inputs(
                &[
                    Input {
                        form: "account-delete", name: "password", label: "Your password", kind: "password",
                        value: "", autocomplete: "current-password", hint: None,
                        error: values.errors.get(Field::CurrentPassword),
                    },
                ],
                values.alert.is_some(),
            ))
            button type="submit" class="button danger" { "Delete my account" }
        },
        out_of_band,
    )
}

pub struct AccountValues<'a> {
    pub username: &'a str,
    pub created_at: i64,
    /// How many taste profiles the user has saved: what deleting the account deletes
    /// with it, said before it is done.
    pub taste_profiles: i64,
    pub password: PasswordValues<'a>,
    pub delete: DeleteValues<'a>,
}

/// What a refused form of the account page did not do, and the address of its section.
fn refused_summary(values: &AccountValues) -> Option<(&'static str, &'static str)> {
    let password = &values.password;
    let delete = &values.delete;
    if !password.errors.is_empty() || password.alert.is_some() {
        Some(("Your password was not changed.", "#password-title"))
    } else if !delete.errors.is_empty() || delete.alert.is_some() {
        Some(("Your account was not deleted.", "#delete-title"))
    } else {
        None
    }
}

pub fn account_page(ctx: &PageContext, values: &AccountValues) -> Markup {
    html! {
        section class="card narrow" aria-labelledby="account-title" {
            h1 id="account-title" { "Your account" }
            // A refused form's page loads at its top, and on a phone the delete form's
            // message was a long scroll below: said here first, with the way to it.
            @if let Some((what, to)) = refused_summary(values) {
                p class="form-error" role="alert" {
                    (what) " " a href=(to) { "See why" }
                }
            }
            p { "Logged in as " strong { (values.username) } ", member since " (format_date(values.created_at)) "." }
            p {
                @match values.taste_profiles {
                    0 => { "No saved taste profiles yet: save your settings on " a href="/perfect-song" { "the perfect song" } "." }
                    1 => { "1 saved taste profile, on " a href="/perfect-song#ps-profiles-title" { "the perfect song" } "." }
                    n => { (crate::decimal::format_count(n)) " saved taste profiles, on " a href="/perfect-song#ps-profiles-title" { "the perfect song" } "." }
                }
            }
        }
        section class="card narrow" aria-labelledby="password-title" {
            h2 id="password-title" { "Change password" }
            (change_password_form(ctx, &values.password))
        }
        (super::api_tokens::section())
        section class="card narrow danger-zone" aria-labelledby="delete-title" {
            h2 id="delete-title" { "Delete account" }
            p {
                "This deletes your account, your saved taste profiles and every session, "
                "at once and for good. Enter your password to confirm."
            }
            (delete_account_form(ctx, &values.delete))
        }
    }
}
