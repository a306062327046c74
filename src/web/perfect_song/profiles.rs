//! Named taste profiles: save the settings under a name, load, rename, delete. Each is
//! a plain POST form (CSRF field, 303 back to the page) that htmx upgrades to swap the
//! profiles panel in place. Loading goes to the page's URL with the profile's
//! settings. Another user's profile answers 404, exactly like one that does not exist.
//!
//! Every form carries the page's settings as a query string in `settings`: without
//! JavaScript that is what "save" stores and where the others come back to. The save
//! form under htmx also includes the live form (`hx-include`), whose fields win.

use maud::{html, Markup};
use poem::{
    handler,
    http::StatusCode,
    web::{Data, Form, Path},
    IntoResponse, Response,
};

use super::{
    handlers::{self, see_other},
    params::{self, Pairs, PAGE},
    views::FORM_ID,
};
use crate::{
    db::{
        self,
        taste_profiles::{self, ProfileRow, ProfileWriteError},
    },
    error::{AppError, AppResult},
    matching::profile_name,
    state::AppState,
    web::{
        auth::{csrf, RequireUser},
        layout::PageContext,
    },
};

pub const PANEL_ID: &str = "ps-profiles";
const NAME_FIELD: &str = "name";
const SETTINGS_FIELD: &str = "settings";

/// What the panel shows besides the list: a message for the save form or for one
/// profile's rename form, and what was just done.
#[derive(Debug, Default, Clone)]
pub struct PanelState {
    pub save_name: String,
    pub save_error: Option<String>,
    /// (profile id, the name typed, the message)
    pub rename_error: Option<(i32, String, String)>,
    pub notice: Option<String>,
}

fn field<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

/// The settings a profile form is about: the live form's fields when htmx included
/// them, else the page's settings it carries.
fn settings_of(pairs: &Pairs) -> Pairs {
    if params::has_settings(pairs) {
        pairs.clone()
    } else {
        params::pairs_of(field(pairs, SETTINGS_FIELD))
    }
}

fn name_taken(name: &str) -> String {
    format!("You already have a profile named “{name}”.")
}

fn not_found() -> AppError {
    AppError::NotFound("There is no such taste profile.".into())
}

/// A profile action refused (422) with the message in `panel_state`.
async fn refuse(
    ctx: &PageContext,
    state: &AppState,
    user_id: i32,
    settings: Pairs,
    panel_state: PanelState,
) -> AppResult<Response> {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    done(ctx, state, user_id, settings, panel_state, status).await
}

/// After a profile action: the panel for htmx (with `status`), else 303 back to the
/// page with its settings on success, or the whole page with the message (422).
async fn done(
    ctx: &PageContext,
    state: &AppState,
    user_id: i32,
    settings: Pairs,
    panel_state: PanelState,
    status: StatusCode,
) -> AppResult<Response> {
    if ctx.htmx.wants_fragment() {
        let rows = db::run(&state.pool, move |conn| {
            Ok(taste_profiles::list(conn, user_id)?)
        })
        .await?;
        let query = params::query_string_of(&settings);
        let mut response = panel(ctx, &rows, &query, &panel_state).into_response();
        response.set_status(status);
        return Ok(response);
    }
    let settings = match params::parse(&settings, &ctx.catalog) {
        Ok(settings) => settings,
        Err(_) => handlers::saved_or_default(state, user_id, &ctx.catalog).await?,
    };
    if status.is_success() {
        return Ok(see_other(&params::page_url(&settings)));
    }
    let mut response = handlers::answer(ctx, state, user_id, &settings, panel_state).await?;
    response.set_status(status);
    Ok(response)
}

#[handler]
pub async fn save(
    ctx: PageContext,
    RequireUser(user): RequireUser,
    state: Data<&AppState>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let settings_pairs = settings_of(&pairs);
    let typed = field(&pairs, NAME_FIELD).to_string();
    let problem = |message: String| PanelState {
        save_name: typed.clone(),
        save_error: Some(message),
        ..PanelState::default()
    };
    let name = match profile_name::parse(&typed) {
        Ok(name) => name,
        Err(e) => {
            let panel = problem(e.to_string());
            return refuse(&ctx, &state, user.id, settings_pairs, panel).await;
        }
    };
    let settings = match params::parse(&settings_pairs, &ctx.catalog) {
        Ok(settings) => settings,
        Err(_) => {
            let panel = problem("Fix the settings above before saving them.".into());
            return refuse(&ctx, &state, user.id, settings_pairs, panel).await;
        }
    };
    let json = serde_json::to_string(&settings).map_err(AppError::internal)?;
    let stored = name.clone();
    let user_id = user.id;
    let inserted = db::run(&state.pool, move |conn| match taste_profiles::insert_named(
        conn,
        user_id,
        &stored,
        &json,
        db::now_unix(),
    ) {
        Ok(_) => Ok(true),
        Err(ProfileWriteError::NameTaken) => Ok(false),
        Err(ProfileWriteError::Database(e)) => Err(e.into()),
    })
    .await?;
    let (panel, status) = if inserted {
        (
            PanelState {
                notice: Some(format!("Saved “{name}”.")),
                ..PanelState::default()
            },
            StatusCode::OK,
        )
    } else {
        (problem(name_taken(&name)), StatusCode::UNPROCESSABLE_ENTITY)
    };
    done(&ctx, &state, user.id, settings_pairs, panel, status).await
}

async fn find(state: &AppState, user_id: i32, id: i32) -> AppResult<ProfileRow> {
    db::run(&state.pool, move |conn| {
        Ok(taste_profiles::find(conn, user_id, id)?)
    })
    .await?
    .ok_or_else(not_found)
}

