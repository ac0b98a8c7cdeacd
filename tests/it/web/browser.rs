//! A real headless Chromium driven through ChromeDriver (WebDriver), with
//! screenshots at phone and desktop widths and an axe-core check.
//!
//! `tests/browser.sh` (run by `tests/run.sh`) installs Chromium,
//! ChromeDriver and axe-core; without them these tests fail, loudly.

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

pub const PHONE: (u32, u32) = (390, 844);
pub const DESKTOP: (u32, u32) = (1280, 900);

fn tool(variable: &str, default: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| default.to_string())
}

/// Where every test's screenshots are copied, to look at after a run.
pub fn stable_screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("screenshots")
}

fn axe_source() -> String {
    let default = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/browser-tools/node_modules/axe-core/axe.min.js");
    let path = std::env::var("LT_AXE_CORE")
        .map(PathBuf::from)
        .unwrap_or(default);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is missing at {} ({e}): run `bash tests/browser.sh` (tests/run.sh does)",
            path.display()
        )
    })
}

pub struct Browser {
    pub client: Client,
    pub base: String,
    driver: Child,
    _profile: tempfile::TempDir,
    shots: PathBuf,
    stable: PathBuf,
    test: String,
}

async fn free_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

impl Browser {
    /// A fresh Chromium (fresh profile) for one test, pointed at `web`.
    /// Screenshots go to `shots` and are copied to
    /// `target/screenshots/<test>/`.
    pub async fn start(test: &str, web: SocketAddr, shots: &Path) -> Browser {
        let chromedriver = tool("LT_CHROMEDRIVER", "chromedriver");
        let chromium = tool("LT_CHROMIUM", "/usr/bin/chromium");
        let port = free_port().await;
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {chromedriver} ({e}): run `bash tests/browser.sh`")
            });
        let webdriver = format!("http://127.0.0.1:{port}");
        // ChromeDriver answers once it listens; give it up to 30 s.
        let mut ready = false;
        for _ in 0..300 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                ready = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(ready, "chromedriver did not listen on port {port}");
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    "--lang=vi-VN",
                    format!("--user-data-dir={}", profile.path().display()),
                    format!("--window-size={},{}", DESKTOP.0, DESKTOP.1),
                ]
            }
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&webdriver)
            .await
            .expect("a Chromium session through chromedriver");
        let stable = stable_screenshot_dir().join(test);
        let _ = std::fs::remove_dir_all(&stable);
        std::fs::create_dir_all(&stable).unwrap();
        std::fs::create_dir_all(shots).unwrap();
        Browser {
            client,
            base: format!("http://{web}"),
            driver,
            _profile: profile,
            shots: shots.to_path_buf(),
            stable,
            test: test.to_string(),
        }
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    /// Opens an absolute URL (another origin: a partner's page).
    pub async fn goto_url(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// The current URL, whole.
    pub async fn client_url(&self) -> String {
        self.client.current_url().await.unwrap().to_string()
    }

    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_string()
    }

    /// The visible text of the page's body.
    pub async fn text(&self) -> String {
        self.client
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// The visible text of the element `css`, which must be there (`what`
    /// says why, for the failure).
    pub async fn text_of(&self, css: &str, what: &str) -> String {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap(),
            Err(e) => panic!("{what} ({css}): {e}\n{}", self.text().await),
        }
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.client.find(Locator::Css(css)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    /// Clicks, and when the click loads a new page (a link, a form), waits
    /// until it has replaced the old one.
    pub async fn click(&self, css: &str) {
        let old_page = self.client.find(Locator::Css("html")).await.unwrap();
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"))
            .click()
            .await
            .unwrap();
        self.wait_for_new_page(old_page).await;
    }

    /// Waits (up to 30 s) until `old_page` is gone and the new one loaded.
    pub async fn wait_for_new_page(&self, old_page: fantoccini::elements::Element) {
        for _ in 0..600 {
            if old_page.tag_name().await.is_err() {
                let state = self.script("return document.readyState").await;
                if state == "complete" {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{}: no new page within 30 s", self.test);
    }

    /// Types `keys` on the keyboard wherever the focus is (special keys as
    /// `fantoccini::key::Key` characters), as a person would.
    pub async fn press(&self, keys: &str) {
        self.press_keys(keys).await;
    }

    /// Presses keys that load a new page (Enter in a form, on a link), and
    /// waits for it.
    pub async fn press_and_wait(&self, keys: &str) {
        let old_page = self.client.find(Locator::Css("html")).await.unwrap();
        self.press_keys(keys).await;
        self.wait_for_new_page(old_page).await;
    }

    async fn press_keys(&self, keys: &str) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut typing = KeyActions::new("keyboard".into());
        for value in keys.chars() {
            typing = typing
                .then(KeyAction::Down { value })
                .then(KeyAction::Up { value });
        }
        self.client.perform_actions(typing).await.unwrap();
        self.client.release_actions().await.unwrap();
    }

    /// The focused element, described as `tag#id "text"`.
    pub async fn focused(&self) -> String {
        self.script(
            "const e = document.activeElement;
             return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' \"' + (e.innerText || '').trim() + '\"';",
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// True when the focused element shows a focus outline.
    pub async fn focus_is_visible(&self) -> bool {
        self.script("return getComputedStyle(document.activeElement).outlineStyle")
            .await
            .as_str()
            .is_some_and(|style| style != "none")
    }

    pub async fn script(&self, source: &str) -> Value {
        self.client.execute(source, vec![]).await.unwrap()
    }

    /// Signs in through the form, as an officer types it.
    pub async fn sign_in(&self, login: &str, password: &str) {
        self.goto("/mot-cua/dang-nhap").await;
        self.fill("#ten-dang-nhap", login).await;
        self.fill("#mat-khau", password).await;
        self.click("form.form button[type=submit]").await;
    }

    /// Saves the page's screenshots (`screenshots`) and checks its
    /// accessibility (`check_accessibility`), both under `name`.
    pub async fn look(&self, name: &str) {
        self.screenshots(name).await;
        self.check_accessibility(name).await;
    }

    /// Saves the page at phone and desktop widths as `<name>-phone.png` and
    /// `<name>-desktop.png`, and checks that the phone layout needs no
    /// sideways scrolling.
    pub async fn screenshots(&self, name: &str) {
        self.screenshots_at(name, None).await;
    }

    /// The same, with the element `scrolled_to` (CSS) at the top of the
    /// window at each width: the parts of a long page below the first
    /// screen.
    pub async fn screenshots_at(&self, name: &str, scrolled_to: Option<&str>) {
        for (label, (width, height)) in [("phone", PHONE), ("desktop", DESKTOP)] {
            self.client.set_window_size(width, height).await.unwrap();
            if let Some(css) = scrolled_to {
                self.client
                    .find(Locator::Css(css))
                    .await
                    .unwrap_or_else(|e| panic!("{name}: nothing to scroll to at {css}: {e}"));
                self.script(&format!("document.querySelector('{css}').scrollIntoView()"))
                    .await;
            }
            let inner = self.script("return window.innerWidth").await;
            let scroll = self
                .script("return document.documentElement.scrollWidth")
                .await;
            assert!(
                scroll.as_u64() <= inner.as_u64(),
                "{name} at {label} width scrolls sideways: content {scroll}px in a {inner}px window"
            );
            let png = self.client.screenshot().await.unwrap();
            let file = format!("{name}-{label}.png");
            std::fs::write(self.shots.join(&file), &png).unwrap();
            std::fs::write(self.stable.join(&file), &png).unwrap();
        }
        println!(
            "screenshots of {name}: {} (copied to {})",
            self.shots.display(),
            self.stable.display()
        );
    }

    /// Runs axe-core on the page; panics listing every serious or critical
    /// violation.
    pub async fn check_accessibility(&self, name: &str) {
        self.client.execute(&axe_source(), vec![]).await.unwrap();
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then(r => done(r.violations.map(v => ({
                       id: v.id, impact: v.impact, help: v.help,
                       nodes: v.nodes.map(n => n.target.join(' ')) }))))
                   .catch(e => done({ error: String(e) }));",
                vec![],
            )
            .await
            .unwrap();
        let violations = result
            .as_array()
            .unwrap_or_else(|| panic!("axe-core failed on {name}: {result}"));
        let serious: Vec<&Value> = violations
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        assert!(
            serious.is_empty(),
            "{}: accessibility violations on {name}: {serious:#?}",
            self.test
        );
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill().await;
    }
}
