//! The taste-profiles panel: save the current settings under a name, and each saved
//! profile's load, rename and delete forms. Every form is a plain POST (CSRF field, 303
//! back to the page) that htmx upgrades to swap the panel in place; saving posts the
//! settings form itself (see `panel`).

use maud::{html, Markup};

use super::{params::PAGE, views::FORM_ID};
use crate::{
    db::taste_profiles::ProfileRow,
    matching::profile_name,
    web::{auth::csrf, extract::PageContext},
};

pub const PANEL_ID: &str = "ps-profiles";
pub const NAME_FIELD: &str = super::params::PROFILE_NAME;
pub const SETTINGS_FIELD: &str = "settings";
const SAVE_BUTTON_ID: &str = "ps-save-profile";

/// What the panel shows besides the list: a message for the save form or for one
/// profile's rename form, and what was just done.
#[derive(Debug, Default, Clone)]
pub struct PanelState {
    pub save_name: String,
    pub save_error: Option<String>,
    /// (profile id, the name typed, the message)
    pub rename_error: Option<(i32, String, String)>,
    pub notice: Option<String>,
    /// Said at the top of the page, where it opens: a profile just loaded, which
    /// changed the whole page (its notice in the panel was 3,800 px below, unseen).
    pub page_notice: Option<String>,
}

impl PanelState {
    /// Whether the panel refuses what was asked (a name taken, the limit reached): the
    /// page sent back with it is titled as refused.
    pub fn refuses(&self) -> bool {
        self.save_error.is_some() || self.rename_error.is_some()
    }
}

/// The opening of every profile form.
fn profile_form(
    ctx: &PageContext,
    action: &str,
    settings: &str,
    class: &str,
    body: Markup,
) -> Markup {
    html! {
        form class=(class) method="post" action=(action)
            hx-post=(action) hx-target={ "#" (PANEL_ID) } hx-swap="outerHTML" {
            input type="hidden" name=(csrf::FIELD) value=(ctx.csrf_token);
            input type="hidden" name=(SETTINGS_FIELD) value=(settings);
            (body)
        }
    }
}

/// The longest settings query the profile forms carry back. Valid settings take about
/// 1 KB; every rename and delete form repeats them, so a link with 8 KB of bad input
/// made a page with 100 profiles 2 MB long. Longer settings are not carried, and the
/// forms come back to the page without them (the account's latest settings).
const MAX_CARRIED_SETTINGS: usize = 2048;

