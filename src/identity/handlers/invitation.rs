//! Accepting an invitation: the person chooses a password and is signed in.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{after_password, check_password_pair};
use crate::{
    audit::{self, NewEvent},
    identity::{
        passwords, session,
        store::{self, LinkProblem, LinkPurpose, UserRow},
    },
    platform::{
        AppState,
        error::{AppError, AppResult},
        ids::UserId,
        web::{
            client::ClientIp,
            forms::FormErrors,
            page::render,
            shell::{Shell, Viewer},
        },
    },
};

#[derive(Template)]
#[template(path = "identity/choose_password.html")]
pub struct ChoosePasswordPage {
    pub shell: Shell,
    pub errors: FormErrors,
    pub heading: String,
    pub intro: String,
    pub action: String,
    pub button: String,
}

#[derive(Template)]
#[template(path = "identity/link_problem.html")]
pub struct LinkProblemPage {
    pub shell: Shell,
    pub message: String,
    pub advice: String,
}

/// A kind of one-time link that lets its holder choose a password, and how a problem with
/// it is explained.
pub struct Link {
    purpose: LinkPurpose,
    what: &'static str,
    advice: &'static str,
}

impl Link {
    pub fn new(purpose: LinkPurpose, what: &'static str, advice: &'static str) -> Self {
        Link {
            purpose,
            what,
            advice,
        }
    }

    /// Reads a password chosen through the link `token`: the holder and what is wrong with
    /// the password (nothing, if `errors` is empty), or the page saying why the link cannot
    /// be used. The link is only checked here, not used up.
    pub async fn choose(
        &self,
        state: &AppState,
        viewer: &Viewer,
        token: &str,
        form: &ChooseForm,
    ) -> AppResult<Result<(UserId, UserRow, FormErrors), Response>> {
        let user_id = match store::check_link(&state.db, self.purpose, token).await? {
            Err(problem) => return Ok(Err(self.problem(viewer, problem)?)),
            Ok(id) => id,
        };
        let user = store::user_by_id(&state.db, user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut errors = FormErrors::new();
        check_password_pair(
            &mut errors,
            &form.password,
            &form.confirm,
            &user.email,
            &user.name,
        );
        Ok(Ok((user_id, user, errors)))
    }

    /// The page saying why this link cannot be used.
    pub fn problem(&self, viewer: &Viewer, problem: LinkProblem) -> AppResult<Response> {
        link_problem_response(viewer, problem, self.what, self.advice)
    }
}

pub fn link_problem_response(
    viewer: &Viewer,
    problem: LinkProblem,
    what: &str,
    advice: &str,
) -> AppResult<Response> {
    let message = match problem {
        LinkProblem::Unknown => format!("This {what} link is not valid."),
        LinkProblem::Used => format!("This {what} link has already been used."),
        LinkProblem::Expired => format!("This {what} link has expired."),
    };
    let page = LinkProblemPage {
        shell: viewer.shell(format!("This {what} link cannot be used")),
        message,
        advice: advice.to_owned(),
    };
    let status = if problem == LinkProblem::Unknown {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::GONE
    };
    Ok((status, render(&page)?).into_response())
}

const ADVICE: &str = "Ask your organisation's security lead to send you a new invitation. If you have already set your password, sign in.";

fn page(viewer: &Viewer, token: &str, name: &str, errors: FormErrors) -> ChoosePasswordPage {
    ChoosePasswordPage {
        shell: viewer
            .shell("Set your password")
            .with_errors(!errors.is_empty()),
        errors,
        heading: "Set your password".into(),
        intro: format!(
            "Welcome to CareCERT, {name}. Choose a password to finish setting up your account."
        ),
        action: format!("/invitations/{token}"),
        button: "Set password and continue".into(),
    }
}

pub async fn accept_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> AppResult<Response> {
    match store::check_link(&state.db, LinkPurpose::Invitation, &token).await? {
        Err(problem) => link_problem_response(&viewer, problem, "invitation", ADVICE),
        Ok(user_id) => {
            let user = store::user_by_id(&state.db, user_id)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(render(&page(&viewer, &token, &user.name, FormErrors::new()))?.into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct ChooseForm {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirm: String,
}

pub async fn accept_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    Form(form): Form<ChooseForm>,
) -> AppResult<Response> {
    let link = Link::new(LinkPurpose::Invitation, "invitation", ADVICE);
    let (user_id, user, errors) = match link.choose(&state, &viewer, &token, &form).await? {
        Ok(chosen) => chosen,
        Err(problem) => return Ok(problem),
    };
    if !errors.is_empty() {
        let html = render(&page(&viewer, &token, &user.name, errors))?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    }
    let hash = passwords::hash(form.password).await?;
    let mut tx = state.db.begin().await?;
    if !store::use_link(&mut tx, LinkPurpose::Invitation, &token).await? {
        return link.problem(&viewer, LinkProblem::Used);
    }
    store::set_password(&mut tx, user_id, &hash).await?;
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent::by(Some(user_id), &user.email, "invitation.accepted", &ip),
    )
    .await?;
    tx.commit().await?;

    let memberships = store::memberships_of(&state.db, user_id).await?;
    let needs_two_step = memberships.iter().any(|m| m.role.requires_two_step());
    let cookie = session::start(&state, user_id, false).await?;
    let to = after_password(needs_two_step, user.totp_enabled_at.is_some(), "/");
    Ok(session::with_cookie(
        Redirect::to(&to).into_response(),
        cookie,
    ))
}
