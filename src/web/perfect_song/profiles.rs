//! Named taste profiles: save the settings under a name, load, rename, delete. Each is
//! a plain POST form (CSRF field, 303 back to the page) that htmx upgrades to swap the
//! profiles panel in place. Loading goes to the page's URL with the profile's
//! settings. Another user's profile answers 404, exactly like one that does not exist,
//! except to a delete: that says the profile is gone (see `delete`), to another user's
//! id as to a made-up one.
//!
//! "Save profile" belongs to the settings form (`form=`, `formaction`): it posts what
//! the form shows now, with or without JavaScript. Rename and delete carry the page's
//! settings as a query string in `settings`, where they come back to.
//!
//! Without JavaScript each action ends on the page (303) with what was done in its
//! address (`profile_done=saved&profile_id=12`), which the page says once, as htmx's
//! answer does (`notice_of_address`). Only the action and the id travel: the name
//! shown is read from the user's own profiles, so a link cannot make the page say
//! anything else.

use poem::{
    handler,
    http::StatusCode,
    web::{Data, Form, Path},
    IntoResponse, Response,
};

use super::{
    params::{self, FormState, Pairs},
    pipeline::Pipeline,
    profile_views::{self, PanelState, NAME_FIELD, SETTINGS_FIELD},
};
use crate::{
    db::{
        self,
        taste_profiles::{self, ProfileRow, ProfileWriteError},
    },
    error::{AppError, AppResult},
    matching::profile_name,
    web::{extract::UserPage, respond::see_other, state::AppState},
};

/// What a profile action did, in the address it redirects to without JavaScript.
pub const DONE_FIELD: &str = "profile_done";
/// The profile it did it to.
pub const ID_FIELD: &str = "profile_id";

/// A finished profile action, for the address of the page it ends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Done {
    Saved(i32),
    Renamed(i32),
    Deleted,
    /// A delete of a profile the user no longer has (a second click, another tab).
    AlreadyGone,
    Loaded(i32),
}

impl Done {
    fn query(self) -> String {
        match self {
            Done::Saved(id) => format!("{DONE_FIELD}=saved&{ID_FIELD}={id}"),
            Done::Renamed(id) => format!("{DONE_FIELD}=renamed&{ID_FIELD}={id}"),
            Done::Deleted => format!("{DONE_FIELD}=deleted"),
            Done::AlreadyGone => format!("{DONE_FIELD}=gone"),
            Done::Loaded(id) => format!("{DONE_FIELD}=loaded&{ID_FIELD}={id}"),
        }
    }

    fn of_address(pairs: &Pairs) -> Option<Done> {
        let id = || field(pairs, ID_FIELD).trim().parse::<i32>().ok();
        match field(pairs, DONE_FIELD) {
            "saved" => id().map(Done::Saved),
            "renamed" => id().map(Done::Renamed),
            "deleted" => Some(Done::Deleted),
            "gone" => Some(Done::AlreadyGone),
            "loaded" => id().map(Done::Loaded),
            _ => None,
        }
    }
}

/// The panel's confirmation of an action the address names (see the module comment),
/// for the page without JavaScript; nothing when it names none, or a profile that is
/// not the user's.
pub async fn notice_of_address(
    page: &UserPage,
    state: &AppState,
    pairs: &Pairs,
) -> AppResult<PanelState> {
    if let Some(Done::Loaded(id)) = Done::of_address(pairs) {
        // The page changed whole and opened at its top: said there, or the only sign
        // was that the sliders had moved.
        let page_notice = db_name(state, page.user.id, id)
            .await?
            .map(|name| format!("Loaded “{name}”: its settings are on the sliders."));
        return Ok(PanelState {
            page_notice,
            ..PanelState::default()
        });
    }
    let notice = match Done::of_address(pairs) {
        None | Some(Done::Loaded(_)) => None,
        Some(Done::Deleted) => Some("Deleted the profile.".to_string()),
        Some(Done::AlreadyGone) => Some(ALREADY_GONE.to_string()),
        Some(Done::Saved(id)) => db_name(state, page.user.id, id)
            .await?
            .map(|name| format!("Saved “{name}”.")),
        Some(Done::Renamed(id)) => db_name(state, page.user.id, id)
            .await?
            .map(|name| format!("Renamed to “{name}”.")),
    };
    Ok(PanelState {
        notice,
        ..PanelState::default()
    })
}

