//! The operator console's page of the broker's parked messages, against
//! the real RabbitMQ: commands the hub parked show with their reason and
//! source queue; an administrator re-drives one through the confirmation
//! in a real Chromium, and it goes back to its queue (a body that still
//! does not decode is parked again, now counted as re-driven once); a post
//! without the session's token, a stale "all" and an unknown id change
//! nothing; the audit log names the officer, as it names a gRPC operator.

use super::commands::{error, parked, Sender};
use super::senders::parked_ids_when;
use super::{cleanup, connect, prefix};
use crate::common::{ONE_STOP, PORTAL};
use crate::web::browser::Browser;
use crate::web::http;
use lienthong::audit::Kind;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parked_messages_are_listed_with_their_reason_and_redriven_through_the_console() {
    let prefix = prefix();
    let mut hub = super::amqp_hub(&prefix, vec![]).await;
    let web = hub
        .web_addr
        .expect("the dev configuration serves the pages");
    let connection = connect().await;
    let mut sender = Sender::open(&connection, &prefix, "one-stop").await;
    for id in ["hong-1", "hong-2"] {
        sender
            .send(ONE_STOP, None, b"\xff\xfe not protobuf".to_vec(), id)
            .await;
        let e = error(sender.reply(id).await);
        assert!(e.parked, "{e:?}");
    }
    let portal = hub.client(PORTAL).await;
    assert_eq!(
        parked_ids_when(&portal, hub.addr, 2).await,
        ["hong-1", "hong-2"]
    );

    // The page lists both, with the hub's reason and where they came from.
    let browser = Browser::start("console-amqp", web, &hub.dir.path().join("screenshots")).await;
    browser.sign_in("quantri", "dev-quantri-matkhau").await;
    browser.goto("/quan-tri/ban-tin").await;
    let text = browser.text().await;
    for said in [
        "hong-1",
        "hong-2",
        "does not decode",
        &format!("{prefix}.commands"),
    ] {
        assert!(text.contains(said), "{said}:\n{text}");
    }
    browser.look("messages").await;

    // One, confirmed: back to its queue, where it does not decode again
    // and is parked again, now re-driven once.
    browser
        .click("a[href=\"/quan-tri/ban-tin/gui-lai?id=hong-1\"]")
        .await;
    let text = browser.text().await;
    assert!(
        text.contains("Xác nhận gửi lại bản tin") && text.contains("hong-1"),
        "{text}"
    );
    browser.look("confirm").await;
    browser.click("form.action-form button[type=submit]").await;
    let said = browser
        .text_of(".notice--done", "the re-drive is said")
        .await;
    assert!(said.contains("Đã gửi lại 1 bản tin"), "{said}");
    let e = error(sender.reply("hong-1").await);
    assert!(e.parked, "the re-driven copy was consumed again: {e:?}");
    let mut again = Vec::new();
    for _ in 0..300 {
        again = parked(&portal, hub.addr).await;
        if again
            .iter()
            .any(|m| m.message_id == "hong-1" && m.redriven == 1)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let redriven: Vec<_> = again
        .iter()
        .map(|m| (m.message_id.as_str(), m.redriven))
        .collect();
    assert!(
        redriven.contains(&("hong-1", 1)) && redriven.contains(&("hong-2", 0)),
        "{redriven:?}"
    );
    browser.goto("/quan-tri/ban-tin").await;
    assert!(browser.text().await.contains("1 lần"));
    browser.look("messages-after").await;
    browser.close().await;

    // What a browser would not send: nothing changes, and the page says why.
    let (admin, csrf) = http::sign_in(web, "quantri", "dev-quantri-matkhau").await;
    let path = "/quan-tri/ban-tin/gui-lai";
    let no_token = http::post(web, path, Some(&admin), "id=hong-2").await;
    assert_eq!(no_token.status, 403, "{}", no_token.body);
    let stale = http::post(
        web,
        path,
        Some(&admin),
        &format!("csrf={csrf}&tat-ca=1&so-luong=7"),
    )
    .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(
        stale.body.contains("Không có gì thay đổi"),
        "{}",
        stale.body
    );
    let unknown = http::post(web, path, Some(&admin), &format!("csrf={csrf}&id=khong-co")).await;
    assert_eq!(unknown.status, 409, "{}", unknown.body);
    assert!(unknown.body.contains("«khong-co»"), "{}", unknown.body);
    let (reception, reception_csrf) = http::sign_in(web, "tiepnhan", "dev-tiepnhan-matkhau").await;
    let refused = http::post(
        web,
        path,
        Some(&reception),
        &format!("csrf={reception_csrf}&id=hong-2"),
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let left: Vec<_> = parked(&portal, hub.addr)
        .await
        .into_iter()
        .map(|m| (m.message_id, m.redriven))
        .collect();
    assert!(
        left.contains(&("hong-2".to_string(), 0)),
        "hong-2 untouched: {left:?}"
    );

    // The audit log: the one re-drive, naming the officer, and the
    // consumer taking the re-driven copy on that officer's approval (the
    // two are written by different tasks: in either order).
    hub.stop().await;
    let log = crate::audit::entries(&hub.dir.path().join("data"));
    let operator: Vec<_> = log
        .iter()
        .filter(|e| e.record.kind == Kind::Operator)
        .map(|e| {
            (
                e.record.actor.as_str(),
                e.record.action.as_str(),
                e.record.count,
                e.record.detail.as_str(),
            )
        })
        .collect::<Vec<_>>();
    let mut operator = operator;
    operator.sort();
    assert_eq!(
        operator,
        [
            ("officer:quantri", "redrive_parked", 1, "hong-1"),
            (
                "officer:quantri",
                "take_redriven_command",
                1,
                "message `hong-1` of partner one-stop, re-driven from the parking queue"
            )
        ]
    );
    cleanup(&prefix, &[]).await;
}
