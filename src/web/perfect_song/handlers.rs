//! `/perfect-song`: one GET handler for the page and the live fragment, the no-JS POST
//! ("Find my song"), and the debounced save of the current settings.
//!
//! Settings come from the query string when it has any (a shareable URL opens the same
//! result), else from the user's saved current settings, else the defaults. The live
//! GET never writes: saving is `POST /perfect-song/current`, which the page sends 1.5 s
//! after the last change. That keeps the hot endpoint read-only (no write lock on the
//! SQLite file per slider step, no read-compare-write) and GET free of side effects.

use poem::{
    handler,
    http::StatusCode,
    web::{Data, Form},
    IntoResponse, Request, Response,
};

use super::{
    params::{self, FormState, Pairs},
    pipeline::Pipeline,
    profile_views::{self, PanelState},
    profiles, seed_views,
};
use crate::{
    error::AppResult,
    web::{extract::UserPage, respond::see_other, state::AppState},
};

#[handler]
pub async fn show(page: UserPage, state: Data<&AppState>, req: &Request) -> AppResult<Response> {
    let mut flow = Pipeline::new(&page, &state);
    let pairs = params::pairs_of(req.uri().query().unwrap_or_default());
    flow.seed_query = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == seed_views::QUERY)
        .map(|(_, v)| v.clone());
    // A profile action without JavaScript comes back here saying what it did.
    let panel = if page.ctx.htmx.wants_fragment() {
        PanelState::default()
    } else {
        profiles::notice_of_address(&page, &state, &pairs).await?
    };
    let saved = if params::has_settings(&pairs) {
        None
    } else {
        Some(flow.saved_or_default().await?)
    };
    let settings = match saved {
        Some(saved) if saved.seeds.is_empty() => saved,
        // Saved seeds are checked as their own address would check them: a seed that
        // an import has since removed showed as a bare "Track #123" chip, with no word
        // on why until the first slider move answered 422.
        saved => {
            let given = saved.map_or(pairs, |saved| {
                params::pairs_of(&params::query_string(&saved))
            });
            match flow.parsed_and_seeded(&given).await? {
                Ok(settings) => settings,
                Err(errors) => {
                    let form =
                        FormState::from_input(&given, errors, &params::starting(&page.ctx.catalog));
                    return flow.respond(&form, None, panel).await;
                }
            }
        }
    };
    flow.answer(&settings, panel).await
}

/// "Find my song" without JavaScript: save as the current settings and show them at
/// their shareable URL.
#[handler]
pub async fn submit(
    page: UserPage,
    state: Data<&AppState>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let flow = Pipeline::new(&page, &state);
    let typed_name = typed_profile_name(&pairs);
    match flow.parsed_and_seeded(&pairs).await? {
        Ok(settings) if typed_name.is_empty() => {
            flow.save_current(&settings).await?;
            Ok(see_other(&params::page_url(&settings)))
        }
        Ok(settings) => {
            // Enter in the profile-name field submits this form ("Find my song" is its
            // first button; app.js makes Enter press "Save profile"). A name typed in
            // "Save these settings as" asks for them to be saved, so they are, as with
            // JavaScript: the page had kept the name with a word on how to save it,
            // 3,000 px below where it opened, and looked saved.
            flow.save_current(&settings).await?;
            profiles::save_as_typed(&page, &state, &pairs).await
        }
        // Without JavaScript, the settings as typed go to the page's address, which
        // shows the same messages (422): answered here, the page was a POST's, and
        // Back to it after fixing the problem asked to resend the form. A profile name
        // typed beside them stays on this answer, since the address cannot carry it
        // (and is not saved: the settings it names are refused).
        Err(errors) => {
            let query = params::query_string_of(&pairs);
            if !page.ctx.htmx.request
                && typed_name.is_empty()
                && query.len() <= MAX_REDIRECTED_QUERY
            {
                return Ok(see_other(&params::page_url_of_query(&query)));
            }
            let form = FormState::from_input(&pairs, errors, &params::starting(&page.ctx.catalog));
            let panel = PanelState {
                save_name: typed_name,
                ..PanelState::default()
            };
            flow.respond(&form, None, panel).await
        }
    }
}

/// The longest query a refused "Find my song" is sent back to its address with: well
/// inside what browsers and this server take (`request_limits`); a longer one (a field
/// filled with text) is answered in place.
const MAX_REDIRECTED_QUERY: usize = 4096;

/// The page's debounced save (htmx, no swap): 204 when saved, 422 when the settings
/// are not valid (nothing is saved; the live answer already shows the messages).
/// The 422 is quiet: an empty body of our own, which the error layer passes on as it
/// is, so it raises no "422 Unprocessable Entity" notice over the page.
#[handler]
pub async fn save_current_settings(
    page: UserPage,
    state: Data<&AppState>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let quiet_refusal = || {
        Response::builder()
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .content_type("text/html; charset=utf-8")
            .body("")
    };
    let Ok(settings) = params::parse(&pairs, &page.ctx.catalog) else {
        return Ok(quiet_refusal());
    };
    let flow = Pipeline::new(&page, &state);
    // A seed the catalog does not have is not kept either: the plain page would open
    // on it ("Track #99999999") every time.
    if flow.seeded(settings.clone(), &pairs).await?.is_err() {
        return Ok(quiet_refusal());
    }
    flow.save_current(&settings).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The profile name typed beside "Save profile" (that field belongs to the settings
/// form, so it comes with every submission of it), trimmed.
fn typed_profile_name(pairs: &Pairs) -> String {
    profiles::field(pairs, profile_views::NAME_FIELD)
        .trim()
        .to_string()
}
