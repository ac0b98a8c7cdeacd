//! The OpenID Connect relying party (`lienthong::portal::oidc`) against the
//! provider simulator over real HTTP: a good sign-in, then every ID token
//! the checks must refuse (wrong signature, audience, issuer, nonce, an
//! expired token), a state that is not the browser's, a sign-in finished
//! twice, a code exchanged twice, PKCE with the wrong verifier, a refusal
//! at the provider, and a key rotated under a new `kid`.

use lienthong::portal::oidc::{
    Callback, OidcClient, OidcError, OidcSettings, Started, TokenProblem, CALLBACK_PATH,
};
use lienthong_oidc_simulator::{Client, Provider};
use std::time::Duration;

const CLIENT_ID: &str = "cong-dich-vu";
const SECRET: &str = "bi-mat-cua-cong-dich-vu";

fn redirect() -> String {
    format!("http://127.0.0.1:9{CALLBACK_PATH}")
}

async fn provider() -> Provider {
    Provider::start(Client {
        client_id: CLIENT_ID.into(),
        client_secret: SECRET.into(),
        redirect_uri: redirect(),
    })
    .await
    .expect("the provider starts")
}

fn client(provider: &Provider) -> OidcClient {
    OidcClient::new(OidcSettings {
        issuer: provider.issuer().to_string(),
        client_id: CLIENT_ID.into(),
        client_secret: SECRET.into(),
        redirect_url: redirect(),
        scopes: vec!["openid".into(), "profile".into(), "email".into()],
        display_name: "tài khoản định danh".into(),
        timeout: Duration::from_secs(5),
    })
    .unwrap()
}

/// The query of the provider's redirect back to us.
fn callback_of(url: &str) -> Callback {
    assert!(url.starts_with(&redirect()), "{url}");
    let query = url.split_once('?').unwrap().1;
    serde_urlencoded::from_str(query).unwrap()
}

/// Starts a sign-in and has `citizen` consent at the provider.
async fn consented(
    provider: &Provider,
    client: &OidcClient,
    citizen: usize,
) -> (Started, Callback) {
    let started = client.start().await.expect("a sign-in starts");
    assert!(started.authorize_url.contains("code_challenge_method=S256"));
    let back = provider
        .authorize_as(&started.authorize_url, citizen)
        .await
        .expect("the provider accepts the request");
    (started, callback_of(&back))
}

#[tokio::test]
async fn a_sign_in_completes_with_the_citizens_identity() {
    let provider = provider().await;
    let client = client(&provider);
    let (started, callback) = consented(&provider, &client, 0).await;
    let claims = client
        .finish(Some(&started.browser_token), &callback)
        .await
        .expect("a good sign-in");
    assert_eq!(claims.issuer, provider.issuer());
    assert_eq!(claims.subject, "079203001234");
    assert_eq!(claims.name.as_deref(), Some("Nguyễn Thị Mai"));
    assert_eq!(claims.email.as_deref(), Some("nguyenthimai@example.vn"));
    let (started, callback) = consented(&provider, &client, 1).await;
    let claims = client
        .finish(Some(&started.browser_token), &callback)
        .await
        .unwrap();
    assert_eq!(claims.email, None, "a citizen without an address");
    let counts = provider.counts();
    assert_eq!(counts.discovery, 1, "discovery read once and kept");
    assert_eq!(counts.jwks, 1, "keys fetched once and kept");
    assert_eq!(counts.tokens_issued, 2);
}

#[tokio::test]
async fn every_spoilt_id_token_is_refused_for_its_reason() {
    let provider = provider().await;
    let client = client(&provider);
    let switches = provider.switches();
    type Switch = fn(&lienthong_oidc_simulator::Switches, bool);
    type Expected = fn(&TokenProblem) -> bool;
    let cases: [(Switch, Expected); 5] = [
        (
            |s, on| s.set_wrong_signature(on),
            |p| *p == TokenProblem::Signature,
        ),
        (
            |s, on| s.set_wrong_audience(on),
            |p| *p == TokenProblem::Audience,
        ),
        (
            |s, on| s.set_expired(on),
            |p| matches!(p, TokenProblem::Expired { .. }),
        ),
        (|s, on| s.set_wrong_nonce(on), |p| *p == TokenProblem::Nonce),
        (
            |s, on| s.set_wrong_issuer(on),
            |p| matches!(p, TokenProblem::Issuer(_)),
        ),
    ];
    for (switch, expected) in cases {
        switch(switches, true);
        let (started, callback) = consented(&provider, &client, 0).await;
        match client.finish(Some(&started.browser_token), &callback).await {
            Err(OidcError::IdToken(problem)) => assert!(expected(&problem), "{problem}"),
            other => panic!("expected an ID token refusal, got {other:?}"),
        }
        switch(switches, false);
    }
    // Switched back: the same client signs in again.
    let (started, callback) = consented(&provider, &client, 2).await;
    client
        .finish(Some(&started.browser_token), &callback)
        .await
        .expect("a good token after the spoilt ones");
}

