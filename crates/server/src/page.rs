//! The web page and the OpenAPI description, embedded in the binary so the
//! server needs no files and the page no network beyond the server itself.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use unspin_engine::Profile;

use crate::AppState;

const INDEX_HTML: &str = include_str!("../assets/index.html");
const APP_JS: &str = include_str!("../assets/app.js");
const APP_CSS: &str = include_str!("../assets/app.css");
/// The API description served at `/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");

/// The page loads only its own script and style: no inline code, no other origin.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn asset(content_type: &'static str, body: impl IntoResponse) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// The page, offering the profiles the server's engines have, its own first.
pub async fn index(State(state): State<Arc<AppState>>) -> Response {
    let options: String = state
        .checker
        .profiles()
        .iter()
        .map(|p| {
            let label = match p {
                Profile::General => "any text, papers included",
                Profile::Web => "web prose",
                Profile::Papers => "scientific papers",
            };
            format!("<option value=\"{}\">{label}</option>", p.name())
        })
        .collect();
    asset("text/html; charset=utf-8", INDEX_HTML.replace("<!-- profiles -->", &options))
}

pub async fn script() -> Response {
    asset("text/javascript; charset=utf-8", APP_JS)
}

pub async fn style() -> Response {
    asset("text/css; charset=utf-8", APP_CSS)
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON).into_response()
}