async fn db_name(state: &AppState, user_id: i32, id: i32) -> AppResult<Option<String>> {
    let row = db::run(&state.pool, move |conn| {
        Ok(taste_profiles::find(conn, user_id, id)?)
    })
    .await?;
    Ok(row.map(|r| r.name))
}

/// The last value of a field in a form's pairs, or "".
pub(super) fn field<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
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

/// What a delete of a profile the user does not have says.
const ALREADY_GONE: &str = "That profile is already deleted.";

fn not_found() -> AppError {
    AppError::NotFound("There is no such taste profile.".into())
}

/// A profile action refused (422) with the message in `panel_state`.
async fn refuse(
    flow: &Pipeline<'_>,
    settings: Pairs,
    panel_state: PanelState,
) -> AppResult<Response> {
    respond(flow, settings, panel_state, None).await
}

/// After a profile action that worked: the panel with `panel_state`'s notice for htmx,
/// else 303 back to the page with its settings and what was `done`.
async fn done(
    flow: &Pipeline<'_>,
    settings: Pairs,
    panel_state: PanelState,
    done: Done,
) -> AppResult<Response> {
    respond(flow, settings, panel_state, Some(done)).await
}

/// The panel for htmx (200 when `done`, else 422), else 303 back to the page on
/// success, or the whole page with the message (422).
async fn respond(
    flow: &Pipeline<'_>,
    settings: Pairs,
    panel_state: PanelState,
    done: Option<Done>,
) -> AppResult<Response> {
    let ctx = flow.ctx;
    let status = match done {
        Some(_) => StatusCode::OK,
        None => StatusCode::UNPROCESSABLE_ENTITY,
    };
    if ctx.htmx.wants_fragment() {
        let rows = flow.profiles().await?;
        let query = params::query_string_of(&settings);
        let mut response = profile_views::panel(ctx, &rows, &query, &panel_state).into_response();
        response.set_status(status);
        return Ok(response);
    }
    let settings = match (params::parse(&settings, &ctx.catalog), done) {
        (Ok(settings), _) => settings,
        // A refusal sends the page back with the settings as they were typed, and
        // their own messages beside the fields: it had shown the saved settings
        // instead, with "Fix the settings above" and nothing above to fix.
        (Err(errors), None) => {
            let form = FormState::from_input(&settings, errors, &params::starting(&ctx.catalog));
            let mut response = flow.respond(&form, None, panel_state).await?;
            response.set_status(status);
            return Ok(response);
        }
        (Err(_), Some(_)) => flow.saved_or_default().await?,
    };
    if let Some(done) = done {
        // Back at the panel, where its confirmation is: the top of a long page said
        // nothing that could be seen.
        let to = format!(
            "{}&{}#{}",
            params::page_url(&settings),
            done.query(),
            profile_views::PANEL_ID
        );
        return Ok(see_other(&to));
    }
    let mut response = flow.answer(&settings, panel_state).await?;
    response.set_status(status);
    Ok(response)
}

#[handler]
pub async fn save(
    page: UserPage,
    state: Data<&AppState>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    save_as_typed(&page, &state, &pairs).await
}

/// Saves the settings in `pairs` under the name typed beside them: "Save profile", and
/// without JavaScript Enter in the name field (`handlers::submit`).
pub(super) async fn save_as_typed(
    page: &UserPage,
    state: &AppState,
    pairs: &Pairs,
) -> AppResult<Response> {
    let flow = Pipeline::new(page, state);
    let (ctx, user) = (&page.ctx, &page.user);
    let settings_pairs = settings_of(pairs);
    let typed = field(pairs, NAME_FIELD).to_string();
    let problem = |message: String| PanelState {
        save_name: typed.clone(),
        save_error: Some(message),
        ..PanelState::default()
    };
    let name = match profile_name::parse(&typed) {
        Ok(name) => name,
        Err(e) => {
            let panel = problem(e.to_string());
            return refuse(&flow, settings_pairs, panel).await;
        }
    };
    let settings = match params::parse(&settings_pairs, &ctx.catalog) {
        Ok(settings) => settings,
        Err(_) => {
            let panel = problem("Fix the settings above before saving them.".into());
            return refuse(&flow, settings_pairs, panel).await;
        }
    };
    // Seeds the catalog does not have are refused as the page refuses them: saved,
    // the profile would open on that refusal every time it was loaded.
    if let Err(missing) = flow.seeded(settings.clone(), &settings_pairs).await? {
        let panel = problem(format!(
            "{} Then save the settings.",
            missing
                .0
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        ));
        return refuse(&flow, settings_pairs, panel).await;
    }
    let json = serde_json::to_string(&settings).map_err(AppError::internal)?;
    let stored = name.clone();
    let user_id = user.id;
    let inserted = db::run(&state.pool, move |conn| match taste_profiles::insert_named(
        conn,
        user_id,
        &stored,
        &json,
        db::now_unix(),
        profile_name::MAX_PER_USER,
    ) {
        Ok(row) => Ok(Ok(row.id)),
        Err(ProfileWriteError::Database(e)) => Err(db::user_write_error(e)),
        Err(refused) => Ok(Err(refused)),
    })
    .await?;
    match inserted {
        Ok(id) => {
            let panel = PanelState {
                notice: Some(format!("Saved “{name}”.")),
                ..PanelState::default()
            };
            done(&flow, settings_pairs, panel, Done::Saved(id)).await
        }
        Err(ProfileWriteError::TooMany) => {
            refuse(
                &flow,
                settings_pairs,
                problem(profile_name::too_many_message()),
            )
            .await
        }
        Err(_) => refuse(&flow, settings_pairs, problem(name_taken(&name))).await,
    }
}

