//! Console routes that move files: uploading a package to import, downloading an import's
//! validation report as CSV. Both check the session (and the upload the role) themselves.

use axum::{
    body::Body,
    extract::{Multipart, Path, Request, State},
    http::{header, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use store::{roster::ImportOptions, Account, Role};
use tokio::io::AsyncWriteExt;
use tower_sessions::Session;

use super::AppState;
use app::imports::Refusal;

/// The largest package the console accepts (a 1M-student district zips to a few hundred MB).
pub const MAX_UPLOAD_BYTES: usize = 4 * 1024 * 1024 * 1024;

async fn signed_in(state: &AppState, session: &Session) -> Result<Option<Account>, Response> {
    app::ssr::account_for(session, &state.store).await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// `POST /imports/upload` (multipart: `package`, optional `source`): imports the zip like
/// `rollbook import`, then shows its report. A refusal before there is an import (not an
/// admin, no file, not a zip, a bad source name) goes back to the imports page with the
/// reason as a code the page words itself ([`Refusal`]), and the file or source name.
pub(crate) async fn upload(State(state): State<AppState>, session: Session, request: Request) -> Response {
    // The page's upload script asks for the address instead of a redirect (see `go`).
    let script = request.headers().contains_key("x-rollbook-upload");
    let go = |to: String| if script { (StatusCode::OK, to).into_response() } else { Redirect::to(&to).into_response() };
    if request.headers().get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"cross-site") {
        return StatusCode::FORBIDDEN.into_response();
    }
    let account = match signed_in(&state, &session).await {
        Ok(Some(a)) => a,
        Ok(None) => return Redirect::to("/sign-in?next=%2Fimports").into_response(),
        Err(r) => return r,
    };
    if account.role != Role::DistrictAdmin {
        return go(Refusal::Forbidden.address(""));
    }
    let multipart = match <Multipart as axum::extract::FromRequest<AppState>>::from_request(request, &state).await {
        Ok(m) => m,
        Err(e) => {
            tracing::info!(error = %e.body_text(), "an upload was not a multipart form");
            return go(Refusal::Malformed.address(""));
        }
    };
    match receive(&state, multipart).await {
        Ok((path, name, source)) => {
            let mut options = ImportOptions::new(source.clone(), &state.data_dir);
            options.origin = "upload".into();
            options.actor = account.email.clone();
            options.package_name = Some(name.clone());
            let result = state.store.import_package(&path, &options, &store::roster::Silent).await;
            let _ = tokio::fs::remove_file(&path).await;
            match result {
                Ok(report) => {
                    let detail = format!("{name}: {}", report.message);
                    if let Err(e) = state.store.record_audit(&account.email, "import.upload", &format!("import {}", report.id), &detail).await {
                        tracing::error!(error = %e, "could not record the upload in the audit log");
                    }
                    go(format!("/imports/{}", report.id))
                }
                Err(store::StoreError::Invalid(_)) => go(Refusal::Source.address(&source)),
                Err(e) => {
                    tracing::error!(error = %e, "upload import failed");
                    go(Refusal::Failed.address(&name))
                }
            }
        }
        Err((refusal, detail)) => go(refusal.address(&detail)),
    }
}

/// Streams the `package` field to a spool file under the data folder; checks it is a zip.
async fn receive(state: &AppState, mut multipart: Multipart) -> Result<(std::path::PathBuf, String, String), (Refusal, String)> {
    let spool = state.data_dir.join("uploads");
    let storage = |e: std::io::Error| {
        tracing::error!(error = %e, "cannot store an upload");
        (Refusal::Failed, String::new())
    };
    tokio::fs::create_dir_all(&spool).await.map_err(storage)?;
    let mut source = "sis".to_string();
    let mut package: Option<(std::path::PathBuf, String)> = None;
    let fail = |refusal: (Refusal, String), package: &Option<(std::path::PathBuf, String)>| {
        if let Some((p, _)) = package {
            let _ = std::fs::remove_file(p);
        }
        refusal
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err(fail((Refusal::Malformed, String::new()), &package)),
        };
        match field.name() {
            Some("source") => {
                let text = field.text().await.map_err(|_| fail((Refusal::Malformed, String::new()), &package))?;
                let text = text.trim();
                if !text.is_empty() {
                    source = text.to_string();
                }
            }
            Some("package") => {
                let name = field.file_name().unwrap_or("upload.zip").rsplit(['/', '\\']).next().unwrap_or("upload.zip").to_string();
                if name.is_empty() {
                    return Err(fail((Refusal::NoFile, String::new()), &package));
                }
                let path = spool.join(format!("{:016x}.zip", rand::random::<u64>()));
                let mut file = tokio::fs::File::create(&path).await.map_err(storage)?;
                package = Some((path.clone(), name.clone()));
                let mut field = field;
                let mut first: Vec<u8> = Vec::with_capacity(4);
                let mut total = 0u64;
                loop {
                    match field.chunk().await {
                        Ok(Some(bytes)) => {
                            if first.len() < 4 {
                                first.extend(bytes.iter().take(4 - first.len()));
                            }
                            total += bytes.len() as u64;
                            if let Err(e) = file.write_all(&bytes).await {
                                return Err(fail(storage(e), &package));
                            }
                        }
                        Ok(None) => break,
                        Err(_) => return Err(fail((Refusal::Malformed, String::new()), &package)),
                    }
                }
                if let Err(e) = file.flush().await {
                    return Err(fail(storage(e), &package));
                }
                if total == 0 {
                    return Err(fail((Refusal::Empty, name), &package));
                }
                if first.as_slice() != b"PK\x03\x04" {
                    return Err(fail((Refusal::NotZip, name), &package));
                }
            }
            _ => {}
        }
    }
    match package {
        Some((path, name)) => Ok((path, name, source)),
        None => Err((Refusal::NoFile, String::new())),
    }
}

/// `GET /imports/{id}/report.csv`: the import's diagnostics as CSV (file, line, field,
/// severity, message).
pub(crate) async fn report_csv(State(state): State<AppState>, session: Session, Path(id): Path<i64>) -> Response {
    match signed_in(&state, &session).await {
        Ok(Some(a)) if a.role.is_staff() => {}
        Ok(Some(_)) => return StatusCode::FORBIDDEN.into_response(),
        Ok(None) => return Redirect::to("/sign-in").into_response(),
        Err(r) => return r,
    }
    let report = match state.store.import(id).await {
        Ok((_, Some(report))) => report,
        Ok((_, None)) => return (StatusCode::CONFLICT, "the import is still running").into_response(),
        Err(store::StoreError::NotFound(msg)) => return (StatusCode::NOT_FOUND, msg).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "report export failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut ok = out.write_record(["file", "line", "field", "severity", "message"]).is_ok();
    for p in &report.problems {
        let line = p.line.map(|l| l.to_string()).unwrap_or_default();
        ok &= out.write_record([p.file.as_str(), &line, p.field.as_deref().unwrap_or(""), &p.severity, &p.message]).is_ok();
    }
    let Ok(body) = out.into_inner() else { return StatusCode::INTERNAL_SERVER_ERROR.into_response() };
    if !ok {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let disposition = format!("attachment; filename=\"rollbook-import-{id}-report.csv\"");
    Response::builder()
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .header(header::CONTENT_DISPOSITION, disposition)
        .body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
