//! The home page, health check, assets and headers, through the real router.

mod common;

use common::empty_app;

#[tokio::test]
async fn healthz_answers_ok() {
    let app = empty_app();
    let resp = app.client.get("/healthz").send().await;
    resp.assert_status_is_ok();
    resp.assert_text("ok").await;
}

#[tokio::test]
async fn empty_catalog_home_page_explains_how_to_import() {
    let app = empty_app();
    let resp = app.client.get("/").send().await;
    resp.assert_status_is_ok();
    resp.assert_header("vary", "HX-Request");
    let body = resp.0.into_body().into_string().await.unwrap();
    assert!(body.contains("<!DOCTYPE html>"));
    assert!(body.contains("No tracks yet"));
    assert!(body.contains("import"));
}