async fn find(state: &AppState, user_id: i32, id: i32) -> AppResult<ProfileRow> {
    db::run(&state.pool, move |conn| {
        Ok(taste_profiles::find(conn, user_id, id)?)
    })
    .await?
    .ok_or_else(not_found)
}

/// The profile id in an address: one that is not a whole number of ours (`abc`, past
/// `i32`) is simply no profile of the user's, as an unknown id is, not a 400 "The
/// request could not be read" from the path's parsing. Ids start at 1.
fn profile_id(segment: &str) -> i32 {
    segment.parse().unwrap_or(0)
}

/// Loading a profile makes its settings the current ones and opens them at their URL.
#[handler]
pub async fn load(
    page: UserPage,
    state: Data<&AppState>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = profile_id(&id);
    let flow = Pipeline::new(&page, &state);
    let (ctx, user) = (&page.ctx, &page.user);
    let row = find(&state, user.id, id).await?;
    let settings = params::restore(&row.settings, &ctx.catalog.features)
        .unwrap_or_else(|| params::starting(&ctx.catalog));
    flow.save_current(&settings).await?;
    let to = format!(
        "{}&{}",
        params::page_url(&settings),
        Done::Loaded(id).query()
    );
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
    page: UserPage,
    state: Data<&AppState>,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let id = profile_id(&id);
    let flow = Pipeline::new(&page, &state);
    let user = &page.user;
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
            return refuse(&flow, settings_pairs, panel).await;
        }
    };
    let stored = name.clone();
    let user_id = user.id;
    let outcome = db::run(&state.pool, move |conn| {
        match taste_profiles::rename(conn, user_id, id, &stored, db::now_unix()) {
            Ok(found) => Ok(Some(found)),
            // Mapped as `save` maps its own: the account deleted meanwhile is a
            // refusal, not a failure of ours.
            Err(ProfileWriteError::Database(e)) => Err(db::user_write_error(e)),
            Err(_) => Ok(None),
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
            done(&flow, settings_pairs, panel, Done::Renamed(id)).await
        }
        None => {
            let panel = failed(name_taken(&name));
            refuse(&flow, settings_pairs, panel).await
        }
    }
}

/// A delete is idempotent: when the profile is not the user's (deleted by a first
/// click whose answer had not come yet, or in another tab), the answer is the panel
/// or the page saying it is already deleted, not a 404 error page over a delete that
/// worked. Another user's id answers the same, so it tells nothing of theirs.
#[handler]
pub async fn delete(
    page: UserPage,
    state: Data<&AppState>,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let id = profile_id(&id);
    let flow = Pipeline::new(&page, &state);
    let user_id = page.user.id;
    let deleted_name = db::run(&state.pool, move |conn| {
        let Some(row) = taste_profiles::find(conn, user_id, id)? else {
            return Ok(None);
        };
        let deleted = taste_profiles::delete(conn, user_id, id)?;
        Ok(deleted.then_some(row.name))
    })
    .await?;
    let (notice, done_as) = match deleted_name {
        Some(name) => (format!("Deleted “{name}”."), Done::Deleted),
        None => (ALREADY_GONE.to_string(), Done::AlreadyGone),
    };
    let panel = PanelState {
        notice: Some(notice),
        ..PanelState::default()
    };
    done(&flow, settings_of(&pairs), panel, done_as).await
}
