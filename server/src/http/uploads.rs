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
use app::imports::UPLOAD_ERROR_KEY;

/// The largest package the console accepts (a 1M-student district zips to a few hundred MB).
pub const MAX_UPLOAD_BYTES: usize = 4 * 1024 * 1024 * 1024;

async fn signed_in(state: &AppState, session: &Session) -> Result<Option<Account>, Response> {
    app::ssr::account_for(session, &state.store).await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// `POST /imports/upload` (multipart: `package`, optional `source`): imports the zip like
/// `rollbook import`, then shows its report. A refusal before there is an import (not signed
/// in as an admin, no file, not a zip) goes back to the imports page with the reason.
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
        return go(refuse(&session, "Your account is not allowed to import packages.").await);
    }
    let multipart = match <Multipart as axum::extract::FromRequest<AppState>>::from_request(request, &state).await {
        Ok(m) => m,
        Err(e) => {
            return go(refuse(&session, &format!("The upload was not a file upload form: {}", e.body_text())).await);
        }
    };
    match receive(&state, multipart).await {
        Ok((path, name, source)) => {
            let mut options = ImportOptions::new(source, &state.data_dir);
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
                Err(store::StoreError::Invalid(msg) | store::StoreError::Conflict(msg)) => go(refuse(&session, &msg).await),
                Err(e) => {
                    tracing::error!(error = %e, "upload import failed");
                    go(refuse(&session, "The import failed on the server; details are in the server log.").await)
                }
            }
        }
        Err(msg) => go(refuse(&session, &msg).await),
    }
}

/// Streams the `package` field to a spool file under the data folder; checks it is a zip.
async fn receive(state: &AppState, mut multipart: Multipart) -> Result<(std::path::PathBuf, String, String), String> {
    let spool = state.data_dir.join("uploads");
    tokio::fs::create_dir_all(&spool).await.map_err(|e| format!("The server cannot store uploads: {e}"))?;
    let mut source = "sis".to_string();
    let mut package: Option<(std::path::PathBuf, String)> = None;
    let fail = |msg: String, package: &Option<(std::path::PathBuf, String)>| {
        if let Some((p, _)) = package {
            let _ = std::fs::remove_file(p);
        }
        msg
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(fail(format!("The upload was cut off or malformed: {}", e.body_text()), &package)),
        };
        match field.name() {
            Some("source") => {
                let text = field.text().await.map_err(|e| fail(format!("source: {}", e.body_text()), &package))?;
                let text = text.trim();
                if !text.is_empty() {
                    source = text.to_string();
                }
            }
            Some("package") => {
                let name = field.file_name().unwrap_or("upload.zip").rsplit(['/', '\\']).next().unwrap_or("upload.zip").to_string();
                if name.is_empty() {
                    return Err(fail("Choose a package file (a OneRoster CSV zip) to upload.".into(), &package));
                }
                let path = spool.join(format!("{:016x}.zip", rand::random::<u64>()));
                let mut file = tokio::fs::File::create(&path).await.map_err(|e| format!("The server cannot store the upload: {e}"))?;
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
                            file.write_all(&bytes).await.map_err(|e| fail(format!("The server cannot store the upload: {e}"), &package))?;
                        }
                        Ok(None) => break,
                        Err(e) => return Err(fail(format!("The upload was cut off: {}", e.body_text()), &package)),
                    }
                }
                file.flush().await.map_err(|e| fail(format!("The server cannot store the upload: {e}"), &package))?;
                if total == 0 {
                    return Err(fail(format!("{name}: the file is empty. Choose a OneRoster CSV package (zip)."), &package));
                }
                if first.as_slice() != b"PK\x03\x04" {
                    return Err(fail(
                        format!("{name}: this is not a zip file. A OneRoster package is a zip of CSV files (manifest.csv, orgs.csv, users.csv, …)."),
                        &package,
                    ));
                }
            }
            _ => {}
        }
    }
    match package {
        Some((path, name)) => Ok((path, name, source)),
        None => Err("Choose a package file (a OneRoster CSV zip) to upload.".into()),
    }
}

/// Keeps the refusal for the imports page (shown once) and returns that page's address.
async fn refuse(session: &Session, message: &str) -> String {
    if let Err(e) = session.insert(UPLOAD_ERROR_KEY, message.to_string()).await {
        tracing::error!(error = %e, "could not keep the upload error in the session");
    }
    "/imports".to_string()
}

/// `GET /imports/{id}/report.csv`: the import's diagnostics as CSV (file, line, field,
/// severity, message).
pub(crate) async fn report_csv(State(state): State<AppState>, session: Session, Path(id): Path<i64>) -> Response {
    match signed_in(&state, &session).await {
        Ok(Some(_)) => {}
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
