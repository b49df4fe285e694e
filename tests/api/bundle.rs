//! The browser's bundle goes out compressed to a browser that accepts it,
//! byte for byte what was built; pages are not compressed, so that they
//! still stream as their parts load.

use crate::helpers::{settings_in, test_db};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use flate2::read::GzDecoder;
use forest_runbook::server::{AppState, router};
use http_body_util::BodyExt;
use std::io::Read;
use tower::ServiceExt;

async fn get(
    app: &axum::Router,
    path: &str,
    accept: Option<&str>,
) -> (StatusCode, Option<String>, Vec<u8>) {
    let mut request = Request::get(path);
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT_ENCODING, accept);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let encoding = response
        .headers()
        .get(header::CONTENT_ENCODING)
        .map(|value| value.to_str().expect("ascii").to_owned());
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, encoding, body.to_vec())
}

#[tokio::test]
async fn the_bundle_is_sent_gzipped_to_a_browser_that_accepts_it_and_pages_are_not() {
    let db = test_db("bundle").await;
    let dir = tempfile::tempdir().expect("dir");
    let mut settings = settings_in(dir.path());
    settings.site.root = dir.path().join("site");
    let pkg = settings.site.root.join(&settings.site.pkg_dir);
    std::fs::create_dir_all(&pkg).expect("pkg");
    // Repetitive, as code is: it compresses well.
    let wasm: Vec<u8> = (0..200_000_u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(pkg.join("forest-runbook.wasm"), &wasm).expect("wasm");
    let app = router(AppState::new(settings, db.clone()));
    let path = "/pkg/forest-runbook.wasm";

    let (status, encoding, body) = get(&app, path, Some("gzip")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert!(body.len() < wasm.len() / 4, "{} bytes sent", body.len());
    let mut inflated = Vec::new();
    GzDecoder::new(body.as_slice())
        .read_to_end(&mut inflated)
        .expect("gunzip");
    assert_eq!(inflated, wasm, "what was built, byte for byte");

    let (status, encoding, body) = get(&app, path, None).await;
    assert_eq!((status, encoding), (StatusCode::OK, None));
    assert_eq!(
        body, wasm,
        "sent as is to a client that asks for no encoding"
    );

    let (status, encoding, body) = get(&app, "/login", Some("gzip, br")).await;
    assert_eq!((status, encoding), (StatusCode::OK, None), "a page streams");
    assert!(String::from_utf8_lossy(&body).contains("<html"));
    db.drop_database().await.expect("drop");
}