/// The panel: save the current settings under a name, and the saved profiles.
pub fn panel(ctx: &PageContext, rows: &[ProfileRow], settings: &str, state: &PanelState) -> Markup {
    let settings = if settings.len() > MAX_CARRIED_SETTINGS {
        ""
    } else {
        settings
    };
    let save_action = format!("{PAGE}/profiles");
    html! {
        section id=(PANEL_ID) class="card ps-profiles" aria-labelledby="ps-profiles-title" {
            // After a rename or a delete the control that had focus is gone (its
            // details closed, or its profile): the keyboard comes here instead of
            // falling to the top of the page (app.js, `data-refocus`). A refused
            // rename sends it to the name to fix instead.
            h2 id="ps-profiles-title" tabindex="-1" data-refocus[state.rename_error.is_none()] { "Your taste profiles" }
            @if let Some(notice) = &state.notice { p class="ps-notice" role="status" { (notice) } }
            // The name and the button belong to the settings form (`form=`), so that
            // "Save profile" posts what that form shows now, not the settings the page
            // was drawn with: without JavaScript the button submits the settings form
            // to the save address (`formaction`); with htmx it posts itself, including
            // that form (the button is the element htmx sends from, not the form, whose
            // submit asks for the live answer). Enter in the name field presses "Save
            // profile" with JavaScript (app.js, `data-enter-clicks`); without it, Enter
            // submits the settings form's first button, "Find my song", which saves the
            // profile when a name is typed (`handlers::submit`).
            div class="ps-save-form" {
                div class={ "field" @if state.save_error.is_some() { " has-error" } } {
                    label for="ps-profile-name" { "Save these settings as" }
                    div class="ps-inline" {
                        input type="text" id="ps-profile-name" form=(FORM_ID) name=(NAME_FIELD) value=(state.save_name)
                            maxlength=(profile_name::MAX_CHARS) required placeholder="e.g. Sunday morning"
                            // Typing a name is not a change of settings (app.js).
                            data-not-live data-enter-clicks=(SAVE_BUTTON_ID)
                            aria-invalid=[state.save_error.as_ref().map(|_| "true")]
                            aria-describedby="ps-profile-name-error";
                        button type="submit" id=(SAVE_BUTTON_ID) form=(FORM_ID) formaction=(save_action) formmethod="post"
                            hx-post=(save_action) hx-include={ "#" (FORM_ID) } hx-target={ "#" (PANEL_ID) } hx-swap="outerHTML" {
                            "Save profile"
                        }
                    }
                    // Said as it comes: focus stays on the button, which htmx gives back,
                    // and the message was only the name field's description.
                    p class="field-error" id="ps-profile-name-error"
                        role=[state.save_error.as_ref().map(|_| "alert")] {
                        @if let Some(e) = &state.save_error { (e) }
                    }
                }
            }
            @if rows.is_empty() {
                p class="muted" { "No saved profiles yet." }
            } @else {
                ul class="ps-profile-list" {
                    @for row in rows { (profile_item(ctx, row, settings, state)) }
                }
            }
        }
    }
}

fn profile_item(ctx: &PageContext, row: &ProfileRow, settings: &str, state: &PanelState) -> Markup {
    let base = format!("{PAGE}/profiles/{}", row.id);
    let rename_error = state
        .rename_error
        .as_ref()
        .filter(|(id, _, _)| *id == row.id);
    let input_id = format!("ps-rename-{}", row.id);
    let error_id = format!("{input_id}-error");
    html! {
        li class="ps-profile" {
            span class="ps-profile-name" { (row.name) }
            div class="ps-profile-actions" {
                form method="post" action={ (base) "/load" } class="inline-form" data-sets-current {
                    input type="hidden" name=(csrf::FIELD) value=(ctx.csrf_token);
                    button type="submit" class="button-small" aria-label={ "Load " (row.name) } { "Load" }
                }
                details class="ps-rename" open[rename_error.is_some()] {
                    summary aria-label={ "Rename " (row.name) } { "Rename" }
                    (profile_form(ctx, &format!("{base}/rename"), settings, "ps-rename-form", html! {
                        label for=(input_id) class="visually-hidden" { "New name for " (row.name) }
                        div class="ps-inline" {
                            input type="text" id=(input_id) name=(NAME_FIELD)
                                value=(rename_error.map(|(_, typed, _)| typed.as_str()).unwrap_or(&row.name))
                                maxlength=(profile_name::MAX_CHARS) required
                                aria-invalid=[rename_error.map(|_| "true")] aria-describedby=(error_id)
                                data-refocus[rename_error.is_some()];
                            button type="submit" class="button-small" { "Rename" }
                        }
                        // Said as it comes, as a refused save is.
                        p class="field-error" id=(error_id) role=[rename_error.map(|_| "alert")] {
                            @if let Some((_, _, m)) = rename_error { (m) }
                        }
                    }))
                }
                // Deleting takes a second, deliberate step (no JavaScript needed).
                details class="ps-delete" {
                    summary aria-label={ "Delete " (row.name) } { "Delete" }
                    (profile_form(ctx, &format!("{base}/delete"), settings, "ps-delete-form", html! {
                        span { "Delete “" (row.name) "” for good?" }
                        " "
                        button type="submit" class="button-small danger" { "Yes, delete" }
                    }))
                }
            }
        }
    }
}