#[tokio::test]
async fn state_and_browser_must_match_and_a_sign_in_finishes_once() {
    let provider = provider().await;
    let client = client(&provider);

    // Another state than the browser's.
    let (started, mut callback) = consented(&provider, &client, 0).await;
    callback.state = Some("not-the-state".into());
    assert!(matches!(
        client.finish(Some(&started.browser_token), &callback).await,
        Err(OidcError::State)
    ));

    // Another browser (no cookie, or its own), with the right state.
    let (started, callback) = consented(&provider, &client, 0).await;
    assert!(matches!(
        client.finish(None, &callback).await,
        Err(OidcError::NotStarted)
    ));
    let (other, _) = consented(&provider, &client, 0).await;
    assert!(matches!(
        client.finish(Some(&other.browser_token), &callback).await,
        Err(OidcError::State)
    ));
    drop(started);

    // Finished once; the same redirect again finds nothing.
    let (started, callback) = consented(&provider, &client, 0).await;
    client
        .finish(Some(&started.browser_token), &callback)
        .await
        .unwrap();
    assert!(matches!(
        client.finish(Some(&started.browser_token), &callback).await,
        Err(OidcError::NotStarted)
    ));
}

#[tokio::test]
async fn the_provider_refuses_a_code_used_twice_and_a_wrong_verifier() {
    let provider = provider().await;
    let client = client(&provider);
    let (started, callback) = consented(&provider, &client, 0).await;
    client
        .finish(Some(&started.browser_token), &callback)
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let token = format!("{}/token", provider.issuer());
    let exchange = |code: String, verifier: String| {
        let http = http.clone();
        let token = token.clone();
        async move {
            let form = serde_urlencoded::to_string([
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", &redirect()),
                ("code_verifier", &verifier),
                ("client_id", CLIENT_ID),
                ("client_secret", SECRET),
            ])
            .unwrap();
            let answer = http
                .post(&token)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form)
                .send()
                .await
                .unwrap();
            (answer.status().as_u16(), answer.text().await.unwrap())
        }
    };
    // The code of the finished sign-in, replayed.
    let code = callback.code.clone().unwrap();
    let (status, body) = exchange(code, "a".repeat(43)).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("invalid_grant") && body.contains("used already"),
        "{body}"
    );

    // A fresh code with a verifier that is not the challenge's.
    let (_started, callback) = consented(&provider, &client, 0).await;
    let (status, body) = exchange(callback.code.unwrap(), "b".repeat(43)).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("PKCE"), "{body}");
    assert_eq!(provider.counts().tokens_refused, 2);
}

#[tokio::test]
async fn a_refusal_at_the_provider_and_a_rotated_key() {
    let provider = provider().await;
    let client = client(&provider);
    let started = client.start().await.unwrap();
    let state = started
        .authorize_url
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("state="))
        .unwrap()
        .to_string();
    let callback = Callback {
        error: Some("access_denied".into()),
        state: Some(state),
        ..Default::default()
    };
    let refused = client
        .finish(Some(&started.browser_token), &callback)
        .await
        .unwrap_err();
    assert!(matches!(&refused, OidcError::Provider { error, .. } if error == "access_denied"));
    assert!(refused.vietnamese().contains("không đồng ý"));

    let (started, callback) = consented(&provider, &client, 0).await;
    client
        .finish(Some(&started.browser_token), &callback)
        .await
        .unwrap();
    assert_eq!(provider.counts().jwks, 1);
    provider.switches().rotate_key_id();
    let (started, callback) = consented(&provider, &client, 0).await;
    client
        .finish(Some(&started.browser_token), &callback)
        .await
        .expect("the new kid is fetched");
    assert_eq!(provider.counts().jwks, 2, "the JWKS fetched again once");
}
