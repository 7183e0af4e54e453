//! Errors, mapped once to HTTP: an HTML error page for people and
//! `application/problem+json` for machines (see [`crate::platform::api::ApiError`]).

use axum::{
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

use crate::platform::web::{page::render_error_page, shell::Shell};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("page not found")]
    NotFound,
    #[error("you do not have permission to see this page")]
    Forbidden,
    #[error("sign in to continue")]
    SignIn { next: String },
    #[error("{0}")]
    BadRequest(String),
    #[error("This form has expired. Go back, refresh the page and try again.")]
    FormExpired,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<super::secrets::SecretError> for AppError {
    fn from(e: super::secrets::SecretError) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::SignIn { .. } => StatusCode::UNAUTHORIZED,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::FormExpired => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What a person is told. Internal details are logged, never shown.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => {
                "Sorry, something went wrong on our side. Try again later.".to_owned()
            }
            other => other.to_string(),
        }
    }

    pub fn title(&self) -> &'static str {
        match self {
            AppError::NotFound => "Page not found",
            AppError::Forbidden => "You do not have permission to see this page",
            AppError::SignIn { .. } => "Sign in to continue",
            AppError::BadRequest(_) => "There is a problem with your request",
            AppError::FormExpired => "This form has expired",
            AppError::Conflict(_) => "That could not be done",
            AppError::TooManyRequests(_) => "Too many attempts",
            AppError::Internal(_) => "Sorry, there is a problem with the service",
        }
    }

    pub fn log(&self) {
        if let AppError::Internal(e) = self {
            tracing::error!(error = ?e, "request failed");
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        if let AppError::SignIn { next } = &self {
            return Redirect::to(&format!("/sign-in?next={}", urlencode(next))).into_response();
        }
        let status = self.status();
        let html = render_error_page(Shell::bare(self.title()), &self.public_message());
        (status, html).into_response()
    }
}

pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