/// Loading a profile makes its settings the current ones and opens them at their URL.
#[handler]
pub async fn load(
    ctx: PageContext,
    RequireUser(user): RequireUser,
    state: Data<&AppState>,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    let row = find(&state, user.id, id).await?;
    let settings = params::restore(&row.settings, &ctx.catalog.features)
        .unwrap_or_else(|| params::starting(&ctx.catalog));
    handlers::save_current(&state, user.id, &settings).await?;
    let to = params::page_url(&settings);
    if ctx.htmx.request {
        // The whole page changes: let the browser load it.
        return Ok(Response::builder()
            .status(StatusCode::OK)
            .header("HX-Redirect", to)
            .finish());
    }
    Ok(see_other(&to))
}

#[handler]
pub async fn rename(
    ctx: PageContext,
    RequireUser(user): RequireUser,
    state: Data<&AppState>,
    Path(id): Path<i32>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let settings_pairs = settings_of(&pairs);
    let row = find(&state, user.id, id).await?;
    let typed = field(&pairs, NAME_FIELD).to_string();
    let failed = |message: String| PanelState {
        rename_error: Some((id, typed.clone(), message)),
        ..PanelState::default()
    };
    let name = match profile_name::parse(&typed) {
        Ok(name) => name,
        Err(e) => {
            let panel = failed(e.to_string());
            return refuse(&ctx, &state, user.id, settings_pairs, panel).await;
        }
    };
    let stored = name.clone();
    let user_id = user.id;
    let outcome = db::run(&state.pool, move |conn| {
        match taste_profiles::rename(conn, user_id, id, &stored, db::now_unix()) {
            Ok(found) => Ok(Some(found)),
            Err(ProfileWriteError::NameTaken) => Ok(None),
            Err(ProfileWriteError::Database(e)) => Err(e.into()),
        }
    })
    .await?;
    match outcome {
        Some(false) => Err(not_found()),
        Some(true) => {
            let panel = PanelState {
                notice: Some(format!("Renamed “{}” to “{name}”.", row.name)),
                ..PanelState::default()
            };
            done(&ctx, &state, user.id, settings_pairs, panel, StatusCode::OK).await
        }
        None => {
            let panel = failed(name_taken(&name));
            refuse(&ctx, &state, user.id, settings_pairs, panel).await
        }
    }
}

#[handler]
pub async fn delete(
    ctx: PageContext,
    RequireUser(user): RequireUser,
    state: Data<&AppState>,
    Path(id): Path<i32>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let row = find(&state, user.id, id).await?;
    let user_id = user.id;
    let deleted = db::run(&state.pool, move |conn| {
        Ok(taste_profiles::delete(conn, user_id, id)?)
    })
    .await?;
    if !deleted {
        return Err(not_found());
    }
    let panel = PanelState {
        notice: Some(format!("Deleted “{}”.", row.name)),
        ..PanelState::default()
    };
    done(
        &ctx,
        &state,
        user.id,
        settings_of(&pairs),
        panel,
        StatusCode::OK,
    )
    .await
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

/// The panel: save the current settings under a name, and the saved profiles.
pub fn panel(ctx: &PageContext, rows: &[ProfileRow], settings: &str, state: &PanelState) -> Markup {
    let save_action = format!("{PAGE}/profiles");
    html! {
        section id=(PANEL_ID) class="card ps-profiles" aria-labelledby="ps-profiles-title" {
            h2 id="ps-profiles-title" { "Your taste profiles" }
            @if let Some(notice) = &state.notice { p class="ps-notice" role="status" { (notice) } }
            form class="ps-save-form" method="post" action=(save_action)
                hx-post=(save_action) hx-include={ "#" (FORM_ID) } hx-target={ "#" (PANEL_ID) } hx-swap="outerHTML" {
                input type="hidden" name=(csrf::FIELD) value=(ctx.csrf_token);
                input type="hidden" name=(SETTINGS_FIELD) value=(settings);
                div class={ "field" @if state.save_error.is_some() { " has-error" } } {
                    label for="ps-profile-name" { "Save these settings as" }
                    div class="ps-inline" {
                        input type="text" id="ps-profile-name" name=(NAME_FIELD) value=(state.save_name)
                            maxlength=(profile_name::MAX_CHARS) required placeholder="e.g. Sunday morning"
                            aria-invalid=[state.save_error.as_ref().map(|_| "true")]
                            aria-describedby="ps-profile-name-error";
                        button type="submit" { "Save profile" }
                    }
                    p class="field-error" id="ps-profile-name-error" { @if let Some(e) = &state.save_error { (e) } }
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
                form method="post" action={ (base) "/load" } class="inline-form" {
                    input type="hidden" name=(csrf::FIELD) value=(ctx.csrf_token);
                    button type="submit" class="button-small" aria-label={ "Load " (row.name) } { "Load" }
                }
                details class="ps-rename" open[rename_error.is_some()] {
                    summary { "Rename" }
                    (profile_form(ctx, &format!("{base}/rename"), settings, "ps-rename-form", html! {
                        label for=(input_id) class="visually-hidden" { "New name for " (row.name) }
                        div class="ps-inline" {
                            input type="text" id=(input_id) name=(NAME_FIELD)
                                value=(rename_error.map(|(_, typed, _)| typed.as_str()).unwrap_or(&row.name))
                                maxlength=(profile_name::MAX_CHARS) required
                                aria-invalid=[rename_error.map(|_| "true")] aria-describedby=(error_id);
                            button type="submit" class="button-small" { "Rename" }
                        }
                        p class="field-error" id=(error_id) { @if let Some((_, _, m)) = rename_error { (m) } }
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
