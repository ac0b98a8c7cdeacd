//! Officers sign in: every role, a wrong password, the lock, the keyboard.

use super::browser::Browser;
use super::{file_dossier, publish_agencies, shots, web_hub, AGENCY_A, DEV_OFFICERS};
use fantoccini::key::Key;

#[tokio::test]
async fn each_role_signs_in_sees_who_and_where_it_is_and_signs_out() {
    let mut hub = web_hub(5).await;
    publish_agencies(&hub).await;
    let waiting = file_dossier(&hub, "web-roles-1", AGENCY_A, "Trần Thị Bình").await;
    let browser = Browser::start("sign_in_each_role", hub.web_addr.unwrap(), &shots(&hub)).await;

    // The workspace asks for a sign-in (the root is the public portal).
    browser.goto("/mot-cua/").await;
    assert_eq!(browser.path().await, "/mot-cua/dang-nhap");
    browser.look("dang-nhap").await;

    for (i, (login, password, role)) in DEV_OFFICERS.iter().enumerate() {
        browser.sign_in(login, password).await;
        assert_eq!(
            browser.path().await,
            "/mot-cua/",
            "{login} lands on the workspace"
        );
        let text = browser.text().await;
        assert!(text.contains(role), "{login}: role `{role}` in:\n{text}");
        assert!(text.contains("Sở Xây dựng tỉnh Quảng Ninh"), "{text}");
        // Each role starts from its own queue; the reception officer's is
        // the dossiers waiting for reception.
        let first_queue = ["Chờ tiếp nhận", "Hồ sơ của tôi", "Đang xử lý", "Đang xử lý"][i];
        let heading = browser.text_of("h1", "the page heading").await;
        assert_eq!(heading, first_queue, "{login}'s home is their first queue");
        if i == 0 {
            assert!(
                text.contains(&waiting),
                "{login} sees the waiting dossier:\n{text}"
            );
        }
        if i == 0 {
            assert!(text.contains("Nguyễn Thị Lan"), "{text}");
            assert!(text.contains("Bộ phận Một cửa"), "{text}");
            browser.look("mot-cua-hang-cho").await;
        }
        browser.click(".account__sign-out button").await;
        assert_eq!(
            browser.path().await,
            "/mot-cua/dang-nhap",
            "{login} signed out"
        );
        browser.goto("/mot-cua/").await;
        assert_eq!(
            browser.path().await,
            "/mot-cua/dang-nhap",
            "after signing out, {login}'s session is gone"
        );
    }
    let records = hub.running.as_ref().unwrap().officer_records();
    assert_eq!(
        records.session_count().unwrap(),
        0,
        "every sign-out ended its session"
    );
    browser.close().await;
    hub.stop().await;
}

#[tokio::test]
async fn wrong_passwords_get_one_answer_and_lock_the_account_after_n_failures() {
    let mut hub = web_hub(3).await;
    let browser = Browser::start("sign_in_lockout", hub.web_addr.unwrap(), &shots(&hub)).await;
    let notice = || async {
        browser
            .text_of("#loi-dang-nhap", "the refusal is announced")
            .await
    };

    browser.sign_in("tiepnhan", "mat-khau-sai-1").await;
    assert_eq!(browser.path().await, "/mot-cua/dang-nhap");
    let wrong_password = notice().await;
    assert!(
        wrong_password.contains("Đăng nhập không thành công"),
        "{wrong_password}"
    );
    browser.look("dang-nhap-sai").await;

    // An account that does not exist gets the very same answer.
    browser.sign_in("khong-co-ai", "mat-khau-sai-1").await;
    assert_eq!(notice().await, wrong_password);

    let records = hub.running.as_ref().unwrap().officer_records();
    browser.sign_in("tiepnhan", "mat-khau-sai-2").await;
    assert!(!records.is_locked("tiepnhan").unwrap());
    assert_eq!(records.login_failures("tiepnhan").unwrap().count, 2);
    browser.sign_in("tiepnhan", "mat-khau-sai-3").await;
    assert!(
        records.is_locked("tiepnhan").unwrap(),
        "the third failure locks the account"
    );

    // Locked: even the right password is refused, with the same answer.
    browser.sign_in(DEV_OFFICERS[0].0, DEV_OFFICERS[0].1).await;
    assert_eq!(browser.path().await, "/mot-cua/dang-nhap");
    assert_eq!(notice().await, wrong_password);
    assert_eq!(records.session_count().unwrap(), 0);

    // Unknown names leave no record (nobody can fill the store with them).
    assert_eq!(
        records.login_failures("khong-co-ai").unwrap(),
        Default::default()
    );

    // Other officers are not affected, and a success forgets their failures.
    browser.sign_in(DEV_OFFICERS[1].0, "mat-khau-sai-1").await;
    assert_eq!(records.login_failures(DEV_OFFICERS[1].0).unwrap().count, 1);
    browser.sign_in(DEV_OFFICERS[1].0, DEV_OFFICERS[1].1).await;
    assert_eq!(browser.path().await, "/mot-cua/");
    assert_eq!(records.login_failures(DEV_OFFICERS[1].0).unwrap().count, 0);
    browser.close().await;
    hub.stop().await;
}

#[tokio::test]
async fn an_officer_signs_in_with_the_keyboard_alone() {
    let mut hub = web_hub(5).await;
    let browser = Browser::start("sign_in_keyboard", hub.web_addr.unwrap(), &shots(&hub)).await;
    browser.goto("/mot-cua/dang-nhap").await;

    browser.press(&Key::Tab).await;
    assert!(
        browser
            .focused()
            .await
            .contains("Bỏ qua, đến nội dung chính"),
        "the skip link comes first: {}",
        browser.focused().await
    );
    assert!(
        browser.focus_is_visible().await,
        "focus is visible on the skip link"
    );
    browser.screenshots("dang-nhap-ban-phim").await;
    browser.press(&Key::Tab).await;
    assert!(
        browser.focused().await.starts_with("a "),
        "then the home link"
    );
    browser.press(&Key::Tab).await;
    assert!(
        browser.focused().await.starts_with("input#ten-dang-nhap"),
        "then the login field: {}",
        browser.focused().await
    );
    assert!(
        browser.focus_is_visible().await,
        "focus is visible on the field"
    );
    browser.screenshots("dang-nhap-o-ten").await;
    browser.press(DEV_OFFICERS[0].0).await;
    browser.press(&Key::Tab).await;
    assert!(browser.focused().await.starts_with("input#mat-khau"));
    browser.press(DEV_OFFICERS[0].1).await;
    browser.press_and_wait(&Key::Enter).await;
    assert_eq!(browser.path().await, "/mot-cua/");

    // The skip link takes the focus past the header to the content.
    browser.press(&Key::Tab).await;
    browser.press(&Key::Enter).await;
    assert!(
        browser.focused().await.starts_with("main#noi-dung"),
        "the skip link moves focus to the main content: {}",
        browser.focused().await
    );
    browser.close().await;
    hub.stop().await;
}
