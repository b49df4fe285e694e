//! The browser's bundle goes out as the compressed copy the build left
//! beside it, to a browser that accepts it, and as built otherwise; a copy
//! older than its file is never sent.

use crate::helpers::{body_bytes, settings_in, test_db};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use forest_runbook::server::{AppState, router};
use std::io::{Read, Write};
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
    (response.status(), encoding, body_bytes(response).await)
}

#[tokio::test]
async fn the_bundle_goes_out_as_its_compressed_copy_unless_the_copy_is_stale() {
    let db = test_db("bundle").await;
    let dir = tempfile::tempdir().expect("dir");
    let mut settings = settings_in(dir.path());
    settings.site.root = dir.path().join("site");
    let pkg = settings.site.root.join(&settings.site.pkg_dir);
    std::fs::create_dir_all(&pkg).expect("pkg");
    // Repetitive, as code is: it compresses well.
    let wasm: Vec<u8> = (0..200_000_u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(pkg.join("forest-runbook.wasm"), &wasm).expect("wasm");
    let mut gzipped = GzEncoder::new(Vec::new(), Compression::best());
    gzipped.write_all(&wasm).expect("gzip");
    std::fs::write(
        pkg.join("forest-runbook.wasm.gz"),
        gzipped.finish().expect("gzip"),
    )
    .expect("copy");
    let app = router(AppState::new(settings.clone(), db.clone()));
    let path = "/pkg/forest-runbook.wasm";

    let (status, encoding, body) = get(&app, path, Some("gzip, deflate, br")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(encoding.as_deref(), Some("gzip"), "no brotli copy: gzip");
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
        "sent as built to a client that asks for no encoding"
    );

    // Built again, without new copies: the old copy must not be sent.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let rebuilt: Vec<u8> = wasm.iter().rev().copied().collect();
    std::fs::write(pkg.join("forest-runbook.wasm"), &rebuilt).expect("rebuilt");
    let app = router(AppState::new(settings, db.clone()));
    let (status, encoding, body) = get(&app, path, Some("gzip")).await;
    assert_eq!((status, encoding), (StatusCode::OK, None));
    assert_eq!(body, rebuilt, "the new bundle, uncompressed");
    db.drop_database().await.expect("drop");
}
