//! `rollbook bench-echo --file BODY --listen ADDR` (hidden): a trivial HTTP server that answers
//! every GET with the same bytes, for the API benchmark's baseline (bench/api.sh): the same
//! runtime, HTTP stack and response size as the API, without the work of answering.

use std::net::SocketAddr;

use axum::{body::Bytes, http::header, routing::get, Router};

use crate::CliError;

pub(crate) async fn run(file: &std::path::Path, listen: SocketAddr) -> Result<(), CliError> {
    let body = Bytes::from(
        std::fs::read(file).map_err(|e| CliError::Io(format!("cannot read {}: {e}", file.display())))?,
    );
    let app = Router::new().fallback(get(move || {
        let body = body.clone();
        async move { ([(header::CONTENT_TYPE, "application/json")], body) }
    }));
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| CliError::from_bind(listen, e))?;
    axum::serve(listener, app).await.map_err(|e| CliError::Io(e.to_string()))
}
